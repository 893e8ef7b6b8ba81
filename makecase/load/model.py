"""Load stage, the schema: what a content file may say, as typed models.

Every collection (levers, evidence, quotes, stories, audiences, glossary terms, places) is a
list of items with an `id`, so a partnership's files can replace, add or switch off items of
the packaged defaults by id (see layers.py). What makecase.yaml may say is in settings.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import (BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, field_validator,
                      model_validator)

from makecase.errors import Location

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
WebUrl = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^https://[^\s/$.?#][^\s]*$")]
LinkUrl = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^(https://[^\s/$.?#][^\s]*|mailto:[^\s@]+@[^\s@]+)$")]
Email = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[^\s@]+@[^\s@]+\.[^\s@]+$")]


class Model(BaseModel):
    """Base for everything read from YAML: unknown keys are mistakes, not silently ignored."""

    # A docstring under each field is its description: `makecase schema` shows it in editors.
    model_config = ConfigDict(extra="forbid", strict=False, validate_default=True,
                              use_attribute_docstrings=True)


class Item(Model):
    """An item of a collection, with where each of its keys was written (for errors and `explain`)."""

    id: Id
    """Short name other files use for this item: lower-case words and numbers joined by hyphens."""
    enabled: bool = True
    """Set to false to switch off a packaged item of the same id."""

    # Where the item and each of its keys were written: (YamlSource, path in that file).
    _origin: Any = PrivateAttr(default=None)
    _key_origins: dict[str, Any] = PrivateAttr(default_factory=dict)

    def set_origin(self, origin: Any, key_origins: dict[str, Any]) -> None:
        """Record where the item (and each key, perhaps from another layer's file) was written."""
        self._origin = origin
        self._key_origins = dict(key_origins)

    def take_origin(self, other: "Item") -> None:
        """Point at where `other` was written (a copy with placeholders filled is the same text)."""
        self.set_origin(other._origin, other._key_origins)

    def where(self, key: str | None = None, *sub: str | int) -> Location | None:
        """The file, line and column of this item, of one of its keys, or of a part below it."""
        if key is not None and key in self._key_origins:
            source, path = self._key_origins[key]
            return source.where(path + sub)
        if self._origin is None:
            return None
        source, path = self._origin
        return source.where(path)


# --- the menu: levers, evidence items, quotes ---------------------------------------------


REPORT_TITLE = "Engaging NHS system leaders in whole systems approaches to physical activity"
# What `makecase init` writes as examples: a page must never go out citing them.
EXAMPLE_TITLES = {"the source's title", "the title of the source"}
EXAMPLE_HOSTS = {"example.org", "www.example.org", "example.com", "www.example.com"}


class Source(Model):
    """Where a claim can be checked, and the words in it that support the claim.

    The report may be cited without a link, but then `passage` must quote its words (a test finds
    them in the report's text). Any other source needs its link, where in it to look (`section`,
    or the quoted `passage`) and the date a person last `checked` the claim against it.
    """

    title: Text
    """The source's title, as it is written on it."""
    publisher: Text
    """Who published it (an organisation, a journal)."""
    year: Annotated[int, Field(ge=1900, le=2100)]
    """The year it was published."""
    url: WebUrl | None = None
    """Its web address (https://...); needed unless the source is the report itself."""
    section: Text | None = None
    """Where in the source to look: a heading or a page."""
    passage: Text | None = None
    """The source's own words (a sentence or two) that support the claim."""
    checked: dt.date | None = None
    """The date (YYYY-MM-DD) a person last checked the claim and its link against the source."""
    indicator: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")] | None = None
    """The id of the statistic in its publisher's tables (e.g. Fingertips indicator 93015); `makecase places import` writes it and updates figures that have one."""
    retrieved: dt.date | None = None
    """The date (YYYY-MM-DD) the figure was downloaded from its source; `makecase check` warns when it is over a year old."""
    next_release: dt.date | None = None
    """Optional: when the source is next expected to change (a statistic's next release); `makecase check` warns once it has passed."""

    @property
    def is_report(self) -> bool:
        return self.title == REPORT_TITLE

    @model_validator(mode="after")
    def _checkable(self) -> Source:
        if self.is_report:
            if self.passage is None:
                raise ValueError("a claim from the report needs 'passage': the report's own words "
                                 "(a sentence or two) that say it, so a reader can find them")
            return self
        if self.url is None:
            raise ValueError("a source needs a url (https://...), unless it is the report itself")
        if self.section is None and self.passage is None:
            raise ValueError("say where in the source the claim is: add 'section' (a heading or "
                             "page) or 'passage' (the sentence it comes from)")
        if self.checked is None:
            raise ValueError("add 'checked: YYYY-MM-DD', the date you last checked the claim and "
                             "its link against the source")
        return self


Percent = Annotated[float, Field(ge=0, le=100)]


class Figure(Model):
    """A key figure, stated exactly as its source states it."""

    value: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=24)]
    """The figure exactly as its source states it, e.g. '1 in 3' (at most 24 characters)."""
    label: Text
    """What the figure counts, in plain words."""
    # Optional: the figure as a share of 100, drawn as a small bar chart beside it.
    percent: Percent | None = None
    """Optional: the figure as a share of 100, drawn as a small bar beside it."""


