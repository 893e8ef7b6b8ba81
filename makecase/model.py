"""Load stage, the schema: what a content file may say, as typed models.

Every collection (levers, evidence, quotes, stories, audiences, glossary terms, places) is a
list of items with an `id`, so a partnership's files can replace, add or switch off items of
the packaged defaults by id (see load.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, field_validator,
                      model_validator)

from .errors import Location

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
WebUrl = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^https://[^\s/$.?#][^\s]*$")]
LinkUrl = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^(https://[^\s/$.?#][^\s]*|mailto:[^\s@]+@[^\s@]+)$")]
Email = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[^\s@]+@[^\s@]+\.[^\s@]+$")]
Colour = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^#[0-9a-fA-F]{6}$")]


class Model(BaseModel):
    """Base for everything read from YAML: unknown keys are mistakes, not silently ignored."""

    model_config = ConfigDict(extra="forbid", strict=False, validate_default=True)


class Item(Model):
    """An item of a collection, with where each of its keys was written (for errors and `explain`)."""

    id: Id
    enabled: bool = True

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
    publisher: Text
    year: Annotated[int, Field(ge=1900, le=2100)]
    url: WebUrl | None = None
    section: Text | None = None
    passage: Text | None = None
    checked: dt.date | None = None

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
    label: Text
    # Optional: the figure as a share of 100, drawn as a small bar chart beside it.
    percent: Percent | None = None


class Lever(Item):
    """One point on the menu of Appendix 3: something that moves an NHS leader."""

    name: Text
    summary: Text


class EvidenceItem(Item):
    """A claim a reader can check: headline, plain-English body, optional figure, sources."""

    lever: Id
    headline: Text
    body: Text
    figure: Figure | None = None
    sources: Annotated[list[Source], Field(min_length=1)]
    reviewed: dt.date


class Quote(Item):
    """An interviewee's words, verbatim, with their role and code from the report (e.g. L20)."""

    text: Text
    speaker: Text
    code: Annotated[str, StringConstraints(pattern=r"^[NL][0-9]{1,2}$")]
    source: Source | None = None


# --- stories, audiences, glossary, places ----------------------------------------------------


class Link(Model):
    """A signpost: link text that makes sense on its own, where it goes, and when it was checked."""

    text: Text
    url: LinkUrl
    checked: dt.date | None = None


class Contact(Model):
    """Whom to talk to next. At least one way to reach them."""

    name: Text
    role: Text | None = None
    organisation: Text | None = None
    email: Email | None = None
    phone: Text | None = None
    url: WebUrl | None = None

    @model_validator(mode="after")
    def _reachable(self) -> Contact:
        if not (self.email or self.phone or self.url):
            raise ValueError("a contact needs an email, a phone number or a url")
        return self


class Story(Item):
    """A case study: the place, what they did, what helped, where to read more, whom to ask."""

    place: Text
    title: Text
    did: Text
    helped: Text
    links: Annotated[list[Link], Field(min_length=1, max_length=4)]
    contact: Contact | None = None
    source: Source | None = None
    reviewed: dt.date


class Audience(Item):
    """One kind of NHS leader and the case made to them."""

    title: Text
    short_title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    key_message: Text
    why: Text
    evidence: Annotated[list[Id], Field(min_length=1, max_length=6)]
    actions: Annotated[list[Text], Field(min_length=1, max_length=6)]
    story: Id | None = None
    quote: Id | None = None
    signposts: Annotated[list[Link], Field(min_length=1, max_length=6)]
    contact: Contact | None = None
    note: Text | None = None
    # The evidence for the facts in key_message, why, actions and note (evidence items carry their own).
    sources: list[Source] = []

    @field_validator("id")
    @classmethod
    def _not_a_file_every_build_writes(cls, value: str) -> str:
        # An audience's page is <id>.html, beside index.html which lists them all.
        if value == "index":
            raise ValueError("the audience id 'index' is taken by index.html, the page that lists "
                             "every briefing; choose another id")
        return value


class GlossaryTerm(Item):
    """A plain-English definition, with what it was called in 2020 where that changed."""

    term: Text
    abbreviation: Text | None = None
    definition: Text
    since_2020: Text | None = None
    source: Source | None = None


class LocalFigure(Model):
    """A local figure: always with its source."""

    value: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=24)]
    label: Text
    source: Source
    percent: Percent | None = None


