"""CLI stage, `makecase explain`: for each thing on a page, the file and line it came from.

The page is laid out first (one page, as a build would), so what it lists is what the page
shows: an evidence item the page had no room for is named as left out, and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from makecase import resources
from makecase.page.compose import Briefing, compose
from makecase.errors import Location, MakecaseError
from makecase.load.project import Project
from makecase.load.model import Source


def where_written(location: Location | None, project: Project) -> str:
    """A short "file:line" for a person: relative to the project, or in the packaged content."""
    if location is None:
        return "(built in)"
    return resources.shown_path(location.file, project.root) + (f":{location.line}" if location.line else "")


def laid_out(project: Project, audience_id: str, place_id: str | None = None) -> tuple[Briefing, float | None]:
    """The page as a build lays it out: its briefing with the evidence items it took, and its
    body size. A page that cannot be made is explained as composed (the build says why)."""
    from makecase.pack.build import make_documents
    from makecase.page.render import Renderer

    place = project.places[place_id] if place_id else None
    briefing = compose(project, project.audiences[audience_id], place)
    try:
        document = make_documents(project, [briefing], ("pdf",), Renderer(project))[0]
    except MakecaseError:
        return briefing, None
    return document.briefing, document.body_size


def explain(project: Project, audience_id: str, place_id: str | None = None,
            page: tuple[Briefing, float | None] | None = None) -> list[tuple[str, str]]:
    """Rows of (what is on the page, where it came from), top of the page to the bottom.
    page: the laid-out briefing and body size (laid_out), else the page as composed."""
    audience = project.audiences[audience_id]
    place = project.places[place_id] if place_id else None
    briefing, size = page or (compose(project, audience, place), None)
    rows = [(f"audience {audience.id}", where_written(audience.where(), project))]
    for key in ("title", "key_message", "why"):
        rows.append((f"  {key}", where_written(audience.where(key), project)))
    for i, case in enumerate(briefing.cases, 1):
        item = project.evidence[case.item.id]
        rows.append((f"  evidence {i}: {item.id}", where_written(item.where(), project)))
        rows.append((f"    lever {case.lever.id}", where_written(project.levers[case.lever.id].where(), project)))
    for i, case in enumerate(briefing.left_out, len(briefing.cases) + 1):
        rows.append((f"  left out {i}: {case.item.id}", f"{where_written(case.item.where(), project)}: no room "
                     f"on the page at {size or project.settings.layout.body_size:g}pt after the "
                     f"{len(briefing.cases)} above"))
    rows.append(("  actions", where_written(audience.where("actions"), project)))
    for part in briefing.shortened_parts:
        rows.append((f"  left out: {part}", f"no room on the page at {size or project.settings.layout.body_size:g}pt "
                     "(content gives way before type)"))
    if briefing.story:
        rows.append((f"  story {briefing.story.id}", where_written(project.stories[briefing.story.id].where(), project)))
    if briefing.quote:
        rows.append((f"  quote {briefing.quote.id}", where_written(project.quotes[briefing.quote.id].where(), project)))
    rows.append(("  signposts", where_written(audience.where("signposts"), project)))
    whose, _ = project.contact_for(audience, place)
    if whose == "audience":
        rows.append(("  contact (the audience's own)", where_written(audience.where("contact"), project)))
    elif whose == "place":
        rows.append((f"  contact (place {place.id})", where_written(place.where("contact"), project)))
    elif whose == "project":
        rows.append(("  contact (the project's)", where_written(project.settings_where.get("contact"), project)))
    else:
        rows.append(("  contact (packaged default)", resources.packaged_place(resources.content_dir() / "audiences.yaml")))
    if place:
        rows.append((f"  place {place.id}", where_written(place.where(), project)))
    brand_where = project.settings_where.get("brand")
    rows.append(("  brand", where_written(brand_where, project) if brand_where else "(default brand)"))
    return rows


@dataclass(frozen=True)
class Claim:
    """One thing a page states, and the sources a reader can check it against."""

    what: str
    where: str
    sources: list[Source]
    note: str | None = None


def claims(project: Project, audience_id: str, place_id: str | None = None,
           briefing: Briefing | None = None) -> list[Claim]:
    """Every sourced statement on a page, top to bottom, for `makecase explain --sources`.
    briefing: the page as laid out (laid_out), else as composed."""
    audience = project.audiences[audience_id]
    place = project.places[place_id] if place_id else None
    briefing = briefing or compose(project, audience, place)
    found = [Claim("key message, why and actions", where_written(audience.where("sources"), project)
                   if audience.sources else where_written(audience.where(), project), list(audience.sources))]
    if place:
        for figure in place.figures:
            found.append(Claim(f"local figure {figure.value}: {figure.label}",
                               where_written(place.where("figures"), project), [figure.source]))
    for case in briefing.cases:
        item = project.evidence[case.item.id]
        what = item.headline + (f" [figure {item.figure.value}]" if item.figure else "")
        found.append(Claim(what, where_written(item.where(), project), list(item.sources)))
    if briefing.story:
        story = project.stories[briefing.story.id]
        found.append(Claim(f"story: {story.place}, {story.title}", where_written(story.where(), project),
                           [story.source] if story.source else []))
    if briefing.quote:
        quote = project.quotes[briefing.quote.id]
        found.append(Claim(f"quote: {quote.speaker}, {quote.code}", where_written(quote.where(), project),
                           [quote.source] if quote.source else [],
                           note="verbatim from the report; the tests find it in the report's text"))
    return found


def render_claims(found: list[Claim]) -> str:
    """The claims as plain text: each with its passage, section, link and checked date."""
    lines: list[str] = []
    for number, claim in enumerate(found, 1):
        lines.append(f"{number}. {claim.what}  ({claim.where})")
        if claim.note:
            lines.append(f"   {claim.note}")
        if not claim.sources and not claim.note:
            lines.append("   no source given")
        for source in claim.sources:
            lines.append(f"   - {source.title} ({source.publisher}, {source.year})")
            detail = [d for d in (source.section and f"where: {source.section}",
                                  source.url, source.checked and f"checked {source.checked.isoformat()}") if d]
            if detail:
                lines.append("     " + " | ".join(detail))
            if source.passage:
                lines.append(f"     \u201c{' '.join(source.passage.split())}\u201d")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