class Lever(Item):
    """One point on the menu of Appendix 3: something that moves an NHS leader."""

    name: Text
    """The lever's name, as the page shows it."""
    summary: Text
    """One sentence on how this lever moves an NHS leader."""


class EvidenceItem(Item):
    """A claim a reader can check: headline, plain-English body, optional figure, sources."""

    lever: Id
    """The id of the lever this evidence supports (from levers)."""
    headline: Text
    """The claim in a few words: the line a reader scans."""
    body: Text
    """The claim in plain English (Markdown allowed)."""
    figure: Figure | None = None
    """An optional key figure, drawn large beside the claim."""
    sources: Annotated[list[Source], Field(min_length=1)]
    """Where the claim can be checked: at least one source."""
    reviewed: dt.date
    """The date (YYYY-MM-DD) the item was last reviewed."""
    review_by: dt.date | None = None
    """Optional: the date (YYYY-MM-DD) by which to check the item again (a plan, a pause or a date it names may change); `makecase check` warns once it has passed."""


class Quote(Item):
    """An interviewee's words, verbatim, with their role and code from the report (e.g. L20)."""

    text: Text
    """The interviewee's words, verbatim."""
    speaker: Text
    """Their role as the report gives it (e.g. 'National NHS stakeholder')."""
    code: Annotated[str, StringConstraints(pattern=r"^[NL][0-9]{1,2}$")]
    """Their interviewee code from the report, like L20 or N5."""
    source: Source | None = None
    """Where the quote comes from, if not the report."""


# --- stories, audiences, glossary, places ----------------------------------------------------


class Link(Model):
    """A signpost: link text that makes sense on its own, where it goes, and when it was checked."""

    text: Text
    """Link text that makes sense on its own."""
    url: LinkUrl
    """Where it goes: https://... or mailto:...."""
    checked: dt.date | None = None
    """The date (YYYY-MM-DD) a person last opened the link and checked what it says."""


class Contact(Model):
    """Whom to talk to next. At least one way to reach them."""

    name: Text
    """Whom to contact: a person or a team."""
    role: Text | None = None
    """Their role."""
    organisation: Text | None = None
    """Their organisation."""
    email: Email | None = None
    """Their email address."""
    phone: Text | None = None
    """Their phone number."""
    url: WebUrl | None = None
    """A web page for getting in touch (https://...)."""

    @model_validator(mode="after")
    def _reachable(self) -> Contact:
        if not (self.email or self.phone or self.url):
            raise ValueError("a contact needs an email, a phone number or a url")
        return self


class Story(Item):
    """A case study: the place, what they did, what helped, where to read more, whom to ask."""

    place: Text
    """Where it happened."""
    title: Text
    """The story's title."""
    did: Text
    """What they did (Markdown allowed)."""
    helped: Text
    """What helped (Markdown allowed)."""
    links: Annotated[list[Link], Field(min_length=1, max_length=4)]
    """Where to read more: one to four links."""
    contact: Contact | None = None
    """Whom to ask about it."""
    source: Source | None = None
    """Where the story comes from, if not the report."""
    reviewed: dt.date
    """The date (YYYY-MM-DD) the story was last reviewed."""
    review_by: dt.date | None = None
    """Optional: the date (YYYY-MM-DD) by which to check the story again; `makecase check` warns once it has passed."""


