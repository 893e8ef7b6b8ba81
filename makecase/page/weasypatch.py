"""Fit stage helper: small fixes we carry for WeasyPrint 70's PDF tags, applied once at import.

70.0 is the newest 70.x, and these are not fixed upstream in it. Each patch wraps a WeasyPrint
function and changes only what assistive technology reads; the printed page is the same.
docs/accessibility.md says what each one is for, and `makecase check` reads the result back.

1. A line that ends at a space loses the space when WeasyPrint lays it out, so a reader of the
   tags gets "yourwhole practice". We note each text box whose trailing space was removed and
   give its marked content an /ActualText with the space put back (PDF 1.7, 14.9.4).
2. A link annotation's alternative description (/Contents) is its raw address. We give it the
   link's purpose: its aria-label, title or text.
3. A figure's /BBox is in CSS pixels from the top of the page; PDF wants points from the
   bottom. We convert it after tagging.
4. A link that wraps onto a second line is tagged as two Link elements, so readers announce it
   twice. We merge them into one Link holding both annotations, as PDF/UA allows.
"""

from __future__ import annotations

from contextlib import contextmanager

import pydyf
import weasyprint.layout.inline as _inline
import weasyprint.pdf as _pdf
from weasyprint.formatting_structure import boxes
from weasyprint.pdf.stream import Stream

PX_TO_PT = 0.75
_APPLIED = False
_pending_space = [False]  # set while laying out a line that ends at a skipped space


def apply() -> None:
    global _APPLIED
    if _APPLIED:
        return
    _APPLIED = True
    try:
        _keep_line_end_spaces()
        _link_descriptions()
        _figure_boxes()
    except AttributeError:  # WeasyPrint's insides moved: `makecase check` reports what returns
        pass


def _keep_line_end_spaces() -> None:
    """Patch 1: note every text box whose line-ending space layout removed (three places in
    WeasyPrint's line breaking remove one), and tag each such box with the space put back."""
    _mark_spaces_at_soft_breaks()
    _mark_spaces_that_open_a_line()
    _mark_trailing_spaces_removed()
    _tag_with_actual_text()


def _mark_spaces_at_soft_breaks() -> None:
    """A soft break at a space: the space between this line and the next is skipped."""
    original_split = _inline.split_text_box

    def split_text_box(context, box, available_width, skip, is_line_start=True):
        new_box, resume_index, preserved = original_split(context, box, available_width, skip,
                                                           is_line_start)
        if resume_index is not None and not preserved:
            end = (skip or 0) + (len(new_box.text.encode()) if new_box is not None else 0)
            if box.text.encode()[end:resume_index].strip(b" ") == b"" and resume_index > end:
                if new_box is not None:
                    new_box.makecase_space_removed = True
                else:  # the line ends before this box, at its opening space
                    _pending_space[0] = True
        return new_box, resume_index, preserved

    _inline.split_text_box = split_text_box


def _mark_spaces_that_open_a_line() -> None:
    """A space that opens the next line (after a link, say) is skipped there: mark the text box
    that ends the line before it."""
    original_next = _inline.get_next_linebox

    def get_next_linebox(context, linebox, position_y, bottom_space, skip_stack, *args):
        if skip_stack is not None and _inline.skip_first_whitespace(linebox, skip_stack) != skip_stack:
            last = _last_text_box(getattr(linebox, "makecase_previous_line", None))
            if last is not None and last.text and not last.text.endswith(" "):
                last.makecase_space_removed = True
        _pending_space[0] = False
        line, resume_at = original_next(context, linebox, position_y, bottom_space, skip_stack, *args)
        if _pending_space[0] and resume_at is not None:
            last = _last_text_box(line)
            if last is not None and last.text and not last.text.endswith(" "):
                last.makecase_space_removed = True
        _pending_space[0] = False
        linebox.makecase_previous_line = line
        return line, resume_at

    _inline.get_next_linebox = get_next_linebox


def _mark_trailing_spaces_removed() -> None:
    """The space WeasyPrint strips from the end of a finished line."""
    original = _inline.remove_last_whitespace

    def remove_last_whitespace(context, line):
        last = _last_text_box(line)
        had_space = last is not None and last.text.endswith(" ")
        original(context, line)
        if had_space and last.text:
            last.makecase_space_removed = True
        elif had_space:  # a space-only box emptied: the space belongs to the text before it
            texts = [b for b in _text_boxes(line) if b.text]
            if texts and not texts[-1].text.endswith(" "):
                texts[-1].makecase_space_removed = True

    _inline.remove_last_whitespace = remove_last_whitespace


