"""`makecase list` and shell completion: every id a project defines, its title and where it is written."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from makecase.errors import MakecaseError, Problem, clean
from makecase.cli.explain import where_written
from makecase.load.project import Project

# What `makecase list KIND` accepts, in the order `makecase list` shows them.
KINDS = ("audiences", "evidence", "levers", "stories", "quotes", "places")
SINGULAR = {"audiences": "audience", "evidence": "evidence item", "levers": "lever", "stories": "story",
            "quotes": "quote", "places": "place"}


@dataclass(frozen=True)
class Entry:
    """One id as `makecase list` shows it."""

    id: str
    title: str
    where: str


def _shorten(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def entries(project: Project, kind: str) -> list[Entry]:
    """The ids of one kind, in the order of the content files."""
    if kind == "audiences":
        rows = [(a, a.title) for a in project.audiences.values()]
    elif kind == "evidence":
        rows = [(e, f"{_shorten(e.headline, 56)} [{e.lever}]") for e in project.evidence.values()]
    elif kind == "levers":
        rows = []
        for lever in project.levers.values():
            count = sum(1 for e in project.evidence.values() if e.lever == lever.id)
            rows.append((lever, f"{lever.name} ({count} evidence item{'s' if count != 1 else ''})"))
    elif kind == "stories":
        rows = [(s, f"{s.place}: {s.title}") for s in project.stories.values()]
    elif kind == "quotes":
        rows = [(q, f"\u201c{_shorten(q.text, 50)}\u201d {q.code}") for q in project.quotes.values()]
    elif kind == "places":
        rows = [(p, p.name) for p in project.places.values()]
    else:
        raise ValueError(kind)
    return [Entry(item.id, _shorten(title, 80), where_written(item.where(), project)) for item, title in rows]


def format_entries(project: Project, kind: str, ids: tuple[str, ...] = ()) -> list[str]:
    """Aligned lines of id, title and where; only the given ids when there are any."""
    found = entries(project, kind)
    if ids:
        known = {e.id for e in found}
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise MakecaseError([Problem(
                f"Unknown {SINGULAR[kind]} id '{i}'.",
                hint=("Did you mean " + " or ".join(f"'{c}'" for c in close) + "?") if (
                    close := difflib.get_close_matches(i, sorted(known), n=3, cutoff=0.5))
                else f"`makecase list {kind}` shows them all.") for i in unknown])
        found = [e for e in found if e.id in ids]
    if not found:
        hint = " (add content/places.yaml to build per place)" if kind == "places" else ""
        return [f"No {kind}{hint}."]
    id_width = max(len(e.id) for e in found) + 2
    title_width = max(len(e.title) for e in found) + 2
    return [f"{e.id:<{id_width}}{e.title:<{title_width}}{e.where}" for e in found]


def listing(project: Project, kind: str | None, ids: tuple[str, ...] = ()) -> list[str]:
    """The lines `makecase list` prints: one KIND's entries, or every kind under a heading
    (places only when the project has any)."""
    if kind is not None:
        return [clean(line, 400) for line in format_entries(project, kind, ids)]
    lines: list[str] = []
    for i, each in enumerate(k for k in KINDS if k != "places" or project.places):
        lines.append(("\n" if i else "") + f"{each.capitalize()}:")
        lines.append("\n".join("  " + clean(line, 400) for line in format_entries(project, each)))
    return lines


def ids_for_completion(project_dir: Path, kind: str, incomplete: str) -> list[tuple[str, str]]:
    """(id, title) pairs that start with what has been typed; nothing at all outside a project.

    Completion runs on every Tab press, so it must never fail: a broken or missing project
    simply completes nothing.
    """
    try:
        from makecase.load.loader import load_project

        project = load_project(project_dir)
        return [(e.id, e.title) for e in entries(project, kind) if e.id.startswith(incomplete)]
    except Exception:  # noqa: BLE001 - see the docstring
        return []
