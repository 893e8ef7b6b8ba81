"""Errors: the one exception type for people's mistakes, carrying where and how to fix."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from makecase.resources import shown_path

# Characters a message must never send to a terminal raw: C0/C1 controls (escape sequences
# can rewrite the screen), bidi overrides and isolates (can reorder what a reader sees),
# non-characters and lone surrogates (from file names that are not UTF-8).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                     "\u2066-\u2069\ufeff\ufff9-\ufffb\ufffe\uffff\ud800-\udfff]")
MAX_LINE = 300


def clean(text: str, limit: int | None = None) -> str:
    """Text safe to print: unsafe characters shown as escapes, and cut to `limit` characters."""
    text = _UNSAFE.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii")
                       if ord(m.group(0)) < 0x10000 else "?", str(text))
    if limit is not None and len(text) > limit:
        text = text[: max(1, limit - 1)] + "…"
    return text


def shown(value: object, limit: int = 60) -> str:
    """A value quoted into a message: cleaned and cut, so a 100 KB id prints as one short line."""
    return clean(str(value).replace("\n", " "), limit)


@dataclass(frozen=True)
class Location:
    """A place in a file a person edits: 1-based line and column, like an editor shows."""

    file: Path
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = str(self.file)
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong, said so that a person who edits YAML can put it right."""

    message: str
    location: Location | None = None
    key: str | None = None
    hint: str | None = None
    excerpt: str | None = None  # the line of the file, with a caret under the column

    def render(self, base: Path | None = None) -> str:
        where = ""
        if self.location is not None:
            loc = self.location
            loc = Location(Path(shown_path(loc.file, base)), loc.line, loc.column)
            where = f"{loc}: "
        lines = [f"{where}{self.message}"]
        if self.excerpt:
            lines.extend(f"    {line}" for line in self.excerpt.splitlines())
        if self.key:
            lines.append(f"    at: {self.key}")
        if self.hint:
            # A hint may end with lines of YAML to write: each on its own line, indented under it.
            first, *more = self.hint.split("\n")
            lines.append(f"    how to fix: {first}")
            lines.extend(f"        {line}" for line in more)
        # Every line is cleaned and cut here, whatever a message quoted from content.
        return "\n".join(clean(line, MAX_LINE) for line in lines)


@dataclass
class MakecaseError(Exception):
    """A mistake in content, settings or a command line: shown without a traceback, exit code 2.

    It carries every problem found in one run, so a person fixes them all at once.
    """

    problems: list[Problem] = field(default_factory=list)
    summary: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.summary or (self.problems[0].message if self.problems else ""))

    @classmethod
    def single(
        cls,
        message: str,
        location: Location | None = None,
        key: str | None = None,
        hint: str | None = None,
        excerpt: str | None = None,
    ) -> MakecaseError:
        return cls([Problem(message, location, key, hint, excerpt)])

    def render(self, base: Path | None = None) -> str:
        count = len(self.problems)
        head = clean(self.summary, MAX_LINE) if self.summary else (
            "1 problem to fix:" if count == 1 else f"{count} problems to fix:"
        )
        body = "\n\n".join(p.render(base) for p in self.problems)
        return f"{head}\n\n{body}" if body else head


def raise_if_strict(warnings: list[Problem], strict: bool, after: str = "") -> None:
    """--strict turns warnings into one error: the one home of that rule and of how it is said
    (validate's and build's --strict; `after` adds what the command did not do)."""
    if strict and warnings:
        raise MakecaseError(list(warnings), summary=f"--strict: {len(warnings)} warning(s) to fix{after}:")


class ProblemList:
    """Collects problems through a stage, then raises them together."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, message: str, location: Location | None = None, key: str | None = None,
            hint: str | None = None) -> None:
        self.items.append(Problem(message, location, key, hint))

    def extend(self, problems: list[Problem]) -> None:
        self.items.extend(problems)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self, summary: str | None = None) -> None:
        if self.items:
            raise MakecaseError(list(self.items), summary)
