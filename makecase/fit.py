"""Fit stage: lay out a briefing's print HTML with WeasyPrint and make it one full A4 page.

The HTML is parsed once. Body text starts at the layout's body_size and shrinks in quarter-point
steps (every size on the page is in rem, so everything shrinks together) until the page fits or
the floor is reached. A page that still overflows is never written: the error says by how much.

A page that fits with room to spare grows its spacing, not its type: print.css adds
`--stretch` to the space between blocks, and this stage finds the stretch that fills the page
(layout is close to linear in it, so one measured trial and one correction usually land within
a millimetre). Stretch has a ceiling, so a page with too few words stays readable: what is
left is put above the footer (`--foot-space`), so the footer always sits at the foot, and the
page's fill is reported so the build can say how many words it could take.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from . import resources
from .errors import Problem
from .fetch import ProjectOnlyFetcher
from .settings import Layout
from .weasypatch import apply as apply_weasyprint_patches

apply_weasyprint_patches()  # tag-text fixes we carry for WeasyPrint 70 (see weasypatch.py)

STEP_PT = 0.25
# Tagged PDF with PDF/UA metadata (title, language): what public bodies must publish.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}
A4_HEIGHT_MM = 297
PX_PER_MM = 96 / 25.4
# Most stretch added to each gap; beyond this a page looks sparse rather than spacious.
MAX_STRETCH_MM = 4.5
# Most space added to each gap of the shorter column to line its foot up with the taller's.
MAX_MORE_MM = 6.0
# A page left with less unused height than this is full: not worth another layout.
FULL_ENOUGH_MM = 1.5
# Words in a line of body text, for "it could take about N words" (the main column at 12pt).
WORDS_PER_LINE = 8


def _body_line_height() -> float:
    """The body text's line height, read from the packaged style.css (its one home), so the
    "about N lines too long" and "could take N words" estimates follow the stylesheet."""
    css = (resources.templates_dir() / "style.css").read_text(encoding="utf-8")
    found = re.search(r"(?:^|\n)body\s*\{[^}]*?line-height:\s*([0-9.]+)", css)
    return float(found.group(1)) if found else 1.35


LINE_HEIGHT = _body_line_height()


def _page_box(document):
    """The first page's box: WeasyPrint keeps it private, so this is the one place we reach in."""
    return document.pages[0]._page_box


