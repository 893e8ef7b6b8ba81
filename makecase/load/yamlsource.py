"""Load stage, first step: YAML text to plain data, with the line and column of every key and value."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from makecase.contain import read_text_contained
from makecase.errors import Location, MakecaseError, shown
from makecase.limits import DEFAULT as DEFAULT_LIMITS
from makecase.limits import Limits

Path_ = tuple[str | int, ...]


@dataclass
class YamlSource:
    """One YAML file, read safely: its data and where each part of it was written."""

    file: Path
    data: Any
    value_marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: Path_, *, key: bool = False) -> Location:
        """The location of `path` or, when it was not written, of the nearest part above it."""
        marks = self.key_marks if key else self.value_marks
        probe = tuple(path)
        while True:
            if probe in marks:
                line, column = marks[probe]
                return Location(self.file, line, column)
            if key and probe in self.value_marks:
                line, column = self.value_marks[probe]
                return Location(self.file, line, column)
            if not probe:
                return Location(self.file, 1, 1)
            probe = probe[:-1]


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing nesting deeper than a limit before its recursion does."""

    max_depth = DEFAULT_LIMITS.depth

    def compose_node(self, parent, index):  # noqa: D401 - PyYAML's hook
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > self.max_depth:
                mark = self.peek_event().start_mark
                raise _TooDeep(mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _TooDeep(Exception):
    def __init__(self, mark) -> None:
        super().__init__("too deep")
        self.mark = mark


def read_yaml(file: Path, roots: list[Path] | None = None, limits: Limits = DEFAULT_LIMITS) -> YamlSource:
    """Read one content file with PyYAML's safe loader, keeping positions.

    The file must be an ordinary file inside `roots` (default: its own folder) and within the size
    limit. Raises MakecaseError for unreadable files, YAML syntax errors, duplicate keys, aliases,
    texts that are too long or hold control characters, impossible dates and deep nesting.
    """
    text = read_text_contained(file, roots or [file.parent], max_bytes=limits.file_bytes,
                               what="content file")
    loader = None
    try:
        loader = _BoundedLoader(text)  # its reader refuses control characters at once
        loader.max_depth = limits.depth
        node = loader.get_single_node()
        source = YamlSource(file, None)
        if node is not None:
            _walk(node, (), source, set(), file, limits, loader)
            source.data = loader.construct_document(node)
        return source
    except _TooDeep as exc:
        raise MakecaseError.single(
            f"This is nested more than {limits.depth} levels deep.",
            Location(file, exc.mark.line + 1, exc.mark.column + 1),
            hint="Content nests a few levels at most: check the indentation and brackets.") from None
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, file, text) from None
    except yaml.YAMLError as exc:  # a ReaderError: a character YAML does not allow
        position = getattr(exc, "position", None)
        location = Location(file)
        if position is not None:
            before = text[:position]
            location = Location(file, before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1)
        character = getattr(exc, "character", None)
        what = f"the character {character!r}" if character is not None else "a character"
        raise MakecaseError.single(
            f"The file holds {what}, which YAML does not allow (a control character or non-character).",
            location, hint="Delete it; it is usually invisible and pasted from another program.") from None
    except RecursionError:
        raise MakecaseError.single("This file is nested too deeply to read.", Location(file),
                                   hint="Content nests a few levels at most.") from None
    except (ValueError, OverflowError) as exc:  # e.g. a number of thousands of digits
        raise MakecaseError.single(f"A value in this file cannot be read: {shown(exc, 120)}.", Location(file),
                                   hint="Check numbers and dates; put text that looks like one in quotes.") from None
    finally:
        if loader is not None:
            loader.dispose()


def _syntax_error(exc: yaml.MarkedYAMLError, file: Path, text: str) -> MakecaseError:
    """Say where the parser gave up and, when it differs, where the unclosed thing began."""
    mark = exc.problem_mark or exc.context_mark
    what = exc.problem or exc.context or "this is not valid YAML"
    lines = text.splitlines()
    excerpt = _excerpt(lines, mark) if mark else None
    message = f"YAML syntax error: {what}."
    context = exc.context_mark
    if context is not None and mark is not None and (context.line, context.column) != (mark.line, mark.column):
        message += (f" It began at line {context.line + 1}, column {context.column + 1} "
                    f"({exc.context or 'here'}):")
        excerpt = _excerpt(lines, context) + "\nand the parser gave up here:\n" + (excerpt or "")
    return MakecaseError.single(
        message, Location(file, mark.line + 1, mark.column + 1) if mark else Location(file),
        hint=_syntax_hint(what, exc.context or ""), excerpt=excerpt)


