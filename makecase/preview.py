"""Preview stage: the served project, loaded and laid out on demand for `makecase serve`.

`Preview` holds the loaded project (or what is wrong with it) and each page laid out, reusing a
page's layout while its print HTML is unchanged; serve.py answers requests from it.
"""

from __future__ import annotations

import hashlib
import io
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .compose import Briefing, briefings_for
from .errors import MakecaseError, Problem
from .fit import DoesNotFit, PageFitter
from .load import load_project
from .project import Project
from .render import Renderer
from .standalone import active_parts

# Picture of the page: 1.5 x 72 dpi = 108 dpi, sharp enough to read on screen, about 150 KB.
PICTURE_SCALE = 1.5


@dataclass
class LaidOut:
    """What the fit stage made of one briefing: its PDF and measures, or why it does not fit."""

    key: str
    pdf: bytes | None = None
    body_size: float | None = None
    layouts: int = 0
    fill: float | None = None  # share of the page used, when the fit stage measures it
    room_words: int | None = None  # roughly how many more words fit, when the fit stage says
    overflow: Problem | None = None
    seconds: float = 0.0
    _picture: bytes | None = None

    @property
    def fits(self) -> bool:
        return self.pdf is not None

    def picture(self) -> bytes | None:
        """The page as PNG, rendered on first request (pypdfium2)."""
        if self._picture is None and self.pdf is not None:
            self._picture = pdf_to_png(self.pdf)
        return self._picture

    def summary(self) -> str:
        """How full the page is, in words a person editing the page can act on."""
        if self.overflow is not None:
            return self.overflow.message + (f" {self.overflow.hint}" if self.overflow.hint else "")
        parts = [f"Fits on one page with body text at {self.body_size:g}pt"]
        if self.fill is not None:
            parts.append(f"{self.fill * 100 if self.fill <= 1 else self.fill:.0f}% full")
        if self.room_words:
            parts.append(f"room for about {self.room_words} more words")
        if self.layouts > 1:
            parts.append(f"shrunk from the starting size in {self.layouts - 1} step"
                         f"{'s' if self.layouts > 2 else ''}")
        return "; ".join(parts) + "."


_PDFIUM = threading.Lock()  # PDFium is not thread-safe: one picture at a time


def pdf_to_png(pdf: bytes) -> bytes:
    import pypdfium2

    with _PDFIUM:
        return _draw(pypdfium2.PdfDocument(pdf))


def _draw(document) -> bytes:
    try:
        image = document[0].render(scale=PICTURE_SCALE).to_pil()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=False)
        return buffer.getvalue()
    finally:
        document.close()


class Preview:
    """A served project: the loaded project (or what is wrong with it) and each page laid out.

    The project is reloaded on every change to its files. Pages are laid out only when asked
    for, and a page whose print HTML has not changed keeps its layout, so an edit re-lays-out
    only the pages it affects.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
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
        _, renderer, briefing = self.snapshot(slug)
        html = self._render(renderer, briefing, "screen", briefing.sibling_name("pdf"))
        # The preview refuses what the build refuses: a page whose templates would run or load
        # something is never opened in the reviewer's browser.
        found = active_parts(html)
        if found:
            raise MakecaseError.single(
                f"The web page would run or load something: {', '.join(found[:3])}.",
                key=f"document {briefing.file_name('html')}",
                hint="A project template in templates/ adds it: pages are standalone, with nothing "
                     "run or loaded from elsewhere. Remove it from the template.")
        return html

    def laid_out(self, slug: str) -> LaidOut:
        """The page laid out, from the cache when its print HTML is unchanged."""
        project, renderer, briefing = self.snapshot(slug)
        text = self._render(renderer, briefing, "print")
        key = hashlib.sha256(text.encode("utf-8")).hexdigest()
        cached = self._laid_out.get(slug)  # no waiting for another page's layout to reuse this one
        if cached is not None and cached.key == key:
            return cached
        with self._layout:
            cached = self._laid_out.get(slug)
            if cached is not None and cached.key == key:
                return cached
            assert self._fitter is not None
            started = time.perf_counter()
            result = LaidOut(key)
            try:
                fitted = self._fitter.fit(text, project.root, project.settings.layout, slug)
            except DoesNotFit as exc:
                result.overflow = exc.problem
            else:
                result.pdf = fitted.write_pdf()
                result.body_size = fitted.body_size
                result.layouts = fitted.layouts
                # Measures the fit stage may give (fill, room for words): shown when present.
                result.fill = getattr(fitted, "fill", None)
                result.room_words = getattr(fitted, "room_words", None)
            result.seconds = time.perf_counter() - started
            self._laid_out[slug] = result
            return result

    def _render(self, renderer: Renderer, briefing: Briefing, medium, pdf_href: str | None = None) -> str:
        # A mistake in a template override is a MakecaseError with its file and line (templating.py).
        return renderer.render_html(briefing, medium, pdf_href)
