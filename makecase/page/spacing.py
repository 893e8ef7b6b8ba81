"""Fit stage, after layout: grow the space between a page's blocks until the page is full.

A page that fits with room to spare grows its spacing, not its type. Laying the page out again
costs as much as laying it out the first time (WeasyPrint's layout is most of a page's cost),
so the spacing grows in the laid-out page instead: a gap grows by moving every box below it
down, and the blocks around it grow taller by as much. Text is never moved within a block, so
no line breaks differently and nothing can spill onto a second page; the growth is worked
out first, as arithmetic on the boxes, and applied once.

Three measures, all in CSS pixels:

- stretch: added to every gap between blocks (each gap takes the share GAPS gives it), up to a
  ceiling, so a page with too few words looks spacious rather than sparse;
- more: added to the gaps of the shorter of the two columns only, so both end together;
- foot: what is still left, put above the footer, so the footer always sits at the foot.

GAPS names the blocks by their class in the packaged templates (a project template that
renames them keeps its natural spacing, with the footer still pinned to the foot).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import cycle

from weasyprint.document import Page
from weasyprint.formatting_structure import boxes
from weasyprint.layout.background import layout_background_layer

PX_PER_MM = 96 / 25.4
HAIR = 0.05 * PX_PER_MM


@dataclass(frozen=True)
class Share:
    """How much of each measure one gap takes: stretch, and more (in the shorter column)."""

    stretch: float = 0.0
    more: float = 0.0


@dataclass(frozen=True)
class Gap:
    """The space a block grows: above it, below it, and inside it (above and below its content)."""

    before: Share = Share()
    after: Share = Share()
    inside: Share = Share()


# The packaged design's gaps ("class" or "class tag": a tag inside a block of that class).
GAPS: dict[str, Gap] = {
    "lede": Gap(before=Share(0.5), after=Share(1)),
    "figures": Gap(after=Share(1)),
    "case": Gap(after=Share(1, 1)),
    "case h3": Gap(after=Share(0.2, 0.2)),
    "quote": Gap(before=Share(1, 1)),
    "actions": Gap(after=Share(1, 1), inside=Share(0, 0.3)),
    "actions li": Gap(after=Share(0.3, 0.4)),
    "story-did": Gap(before=Share(0, 0.4)),
    "story-helped": Gap(before=Share(0, 0.4)),
    "story-links": Gap(before=Share(0, 0.4)),
    "story": Gap(after=Share(1)),
    "foot": Gap(before=Share(1)),
    "colophon": Gap(before=Share(0.5)),
}
NO_GAP = Gap()
# The two columns (the shorter one takes `more`) and the footer (it takes `foot`).
COLUMNS = ("cases", "side")
FOOTER = "foot"


@dataclass(frozen=True)
class Spacing:
    """The measures to apply, in CSS pixels."""

    stretch: float = 0.0
    more: float = 0.0
    more_in: str | None = None  # which column takes `more`
    foot: float = 0.0


def _classes(box) -> list[str]:
    element = getattr(box, "element", None)
    return (element.get("class") or "").split() if element is not None else []


def _gap(box, parent_classes: tuple[str, ...]) -> Gap:
    """The gap rule for a box that starts its element (inner boxes of one element get none)."""
    tag = getattr(box, "element_tag", None)
    for name in _classes(box):
        if name in GAPS:
            return GAPS[name]
    for name in parent_classes:
        found = GAPS.get(f"{name} {tag}")
        if found is not None:
            return found
    return NO_GAP


def _stacked(box) -> list:
    """The children laid out one under the other, or [] when they are not (lines of text, flex
    and grid items, columns of a multi-column block: moving those apart would change the page)."""
    if isinstance(box, (boxes.FlexContainerBox, boxes.GridContainerBox, boxes.LineBox, boxes.InlineBox)) \
            or not isinstance(box, boxes.ParentBox) or _multi_column(box):
        return []
    if isinstance(box, boxes.PageBox):  # the document, not the page's margin boxes or footnotes
        return [child for child in box.children if not isinstance(child, (boxes.MarginBox, boxes.FootnoteAreaBox))]
    children = [child for child in box.children if child.is_in_normal_flow()]
    if any(isinstance(child, (boxes.LineBox, boxes.InlineLevelBox)) for child in children):
        return []
    return children


def _multi_column(box) -> bool:
    style = getattr(box, "style", None)
    return style is not None and (style["column_width"] != "auto" or style["column_count"] != "auto")


def _bottom(box) -> float:
    return box.position_y + box.margin_height()


class PageGaps:
    """One laid-out page's growable gaps: worked out under any Spacing, then applied once.

    The page's structure (which boxes stack, which gap each has) is read once; working out a
    spacing only adds numbers, so trying many is cheap."""

    def __init__(self, page_box) -> None:
        self.page_box = page_box
        self._children: dict[int, list] = {}
        self.columns = {}
        for box in page_box.descendants():
            for name in COLUMNS:
                if name in _classes(box) and name not in self.columns:
                    self.columns[name] = box

    def growth(self, spacing: Spacing) -> float:
        """How far the lowest box on the page moves down under a spacing."""
        return self._grow(self.page_box, spacing, False)

    def column_heights(self, spacing: Spacing) -> dict[str, float]:
        """Each column's content height under a spacing."""
        return {name: _content_bottom(box) - box.content_box_y() + self._grow(box, spacing, False)
                for name, box in self.columns.items()}

    def apply(self, spacing: Spacing) -> None:
        self._grow(self.page_box, spacing, True)

    def _stacked(self, box, context: tuple[str, ...]) -> list[tuple[object, Gap, bool]]:
        """Each stacked child with its gap rule, and whether it is the footer (read once)."""
        key = id(box)
        if key not in self._children:
            element = getattr(box, "element", None)
            found = []
            for child in _stacked(box):
                # A box inside its own element's box (a table in its wrapper) has the rule already.
                starts = getattr(child, "element", None) is not element
                found.append((child, _gap(child, context) if starts else NO_GAP,
                              starts and FOOTER in _classes(child)))
            self._children[key] = found
        return self._children[key]

    def _grow(self, box, spacing: Spacing, apply: bool, more: float = 0.0,
              context: tuple[str, ...] = (), gap: Gap = NO_GAP) -> float:
        """How much taller box gets; with apply, its children move down and it grows.

        more: the shorter column's measure, inside that column; context: the classes of the
        nearest block with any (for "class tag" rules); gap: this box's own rule."""
        if isinstance(box, boxes.TableRowBox):
            return self._grow_row(box, spacing, apply, more, context)
        own = tuple(_classes(box))
        if spacing.more_in in own:
            more = spacing.more
        context = own or context
        inside = _share(gap.inside, spacing, more)
        offset, after, first = inside, 0.0, True
        for child, child_gap, footer in self._stacked(box, context):
            before = _share(child_gap.before, spacing, more) + (spacing.foot if footer else 0.0)
            offset += before if first else max(after, before)
            if apply and offset:
                child.translate(0, offset)
            offset += self._grow(child, spacing, apply, more, context, child_gap)
            after, first = _share(child_gap.after, spacing, more), False
        offset += after + inside
        if apply and offset and not isinstance(box, boxes.PageBox):  # the sheet stays A4
            box.height += offset
        return offset

    def _grow_row(self, row, spacing: Spacing, apply: bool, more: float, context: tuple[str, ...]) -> float:
        """Cells sit side by side: the row grows only when a cell's content outgrows it.

        WeasyPrint makes a shorter cell as tall as its row with padding below its content (how
        it aligns cells to the top); that padding takes up the cell's growth first."""
        bottom = row.position_y + row.height
        grown = []
        for cell in row.children:
            content = _content_bottom(cell)
            growth = self._grow(cell, spacing, apply, more, context)
            grown.append((cell, growth, content + growth - (bottom - cell.border_bottom_width)))
        growth = max(0.0, *(need for _, _, need in grown))
        if apply:
            row.height += growth
            for cell, own, _ in grown:
                cell.padding_bottom = max(0.0, cell.padding_bottom + growth - own)
        return growth