@dataclass
class FittedPage:
    """A laid-out page that fits, ready to write."""

    document: object  # weasyprint.document.Document
    body_size: float
    layouts: int
    fill: float = 100.0  # per cent of the page's height in use once spacing has grown
    stretch_mm: float = 0.0  # space added to each gap
    unused_mm: float = 0.0  # height left unused (put above the footer), not counting column holes
    room_words: int = 0  # roughly how many words the page could take at its natural spacing

    def write_pdf(self) -> bytes:
        # The file identifier (/ID) is a hash of the PDF's own objects, so the same page makes
        # the same bytes on every build (CreationDate is the content's review date).
        return self.document.write_pdf(pdf_identifier=True, **PDF_OPTIONS)


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
        # Height one mm of --stretch adds, measured on this page's first trial. Not carried from
        # one page to the next: a page must come out the same whichever pages were laid out
        # before it (a partial or incremental build, another worker), byte for byte.
        self._stretch_slope: float | None = None

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
        self._stretch_slope = None
        size = layout.body_size
        layouts = 0
        while True:
            document = self._render(html, size)
            layouts += 1
            if len(document.pages) == 1:
                return self._fill(html, document, size, layouts)
            if size <= layout.min_body_size:
                break
            # The floor itself is always tried, even when it is not a whole number of steps
            # below the start (11.1 after 11.25), so the error's "at the minimum" is true.
            size = max(layout.min_body_size, round(size - STEP_PT, 2))
        raise DoesNotFit(self._overflow_problem(html, size, label, len(document.pages)))

    def _spacing(self, stretch_mm: float, foot_mm: float = 0.0, more: tuple[str, float] | None = None) -> CSS:
        rules = f"--stretch: {stretch_mm:.2f}mm !important; --foot-space: {foot_mm:.2f}mm !important;"
        if more is not None:
            rules += f" --more-{more[0]}: {more[1]:.2f}mm !important;"
        return CSS(string=f":root {{ {rules} }}", font_config=self.font_config)

    def _fill(self, html: HTML, document, size: float, layouts: int) -> FittedPage:
        """Grow the spacing of a page that fits until it fills the page (or the ceiling)."""
        natural = _unused_px(document) / PX_PER_MM
        line_mm = size * LINE_HEIGHT / 72 * 25.4
        room_words = max(0, round((natural - 8) / line_mm * WORDS_PER_LINE / 5) * 5) if natural > 8 else 0
        best = (document, 0.0, natural)
        if natural > FULL_ENOUGH_MM:
            trial = min(MAX_STRETCH_MM, (natural - 0.5) / (self._stretch_slope or 8))
            # The first trial measures how much height one mm of stretch adds; then correct.
            for _ in range(3):
                candidate = self._render(html, size, [self._spacing(trial)])
                layouts += 1
                unused = _unused_px(candidate) / PX_PER_MM if len(candidate.pages) == 1 else -1.0
                if 0 <= unused and unused < best[2]:
                    best = (candidate, trial, unused)
                if 0 <= unused < natural:
                    self._stretch_slope = (natural - unused) / trial
                if 0 <= unused <= FULL_ENOUGH_MM or (unused >= 0 and trial >= MAX_STRETCH_MM):
                    break
                added = natural - unused if unused >= 0 else None
                if added is None or added <= 0:
                    trial = best[1] + (trial - best[1]) * 0.5  # overshot: back off halfway
                    continue
                per_mm = added / trial
                self._stretch_slope = per_mm
                trial = min(MAX_STRETCH_MM, trial + (unused - 0.5) / per_mm)
        document, stretch, unused = best
        # Pin the footer to the foot with what is left (a hair less, so rounding cannot overflow).
        foot = unused - 0.3 if unused > FULL_ENOUGH_MM else 0.0
        document, more, layouts, pinned = self._balance(html, document, size, stretch, foot, layouts)
        if foot and not pinned:
            candidate = self._render(html, size, [self._spacing(stretch, foot, more)])
            layouts += 1
            if len(candidate.pages) == 1:
                document = candidate
        hole = _column_hole(document)[2] / PX_PER_MM
        fill = 100.0 * (1 - (unused + hole) / _content_height_mm(document))
        room_words += max(0, round(hole / line_mm * WORDS_PER_LINE / 5) * 5) if hole > 8 else 0
        return FittedPage(document, size, layouts, round(fill, 1), round(stretch, 2), round(unused, 1),
                          room_words)

    def _balance(self, html: HTML, document, size: float, stretch: float, foot: float, layouts: int):
        """Grow the gaps of the shorter column (print.css's --more-cases or --more-side) until
        its foot lines up with the taller one's, within a ceiling; the page's height is unchanged.
        Trials are laid out with the footer already pinned (`foot`), saving a layout."""
        short, gap_px, _ = _column_hole(document)
        gap = gap_px / PX_PER_MM
        if short is None or gap <= FULL_ENOUGH_MM:
            return document, None, layouts, False
        unused = _unused_px(document) / PX_PER_MM - foot
        best = (document, None, gap)
        trial = min(MAX_MORE_MM, gap / 4)
        for _ in range(2):
            candidate = self._render(html, size, [self._spacing(stretch, foot, (short, trial))])
            layouts += 1
            same_page = (len(candidate.pages) == 1
                         and _unused_px(candidate) / PX_PER_MM >= unused - 0.3)
            name, new_gap_px, _ = _column_hole(candidate)
            new_gap = new_gap_px / PX_PER_MM
            if not same_page or name != short:
                trial *= 0.5  # overshot: the short column became the taller
                continue
            if new_gap < best[2]:
                best = (candidate, (short, trial), new_gap)
            closed = gap - new_gap
            if new_gap <= FULL_ENOUGH_MM or trial >= MAX_MORE_MM or closed <= 0:
                break
            trial = min(MAX_MORE_MM, trial + (new_gap - 0.5) * trial / closed)
        return best[0], best[1], layouts, best[1] is not None

    def _overflow_problem(self, html: HTML, size: float, label: str, pages: int) -> Problem:
        """Lay the page out on a very tall sheet to measure how far past A4 it runs. The
        problem's key is the caller's label (a build puts its own audience key on it)."""
        tall = CSS(string="@page { size: 210mm 2000mm !important; }", font_config=self.font_config)
        document = self._render(html, size, [tall])
        page_box = _page_box(document)
        bottom = max((_bottom(child) for child in page_box.descendants() if child is not page_box),
                     default=0)
        # Height used on the tall sheet, less the A4 content height (page height less margins).
        top_margin = page_box.margin_top + page_box.padding_top + page_box.border_top_width
        bottom_margin = page_box.margin_bottom + page_box.padding_bottom + page_box.border_bottom_width
        a4_content_px = A4_HEIGHT_MM / 25.4 * 96 - top_margin - bottom_margin
        overflow_px = max(0.0, bottom - top_margin - a4_content_px)
        overflow_mm = overflow_px / 96 * 25.4
        line_px = size * LINE_HEIGHT * 96 / 72
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


def _unused_px(document) -> float:
    """Height between the lowest box on the (first) page and the bottom of its content area."""
    page_box = _page_box(document)
    bottom = max((_bottom(child) for child in page_box.descendants() if child is not page_box), default=0)
    return page_box.content_box_y() + page_box.height - bottom


def _column_hole(document) -> tuple[str | None, float, float]:
    """The shorter of the two columns, how far its foot is above the taller's, and that blank
    height weighted by the column's share of the width (what counts against the page's fill).

    A page whose taller column reaches the footer can still leave half a column empty; that
    is unused paper too.
    """
    page_box = _page_box(document)
    columns = {}
    for box in page_box.descendants():
        element = getattr(box, "element", None)
        if element is None or box.element_tag not in ("section", "aside"):
            continue
        classes = (element.get("class") or "").split()
        for name in ("cases", "side"):
            if name in classes and name not in columns:
                bottom = max((_bottom(child) for child in box.descendants() if child is not box),
                             default=box.position_y)
                columns[name] = (bottom, box.margin_width())
    if len(columns) < 2:
        return None, 0.0, 0.0
    short = min(columns, key=lambda name: columns[name][0])
    gap = max(c[0] for c in columns.values()) - columns[short][0]
    return short, gap, gap * columns[short][1] / page_box.width


def _content_height_mm(document) -> float:
    return _page_box(document).height / PX_PER_MM
