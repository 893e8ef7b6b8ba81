"""Preview stage: the served project, loaded and laid out on demand for `makecase serve`.

`Preview` holds the loaded project (or what is wrong with it) and each page laid out, reusing a
page's layout while its print HTML is unchanged; serve.py answers requests from it. A page is
made as a build makes it (pack.make_document: the same checks, the layout time limit,
WeasyPrint's warnings) and drawn as a build draws it (pictures.page_png), so what the preview shows
is what `makecase build` will write.
"""

from __future__ import annotations

import hashlib
import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TypeVar

from makecase.pack.report import document_warnings
from makecase.page.compose import Briefing, briefings_for
from makecase.page.document import Document, NotMade, in_time
from makecase.errors import MakecaseError, Problem
from makecase.page.fit import PageFitter
from makecase.load.loader import load_project
from makecase.pack.build import make_document
from makecase.page.pictures import page_png
from makecase.load.project import Project
from makecase.page.render import Renderer

# Picture of the printed page: 108 dpi (1.5 x 72), sharp enough to read on screen.
PICTURE_DPI = 108

T = TypeVar("T")


@dataclass
class LaidOut:
    """What the fit stage made of one briefing: its PDF and measures, or why it cannot be shown."""

    key: str
    pdf: bytes | None = None
    body_size: float | None = None
    layouts: int = 0
    fill: float | None = None  # share of the page used, when the fit stage measures it
    room_words: int | None = None  # roughly how many more words fit, when the fit stage says
    problem: Problem | None = None  # it runs over, or took longer than limits.layout_seconds
    warnings: list[Problem] = field(default_factory=list)  # what WeasyPrint could not do
    seconds: float = 0.0
    _picture: bytes | None = None

    @property
    def fits(self) -> bool:
        return self.pdf is not None

    def picture(self) -> bytes | None:
        """The page as PNG, drawn on first request as a build draws its pictures."""
        if self._picture is None and self.pdf is not None:
            with _PDFIUM:
                self._picture = page_png(self.pdf, dpi=PICTURE_DPI)
        return self._picture

    def summary(self) -> str:
        """How full the page is, in words a person editing the page can act on."""
        if self.problem is not None:
            return self.problem.message + (f" {self.problem.hint}" if self.problem.hint else "")
        parts = [f"Fits on one page with body text at {self.body_size:g}pt"]
        if self.fill is not None:
            parts.append(f"{self.fill * 100 if self.fill <= 1 else self.fill:.0f}% full")
        if self.room_words:
            parts.append(f"room for about {self.room_words} more words")
        if self.layouts > 1:
            parts.append(f"shrunk from the starting size in {self.layouts - 1} step"
                         f"{'s' if self.layouts > 2 else ''}")
        return "; ".join(parts) + "." + "".join(f" {w.message}" for w in self.warnings)


_PDFIUM = threading.Lock()  # PDFium is not thread-safe: one picture at a time


class MainThreadLayouts:
    """Runs layouts on the main thread, where the layout time limit's alarm can arrive.

    The server answers each request on a thread of its own, and Python delivers signals (the
    alarm behind document.in_time) only to the main thread; so `makecase serve` gives its main
    thread to work() and the request threads hand their layouts over with run().
    """

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Callable[[], object], Future]] = queue.Queue()

    def run(self, job: Callable[[], T]) -> T:
        """job(), on the main thread: at once when called there, else when work() takes it."""
        if threading.current_thread() is threading.main_thread():
            return job()
        done: Future = Future()
        self._jobs.put((job, done))
        return done.result()

    def waiting(self) -> int:
        """How many layouts have been handed over and not yet started."""
        return self._jobs.qsize()

    def work(self, until: Callable[[], bool], poll: float = 0.5) -> None:
        """On the main thread: run the jobs handed over, until until() is true. Ctrl-C (a
        KeyboardInterrupt, perhaps in the middle of a layout) stops the loop and reaches the
        caller of work(); a request still waiting for its layout is told the preview stopped,
        rather than getting the interrupt on its own thread."""
        try:
            while not until():
                try:
                    job, done = self._jobs.get(timeout=poll)
                except queue.Empty:
                    continue
                try:
                    done.set_result(job())
                except Exception as exc:
                    done.set_exception(exc)
                except BaseException:
                    done.set_exception(_stopped())
                    raise
        finally:
            while not self._jobs.empty():
                self._jobs.get_nowait()[1].set_exception(_stopped())


def _stopped() -> MakecaseError:
    return MakecaseError.single("The preview stopped before this page was laid out.",
                                hint="Start `makecase serve` again.")


