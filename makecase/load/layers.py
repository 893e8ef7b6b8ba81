"""Load stage, layering: the partnership's content files laid over the packaged ones, by id.

For each collection the packaged item comes first; an item with the same id in the project's
file replaces the keys it names (so `evidence: [...]` alone reorders an audience), an item with
a new id is added, and `enabled: false` switches an item off. Keys renamed in a later version
still load (see RENAMED_KEYS), with a warning naming the new key.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from makecase.errors import Problem, ProblemList
from makecase.limits import Limits
from makecase.load.messages import did_you_mean, item_problem, problem_from_error, validation_errors
from makecase.load.model import Item
from makecase.load.project import COLLECTIONS, EXTRA_TOP_KEYS, Collection
from makecase.load.yamlsource import YamlSource, read_yaml

# Old key -> new key, per model name (keys of its items, or of makecase.yaml for "Settings") or
# per content file name (its top-level keys). A key renamed here keeps loading, with a warning,
# so a partnership's files written for an older makecase still build. Like MkDocs's MovedOption.
RENAMED_KEYS: dict[str, dict[str, str]] = {}

Origin = tuple[YamlSource, tuple]


def rename_keys(data: dict, table: str, source: YamlSource, path: tuple,
                problems: ProblemList, warnings: list[Problem]) -> dict[str, str]:
    """Move each renamed key of `data` (at `path` in `source`) to its new name, warning about it.
    Returns {old: new} for the keys moved."""
    moved: dict[str, str] = {}
    for old, new in RENAMED_KEYS.get(table, {}).items():
        if old not in data:
            continue
        where = source.where(path + (old,), key=True)
        if new in data:
            problems.add(f"Both '{old}' and its new name '{new}' are given.", where,
                         hint=f"'{old}' was renamed '{new}': keep only '{new}'.")
        else:
            warnings.append(Problem(f"'{old}' has been renamed '{new}'.", where,
                                    hint=f"Write '{new}:' instead; '{old}' still works for now."))
            data[new] = data[old]
            moved[old] = new
        del data[old]
    return moved


_PACKAGED: dict[tuple, YamlSource] = {}


def read_packaged(path: Path, limits: Limits) -> YamlSource:
    """The packaged content, parsed once per process (a test run or a long-lived worker loads it
    many times); each caller gets its own copy of the data, as loading may change it."""
    info = path.stat()
    key = (path, info.st_mtime_ns, info.st_size, limits)
    if key not in _PACKAGED:
        _PACKAGED[key] = read_yaml(path, [path.parent.resolve()], limits)
    cached = _PACKAGED[key]
    return YamlSource(cached.file, copy.deepcopy(cached.data), cached.value_marks, cached.key_marks)


def check_top_level(source: YamlSource, name: str, problems: ProblemList,
                    warnings: list[Problem]) -> None:
    """A content file holds its collections' keys (and a few extras) at the top, nothing else."""
    allowed = [c.key for c in COLLECTIONS if c.file == name] + list(EXTRA_TOP_KEYS.get(name, {}))
    if source.data is None:
        return
    if not isinstance(source.data, dict):
        problems.add(
            f"{name} should start with top-level keys ({', '.join(allowed)}), each holding a list.",
            source.where(()), hint=f"Begin the file with a line such as '{allowed[0]}:'.")
        source.data = None
        return
    rename_keys(source.data, name, source, (), problems, warnings)
    for key in list(source.data):
        if key not in allowed:
            problems.add(f"Unknown top-level key '{key}' in {name}.", source.where((key,), key=True),
                         hint=did_you_mean(str(key), allowed, "This file may hold: "))
            del source.data[key]


