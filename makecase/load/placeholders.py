"""Compose stage helper: `{place.name}`-style placeholders, filled by plain substitution.

Content is never evaluated as a template: a placeholder is looked up in a fixed table of
names, and `{{` / `}}` write literal braces.
"""

from __future__ import annotations

import re
from typing import Any

PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")

# What a placeholder may name, and what it means (shown in errors and docs).
KNOWN = {
    "place.name": "the place's name, e.g. Kirklees",
    "place.kind": "what kind of place it is, e.g. local authority area",
    "place.population": "the place's population, with thousands separators",
    "partnership.name": "the partnership's name from makecase.yaml",
}
PLACE_NAMES = {k for k in KNOWN if k.startswith("place.")}


def values_for(partnership: Any, place: Any) -> dict[str, str]:
    """What each placeholder stands for on one page (for one place, or for none)."""
    values: dict[str, str] = {}
    if partnership is not None:
        values["partnership.name"] = partnership.name
    if place is not None:
        values["place.name"] = place.name
        values["place.kind"] = place.kind or "area"
        if place.population is not None:
            values["place.population"] = f"{place.population:,}"
    return values


def names_in(text: str) -> list[str]:
    """The placeholder names a text uses, in order (escaped braces excluded)."""
    return [m.group(1).strip() for m in PLACEHOLDER.finditer(text) if m.group(1) is not None]


def fill(text: str, values: dict[str, str]) -> str:
    def swap(match: re.Match) -> str:
        whole = match.group(0)
        if whole == "{{":
            return "{"
        if whole == "}}":
            return "}"
        return values.get(match.group(1).strip(), whole)

    return PLACEHOLDER.sub(swap, text)


def fill_all(value: Any, values: dict[str, str]) -> Any:
    """Fill placeholders in every string inside a model dump (dicts, lists, strings)."""
    if isinstance(value, str):
        return fill(value, values)
    if isinstance(value, list):
        return [fill_all(v, values) for v in value]
    if isinstance(value, dict):
        return {k: fill_all(v, values) for k, v in value.items()}
    return value


def strings_in(value: Any, path: tuple = ()) -> list[tuple[tuple, str]]:
    """Every string inside a model dump with its path, for checking placeholders at load time."""
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, list):
        return [s for i, v in enumerate(value) for s in strings_in(v, path + (i,))]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in strings_in(v, path + (k,))]
    return []
