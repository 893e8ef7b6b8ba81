"""Load stage, the settings: what makecase.yaml may say, as typed models.

Every key is optional. The content files' models (levers, evidence, audiences, places...) live
in model.py; these say how the pages look, where they go and what `check` holds them to.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from makecase.load.model import Contact, Id, Model, Text, WebUrl

Colour = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^#[0-9a-fA-F]{6}$")]


class Logo(Model):
    file: Text
    """The logo's image file, relative to the project folder."""
    alt: Text
    """What the logo says, for people who cannot see it."""


class Brand(Model):
    """How the pages look: colours, logo, fonts. Colours are checked for WCAG 2.2 contrast.

    Only `primary` is needed: dark, accent and tint left out are derived from it (contrast.py),
    so a one-colour brand never shows the default palette's green beside its own colour.
    """

    primary: Colour = "#005EB8"
    """The main colour, as # and six hex digits."""
    dark: Colour | None = None
    """A darker colour for headings; derived from primary if left out."""
    accent: Colour | None = None
    """An accent colour; derived from primary if left out."""
    tint: Colour | None = None
    """A light background tint; derived from primary if left out."""
    text: Colour = "#212B32"
    """The colour of body text."""
    background: Colour = "#FFFFFF"
    """The page's background colour."""
    logo: Logo | None = None
    """The partnership's logo and its alternative text."""
    font_regular: Text | None = None
    """A font file for body text, relative to the project folder."""
    font_bold: Text | None = None
    """A font file for bold text."""
    font_italic: Text | None = None
    """A font file for italic text."""
    font_bold_italic: Text | None = None
    """A font file for bold italic text."""
    extra_css: Text | None = None
    """A CSS file, relative to the project folder, added after the packaged styles."""


class Layout(Model):
    """The one-page rule: a page takes as many of its audience's evidence items as fit at
    body_size, in priority order, but never fewer than min_items; only then does body text
    shrink, down to min_body_size.

    A short page grows its spacing, not its type; min_fill (per cent of the page's height) is
    how full a page must be before the build warns that it could take more words.
    """

    body_size: Annotated[float, Field(ge=9, le=16)] = 12.0
    """The body text size in points that each page starts at."""
    min_body_size: Annotated[float, Field(ge=9, le=16)] = 11.0
    """The smallest body text size in points a page may shrink to so it fits."""
    min_items: Annotated[int, Field(ge=1, le=12)] = 3
    """The fewest evidence items a page keeps before its type shrinks: a page that is too long
    leaves out its lowest-priority items first, down to this many."""
    # A page using less of its height than this (after spacing has grown) is a warning.
    min_fill: Annotated[float, Field(ge=0, le=100)] = 90.0
    """A page using less of its height than this (per cent, after spacing has grown) is a warning."""

    @model_validator(mode="after")
    def _order(self) -> Layout:
        if self.min_body_size > self.body_size:
            raise ValueError("min_body_size cannot be larger than body_size")
        return self


class Output(Model):
    dir: Text = "output"
    """The folder the build writes to, inside the project folder."""
    formats: list[Literal["pdf", "html"]] = ["pdf", "html"]
    """What to write: pdf, html or both."""


class Partnership(Model):
    name: Text
    """The partnership's name (fills {partnership.name})."""
    url: WebUrl | None = None
    """The partnership's web site (https://...)."""


class LimitSettings(Model):
    """How much one build may read and do (see docs/security.md). Each has a ceiling."""

    file_kb: Annotated[int, Field(ge=16, le=8192)] = 512
    """The largest YAML file a build reads, in KB."""
    field_chars: Annotated[int, Field(ge=200, le=50_000)] = 4000
    """The most characters in one text."""
    depth: Annotated[int, Field(ge=8, le=64)] = 24
    """The deepest nesting a YAML file may have."""
    layout_seconds: Annotated[int, Field(ge=5, le=600)] = 60
    """The longest one page may take to lay out, in seconds."""


class Check(Model):
    """What `makecase check` holds each page to. The defaults follow the NHS and GOV.UK content
    style; the default pack passes them all."""

    max_sentence_words: Annotated[int, Field(ge=5, le=60)] = 25
    """The most words in a sentence."""
    max_average_sentence_words: Annotated[float, Field(ge=5, le=40)] = 20
    """The most words in a sentence on average over a page."""
    max_paragraph_sentences: Annotated[int, Field(ge=1, le=10)] = 3
    """The most sentences in a paragraph."""
    max_list_items: Annotated[int, Field(ge=2, le=20)] = 6
    """The most items in a list."""
    # Body text after fitting; 12pt is what GOV.UK and the NHS ask for.
    min_body_size: Annotated[float, Field(ge=6, le=16)] = 12.0
    """The smallest body text after fitting, in points (GOV.UK and the NHS ask for 12)."""
    # Flesch reading ease of the page (higher is easier) and reading age in years.
    min_reading_ease: Annotated[float, Field(ge=0, le=100)] = 30
    """The lowest Flesch reading ease of a page (higher is easier)."""
    max_reading_age: Annotated[float, Field(ge=8, le=25)] = 18
    """The highest reading age of a page, in years."""
    max_evidence_age_years: Annotated[float, Field(gt=0, le=20)] = 3
    """The oldest a review date may be, in years."""
    # Abbreviations every reader knows, so they need not be written out.
    well_known: list[Annotated[str, StringConstraints(min_length=1)]] = ["NHS", "GP", "GPs", "UK", "COVID"]
    """Abbreviations every reader knows, so they need not be written out."""
    link_timeout: Annotated[float, Field(gt=0, le=120)] = 10
    """How long `check --links` waits for each link, in seconds."""


class Settings(Model):
    """The project file, makecase.yaml. Every key is optional."""

    partnership: Partnership | None = None
    """The partnership making the pages: its name and web site."""
    contact: Contact | None = None
    """Whom readers should contact (an audience or place may name its own)."""
    brand: Brand = Brand()
    """How the pages look: colours, logo, fonts."""
    footer: Text | None = None
    """Text at the foot of every page (Markdown and placeholders allowed)."""
    audiences: list[Id] | Literal["all"] = "all"
    """Which audiences to build: 'all' or a list of ids."""
    layout: Layout = Layout()
    """The one-page rule: body text sizes and how full a page should be."""
    output: Output = Output()
    """Where the build writes, and which formats."""
    limits: LimitSettings = LimitSettings()
    """How much one build may read and do."""
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")] = "en-GB"
    """The pages' language tag, like en-GB."""
    # Where the built pages will be published: each page's QR code and Open Graph tags point there.
    site_url: WebUrl | None = None
    """Where the built pages will be published: each page's QR code and Open Graph tags point there."""
    check: Check = Check()
    """What `makecase check` holds each page to."""