class Audience(Item):
    """One kind of NHS leader and the case made to them."""

    title: Text
    """Who the page is for, e.g. 'GPs and practice teams'."""
    short_title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    """A short name for the audience (at most 40 characters), used in lists."""
    key_message: Text
    """The one thing the reader should take away."""
    why: Text
    """Why it matters to this reader (Markdown allowed)."""
    evidence: Annotated[list[Id], Field(min_length=1, max_length=6)]
    """The ids of the evidence items on the page, in order (one to six)."""
    actions: Annotated[list[Text], Field(min_length=1, max_length=6)]
    """What the reader can do next: one to six actions."""
    story: Id | None = None
    """The id of the story shown on the page."""
    quote: Id | None = None
    """The id of the quote shown on the page."""
    signposts: Annotated[list[Link], Field(min_length=1, max_length=6)]
    """Where to find out more: one to six links."""
    contact: Contact | None = None
    """Whom this audience should contact (else the place's or the project's contact)."""
    note: Text | None = None
    """An optional note at the foot of the page (Markdown allowed)."""
    # The evidence for the facts in key_message, why, actions and note (evidence items carry their own).
    sources: list[Source] = []
    """The evidence for the facts in key_message, why, actions and note."""

    @field_validator("id")
    @classmethod
    def _not_a_file_every_build_writes(cls, value: str) -> str:
        # An audience's page is <id>.html and <id>.pdf, beside index.html which lists them all
        # and pack.pdf which holds them all.
        if value == "index":
            raise ValueError("the audience id 'index' is taken by index.html, the page that lists "
                             "every briefing; choose another id")
        if value == "pack":
            raise ValueError("the audience id 'pack' is taken by pack.pdf, every briefing in one "
                             "PDF; choose another id")
        return value


class GlossaryTerm(Item):
    """A plain-English definition, with what it was called in 2020 where that changed."""

    term: Text
    """The term as the pages use it."""
    abbreviation: Text | None = None
    """Its abbreviation, if it has one."""
    definition: Text
    """What it means, in plain English."""
    since_2020: Text | None = None
    """What it was called in 2020, where that changed."""
    source: Source | None = None
    """Where the definition comes from."""


class Interval(Model):
    """A confidence interval: the range the true figure is likely to lie in."""

    lower: float
    """The lower limit."""
    upper: float
    """The upper limit."""
    level: Annotated[float, Field(gt=0, lt=100)] = 95
    """How confident, in per cent (usually 95)."""


class LocalFigure(Model):
    """A local figure: always with its source."""

    value: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=24)]
    """The figure exactly as its source states it (at most 24 characters)."""
    label: Text
    """What the figure counts, in plain words."""
    source: Source
    """Where the figure comes from: every local figure needs one."""
    percent: Percent | None = None
    """Optional: the figure as a share of 100, drawn as a small bar beside it."""
    period: Text | None = None
    """Optional: the period the figure covers, as its source writes it, e.g. '2023/24'."""
    england: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=24)] | None = None
    """Optional: England's figure for the same period, for comparison, e.g. '22.6%'."""
    ci: Interval | None = None
    """Optional: the figure's confidence interval, as its source states it."""


class Place(Item):
    """A local area (an ICB, a local authority area) that gets its own copy of every audience."""

    name: Text
    """The place's name, as the pages show it (fills {place.name})."""
    kind: Text | None = None
    """What kind of area it is, e.g. 'integrated care board'."""
    code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z][0-9]{8}$")] | None = None
    """The area's ONS code, e.g. E08000033; `makecase places import` finds the place by it."""
    population: Annotated[int, Field(ge=1)] | None = None
    """How many people live there."""
    figures: Annotated[list[LocalFigure], Field(max_length=3)] = []
    """Up to three local figures, each with its source."""
    contact: Contact | None = None
    """Whom to contact in this place (else the project's contact)."""
    story: Id | None = None
    """The id of a local story shown instead of the audience's."""
