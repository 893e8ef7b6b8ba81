"""Compose stage: one audience (and optionally one place) to a Briefing, what goes on the page.

This is where a page gets its levers: the audience lists evidence items in priority order,
each evidence item belongs to one lever, and the page shows them in that order, each tagged
with its lever. The story, quote, actions, signposts and contact come from the audience, a
place may add local figures and a local story, and the project adds brand and contact.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, replace

from makecase.load.contrast import full_brand
from makecase.load.project import Project
from makecase.load.model import (Audience, Contact, EvidenceItem, Figure, GlossaryTerm, Item, Lever, Link, LocalFigure,
                    Place, Quote, REPORT_TITLE, Source, Story)
from makecase.load.settings import Brand, Partnership
from makecase.load.placeholders import fill_all, values_for

# The report as the colophon cites it: a citation, not a claim, so it needs no passage.
REPORT = Source.model_construct(
    title=REPORT_TITLE,
    publisher="Public Health England and UWE Bristol",
    year=2020,
)


@dataclass(frozen=True)
class Case:
    """One evidence item as it appears on a page, with the lever it pulls."""

    item: EvidenceItem
    lever: Lever


@dataclass(frozen=True)
class KeyFigure:
    """A figure in the page's figures band, always with the source that states it."""

    value: str
    label: str
    source: Source
    percent: float | None = None  # drawn as a small bar chart when given

    @property
    def credit(self) -> str:
        """The source in small print: publisher (without any "(and others)" aside) and year."""
        if self.source.is_report:
            return f"the report, {self.source.year}"
        publisher = re.sub(r"\s*\(.*?\)", "", self.source.publisher).strip() or self.source.publisher
        return f"{publisher}, {self.source.year}"


MIN_ACTIONS = 2  # a page keeps at least two of its "What you can do" actions


@dataclass(frozen=True)
class Briefing:
    """Everything on one page, in order. Templates read this and nothing else."""

    audience: Audience
    place: Place | None
    title: str
    key_message: str
    why: str
    cases: list[Case]
    actions: list[str]
    story: Story | None
    quote: Quote | None
    signposts: list[Link]
    contact: Contact | None
    note: str | None
    local_figures: list[LocalFigure]
    partnership: Partnership | None
    brand: Brand
    footer: str | None
    language: str
    reviewed: dt.date
    report: Source
    glossary: list[GlossaryTerm]
    # The page's own address once published (site_url in makecase.yaml), and the one link a
    # reader of the paper copy can follow: the QR code's target, printed beside it.
    page_url: str | None = None
    call_to_action: Link | None = None
    # The audience's lowest-priority evidence items the fit stage left out: they did not fit on
    # the page at full type size (fit.py). Empty until the page is laid out.
    left_out: tuple[Case, ...] = ()
    # How many steps the side column ("What you can do" and the story) was shortened, when it
    # was the column too long at full type size (fit.py): see shortening().
    shortened: int = 0
    # The quote, when the evidence column was still too long with layout.min_items items: it
    # goes before the type shrinks (see without_quote()).
    quote_left_out: Quote | None = None

    def without_quote(self, leave_out: bool = True) -> Briefing:
        """This page without its quote (leave_out), or as composed."""
        if not leave_out or self.quote is None:
            return self
        return replace(self, quote=None, quote_left_out=self.quote)

    @property
    def side_steps(self) -> int:
        """How far the side column can be shortened: the story's "What helped", then each
        action past the second."""
        return (1 if self.story and self.story.helped else 0) + max(0, len(self.actions) - MIN_ACTIONS)

    def shortening(self, level: int) -> Briefing:
        """This page with its side column shortened by `level` steps, for a page whose side
        column is the one too long at full type size (leaving evidence items out cannot help
        it): first the story's "What helped" goes, then the last action, one at a time, keeping
        MIN_ACTIONS. Always from the page as composed."""
        level = max(0, min(level, self.side_steps))
        if level == self.shortened:
            return self
        story, actions, steps = self.story, list(self.actions), level
        if steps and story and story.helped:
            story, steps = story.model_copy(update={"helped": ""}), steps - 1
        return replace(self, story=story, actions=actions[:len(actions) - steps], shortened=level)

    @property
    def shortened_parts(self) -> list[str]:
        """What the page left out besides evidence items, in words: for the build's line and
        `explain`."""
        parts = ["the story's \"What helped\""] if self.shortened and self.story and not self.story.helped else []
        dropped = self.shortened - len(parts)
        if dropped > 0:
            parts.append(f"the last {dropped} action{'s' if dropped > 1 else ''}")
        if self.quote_left_out is not None:
            parts.append(f"the quote ({self.quote_left_out.code})")
        return parts

    def taking(self, count: int) -> Briefing:
        """This page with only the first `count` of its audience's evidence items, in priority
        order; the rest are left out (and named in left_out)."""
        listed = [*self.cases, *self.left_out]
        count = max(0, min(count, len(listed)))
        if count == len(self.cases):
            return self
        return replace(self, cases=listed[:count], left_out=tuple(listed[count:]))

    @property
    def slug(self) -> str:
        """The output path without extension: `gps` or `kirklees/gps`."""
        return slug_for(self.audience, self.place)

    def file_name(self, fmt: str) -> str:
        """The file this page is written to, relative to the output folder: `kirklees/gps.pdf`
        (and the thumbnail, `kirklees/gps.thumb.png`)."""
        return f"{self.slug}.{'thumb.png' if fmt == 'thumb' else fmt}"

    def sibling_name(self, fmt: str) -> str:
        """This page's file in another format as named from beside it (the web page's PDF link)."""
        return f"{self.audience.id}.{fmt}"

    @property
    def for_whom(self) -> str:
        """The audience's title mid-sentence: 'trust chief executives…', but 'GPs' stays 'GPs'."""
        return for_whom(self.audience.title)

    @property
    def levers(self) -> list[Lever]:
        seen: dict[str, Lever] = {}
        for case in self.cases:
            seen.setdefault(case.lever.id, case.lever)
        return list(seen.values())

    @property
    def figures(self) -> list[Figure]:
        return [c.item.figure for c in self.cases if c.item.figure]

    @property
    def key_figures(self) -> list[KeyFigure]:
        """Up to three figures for the band: local ones first, then the evidence items' own,
        each with its source (a local figure's own, an evidence item's first)."""
        figures = [KeyFigure(f.value, f.label, f.source, f.percent) for f in self.local_figures]
        figures += [KeyFigure(c.item.figure.value, c.item.figure.label, c.item.sources[0], c.item.figure.percent)
                    for c in self.cases if c.item.figure]
        return figures[:3]


