"""Pack stage, one document: a built briefing's files and what the fit stage measured.

Shared by the build (pack.py), its bookkeeping across builds (manifest.py), the render workers
(workers.py), the preview and the checks, so none of them imports the build for its types, or
for what it raises when a page cannot be made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, TypeVar

from .compose import Briefing
from .errors import Problem, shown
from .project import Project
from .watch import TimeLimit, time_limit

T = TypeVar("T")

FORMATS = ("pdf", "html")


@dataclass
class Document:
    """One built briefing: its files and what the fit stage measured."""

    briefing: Briefing
    files: dict[str, bytes] = field(default_factory=dict)
    body_size: float | None = None
    layouts: int = 0
    fill: float | None = None  # per cent of the page's height in use
    room_words: int = 0  # roughly how many more words an under-filled page could take
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)  # what WeasyPrint could not do
    kept: frozenset[str] = frozenset()  # formats whose files stay from the previous build
    inputs: str | None = None  # the hash of what its files are made from (cache.py)


    @property
    def slug(self) -> str:
        return self.briefing.slug


class NotMade(Exception):
    """One document could not be made: the build goes on to report the others too."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def too_long(project: Project, briefing: Briefing) -> Problem:
    return Problem(
        f"Making this page took more than {project.limits.layout_seconds} s, the limit for one document.",
        briefing.audience.where(), key=f"audience {shown(briefing.slug)}",
        hint="Look for very long texts, unusual CSS or loops in project templates; or raise "
             "limits.layout_seconds in makecase.yaml.")


def in_time(project: Project, briefing: Briefing, job: Callable[[], T]) -> T:
    """job() for one page (rendering its templates, laying it out, hashing its inputs) within
    limits.layout_seconds; a NotMade saying so (too_long) when it runs over."""
    try:
        with time_limit(project.limits.layout_seconds):
            return job()
    except TimeLimit:
        raise NotMade(too_long(project, briefing)) from None
