"""Errors: the one exception type for people's mistakes, carrying where and how to fix."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


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

    def render(self, base: Path | None = None) -> str:
        where = ""
        if self.location is not None:
            loc = self.location
            if base is not None:
                try:
                    loc = Location(loc.file.resolve().relative_to(base.resolve()), loc.line, loc.column)
                except ValueError:
                    pass
            where = f"{loc}: "
        lines = [f"{where}{self.message}"]
        if self.key:
            lines.append(f"    at: {self.key}")
        if self.hint:
            lines.append(f"    how to fix: {self.hint}")
        return "\n".join(lines)


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
    ) -> MakecaseError:
        return cls([Problem(message, location, key, hint)])

    def render(self, base: Path | None = None) -> str:
        count = len(self.problems)
        head = self.summary or (
            "1 problem to fix:" if count == 1 else f"{count} problems to fix:"
        )
        body = "\n\n".join(p.render(base) for p in self.problems)
        return f"{head}\n\n{body}" if body else head


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
