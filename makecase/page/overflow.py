"""Fit stage helper: find text or images laid out past their column or past the edge of the page.

WeasyPrint lets a word too long for its line run on past its box, and an image or a table
cell too wide for its column push past it, without a word of warning: the printed page then
has words over the next column or cut off at the paper's edge. The fit stage (fit.py) asks
here, once the page fits, and makes anything found a build error that names the text.

A line's content is measured against its own block's box (from its padding's left, where a
hanging indent puts a bullet, to its content's right) (its column, the "What you
can do" panel, the contact beside the QR code); any box at all against the page itself. Blocks
may be wider than their parent on purpose (the masthead bleeds to the paper's edges with
negative margins), so a block is held only to the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from weasyprint.formatting_structure import boxes

from makecase.errors import Problem
from makecase.page.spacing import PX_PER_MM

# Less than this past a box is rounding, not overflow (a quarter of a millimetre).
TOLERANCE_PX = 1.0
# What a reader calls each part of the page, by the class its element carries.
PARTS = {"masthead": "the masthead", "figures": "the key figures", "cases": "the case",
         "actions": "\u201cWhat you can do\u201d", "story": "the story", "quote": "the quote",
         "signposts": "\u201cFind out more\u201d", "contact": "\u201cTalk to us\u201d",
         "colophon": "the small print at the foot", "lede": "the opening paragraph"}


@dataclass(frozen=True)
class Overflow:
    """One piece of content laid out past its box: what it is, where, and by how much."""

    text: str
    part: str
    past_mm: float
    past_page: bool


def find_overflow(page_box) -> list[Overflow]:
    """Everything on the (first) page laid out past its column or past the paper's edge."""
    found: list[Overflow] = []
    page = (0.0, page_box.margin_width())
    for child in page_box.children:
        if not isinstance(child, (boxes.MarginBox, boxes.FootnoteAreaBox)):
            _walk(child, page, page, "the page", found)
    return found


def overflow_problem(page_box, label: str) -> Problem | None:
    """The build error for a page with content past its box, naming the text; None when none."""
    found = find_overflow(page_box)
    if not found:
        return None
    first = max(found, key=lambda o: o.past_mm)
    edge = "the edge of the paper" if first.past_page else "its column"
    more = f" ({len(found) - 1} more place{'s' if len(found) > 2 else ''} too)" if len(found) > 1 else ""
    return Problem(
        f"Runs past {edge}: \u201c{_clip(first.text)}\u201d in {first.part} is {first.past_mm:.0f} mm too "
        f"wide for its box{more}.", None, key=label,
        hint="Break the long word or address with spaces or a hyphen, or shorten it; a project "
             "stylesheet or template that widens a box can cause it too.")


def _walk(box, limits: tuple[float, float], page: tuple[float, float], part: str,
          found: list[Overflow]) -> None:
    part = _part_of(box, part)
    if isinstance(box, boxes.LineBox):
        for child in box.children:
            _check_inline(child, limits, page, part, found)
        return
    if isinstance(box, (boxes.ReplacedBox, boxes.BlockReplacedBox)):
        _check(box, _label(box), page, page, part, found)
        return
    if _past(box, page):
        _check(box, _text(box) or _label(box), page, page, part, found)
        return  # its contents are past the paper too: one report for the block
    if not isinstance(box, boxes.ParentBox):
        return
    # From the padding's left (a hanging indent puts a list's bullet there) to the content's right.
    inner = (box.padding_box_x(), box.content_box_x() + box.width) if box.width else limits
    for child in box.children:
        _walk(child, inner, page, part, found)


def _check_inline(box, limits, page, part: str, found: list[Overflow]) -> None:
    """A line's text and images against the block they are laid out in, and the page."""
    if isinstance(box, boxes.InlineBox):
        for child in box.children:
            _check_inline(child, limits, page, _part_of(box, part), found)
    elif isinstance(box, boxes.TextBox):
        _check(box, box.text, limits, page, part, found)
    elif isinstance(box, boxes.InlineBlockBox):
        _walk(box, limits, page, part, found)
    elif hasattr(box, "position_x"):
        _check(box, _label(box), limits, page, part, found)


def _check(box, text: str, limits, page, part: str, found: list[Overflow]) -> None:
    left, right = box.position_x, box.position_x + box.margin_width()
    past = max(right - limits[1], limits[0] - left, 0.0)
    if past > TOLERANCE_PX and text.strip():
        found.append(Overflow(" ".join(text.split()), part, past / PX_PER_MM, _past(box, page)))


def _past(box, page) -> bool:
    right = box.position_x + box.margin_width()
    return right - page[1] > TOLERANCE_PX or page[0] - box.position_x > TOLERANCE_PX


def _part_of(box, part: str) -> str:
    element = getattr(box, "element", None)
    classes = (element.get("class") or "").split() if element is not None else []
    return next((PARTS[c] for c in classes if c in PARTS), part)


def _label(box) -> str:
    """An image's alternative text, or what it is."""
    element = getattr(box, "element", None)
    if element is None:
        return "an image"
    return element.get("alt") or element.get("aria-label") or f"an image ({box.element_tag})"


def _text(box) -> str:
    return " ".join(d.text for d in box.descendants() if isinstance(d, boxes.TextBox))


def _clip(text: str, limit: int = 70) -> str:
    text = text.replace("\u200b", "")
    return text if len(text) <= limit else text[:limit].rstrip() + "\u2026"
