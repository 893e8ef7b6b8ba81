"""Preview stage: `makecase serve`, a live preview of every page, calling the same stages as a build.

A partnership edits YAML and asks "does it still fit, does it still look right?". The server
answers in the browser: an index of every briefing with a picture of its printed page and how
full it is, each briefing's HTML page, its PDF and the picture. A watcher reloads the project
when a file changes and open tabs reload themselves; a content error is shown in the page in
place of the briefing, and the page comes back when the file is fixed.

Only the preview is served: a fixed set of routes (/, and for each page .html, the web page;
.page, the printed page as a picture; .pdf; .png; .json, how it fits; and /__reload), never a
file from disk by its path.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import socket
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, unquote, urlsplit


from .compose import Briefing, briefings_for
from .errors import MakecaseError, Problem
from .fit import DoesNotFit, PageFitter
from .load import load_project
from .preview_pages import briefing_page, error_page, index_page, not_found_page, printed_page
from .project import Project
from .standalone import active_parts
from .render import Renderer

LOOPBACK = ("127.0.0.1", "localhost", "::1")
# How long a tab's reload request waits for a change before asking again.
POLL_SECONDS = 20.0
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


# --- HTTP ---------------------------------------------------------------------------------------


HTML = "text/html; charset=utf-8"
Response = tuple[HTTPStatus, bytes, str]


def _fit_status(preview: Preview, slug: str, version: int) -> Response:
    page = preview.laid_out(slug)
    status = {"fits": page.fits, "summary": page.summary(), "body_size_pt": page.body_size,
              "fill": page.fill, "room_words": page.room_words}
    return HTTPStatus.OK, json.dumps(status).encode(), "application/json"


def _laid_out_file(preview: Preview, slug: str, kind: str) -> Response:
    """The PDF or its picture; none while the page runs over (409, and why)."""
    page = preview.laid_out(slug)
    if not page.fits:
        return HTTPStatus.CONFLICT, (page.summary() + "\n").encode(), "text/plain; charset=utf-8"
    body = page.pdf if kind == "pdf" else page.picture()
    return HTTPStatus.OK, body, "application/pdf" if kind == "pdf" else "image/png"


# What each kind of address is answered with, given the preview, the page's slug and the version.
ROUTES: dict[str, Callable[[Preview, str, int], Response]] = {
    "index": lambda preview, slug, version: (HTTPStatus.OK, index_page(preview, version).encode(), HTML),
    "html": lambda preview, slug, version: (HTTPStatus.OK, briefing_page(preview, slug, version).encode(), HTML),
    "page": lambda preview, slug, version: (HTTPStatus.OK, printed_page(preview, slug, version).encode(), HTML),
    "json": _fit_status,
    "pdf": lambda preview, slug, version: _laid_out_file(preview, slug, "pdf"),
    "png": lambda preview, slug, version: _laid_out_file(preview, slug, "png"),
}


class PreviewHandler(BaseHTTPRequestHandler):
    """GET only, a fixed set of routes; anything else is 404. Nothing is read from disk by path."""

    preview: Preview
    allowed_hosts: set[str] | None = None
    server_version = "makecase-preview"
    sys_version = ""

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet: the terminal is for changes
        pass

    def do_HEAD(self) -> None:
        self.do_GET(head=True)

    def do_GET(self, head: bool = False) -> None:
        if self.allowed_hosts is not None and self.headers.get("Host", "") not in self.allowed_hosts:
            return self._send(HTTPStatus.FORBIDDEN, b"Forbidden host.\n", "text/plain", head)
        url = urlsplit(self.path)
        path = unquote(url.path)
        preview = self.preview
        try:
            if path == "/__reload":
                try:
                    seen = int(parse_qs(url.query).get("v", ["-1"])[0])
                except ValueError:
                    seen = -1
                version = preview.wait_for_change(seen, POLL_SECONDS)
                return self._send(HTTPStatus.OK, json.dumps({"version": version}).encode(), "application/json", head)
            return self._send(*self._route(path), head)
        except MakecaseError as exc:
            page = error_page(exc, preview.root, preview.version)
            return self._send(HTTPStatus.INTERNAL_SERVER_ERROR, page.encode(), HTML, head)
        except KeyError:  # the page went away between the route check and its rendering
            return self._send(HTTPStatus.NOT_FOUND, not_found_page(preview.version).encode(), HTML, head)
        except (BrokenPipeError, ConnectionResetError):
            return None
        except Exception:  # a bug: say so in the page, keep serving
            text = ("Internal error in makecase (a bug, not your content). Please report it:\n\n"
                    + traceback.format_exc())
            return self._send(HTTPStatus.INTERNAL_SERVER_ERROR, text.encode(), "text/plain; charset=utf-8", head)

    def _route(self, path: str) -> tuple[HTTPStatus, bytes, str]:
        """Status, body and content type for a path: one of ROUTES, or why there is none."""
        preview = self.preview
        version = preview.version
        stem, dot, ext = path.lstrip("/").rpartition(".")
        if path in ("/", "/index.html"):
            kind = "index"
        elif dot and ext in ("html", "page", "pdf", "png", "json") and stem in preview.briefings:
            kind = ext
        elif preview.error is not None and ext == "html":
            kind = "html"  # the page may not exist while the project is broken: show why
        elif ext == "html":  # e.g. an audience switched off while its tab is open
            return HTTPStatus.NOT_FOUND, not_found_page(version).encode(), HTML
        else:
            return HTTPStatus.NOT_FOUND, b"Not found.\n", "text/plain"
        if preview.error is not None:
            return HTTPStatus.INTERNAL_SERVER_ERROR, error_page(preview.error, preview.root, version).encode(), HTML
        return ROUTES[kind](preview, stem, version)

    def _send(self, status: HTTPStatus, body: bytes, ctype: str, head: bool) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if not head:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # a tab's waiting reload request must not hold up Ctrl-C

    def handle_error(self, request, client_address) -> None:
        """A tab closed mid-request is normal; anything else is a bug worth a traceback."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def make_server(preview: Preview, host: str = "127.0.0.1", port: int = 8000) -> PreviewServer:
    handler = type("Handler", (PreviewHandler,), {"preview": preview})
    server_class = PreviewServer
    if ":" in host:  # an IPv6 address such as ::1
        server_class = type("PreviewServer6", (PreviewServer,), {"address_family": socket.AF_INET6})
    server = server_class((host, port), handler)
    if host in LOOPBACK:
        # Only the addresses this server answers to, so a web page cannot reach it by a rebound
        # domain name (DNS rebinding).
        port = server.server_address[1]
        handler.allowed_hosts = {f"{h}:{port}" for h in ("127.0.0.1", "localhost", "[::1]")}
    return server