@dataclass
class _Layered:
    """A collection's raw items laid over each other by id, with where each key was written."""

    raw: dict[str, dict[str, Any]] = field(default_factory=dict)
    key_origin: dict[str, dict[str, Origin]] = field(default_factory=dict)
    item_origin: dict[str, Origin] = field(default_factory=dict)
    disabled: set[str] = field(default_factory=set)

    def lay(self, item_id: str, entry: dict, source: YamlSource, path: tuple) -> None:
        self.item_origin[item_id] = (source, path)
        if entry.get("enabled") is False:
            self.disabled.add(item_id)
            return
        self.disabled.discard(item_id)
        target = self.raw.setdefault(item_id, {})
        origins = self.key_origin.setdefault(item_id, {})
        for key, value in entry.items():
            target[key] = value
            origins[str(key)] = (source, path + (key,))


def _entry_id(entry: Any, collection: Collection, source: YamlSource, path: tuple,
              seen_here: dict[str, int], problems: ProblemList) -> str | None:
    """The id of one entry of a list, or None (with a problem added) if it cannot be layered."""
    if not isinstance(entry, dict):
        problems.add(f"Each {collection.singular} should be a block of 'key: value' lines.",
                     source.where(path), hint="Start the entry with '- id: some-id' and indent its other keys under it.")
        return None
    item_id = entry.get("id")
    if not isinstance(item_id, str) or not item_id:
        problems.add(f"This {collection.singular} has no id.", source.where(path),
                     hint="Add 'id: a-short-name' (lower-case words joined by hyphens).")
        return None
    if item_id in seen_here:
        problems.add(
            f"Duplicate {collection.singular} id '{item_id}' (first used on line "
            f"{source.where((collection.key, seen_here[item_id])).line}).",
            source.where(path + ("id",)), key=f"{collection.key} › {item_id}",
            hint="Give each item its own id, or delete one of the two.")
        return None
    return item_id


def _lay_source(layered: _Layered, collection: Collection, source: YamlSource,
                problems: ProblemList, warnings: list[Problem]) -> None:
    items = source.data[collection.key]
    if items is None:
        return
    if not isinstance(items, list):
        problems.add(
            f"'{collection.key}' should be a list, one {collection.singular} per entry starting with '- id:'.",
            source.where((collection.key,)), hint="Indent each entry under the key and start it with '- '.")
        return
    seen_here: dict[str, int] = {}
    for index, entry in enumerate(items):
        path = (collection.key, index)
        item_id = _entry_id(entry, collection, source, path, seen_here, problems)
        if item_id is None:
            continue
        seen_here[item_id] = index
        rename_keys(entry, collection.model.__name__, source, path, problems, warnings)
        layered.lay(item_id, entry, source, path)


def merge_collection(collection: Collection, sources: list[YamlSource], problems: ProblemList,
                     warnings: list[Problem] | None = None) -> tuple[dict[str, Item], set[str], set[str]]:
    """Layer the raw items of each source by id, then validate each merged item once.
    Returns the items, the ids switched off, and the ids whose errors are already reported."""
    layered = _Layered()
    for source in sources:
        if source.data is not None and collection.key in source.data:
            _lay_source(layered, collection, source, problems, warnings if warnings is not None else [])

    result: dict[str, Item] = {}
    failed: set[str] = set()
    for item_id, data in layered.raw.items():
        if item_id in layered.disabled:
            continue
        try:
            item = collection.model.model_validate(data)
        except ValidationError as exc:
            for error in validation_errors(exc):
                problems.items.append(item_problem(error, collection, item_id, layered.key_origin[item_id],
                                                   layered.item_origin[item_id]))
            failed.add(item_id)
            continue
        item.set_origin(layered.item_origin[item_id], layered.key_origin[item_id])
        result[item_id] = item
    return result, layered.disabled, failed


def load_extra(sources: list[YamlSource], key: str, model: type[BaseModel],
               problems: ProblemList) -> Any:
    """A top-level key beyond the collections (the packaged contact): the last layer's wins."""
    value = None
    for source in sources:
        if source.data is None or key not in source.data:
            continue
        try:
            value = model.model_validate(source.data[key])
        except ValidationError as exc:
            for error in validation_errors(exc):
                problems.items.append(problem_from_error(error, source, (key,), model, key))
    return value
