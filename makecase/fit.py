"""Fit stage: lay out a briefing's print HTML with WeasyPrint and make it one A4 page.

The HTML is parsed once. Body text starts at the layout's body_size and shrinks in quarter-point
steps (every size on the page is in rem, so everything shrinks together) until the page fits or
the floor is reached. A page that still overflows is never written: the error says by how much.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from .errors import Problem
from .fetch import ProjectOnlyFetcher
from .model import Layout
from .weasypatch import apply as apply_weasyprint_patches

apply_weasyprint_patches()  # tag-text fixes we carry for WeasyPrint 70 (see weasypatch.py)

STEP_PT = 0.25
# Tagged PDF with PDF/UA metadata (title, language): what public bodies must publish.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}
A4_HEIGHT_MM = 297


@dataclass
class FittedPage:
    """A laid-out page that fits, ready to write."""

    document: object  # weasyprint.document.Document
    body_size: float
    layouts: int

    def write_pdf(self) -> bytes:
        return self.document.write_pdf(**PDF_OPTIONS)


class DoesNotFit(Exception):
    """Raised with a Problem when a briefing overflows one page even at the floor size."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


class PageFitter:
    """Lays out pages with one FontConfiguration and one fetcher for a whole build."""

    def __init__(self, allowed_dirs: list[Path]) -> None:
        self.font_config = FontConfiguration()
        self.fetcher = ProjectOnlyFetcher(allowed_dirs)
        self._size_css: dict[float, CSS] = {}

    def _size(self, body_size: float) -> CSS:
        if body_size not in self._size_css:
            # Stylesheets given to render() are user stylesheets, which lose to the document's
            # own rules unless marked !important.
            self._size_css[body_size] = CSS(string=f"html {{ font-size: {body_size}pt !important; }}",
                                            font_config=self.font_config)
        return self._size_css[body_size]

    def _render(self, html: HTML, body_size: float, extra: list[CSS] | None = None):
        return html.render(font_config=self.font_config,
                           stylesheets=[self._size(body_size), *(extra or [])], **PDF_OPTIONS)

    def fit(self, html_text: str, base_url: Path, layout: Layout, label: str) -> FittedPage:
        html = HTML(string=html_text, base_url=str(base_url), url_fetcher=self.fetcher)
        size = layout.body_size
        layouts = 0
        while True:
            document = self._render(html, size)
            layouts += 1
            if len(document.pages) == 1:
                return FittedPage(document, size, layouts)
            smaller = round(size - STEP_PT, 2)
            if smaller < layout.min_body_size:
                break
            size = smaller
        raise DoesNotFit(self._overflow_problem(html, layout, label, len(document.pages)))

    def _overflow_problem(self, html: HTML, layout: Layout, label: str, pages: int) -> Problem:
        """Lay the page out on a very tall sheet to measure how far past A4 it runs."""
        size = layout.min_body_size
        tall = CSS(string="@page { size: 210mm 2000mm !important; }", font_config=self.font_config)
        document = self._render(html, size, [tall])
        page_box = document.pages[0]._page_box
        bottom = max((_bottom(child) for child in page_box.descendants() if child is not page_box),
                     default=0)
        # Height used on the tall sheet, less the A4 content height (page height less margins).
        top_margin = page_box.margin_top + page_box.padding_top + page_box.border_top_width
        bottom_margin = page_box.margin_bottom + page_box.padding_bottom + page_box.border_bottom_width
        a4_content_px = A4_HEIGHT_MM / 25.4 * 96 - top_margin - bottom_margin
        overflow_px = max(0.0, bottom - top_margin - a4_content_px)
        overflow_mm = overflow_px / 96 * 25.4
        line_px = size * 1.35 * 96 / 72
        lines = max(1, round(overflow_px / line_px))
        words = max(5, round(lines * 8 / 5) * 5)
        return Problem(
            f"Does not fit on one page: even with body text at the {size:g}pt minimum it runs to "
            f"{pages} pages, about {overflow_mm:.0f} mm too long (roughly {lines} line"
            f"{'s' if lines != 1 else ''} of body text).",
            None, key=label,
            hint=f"Cut about {words} words: shorten the 'why' text or an evidence body, drop an "
                 f"action or a signpost, or remove the lowest-priority evidence item.")


def _bottom(box) -> float:
    return box.position_y + box.margin_height()
