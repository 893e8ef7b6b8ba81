"""Check stage, HTML: axe-core in a real headless Chromium, for WCAG 2.2 A and AA.

Debian's `chromium` is driven by Playwright with its executable path, so nothing is downloaded;
axe-playwright-python bundles axe-core. Pages are loaded from strings with every network
request refused: the pages are standalone, so a request would itself be a fault.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
from dataclasses import dataclass

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = ('install Debian\'s browser and the Python packages: sudo apt-get install chromium '
                '&& pip install "makecase[check]" (or set MAKECASE_CHROMIUM to a Chromium binary)')


class AxeUnavailable(Exception):
    """Chromium or the Python packages are missing: the HTML check is skipped, and says why."""


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str | None
    help: str
    nodes: int
    first_target: str
    url: str

    def message(self) -> str:
        more = f" and {self.nodes - 1} more" if self.nodes > 1 else ""
        return f"axe {self.rule} ({self.impact or 'no impact given'}): {self.help}, at {self.first_target}{more}."


def find_chromium() -> str | None:
    named = os.environ.get("MAKECASE_CHROMIUM")
    if named:
        return named if os.path.exists(named) else None
    return next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)


_BROWSER: dict = {}  # one Playwright and one Chromium per process, started on first use


def shared_browser(executable: str):
    """The process's Chromium: Playwright's sync API allows one instance per thread, so every
    runner (the check command, a test session) shares it; it is closed when Python exits."""
    if executable not in _BROWSER:
        from playwright.sync_api import sync_playwright

        try:
            playwright = sync_playwright().start()
        except Exception as exc:  # e.g. called inside a running asyncio loop (a notebook)
            raise AxeUnavailable(f"Playwright would not start ({exc.__class__.__name__}: "
                                 f"{str(exc).splitlines()[0] if str(exc) else ''})") from None
        try:
            browser = playwright.chromium.launch(
                executable_path=executable,
                args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"])
        except Exception as exc:  # a browser that will not start is a missing tool, not a bug
            playwright.stop()
            raise AxeUnavailable(f"Chromium at {executable} would not start ({exc.__class__.__name__}); "
                                 f"{INSTALL_HINT}") from None

        def close() -> None:
            browser.close()
            playwright.stop()

        atexit.register(close)
        _BROWSER[executable] = browser
    return _BROWSER[executable]


class AxeRunner:
    """Many pages in one browser: `with AxeRunner() as axe: axe.run(html)`."""

    def __init__(self) -> None:
        self.executable = find_chromium()
        if self.executable is None:
            raise AxeUnavailable(f"Chromium was not found; {INSTALL_HINT}")
        try:
            from axe_playwright_python.sync_playwright import Axe
            import playwright.sync_api  # noqa: F401
        except ImportError:
            raise AxeUnavailable(f"Playwright or axe-playwright-python is not installed; {INSTALL_HINT}") from None
        self._axe = Axe()
        self.version = None

    def __enter__(self) -> "AxeRunner":
        # Offline, and every request refused: the pages are standalone. axe-core is added to
        # every document as it is created, and one tab serves every page: a new tab per page
        # costs four times as much.
        self._context = shared_browser(self.executable).new_context(offline=True)
        self._context.route("**/*", lambda route: route.abort())
        self._context.add_init_script(self._axe.axe_script)
        self._page = self._context.new_page()
        return self

    def __exit__(self, *exc) -> None:
        self._context.close()

    def run(self, html: str) -> list[Violation]:
        self._page.set_content(html, wait_until="domcontentloaded")
        options = json.dumps({"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
        response = self._page.evaluate(f"axe.run(document, {options})")
        self.version = response.get("testEngine", {}).get("version")
        return [Violation(v["id"], v.get("impact"), v["help"], len(v["nodes"]),
                          " ".join(v["nodes"][0]["target"]) if v["nodes"] else "the page", v.get("helpUrl", ""))
                for v in response["violations"]]
