"""Load stage, first step: YAML text to plain data, with the line and column of every key and value."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Location, MakecaseError

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


def read_yaml(file: Path) -> YamlSource:
    """Read one content file with PyYAML's safe loader, keeping positions.

    Raises MakecaseError for unreadable files, YAML syntax errors, duplicate keys and aliases.
    """
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MakecaseError.single(
            "File not found.", Location(file),
            hint="Check the file name, or remove the setting that points to it.") from None
    except UnicodeDecodeError as exc:
        raise MakecaseError.single(
            f"The file is not UTF-8 text ({exc.reason} at byte {exc.start}).", Location(file),
            hint="Save the file as UTF-8 in your editor.") from None
    except OSError as exc:
        raise MakecaseError.single(f"Cannot read the file: {exc.strerror}.", Location(file)) from None

    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        source = YamlSource(file, None)
        if node is not None:
            _walk(node, (), source, set(), file)
            source.data = loader.construct_document(node)
        return source
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "this is not valid YAML"
        raise MakecaseError.single(
            f"YAML syntax error: {what}.",
            Location(file, mark.line + 1, mark.column + 1) if mark else Location(file),
            hint=_syntax_hint(what)) from None
    except yaml.YAMLError as exc:
        raise MakecaseError.single(f"YAML error: {exc}.", Location(file)) from None
    finally:
        loader.dispose()


def _syntax_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return ("A line has a second ': ' in it. Put text that contains ': ' in quotes, "
                "for example headline: \"Fewer bed days: the evidence\".")
    if "found character '\\t'" in problem or "tab" in problem:
        return "YAML indents with spaces, not tabs. Replace the tab with spaces."
    if "could not find expected ':'" in problem:
        return "Each line inside a block needs 'key: value'. Check the indentation of this line and the one above."
    return "Check the indentation and quotes on this line and the line above it."


def _walk(node: yaml.Node, path: Path_, source: YamlSource, seen: set[int], file: Path) -> None:
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
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.start_mark)
            if key in firsts:
                first = firsts[key].start_mark.line + 1
                raise MakecaseError.single(
                    f"The key '{key}' appears twice in the same block (first on line {first}).",
                    Location(file, key_node.start_mark.line + 1, key_node.start_mark.column + 1),
                    hint="Keep one of them: YAML would silently use only the last.")
            firsts[key] = key_node
            child = path + (key,)
            source.key_marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _walk(value_node, child, source, seen, file)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, path + (index,), source, seen, file)
