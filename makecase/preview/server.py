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

import json
import os
import socket
import sys
import threading
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, unquote, urlsplit


from makecase.errors import MakecaseError
from makecase.load.loader import load_project
from makecase.preview.project import MainThreadLayouts, Preview
from makecase.preview.pages import briefing_page, error_page, index_page, not_found_page, printed_page

LOOPBACK = ("127.0.0.1", "localhost", "::1")
# How long a tab's reload request waits for a change before asking again.
POLL_SECONDS = 20.0
# --- HTTP ---------------------------------------------------------------------------------------


HTML = "text/html; charset=utf-8"
Response = tuple[HTTPStatus, bytes, str]


def _fit_status(preview: Preview, slug: str, version: int) -> Response:
    page = preview.laid_out(slug)
    status = {"fits": page.fits, "summary": page.summary(), "body_size_pt": page.body_size,
              "fill": page.fill, "room_words": page.room_words, "warnings": [w.message for w in page.warnings]}
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
    layouts = MainThreadLayouts()  # the main thread lays pages out, in the layout time limit
    preview = Preview(Path(root), run_layout=layouts.run)
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
        layouts.work(until=lambda: not server_thread.is_alive())
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
