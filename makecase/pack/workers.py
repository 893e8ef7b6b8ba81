"""Pack stage helper: long-lived worker processes that lay out a build's pages in parallel (--jobs).

Each worker is started once per build with the loaded project and the function that makes one
document (pack.make_document, passed in: a helper never imports the stage that calls it), and
builds its own Renderer and PageFitter (one Jinja2 environment, one FontConfiguration) before
its first page. It is fed briefings by (audience, place) and returns each page's files and
measurements, or the problem that stopped it. Results come back in the order of the briefings, and a page comes out the same
whichever worker made it (fit.py carries nothing from one page to the next), so the files are
byte-identical whatever the number of jobs.

Workers start the platform's way: fork on Linux, spawn on macOS and Windows. Everything a worker
is given (the project, the function by name) is pickled, so spawn works too; the tests build
with spawn on Linux (tests/test_portability.py).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import TYPE_CHECKING, Callable

from makecase.page.compose import Briefing, compose
from makecase.page.document import Document, NotMade, in_time
from makecase.errors import MakecaseError
from makecase.load.project import Project

if TYPE_CHECKING:  # fit.py imports WeasyPrint; each worker loads it only for PDFs
    from makecase.page.fit import PageFitter
    from makecase.page.render import Renderer

    # pack.make_document: (project, briefing, formats, renderer, fitter, kept formats) -> Document
    MakeDocument = Callable[[Project, Briefing, tuple[str, ...], Renderer, PageFitter | None, frozenset[str]],
                            Document]

# One worker's state: the project, its Renderer, its PageFitter (None for HTML only) and the
# function that makes one document.
_worker: tuple | None = None

# None: the platform's default start method. A test sets "spawn" to run as macOS and Windows do;
# MAKECASE_START_METHOD=spawn runs a whole test suite (or a build) that way on Linux.
START_METHOD: str | None = os.environ.get("MAKECASE_START_METHOD") or None


def default_jobs() -> int:
    """The CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def start_worker(project: Project, formats: tuple[str, ...], make_document: MakeDocument) -> None:
    global _worker
    from makecase.page.render import Renderer

    fitter = None
    if "pdf" in formats:
        from makecase.page.fit import PageFitter

        fitter = PageFitter(project.allowed_dirs)
    _worker = (project, Renderer(project), fitter, make_document)


def make_in_worker(audience: str, place: str | None, formats: tuple[str, ...], kept: frozenset[str]) -> tuple:
    """("made", fields) or ("problem", Problem) or ("error", problems, summary): all picklable."""
    assert _worker is not None
    project, renderer, fitter, make_document = _worker
    briefing = compose(project, project.audiences[audience], project.places[place] if place else None)
    started = time.perf_counter()
    try:
        document = in_time(project, briefing, lambda: make_document(project, briefing, formats, renderer, fitter, kept))
    except NotMade as exc:  # including a page over the time limit
        return ("problem", exc.problem)
    except MakecaseError as exc:
        return ("error", exc.problems, exc.summary)
    return ("made", {"files": document.files, "body_size": document.body_size, "layouts": document.layouts,
                     "fill": document.fill, "room_words": document.room_words, "warnings": document.warnings,
                     "words": document.words, "pages": document.pages, "items": document.items,
                     "shortened": document.briefing.shortened,
                     "quote_left_out": document.briefing.quote_left_out is not None,
                     "seconds": time.perf_counter() - started})


def make_in_parallel(project: Project, briefings: list[Briefing], formats: tuple[str, ...],
                     kept: dict[str, frozenset[str]], jobs: int,
                     done: Callable[[int, Briefing, tuple], None], make_document: MakeDocument) -> None:
    """Make every briefing in `jobs` worker processes with make_document (a module-level function,
    so it reaches the workers by name); call done(index, briefing, result) as each finishes (in
    the order they finish; the caller puts them back in order)."""
    with ProcessPoolExecutor(max_workers=min(jobs, len(briefings)), initializer=start_worker,
                             initargs=(project, formats, make_document),
                             mp_context=multiprocessing.get_context(START_METHOD)) as pool:
        futures = {pool.submit(make_in_worker, b.audience.id, b.place.id if b.place else None, formats,
                               kept.get(b.slug, frozenset())): (i, b)
                   for i, b in enumerate(briefings)}
        for future in as_completed(futures):
            index, briefing = futures[future]
            done(index, briefing, future.result())