class Place(Item):
    """A local area (an ICB, a local authority area) that gets its own copy of every audience."""

    name: Text
    kind: Text | None = None
    population: Annotated[int, Field(ge=1)] | None = None
    figures: Annotated[list[LocalFigure], Field(max_length=3)] = []
    contact: Contact | None = None
    story: Id | None = None


# --- project settings (makecase.yaml) --------------------------------------------------------


class Logo(Model):
    file: Text
    alt: Text


class Brand(Model):
    """How the pages look: colours, logo, fonts. Colours are checked for WCAG 2.2 contrast.

    Only `primary` is needed: dark, accent and tint left out are derived from it (contrast.py),
    so a one-colour brand never shows the default palette's green beside its own colour.
    """

    primary: Colour = "#005EB8"
    dark: Colour | None = None
    accent: Colour | None = None
    tint: Colour | None = None
    text: Colour = "#212B32"
    background: Colour = "#FFFFFF"
    logo: Logo | None = None
    font_regular: Text | None = None
    font_bold: Text | None = None
    font_italic: Text | None = None
    font_bold_italic: Text | None = None
    extra_css: Text | None = None


class Layout(Model):
    """The one-page rule: body text starts at body_size and may shrink to min_body_size.

    A short page grows its spacing, not its type; min_fill (per cent of the page's height) is
    how full a page must be before the build warns that it could take more words.
    """

    body_size: Annotated[float, Field(ge=9, le=16)] = 12.0
    min_body_size: Annotated[float, Field(ge=9, le=16)] = 11.0
    # A page using less of its height than this (after spacing has grown) is a warning.
    min_fill: Annotated[float, Field(ge=0, le=100)] = 90.0

    @model_validator(mode="after")
    def _order(self) -> Layout:
        if self.min_body_size > self.body_size:
            raise ValueError("min_body_size cannot be larger than body_size")
        return self


class Output(Model):
    dir: Text = "output"
    formats: list[Literal["pdf", "html"]] = ["pdf", "html"]


class Partnership(Model):
    name: Text
    url: WebUrl | None = None


class LimitSettings(Model):
    """How much one build may read and do (see docs/security.md). Each has a ceiling."""

    file_kb: Annotated[int, Field(ge=16, le=8192)] = 512
    field_chars: Annotated[int, Field(ge=200, le=50_000)] = 4000
    depth: Annotated[int, Field(ge=8, le=64)] = 24
    layout_seconds: Annotated[int, Field(ge=5, le=600)] = 60


class Check(Model):
    """What `makecase check` holds each page to. The defaults follow the NHS and GOV.UK content
    style; the default pack passes them all."""

    max_sentence_words: Annotated[int, Field(ge=5, le=60)] = 25
    max_average_sentence_words: Annotated[float, Field(ge=5, le=40)] = 20
    max_paragraph_sentences: Annotated[int, Field(ge=1, le=10)] = 3
    max_list_items: Annotated[int, Field(ge=2, le=20)] = 6
    # Body text after fitting; 12pt is what GOV.UK and the NHS ask for.
    min_body_size: Annotated[float, Field(ge=6, le=16)] = 12.0
    # Flesch reading ease of the page (higher is easier) and reading age in years.
    min_reading_ease: Annotated[float, Field(ge=0, le=100)] = 30
    max_reading_age: Annotated[float, Field(ge=8, le=25)] = 18
    max_evidence_age_years: Annotated[float, Field(gt=0, le=20)] = 3
    # Abbreviations every reader knows, so they need not be written out.
    well_known: list[Annotated[str, StringConstraints(min_length=1)]] = ["NHS", "GP", "GPs", "UK", "COVID"]
    link_timeout: Annotated[float, Field(gt=0, le=120)] = 10


class Settings(Model):
    """The project file, makecase.yaml. Every key is optional."""

    partnership: Partnership | None = None
    contact: Contact | None = None
    brand: Brand = Brand()
    footer: Text | None = None
    audiences: list[Id] | Literal["all"] = "all"
    layout: Layout = Layout()
    output: Output = Output()
    limits: LimitSettings = LimitSettings()
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")] = "en-GB"
    # Where the built pages will be published: each page's QR code and Open Graph tags point there.
    site_url: WebUrl | None = None
    check: Check = Check()
