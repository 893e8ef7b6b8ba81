"""Fit stage: lay out a briefing's print HTML with WeasyPrint and make it one full A4 page.

Content before type: an audience's evidence list is its priority order, and a page takes as
many of its items as fit at the layout's body_size. A page that is too long is measured once on
a tall sheet (how far it runs past A4, where each item ends) and its lowest-priority items are
left out, the fewest that make it fit, down to layout.min_items; so a page that overflows
usually costs three layouts, not one per item. Only then does body text shrink, in quarter-point
steps (every size on the page is in rem, so everything shrinks together), until the page fits
or the floor is reached. A page that still overflows is never written: the error says by how much.

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
from typing import Callable

from weasyprint import CSS, HTML
from weasyprint.formatting_structure import boxes
from weasyprint.text.fonts import FontConfiguration

from makecase import resources
from makecase.errors import Problem
from makecase.page.fetch import ProjectOnlyFetcher
from makecase.page.overflow import overflow_problem
from makecase.load.settings import Layout
from makecase.page.spacing import PageGaps, Spacing, apply_spacing, spacing_for
from makecase.page.weasypatch import apply as apply_weasyprint_patches

apply_weasyprint_patches()  # tag-text fixes we carry for WeasyPrint 70 (see weasypatch.py)

STEP_PT = 0.25
# Tagged PDF with PDF/UA metadata (title, language): what public bodies must publish.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}
A4_HEIGHT_MM = 297
PX_PER_MM = 96 / 25.4
# Most stretch added to each gap; beyond this a page looks sparse rather than spacious.
MAX_STRETCH_MM = 4.5
# Most space added to each gap of the shorter column to line its foot up with the taller's.
# 6 mm left the main column of a page whose quote had to go up to 29 mm short of the footer
# (the partnership corpus); 12 mm brings every column's foot within 18 mm of it.
MAX_MORE_MM = 12.0
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
    room_words: int = 0  # roughly how many words the page could take at its natural spacing
    items: int = 0  # how many of its audience's evidence items the page took
    shortened: int = 0  # how many steps its side column was shortened (Briefing.shortening)
    quote_left_out: bool = False  # whether its quote was left out (Briefing.without_quote)

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

    def fit(self, page: str | Callable[[int, int, bool], str], base_url: Path, layout: Layout, label: str,
            items: int = 0, side_steps: int = 0, quote: bool = False) -> FittedPage:
        """Lay a page out on one A4 page: its content first, then its type size.

        page is the print HTML, or a function giving the HTML with the first n of its `items`
        evidence items, its side column shortened by s of its `side_steps` (Briefing.
        shortening) and without its quote if asked. A page too long at body_size first
        shortens its side column while that is the column too long (leaving items out cannot
        help it), then leaves out its lowest-priority items, down to layout.min_items, then
        its quote (`quote`: it has one); only then does its type shrink, down to
        layout.min_body_size."""
        html_for = page if callable(page) else (lambda count, level, no_quote: page)
        count, floor, level, no_quote = items, min(items, layout.min_items), 0, False
        html = self._parse(html_for(count, level, no_quote), base_url)
        document, layouts = self._render(html, layout.body_size), 1
        while len(document.pages) > 1 and (count > floor or level < side_steps or (quote and not no_quote)):
            measured = self._measure(html, layout.body_size)
            layouts += 1
            if side_too_long(measured) and level < side_steps:
                level += 1
            elif side_too_long(measured):
                # The side column is as short as it goes: the type must shrink. The evidence
                # column still gives way first if it is too long too, one item at a time (so the
                # type shrinks no more than it must), then its quote.
                if not column_too_long(measured, "cases"):
                    break
                if count > floor:
                    count -= 1
                elif quote and not no_quote:
                    no_quote = True
                else:
                    break
            elif count > floor:
                count -= items_to_leave_out(measured, count, floor)
            elif quote and not no_quote:
                no_quote = True
            else:
                break
            html = self._parse(html_for(count, level, no_quote), base_url)
            document, layouts = self._render(html, layout.body_size), layouts + 1
        size = layout.body_size
        while len(document.pages) > 1 and size > layout.min_body_size:
            # The floor itself is always tried, even when it is not a whole number of steps
            # below the start (11.1 after 11.25), so the error's "at the minimum" is true.
            size = max(layout.min_body_size, round(size - STEP_PT, 2))
            document, layouts = self._render(html, size), layouts + 1
        if len(document.pages) > 1:
            raise DoesNotFit(self._overflow_problem(html, size, label, len(document.pages)))
        _refuse_overflow(document, label)
        fitted = self._fill(document, size, layouts)
        fitted.items, fitted.shortened, fitted.quote_left_out = count, level, no_quote
        return fitted

    def _parse(self, html_text: str, base_url: Path) -> HTML:
        return HTML(string=html_text, base_url=str(base_url), url_fetcher=self.fetcher)

    def _measure(self, html: HTML, size: float) -> Measured:
        """Lay the page out on a very tall sheet: how far past A4 it runs, and where each
        evidence item and each column ends (what leaving items out would save)."""
        tall = CSS(string="@page { size: 210mm 2000mm !important; }", font_config=self.font_config)
        return measured_page(_page_box(self._render(html, size, [tall])))

    def _fill(self, document, size: float, layouts: int) -> FittedPage:
        """Grow the spacing of a page that fits until it fills the page (spacing.py: the laid-out
        boxes move, so the page is not laid out again)."""
        natural = _unused_px(document) / PX_PER_MM
        line_mm = size * LINE_HEIGHT / 72 * 25.4
        room_words = max(0, round((natural - 8) / line_mm * WORDS_PER_LINE / 5) * 5) if natural > 8 else 0
        # Arithmetic on the laid-out boxes (spacing.py), applied once: no second layout.
        gaps = PageGaps(_page_box(document))
        spacing = spacing_for(gaps, natural * PX_PER_MM, MAX_STRETCH_MM * PX_PER_MM,
                              MAX_MORE_MM * PX_PER_MM, FULL_ENOUGH_MM * PX_PER_MM)
        if spacing != Spacing():
            apply_spacing(document, gaps, spacing)
        unused = spacing.foot / PX_PER_MM if spacing.foot else _unused_px(document) / PX_PER_MM
        hole = _column_hole(document)[2] / PX_PER_MM
        fill = 100.0 * (1 - (unused + hole) / _content_height_mm(document))
        room_words += max(0, round(hole / line_mm * WORDS_PER_LINE / 5) * 5) if hole > 8 else 0
        return FittedPage(document, size, layouts, round(fill, 1), room_words)

    def _overflow_problem(self, html: HTML, size: float, label: str, pages: int) -> Problem:
        """Measure how far past A4 the page runs. The problem's key is the caller's label (a
        build puts its own audience key on it)."""
        overflow_px = self._measure(html, size).overflow
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


@dataclass
class Measured:
    """A page laid out on a tall sheet, in CSS pixels: how far its content runs past the foot
    of an A4 page, the foot of each evidence item (class "case", in order, margin included),
    and the foot of each column (class "cases" holds the items; "side" is beside it)."""

    overflow: float
    case_feet: list[float]
    columns: dict[str, float]


def measured_page(page_box) -> Measured:
    bottom = max((_bottom(box) for box in _content_boxes(page_box)), default=0)
    # Height used on the tall sheet, less the A4 content height (page height less margins).
    top_margin = page_box.margin_top + page_box.padding_top + page_box.border_top_width
    bottom_margin = page_box.margin_bottom + page_box.padding_bottom + page_box.border_bottom_width
    a4_content_px = A4_HEIGHT_MM / 25.4 * 96 - top_margin - bottom_margin
    case_feet: list[float] = []
    seen = set()
    for box in page_box.descendants():
        element = getattr(box, "element", None)
        if element is None or id(element) in seen:
            continue
        seen.add(id(element))
        if "case" in (element.get("class") or "").split():
            case_feet.append(_bottom(box))
    columns = {name: foot for name, (foot, _) in _columns(page_box).items()}
    return Measured(max(0.0, bottom - top_margin - a4_content_px), case_feet, columns)


def side_too_long(measured: Measured) -> bool:
    """True when the side column ("What you can do" and the story) ends past where the columns
    must end for the page to fit: it is the one too long."""
    return column_too_long(measured, "side")


def column_too_long(measured: Measured, name: str) -> bool:
    """True when the column ends past where the columns must end for the page to fit."""
    if name not in measured.columns:
        return False
    target = max(measured.columns.values()) - measured.overflow
    return measured.columns[name] > target + 0.5


def items_to_leave_out(measured: Measured, count: int, floor: int) -> int:
    """How many of a page's lowest-priority evidence items to leave out so it fits: the fewest
    whose height covers the overflow, at least one. When leaving items out cannot make it fit
    (the column beside them is too long on its own, or the template names no items), all but
    the floor go, and the type shrinks after."""
    feet = measured.case_feet
    if len(feet) != count or "cases" not in measured.columns:
        return count - floor
    cases_foot = measured.columns["cases"]
    target = max(measured.columns.values()) - measured.overflow  # where the columns must end
    if measured.columns.get("side", 0.0) > target:
        return count - floor
    for keep in range(count - 1, floor - 1, -1):
        # Without items keep..count-1 the column ends that much higher (the quote moves up).
        saved = feet[-1] - feet[keep - 1]
        if cases_foot - saved <= target:
            return count - keep
    return count - floor


def _refuse_overflow(document, label: str) -> None:
    """A page that fits down the page may still have text past its column or the paper's
    edge (overflow.py): that is a build error naming the text, never a page written."""
    problem = overflow_problem(_page_box(document), label)
    if problem is not None:
        raise DoesNotFit(problem)


def _bottom(box) -> float:
    return box.position_y + box.margin_height()


def _unused_px(document) -> float:
    """Height between the lowest box of the (first) page's content and the bottom of its content
    area (a template's page margin boxes, such as a page number, sit outside it: not counted)."""
    page_box = _page_box(document)
    bottom = max((_bottom(box) for box in _content_boxes(page_box)), default=0)
    return page_box.content_box_y() + page_box.height - bottom


def _content_boxes(page_box):
    """Every box of the page's content: the document's boxes, not the page's margin boxes."""
    for child in page_box.children:
        if not isinstance(child, (boxes.MarginBox, boxes.FootnoteAreaBox)):
            yield child
            yield from child.descendants()


def _columns(page_box) -> dict[str, tuple[float, float]]:
    """The two columns ("cases" and "side"): where each one's content ends, and its width."""
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
    return columns


def _column_hole(document) -> tuple[str | None, float, float]:
    """The shorter of the two columns, how far its foot is above the taller's, and that blank
    height weighted by the column's share of the width (what counts against the page's fill).

    A page whose taller column reaches the footer can still leave half a column empty; that
    is unused paper too.
    """
    page_box = _page_box(document)
    columns = _columns(page_box)
    if len(columns) < 2:
        return None, 0.0, 0.0
    short = min(columns, key=lambda name: columns[name][0])
    gap = max(c[0] for c in columns.values()) - columns[short][0]
    return short, gap, gap * columns[short][1] / page_box.width


def _content_height_mm(document) -> float:
    return _page_box(document).height / PX_PER_MM