class Preview:
    """A served project: the loaded project (or what is wrong with it) and each page laid out.

    The project is reloaded on every change to its files. Pages are laid out only when asked
    for, and a page whose print HTML has not changed keeps its layout, so an edit re-lays-out
    only the pages it affects.
    """

    def __init__(self, root: Path, run_layout: Callable[[Callable[[], Document]], Document] | None = None) -> None:
        self.root = Path(root).resolve()
        # How a layout is run: here and now by default; `makecase serve` hands it to the main
        # thread (MainThreadLayouts.run), where the time limit works.
        self.run_layout = run_layout or (lambda job: job())
        self.version = 0
        self.changed = threading.Condition()
        # The state is swapped whole under a short lock; layouts take turns under their own,
        # so showing a page never waits for another page's layout.
        self._state = threading.Lock()
        self._layout = threading.Lock()  # one WeasyPrint layout at a time, sharing one font config
        self._fitter: PageFitter | None = None
        self._laid_out: dict[str, LaidOut] = {}
        self.project: Project | None = None
        self.renderer: Renderer | None = None
        self.briefings: dict[str, Briefing] = {}
        self.error: MakecaseError | None = None
        self.reload()

    # --- state ------------------------------------------------------------------------------

    def reload(self, forget_layouts: bool = False) -> None:
        """Read the project again; keep serving the error if it is broken. Wakes every open tab."""
        try:
            project = load_project(self.root)
            renderer = Renderer(project)
            briefings = {b.slug: b for b in briefings_for(project)}
        except MakecaseError as exc:
            with self._state:
                self.error = exc
        except Exception as exc:  # a bug: show it in the page and keep watching
            with self._state:
                self.error = MakecaseError.single(
                    f"Internal error: {type(exc).__name__}: {exc}.",
                    hint="This is a bug in makecase, not in your content: please report it. "
                         "`makecase build --debug` shows the traceback.")
        else:
            with self._state:
                self.project, self.renderer, self.briefings, self.error = project, renderer, briefings, None
                if self._fitter is None:
                    self._fitter = PageFitter(project.allowed_dirs)
        if forget_layouts:  # a logo or font changed: the HTML names it, so its hash cannot tell
            with self._layout:
                self._laid_out.clear()
        with self.changed:
            self.version += 1
            self.changed.notify_all()

    def wait_for_change(self, seen: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen, timeout=timeout)
            return self.version

    def snapshot(self, slug: str) -> tuple[Project, Renderer, Briefing]:
        with self._state:
            assert self.project is not None and self.renderer is not None
            return self.project, self.renderer, self.briefings[slug]

    def screen_html(self, slug: str) -> str:
        """The web page as a build writes it, linking to the PDF served beside it. The preview
        refuses what the build refuses: a page whose templates would run or load something is
        never opened in the reviewer's browser."""
        project, renderer, briefing = self.snapshot(slug)
        try:
            # As a partial build that keeps its PDF: the web page links to the PDF beside it.
            document = make_document(project, briefing, ("html",), renderer, None, kept=frozenset({"pdf"}))
        except NotMade as exc:
            raise MakecaseError([exc.problem]) from None
        return document.files["html"].decode("utf-8")

    def laid_out(self, slug: str) -> LaidOut:
        """The page laid out, from the cache when its print HTML is unchanged."""
        project, renderer, briefing = self.snapshot(slug)
        # A mistake in a template override is a MakecaseError with its file and line (templating.py).
        text = renderer.render_html(briefing, "print")
        key = hashlib.sha256(text.encode("utf-8")).hexdigest()
        cached = self._laid_out.get(slug)  # no waiting for another page's layout to reuse this one
        if cached is not None and cached.key == key:
            return cached
        with self._layout:
            cached = self._laid_out.get(slug)
            if cached is not None and cached.key == key:
                return cached
            started = time.perf_counter()
            result = LaidOut(key)
            try:
                document = self.run_layout(lambda: self._make_pdf(project, renderer, briefing))
            except NotMade as exc:
                result.problem = exc.problem
            else:
                result.pdf = document.files["pdf"]
                result.body_size, result.layouts = document.body_size, document.layouts
                result.fill, result.room_words = document.fill, document.room_words
                result.warnings = document_warnings([document])
            result.seconds = time.perf_counter() - started
            self._laid_out[slug] = result
            return result

    def _make_pdf(self, project: Project, renderer: Renderer, briefing: Briefing) -> Document:
        """The PDF as a build makes it, in the same time limit; NotMade says why not."""
        assert self._fitter is not None
        return in_time(project, briefing, lambda: make_document(project, briefing, ("pdf",), renderer, self._fitter))
