"""Render stage helper: what a template is handed, as plain data and nothing else.

Project templates are untrusted code (they come with pull requests), so they never see a live
object: no Project, no Path, no model with methods. Everything a template gets is built here
from str, int, float, bool, None, lists, dicts and Markup the code escaped; the sandbox
(templating.py) lets a template read attributes of those types only. A `pathlib.Path` handed to
a template was enough to read and write any file (`project.root.joinpath(...).read_text()`).

Models and dataclasses become dicts of their fields and public properties (templates read them
with dots, `b.audience.title`, as before); dates become ISO strings (the `month_year` filter
prints "November 2026"); paths become their text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from functools import cache
from pathlib import PurePath
from typing import Any

from markupsafe import Markup
from pydantic import BaseModel

PLAIN_SCALARS = (str, int, float, bool, type(None))
PLAIN_TYPES = PLAIN_SCALARS + (list, dict, Markup)
MAX_DEPTH = 40


def plain_data(value: Any, depth: int = 0) -> Any:
    """`value` as plain data: models and dataclasses as dicts of fields and properties."""
    if depth > MAX_DEPTH:
        raise ValueError("data handed to a template nests too deeply")
    if isinstance(value, Markup):
        return Markup(str(value))
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, enum.Enum):
        return plain_data(value.value, depth + 1)
    if isinstance(value, (str, int, float)):
        return type_exactly(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, BaseModel):
        names = list(type(value).model_fields)
        return _record(value, [*names, *_properties(type(value), BaseModel)], depth)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = [f.name for f in dataclasses.fields(value)]
        return _record(value, [*names, *_properties(type(value), object)], depth)
    if isinstance(value, dict):
        return {str(plain_data(k, depth + 1)): plain_data(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_data(v, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(plain_data(v, depth + 1) for v in value)
    if isinstance(value, (bytes, bytearray)):
        return len(value)  # a file's contents are never shown: its size is
    raise TypeError(f"{type(value).__name__} is not plain data for a template")


def type_exactly(value: str | int | float) -> str | int | float:
    """A str/int/float subclass (a pydantic constrained type, an IntEnum) as the base type itself,
    so a template sees no methods beyond the built-in ones."""
    for base in (str, int, float):
        if isinstance(value, base):
            return base(value)
    return value


def _record(value: Any, names: list[str], depth: int) -> dict[str, Any]:
    return {name: plain_data(getattr(value, name), depth + 1) for name in dict.fromkeys(names)}


@cache
def _properties(cls: type, stop: type) -> tuple[str, ...]:
    """The public properties a class (and its own bases, up to `stop`) defines."""
    names = []
    for klass in cls.__mro__:
        if klass is stop or klass is object:
            break
        for name, attribute in vars(klass).items():
            if not name.startswith("_") and isinstance(attribute, property):
                names.append(name)
    return tuple(names)


def is_plain(value: Any, depth: int = 0) -> bool:
    """True if `value` holds nothing but plain data (the test of every template context)."""
    if depth > MAX_DEPTH:
        return False
    if type(value) in PLAIN_SCALARS or type(value) is Markup:
        return True
    if type(value) is list:
        return all(is_plain(v, depth + 1) for v in value)
    if type(value) is dict:
        return all(type(k) is str and is_plain(v, depth + 1) for k, v in value.items())
    return False
