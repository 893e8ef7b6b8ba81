"""`makecase explain`: for each thing on a page, the file and line it came from."""

from __future__ import annotations

from pathlib import Path

from . import resources
from .compose import compose
from .errors import Location
from .load import Project


def where_written(location: Location | None, project: Project) -> str:
    """A short "file:line" for a person: relative to the project, or in the packaged content."""
    if location is None:
        return "(built in)"
    path = Path(location.file).resolve()
    for base, label in ((project.root, ""), (resources.content_dir().resolve(), "packaged content/")):
        if path.is_relative_to(base):
            rel = path.relative_to(base).as_posix()
            if label and rel.startswith("content/"):
                rel = rel[len("content/"):]
            return f"{label}{rel}:{location.line}"
    return str(location)


def explain(project: Project, audience_id: str, place_id: str | None = None) -> list[tuple[str, str]]:
    """Rows of (what is on the page, where it came from), top of the page to the bottom."""
    audience = project.audiences[audience_id]
    place = project.places[place_id] if place_id else None
    briefing = compose(project, audience, place)
    rows = [(f"audience {audience.id}", where_written(audience.where(), project))]
    for key in ("title", "key_message", "why"):
        rows.append((f"  {key}", where_written(audience.where(key), project)))
    for i, case in enumerate(briefing.cases, 1):
        item = project.evidence[case.item.id]
        rows.append((f"  evidence {i}: {item.id}", where_written(item.where(), project)))
        rows.append((f"    lever {case.lever.id}", where_written(project.levers[case.lever.id].where(), project)))
    rows.append(("  actions", where_written(audience.where("actions"), project)))
    if briefing.story:
        rows.append((f"  story {briefing.story.id}", where_written(project.stories[briefing.story.id].where(), project)))
    if briefing.quote:
        rows.append((f"  quote {briefing.quote.id}", where_written(project.quotes[briefing.quote.id].where(), project)))
    rows.append(("  signposts", where_written(audience.where("signposts"), project)))
    if audience.contact:
        rows.append(("  contact (the audience's own)", where_written(audience.where("contact"), project)))
    elif place and place.contact:
        rows.append((f"  contact (place {place.id})", where_written(place.where("contact"), project)))
    elif project.settings.contact:
        rows.append(("  contact (the project's)", where_written(project.settings_where.get("contact"), project)))
    else:
        rows.append(("  contact (packaged default)", "packaged audiences.yaml"))
    if place:
        rows.append((f"  place {place.id}", where_written(place.where(), project)))
    brand_where = project.settings_where.get("brand")
    rows.append(("  brand", where_written(brand_where, project) if brand_where else "(default brand)"))
    return rows