def _share(share: Share, spacing: Spacing, more: float) -> float:
    return share.stretch * spacing.stretch + share.more * more


def _content_bottom(box) -> float:
    return max((_bottom(child) for child in box.children), default=box.content_box_y())


def _largest(low: float, high: float, fits, steps: int = 24) -> float:
    """The largest value in [low, high] for which fits(value) holds (fits is monotone)."""
    if fits(high):
        return high
    for _ in range(steps):
        middle = (low + high) / 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    return low


def spacing_for(gaps: PageGaps, unused: float, max_stretch: float, max_more: float,
                enough: float) -> Spacing:
    """The spacing that fills `unused` pixels: stretch first, then the shorter column, then
    the rest above the footer. Each measure is the largest that keeps everything on the page."""
    unused -= HAIR  # floating point must never take the lowest line past the page
    stretch = _largest(0.0, max_stretch, lambda s: gaps.growth(Spacing(s)) <= unused)
    spacing = Spacing(stretch)
    heights = gaps.column_heights(spacing)
    if len(heights) == len(COLUMNS):
        short = min(heights, key=heights.get)
        tall = max(heights.values())
        if tall - heights[short] > enough:
            more = _largest(0.0, max_more,
                            lambda m: gaps.column_heights(Spacing(stretch, m, short))[short] <= tall)
            candidate = Spacing(stretch, more, short)
            if gaps.growth(candidate) <= unused:
                spacing = candidate
    left = unused - gaps.growth(spacing)
    if left > enough:
        spacing = Spacing(spacing.stretch, spacing.more, spacing.more_in, left)
    return spacing


def apply_spacing(document, gaps: PageGaps, spacing: Spacing) -> None:
    """Move the first page's boxes for the spacing; then place their backgrounds and gather
    the page's links again, where the boxes now are."""
    page_box = gaps.page_box
    gaps.apply(spacing)
    for box in page_box.descendants():
        if box is not page_box and getattr(box, "background", None) is not None:
            _place_background(box, page_box)
    document.pages[0] = Page(page_box)


def _place_background(box, page_box) -> None:
    """Lay a moved box's background out again (WeasyPrint places backgrounds at layout time),
    with the images it already has: nothing is fetched again."""
    old, style = box.background, box.background.style
    layers = [
        layout_background_layer(box, page_box, style["image_resolution"], *layer)
        for layer in zip([layer.image for layer in old.layers], *map(cycle, [
            style["background_size"], style["background_clip"], style["background_repeat"],
            style["background_origin"], style["background_position"], style["background_attachment"]]))]
    box.background = old._replace(layers=layers)