def _tag_with_actual_text() -> None:
    """Give a marked text box /ActualText with its removed space put back (and a space-only box,
    which paints nothing, a space), so a reader of the tags gets the words apart."""
    original_marked = Stream.marked

    @contextmanager
    def marked(self, box, tag):
        text = getattr(box, "text", None)
        if getattr(box, "makecase_space_removed", False):
            actual = text + " "
        elif text and not text.strip():
            actual = " "  # a space between two inline elements paints nothing: say it is there
        else:
            actual = None
        if self._tags is None or actual is None:
            with original_marked(self, box, tag):
                yield
            return
        mcid = len(self._tags)
        self._tags[box] = {"tag": tag, "mcid": mcid}
        properties = pydyf.Dictionary({"MCID": mcid, "ActualText": pydyf.String(actual)})
        pydyf.Stream.begin_marked_content(self, tag, properties)
        try:
            yield
        finally:
            pydyf.Stream.end_marked_content(self)

    Stream.marked = marked


def _text_boxes(box):
    if isinstance(box, boxes.TextBox):
        yield box
    for child in getattr(box, "children", ()) if isinstance(box, (boxes.LineBox, boxes.InlineBox)) else ():
        yield from _text_boxes(child)


def _last_text_box(line):
    box = line
    while isinstance(box, (boxes.LineBox, boxes.InlineBox)) and box.children:
        box = box.children[-1]
    return box if isinstance(box, boxes.TextBox) else None


def _purpose(element) -> str | None:
    if element is None:
        return None
    for attribute in ("aria-label", "title"):
        value = (element.get(attribute) or "").strip()
        if value:
            return value
    text = " ".join("".join(element.itertext()).replace("\u200b", "").split())  # no break marks
    return text or None


def _link_descriptions() -> None:
    original = _pdf.add_links

    def add_links(links_and_anchors, matrix, pdf, page, names, tags):
        original(links_and_anchors, matrix, pdf, page, names, tags)
        if tags is None:
            return
        for _type, _target, _rectangle, box in links_and_anchors[0]:
            annotation = getattr(box, "link_annotation", None)
            purpose = _purpose(getattr(box, "element", None))
            if annotation is not None and purpose:
                annotation["Contents"] = pydyf.String(purpose)

    _pdf.add_links = add_links


def _figure_boxes() -> None:
    original = _pdf.add_tags

    def add_tags(pdf, document, pdf_version, page_streams):
        original(pdf, document, pdf_version, page_streams)
        _merge_split_links(pdf)
        for obj in pdf.objects:
            if not isinstance(obj, pydyf.Dictionary) or obj.get("S") != "/Figure":
                continue
            attributes = obj.get("A")
            if not isinstance(attributes, pydyf.Dictionary) or "BBox" not in attributes:
                continue
            try:
                page_height = document.pages[pdf.page_references.index(obj["Pg"])].height * PX_TO_PT
            except (KeyError, ValueError):
                continue
            x1, y1, x2, y2 = (float(v) for v in attributes["BBox"])
            attributes["BBox"] = pydyf.Array((x1 * PX_TO_PT, page_height - y2 * PX_TO_PT,
                                              x2 * PX_TO_PT, page_height - y1 * PX_TO_PT))

    _pdf.add_tags = add_tags


def _merge_split_links(pdf) -> None:
    """One Link element for a link that wraps: adjacent Links to the same place become one."""

    def resolve(reference):
        return pdf.objects[int(reference.split()[0])] if isinstance(reference, bytes) else None

    def target(link) -> bytes | None:
        for kid in link.get("K", ()):
            objr = resolve(kid)
            if isinstance(objr, pydyf.Dictionary) and objr.get("Type") == "/OBJR":
                annotation = resolve(objr["Obj"])
                action = annotation.get("A") if isinstance(annotation, pydyf.Dictionary) else None
                if isinstance(action, pydyf.Dictionary) and "URI" in action:
                    return action["URI"].data
                if isinstance(annotation, pydyf.Dictionary) and "Dest" in annotation:
                    return annotation["Dest"].data
        return None

    merged: dict[bytes, bytes] = {}
    for parent in list(pdf.objects):
        if not isinstance(parent, pydyf.Dictionary) or parent.get("Type") != "/StructElem":
            continue
        kids = parent.get("K")
        if not isinstance(kids, pydyf.Array):
            continue
        kept, previous = [], None
        for kid in kids:
            element = resolve(kid)
            is_link = isinstance(element, pydyf.Dictionary) and element.get("S") == "/Link"
            if is_link and previous is not None and target(element) is not None \
                    and target(element) == target(previous):
                previous["K"].extend(element["K"])
                merged[kid] = previous.reference
                continue
            kept.append(kid)
            previous = element if is_link else None
        if len(kept) != len(kids):
            kids[:] = kept
    if not merged:
        return
    root = resolve(pdf.catalog["StructTreeRoot"])
    nums = resolve(root["ParentTree"])["Nums"]
    for index, entry in enumerate(nums):
        if isinstance(entry, pydyf.Array):
            entry[:] = [merged.get(ref, ref) for ref in entry]
        elif isinstance(entry, bytes) and entry in merged:
            nums[index] = merged[entry]
