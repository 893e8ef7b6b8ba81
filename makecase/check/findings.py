"""Check stage, its findings: what a check found, on which page, where to change it and how.

Shared by the page checks (page_checks.py), the whole-pack check (check.py) and the link check
(links.py), so none of them imports another's report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from makecase import resources
from makecase.errors import Location, Problem

ERROR, WARNING, NOTE = "error", "warning", "note"


@dataclass
class Finding:
    """One thing a check found: on which page, what, where to change it and how."""

    level: str
    check: str
    page: str | None
    message: str
    location: Location | None = None
    hint: str | None = None

    def render(self, base: Path | None = None) -> str:
        location, hint = self.location, self.hint
        packaged = resources.packaged_place(location.file, location.line) if location else None
        if packaged:  # a packaged file is not the user's to edit: name it, and say how to override
            location = None
            hint = (f"{hint} " if hint else "") + ("In your own content/ file of the same name, "
                                                   "give the item's id and the key to change.")
        problem = Problem(self.message, location, None, hint)
        head = f"{self.level}: [{self.check}]" + (f" {self.page}:" if self.page else "")
        return f"{head} {packaged + ': ' if packaged else ''}{problem.render(base)}"

    def as_json(self, base: Path | None = None) -> dict:
        where = None
        if self.location is not None:
            where = {"file": resources.shown_path(self.location.file, base), "line": self.location.line,
                     "column": self.location.column}
        return {"level": self.level, "check": self.check, "page": self.page, "message": self.message,
                "where": where, "hint": self.hint}


@dataclass
class PageFigures:
    """The plain-English figures of one page, for the table."""

    page: str
    words: int
    sentences: int
    average: float
    longest: int
    reading_ease: float
    reading_age: float
    body_size: float | None
    fill: float | None

