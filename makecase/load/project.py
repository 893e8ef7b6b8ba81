"""The loaded project: what the load stage hands on, and the collections its content files hold.

Every later stage (compose, render, explain, schema, check, serve) reads a `Project` from here,
never from the load stage itself, so nothing downstream depends on how YAML was read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from makecase.load.brand_files import BrandFiles
from makecase.errors import Location, Problem
from makecase.limits import DEFAULT as DEFAULT_LIMITS
from makecase.limits import Limits
from makecase.load.model import Audience, Contact, EvidenceItem, GlossaryTerm, Item, Lever, Place, Quote, Story
from makecase.load.settings import Settings

SETTINGS_FILE = "makecase.yaml"
CONTENT_DIR = "content"


@dataclass(frozen=True)
class Collection:
    """A list of items in a content file: its file, its top-level key and its model."""

    name: str
    file: str
    key: str
    model: type[Item]
    singular: str


COLLECTIONS: tuple[Collection, ...] = (
    Collection("levers", "evidence.yaml", "levers", Lever, "lever"),
    Collection("evidence", "evidence.yaml", "evidence", EvidenceItem, "evidence item"),
    Collection("quotes", "evidence.yaml", "quotes", Quote, "quote"),
    Collection("stories", "stories.yaml", "stories", Story, "story"),
    Collection("audiences", "audiences.yaml", "audiences", Audience, "audience"),
    Collection("glossary", "glossary.yaml", "terms", GlossaryTerm, "glossary term"),
    Collection("places", "places.yaml", "places", Place, "place"),
)

# Keys a content file may have at its top level, beyond its collections.
EXTRA_TOP_KEYS: dict[str, dict[str, type[BaseModel]]] = {"audiences.yaml": {"contact": Contact}}
CONTENT_FILES = tuple(dict.fromkeys(c.file for c in COLLECTIONS))


@dataclass
class Project:
    """Everything a build needs, validated. Nothing downstream reads YAML."""

    root: Path
    settings: Settings
    levers: dict[str, Lever]
    evidence: dict[str, EvidenceItem]
    quotes: dict[str, Quote]
    stories: dict[str, Story]
    audiences: dict[str, Audience]
    glossary: dict[str, GlossaryTerm]
    places: dict[str, Place]
    default_contact: Contact | None
    settings_where: dict[str, Location] = field(default_factory=dict)
    switched_off: set[str] = field(default_factory=set)  # "collection:id" switched off by enabled: false
    invalid: set[str] = field(default_factory=set)  # "collection:id" whose own errors are already reported
    template_dirs: list[Path] = field(default_factory=list)
    allowed_dirs: list[Path] = field(default_factory=list)
    limits: Limits = DEFAULT_LIMITS
    brand_files: BrandFiles = field(default_factory=BrandFiles)
    warnings: list[Problem] = field(default_factory=list)

    def contact_for(self, audience: Audience, place: Place | None = None) -> tuple[str, Contact | None]:
        """The contact a page shows and whose it is ('audience', 'place', 'project' or 'default').
        The one home of this precedence: compose shows it and explain says where it came from."""
        if audience.contact:
            return "audience", audience.contact
        if place is not None and place.contact:
            return "place", place.contact
        if self.settings.contact:
            return "project", self.settings.contact
        return "default", self.default_contact

    def audiences_to_build(self) -> list[Audience]:
        chosen = self.settings.audiences
        if chosen == "all":
            return list(self.audiences.values())
        return [self.audiences[a] for a in chosen if a in self.audiences]

    def setting_where(self, dotted: str) -> Location:
        """Where a setting was written in makecase.yaml (the file itself if it was not)."""
        return self.settings_where.get(dotted, Location(self.root / SETTINGS_FILE))