# --- watching -----------------------------------------------------------------------------------


def _watch_filter(root: Path, output_dirs: list[Path]):
    from watchfiles import DefaultFilter

    class ProjectFilter(DefaultFilter):
        """Content, settings, templates and assets; not the output folder or editor scratch files."""

        def __call__(self, change, path: str) -> bool:
            p = Path(path)
            if any(p == d or p.is_relative_to(d) for d in output_dirs):
                return False
            try:
                parts = p.relative_to(root).parts
            except ValueError:
                return False
            if any(part.startswith(".") for part in parts):
                return False
            return super().__call__(change, path)

    return ProjectFilter()


def needs_new_layouts(paths: set[str]) -> bool:
    """A change to a file the print HTML only names (a logo, a font) cannot be seen in its hash."""
    for path in paths:
        p = Path(path)
        if p.suffix.lower() in (".yaml", ".yml", ".html", ".css", ".txt", ".md", ".json"):
            continue
        return True
    return False


def watch(preview: Preview, stop: threading.Event, on_change: Callable[[list[str], Preview], None]) -> None:
    from watchfiles import watch as watch_files

    output = preview.root / (preview.project.settings.output.dir if preview.project else "output")
    for changes in watch_files(preview.root, watch_filter=_watch_filter(preview.root, [output.resolve()]),
                               stop_event=stop, debounce=150, step=50, raise_interrupt=False):
        paths = {path for _, path in changes}
        preview.reload(forget_layouts=needs_new_layouts(paths))
        on_change(sorted(paths), preview)


def serve(root: Path | str = ".", host: str = "127.0.0.1", port: int = 8000,
          echo: Callable[[str], None] = print) -> None:
    """Serve the preview until Ctrl-C. Prints the address, and each change as it is picked up."""
    if not Path(root).is_dir():
        load_project(root)  # raises the error a missing project folder gets everywhere
    preview = Preview(Path(root))
    server = make_server(preview, host, port)
    shown_host = f"[{host}]" if ":" in host else host
    address = f"http://{shown_host}:{server.server_address[1]}/"
    stop = threading.Event()

    def on_change(paths: list[str], current: Preview) -> None:
        names = ", ".join(os.path.relpath(p, current.root) for p in paths[:3])
        if current.error is not None:
            echo(f"Changed {names}: {len(current.error.problems)} problem(s) to fix, shown in the browser.")
        else:
            echo(f"Changed {names}: reloaded.")

    if preview.error is not None:
        echo(f"The project has {len(preview.error.problems)} problem(s); the browser shows them.")
    if host not in LOOPBACK:
        echo(f"Warning: serving on {host}, so other machines on the network can see the preview.")
    watcher = threading.Thread(target=watch, args=(preview, stop, on_change), name="makecase-watch", daemon=True)
    watcher.start()
    server_thread = threading.Thread(target=server.serve_forever, name="makecase-serve", daemon=True)
    server_thread.start()
    echo(f"Serving a live preview of {preview.root} at {address}  (Ctrl-C to stop)")
    try:
        while server_thread.is_alive():
            server_thread.join(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        with preview.changed:
            preview.changed.notify_all()
        watcher.join(2)
    echo("Stopped.")