def _excerpt(lines: list[str], mark) -> str:
    """The line, cut to a window around the column, with a caret under the column."""
    line = lines[mark.line] if 0 <= mark.line < len(lines) else ""
    start = max(0, mark.column - 60)
    window = line[start:start + 100]
    prefix = "…" if start else ""
    suffix = "…" if start + 100 < len(line) else ""
    number = f"{mark.line + 1} | "
    return f"{number}{prefix}{window}{suffix}\n{' ' * (len(number) + len(prefix) + mark.column - start)}^"


def _syntax_hint(problem: str, context: str = "") -> str:
    if "quoted scalar" in context:
        return ("A quote was opened and not closed. Close it on the line where it began, or "
                "double any ' inside '...' text (write it's as it''s).")
    if "simple key" in context:
        return "A key is a short word followed by ': ' on the same line. Check this line's colon and length."
    if "flow" in context:
        return "A [ or { was opened and not closed. Close it, or put the text in quotes."
    if "mapping values are not allowed" in problem:
        return ("A line has a second ': ' in it. Put text that contains ': ' in quotes, "
                "for example headline: \"Fewer bed days: the evidence\".")
    if "found character '\\t'" in problem or "tab" in problem:
        return "YAML indents with spaces, not tabs. Replace the tab with spaces."
    if "could not find expected ':'" in problem:
        return "Each line inside a block needs 'key: value'. Check the indentation of this line and the one above."
    return "Check the indentation and quotes on this line and the line above it."


_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
# Characters that have no place in text on a page (YAML lets "\0" or "\e" escapes write them).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def _check_scalar(node: yaml.ScalarNode, file: Path, limits: Limits, loader: yaml.SafeLoader) -> None:
    where = Location(file, node.start_mark.line + 1, node.start_mark.column + 1)
    value = node.value
    if len(value) > limits.field_chars:
        raise MakecaseError.single(
            f"This text is {len(value):,} characters long, more than the {limits.field_chars:,} "
            "one text may hold.", where,
            hint="Shorten it (a page holds about 2,500 characters in all), or raise "
                 "limits.field_chars in makecase.yaml.")
    bad = _CONTROL.search(value)
    if bad:
        raise MakecaseError.single(
            f"This text holds the control character {bad.group(0).encode('unicode_escape').decode()}, "
            "which cannot be shown on a page.", where,
            hint="Delete it; it is usually invisible and pasted from another program.")
    if node.tag in (_INT, _FLOAT) and len(value) > 40:
        raise MakecaseError.single(
            f"This number has {len(value):,} characters; no figure on a page needs more than 40.", where,
            hint="Check the number, or put it in quotes if it is text.")
    if node.tag == _TIMESTAMP:
        try:
            loader.construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:
            raise MakecaseError.single(
                f"'{shown(value)}' is not a real date ({exc}).", where,
                hint="Check the day and month, written as YYYY-MM-DD.") from None


def _walk(node: yaml.Node, path: Path_, source: YamlSource, seen: set[int], file: Path,
          limits: Limits, loader: yaml.SafeLoader) -> None:
    """Record positions; reject duplicate keys (PyYAML keeps the last silently) and aliases."""
    if id(node) in seen:
        raise MakecaseError.single(
            "YAML anchors and aliases (&name and *name) are not allowed in content files.",
            Location(file, node.start_mark.line + 1, node.start_mark.column + 1),
            hint="Write the value out in full where it is needed.")
    seen.add(id(node))
    source.value_marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        firsts: dict[Any, yaml.Node] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise MakecaseError.single(
                    "YAML merge keys (<<) are not allowed in content files.",
                    Location(file, key_node.start_mark.line + 1, key_node.start_mark.column + 1),
                    hint="Write the keys out in full.")
            if not isinstance(key_node, yaml.ScalarNode):
                raise MakecaseError.single(
                    "A key must be a word, not a list or a block.",
                    Location(file, key_node.start_mark.line + 1, key_node.start_mark.column + 1),
                    hint="Write 'key: value'; put text with [ or { in quotes.")
            _check_scalar(key_node, file, limits, loader)
            key = key_node.value
            if key in firsts:
                first = firsts[key].start_mark.line + 1
                raise MakecaseError.single(
                    f"The key '{shown(key)}' appears twice in the same block (first on line {first}).",
                    Location(file, key_node.start_mark.line + 1, key_node.start_mark.column + 1),
                    hint="Keep one of them: YAML would silently use only the last.")
            firsts[key] = key_node
            child = path + (key,)
            source.key_marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _walk(value_node, child, source, seen, file, limits, loader)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, path + (index,), source, seen, file, limits, loader)
    elif isinstance(node, yaml.ScalarNode):
        _check_scalar(node, file, limits, loader)