def for_whom(title: str) -> str:
    if len(title) > 1 and title[1].isupper():
        return title
    return title[0].lower() + title[1:]


def slug_for(audience: Audience, place: Place | None = None) -> str:
    """The one home of a page's output name (without extension): `gps` or `kirklees/gps`."""
    return f"{place.id}/{audience.id}" if place else audience.id


def placeholder_values(project: Project, place: Place | None) -> dict[str, str]:
    return values_for(project.settings.partnership, place)


def filled(model, values: dict[str, str]):
    """A copy of a model with its {placeholders} filled in, pointing at where the original was
    written (the same text, for errors and `explain`); None stays None."""
    if model is None:
        return None
    copy = type(model).model_validate(fill_all(model.model_dump(), values))
    if isinstance(model, Item):
        copy.take_origin(model)
    return copy


def page_title(audience: Audience, place: Place | None) -> str:
    title = f"Physical activity: making the case to {for_whom(audience.title)}"
    return title + (f" in {place.name}" if place is not None else "")


def page_url(project: Project, audience: Audience, place: Place | None) -> str | None:
    """Where the page will be published, when site_url in makecase.yaml says where the pack goes."""
    site_url = project.settings.site_url
    return f"{site_url.rstrip('/')}/{slug_for(audience, place)}.html" if site_url else None


def compose(project: Project, audience: Audience, place: Place | None = None) -> Briefing:
    """Select and order what goes on the page for one audience (in one place)."""
    values = placeholder_values(project, place)
    audience = filled(audience, values)
    cases = [Case(filled(project.evidence[e], values), filled(project.levers[project.evidence[e].lever], values))
             for e in audience.evidence if e in project.evidence]

    story_id = (place.story if place and place.story else None) or audience.story
    story = filled(project.stories.get(story_id), values) if story_id else None
    quote = filled(project.quotes.get(audience.quote), values) if audience.quote else None
    _, contact = project.contact_for(audience, place)
    contact = filled(contact, values)
    dates = [c.item.reviewed for c in cases] + ([story.reviewed] if story else [])
    url = page_url(project, audience, place)

    return Briefing(
        audience=audience,
        place=place,
        title=page_title(audience, place),
        key_message=audience.key_message,
        why=audience.why,
        cases=cases,
        actions=list(audience.actions),
        story=story,
        quote=quote,
        signposts=list(audience.signposts),
        contact=contact,
        note=audience.note,
        local_figures=list(place.figures) if place else [],
        partnership=project.settings.partnership,
        brand=full_brand(project.settings.brand),
        footer=fill_all(project.settings.footer, values) if project.settings.footer else None,
        language=project.settings.language,
        reviewed=max(dates) if dates else build_date(),
        report=REPORT,
        glossary=list(project.glossary.values()),
        page_url=url,
        call_to_action=call_to_action(project, url, contact),
    )


def call_to_action(project: Project, page_url: str | None, contact: Contact | None) -> Link | None:
    """What the QR code opens: this page online, else the partnership's site, else the contact's."""
    partnership = project.settings.partnership
    if page_url:
        return Link(text="Read this briefing online", url=page_url)
    if partnership and partnership.url:
        return Link(text=f"Visit {partnership.name}", url=partnership.url)
    if contact and contact.url:
        return Link(text="Get in touch", url=contact.url)
    return None


def build_date() -> dt.date:
    """Today, or the date SOURCE_DATE_EPOCH names (reproducible builds: the same content makes
    the same bytes on any day). Only a page with no dated evidence or story needs it."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.date.today()


def briefings_for(project: Project, audience_ids: list[str] | None = None,
                  place_ids: list[str] | None = None) -> list[Briefing]:
    """Every (place ×) audience a build makes, in the order of the content files."""
    audiences = ([project.audiences[a] for a in audience_ids] if audience_ids
                 else project.audiences_to_build())
    places: list[Place | None]
    if place_ids:
        places = [project.places[p] for p in place_ids]
    elif project.places:
        places = list(project.places.values())
    else:
        places = [None]
    return [compose(project, audience, place) for place in places for audience in audiences]
