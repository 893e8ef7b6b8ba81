"""Pack stage, one document: a built briefing's files and what the fit stage measured.

Shared by the build (pack.py), its bookkeeping across builds (manifest.py), the render workers
(workers.py), the preview and the checks, so none of them imports the build for its types, or
for what it raises when a page cannot be made.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TypeVar

from makecase import resources
from makecase.page.compose import Briefing
from makecase.errors import Location, Problem, shown
from makecase.load.project import Project
from makecase.page.layout_watch import TimeLimit, time_limit

T = TypeVar("T")

FORMATS = ("pdf", "html")
# Every kind of file a document may have: its formats, the page's picture (with both formats)
# and its thumbnail for the index (with a PDF).
FILES = FORMATS + ("png", "thumb")


def files_made(formats, kept=frozenset()) -> set[str]:
    """The kinds of file a document has when built in these formats: the formats, the page's
    picture when it has a PDF and a web page (kept: formats whose files stay from before), and
    the thumbnail for the index with a PDF."""
    made = set(formats)
    if "pdf" in made:
        made.add("thumb")
        if "html" in made | set(kept):
            made.add("png")
    return made


@dataclass
class Document:
    """One built briefing: its files and what the fit stage measured.

    Its briefing is the page as laid out: a page too long for all its audience's evidence items
    has only those it took (Briefing.taking), and names the rest in left_out."""

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
    words: int | None = None  # words on the page (plain.page_words)
    pages: int | None = None  # pages in its PDF

    @property
    def items(self) -> int:
        """How many of its audience's evidence items the page took (the briefing holds those,
        and names the ones left out)."""
        return len(self.briefing.cases)

    @property
    def slug(self) -> str:
        return self.briefing.slug


def files_to_write(documents: list[Document]) -> tuple[dict[str, bytes], set[str]]:
    """The documents' files by their path in the output folder, and the paths of those that stay
    as the previous build wrote them (a partial build keeps the rest of the pack)."""
    files: dict[str, bytes] = {}
    keep: set[str] = set()
    for document in documents:
        for fmt, data in document.files.items():
            if fmt in document.kept:
                keep.add(document.briefing.file_name(fmt))
            else:
                files[document.briefing.file_name(fmt)] = data
    return files, keep


class NotMade(Exception):
    """One document could not be made: the build goes on to report the others too."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def too_long(project: Project, briefing: Briefing, stopped: BaseException | None = None) -> Problem:
    """The page ran over limits.layout_seconds. stopped: the TimeLimit raised; when it stopped a
    project template, the problem names that template and line, not the audience's."""
    where = project_template_line(project, stopped) if stopped is not None else None
    if where is not None:
        return Problem(
            f"Making this page took more than {project.limits.layout_seconds} s, the limit for one document: "
            "this project template was still running.", where, key=f"audience {shown(briefing.slug)}",
            hint="Look for a loop on this line (range(), a for over a long list, a macro calling itself).")
    return Problem(
        f"Making this page took more than {project.limits.layout_seconds} s, the limit for one document.",
        briefing.audience.where(), key=f"audience {shown(briefing.slug)}",
        hint="Look for very long texts, unusual CSS or loops in project templates; or raise "
             "limits.layout_seconds in makecase.yaml.")


def project_template_line(project: Project, stopped: BaseException) -> Location | None:
    """The innermost frame of a project template (one in the project folder, not a packaged one)
    that stopped was raised in, as the template's file and line. Jinja's compiled code keeps
    its template in its globals and maps its own lines to the template's (as Jinja does for the
    tracebacks of the errors it handles; a TimeLimit is not one of them)."""
    root, packaged = project.root.resolve(), resources.templates_dir().resolve()
    found = None
    for frame, line in traceback.walk_tb(stopped.__traceback__):
        template = frame.f_globals.get("__jinja_template__")
        filename = getattr(template, "filename", None)
        folders = Path(filename).resolve().parents if filename else ()
        if root in folders and packaged not in folders:
            found = Location(Path(filename), template.get_corresponding_lineno(line))
    return found


def in_time(project: Project, briefing: Briefing, job: Callable[[], T]) -> T:
    """job() for one page (rendering its templates, laying it out, hashing its inputs) within
    limits.layout_seconds; a NotMade saying so (too_long) when it runs over."""
    try:
        with time_limit(project.limits.layout_seconds):
            return job()
    except TimeLimit as stopped:
        raise NotMade(too_long(project, briefing, stopped)) from None
