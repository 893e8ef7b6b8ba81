"""Fit stage helper: small fixes we carry for WeasyPrint 70's PDF tags and text, applied once at import.

They are written against WeasyPrint 70.0 (SUPPORTED) and its insides (NEEDS): `apply()` checks
both before it patches anything, and a missing one stops makecase at start with the version to
install, never a skipped patch and a page with the old faults. Each wrapper passes unknown
arguments through, so a new upstream parameter does not break layout. Each patch changes only
what assistive technology and text extraction read; the printed page is the same.
docs/accessibility.md says what each one is for, and `makecase check` reads the result back.

1. A line that ends at a space loses the space when WeasyPrint lays it out, so every reader of
   the text gets "yourwhole practice". We note each text box whose trailing space was removed
   and draw a real space glyph at its end whose advance is cancelled (a TJ adjustment), so the
   layout does not move and the text itself has the space; a space-only box between two inline
   elements, which WeasyPrint paints as nothing, is drawn as a space glyph too.
2. A link annotation's alternative description (/Contents) is its raw address: we give it the
   link's purpose (aria-label, title or text). Link annotations are printable (/F 4, PDF/UA).
   A link around a picture only (a project's logo linked to its site) has no words: its Link
   element takes the picture's alternative text as /Alt.
3. A figure's /BBox is in CSS pixels from the top of the page; PDF wants points from the
   bottom. We convert it after tagging.
4. A link that wraps onto a second line is tagged as two Link elements, so readers announce it
   twice. We merge them into one Link holding both annotations, as PDF/UA allows.
5. Anonymous boxes (a list laid out as a table has a table, a row group and a row box, all of
   the <ul>) each become a structure element: L inside L inside L, LI under NonStruct. An
   anonymous box adds no structure: its children join its element's. A list item's content
   is its LBody (a marker inside the text left Spans beside the Lbl), and a <figure> holding a
   <blockquote> is one BlockQuote with its Caption.
6. An image or SVG marked aria-hidden="true" is decoration, as it is to a screen reader on the
   web page: WeasyPrint tags every image as a Figure (which then needs alternative text that
   repeats the words beside it); we paint it as an Artifact with no structure element.
7. A part the page marks `data-running` (logo, contact, credits: page/running.py) gets its
   running ID as its structure element's /ID, listed in the tree's IDTree, so pack.pdf can
   tell a repeat of it on a later page and make that an Artifact.
"""

from __future__ import annotations

import importlib
import io

import pydyf

from makecase.errors import MakecaseError
from makecase.page import running

PX_TO_PT = 0.75
SUPPORTED = "70.0"  # the WeasyPrint these patches are written and tested against
# Every WeasyPrint inside the patches use: module, then names in it.
NEEDS = {
    "weasyprint.layout.inline": ("split_text_box", "get_next_linebox", "skip_first_whitespace",
                                 "remove_last_whitespace"),
    "weasyprint.draw.text": ("draw_first_line",),
    "weasyprint.pdf": ("add_links", "add_tags"),
    "weasyprint.pdf.tags": ("_build_box_tree",),
    "weasyprint.pdf.stream": ("Stream", "Stream.marked", "Stream.artifact"),
    "weasyprint.formatting_structure.boxes": ("TextBox", "LineBox", "InlineBox"),
}
_APPLIED = False
_pending_space = [False]  # set while laying out a line that ends at a skipped space
_building: list = []  # boxes whose tags are being built, innermost last
_space_glyphs: dict[str, tuple[int, int] | None] = {}  # font hash -> (glyph id, width in 1/1000 em)


def check_weasyprint() -> None:
    """Stop with a clear error when the installed WeasyPrint is not the one the patches need."""
    import weasyprint

    version = getattr(weasyprint, "__version__", "unknown")
    missing = []
    for module_name, names in NEEDS.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            missing.append(module_name)
            continue
        missing += [f"{module_name}.{name}" for name in names if not _has(module, name)]
    hint = f'Install the WeasyPrint makecase is tested with: pip install "weasyprint=={SUPPORTED}".'
    if missing:
        raise MakecaseError.single(
            f"WeasyPrint {version} lacks what makecase's PDF tag fixes need: {', '.join(missing)}.", hint=hint)
    if version.split(".")[0] != SUPPORTED.split(".")[0]:
        raise MakecaseError.single(f"makecase needs WeasyPrint {SUPPORTED.split('.')[0]}.x; "
                                   f"WeasyPrint {version} is installed.", hint=hint)


def _has(owner, dotted: str) -> bool:
    for name in dotted.split("."):
        if not hasattr(owner, name):
            return False
        owner = getattr(owner, name)
    return True


def apply() -> None:
    """Check WeasyPrint, then patch it (once)."""
    global _APPLIED
    check_weasyprint()
    if _APPLIED:
        return
    _APPLIED = True
    _keep_line_end_spaces()
    _link_descriptions()
    _collapse_anonymous_boxes()
    _decoration_as_artifacts()
    _fix_tags_after_tagging()


def _keep_line_end_spaces() -> None:
    """Patch 1: note every text box whose line-ending space layout removed (three places in
    WeasyPrint's line breaking remove one), and draw the space back."""
    _mark_spaces_at_soft_breaks()
    _mark_spaces_that_open_a_line()
    _mark_trailing_spaces_removed()
    _draw_removed_spaces()


def _mark_spaces_at_soft_breaks() -> None:
    """A soft break at a space: the space between this line and the next is skipped."""
    inline = importlib.import_module("weasyprint.layout.inline")
    original_split = inline.split_text_box

    def split_text_box(context, box, available_width, skip, *args, **kwargs):
        new_box, resume_index, preserved = original_split(context, box, available_width, skip,
                                                           *args, **kwargs)
        if resume_index is not None and not preserved:
            end = (skip or 0) + (len(new_box.text.encode()) if new_box is not None else 0)
            if box.text.encode()[end:resume_index].strip(b" ") == b"" and resume_index > end:
                if new_box is not None:
                    new_box.makecase_space_removed = True
                else:  # the line ends before this box, at its opening space
                    _pending_space[0] = True
        return new_box, resume_index, preserved

    inline.split_text_box = split_text_box


def _mark_spaces_that_open_a_line() -> None:
    """A space that opens the next line (after a link, say) is skipped there: mark the text box
    that ends the line before it."""
    inline = importlib.import_module("weasyprint.layout.inline")
    original_next = inline.get_next_linebox

    def get_next_linebox(context, linebox, position_y, bottom_space, skip_stack, *args, **kwargs):
        if skip_stack is not None and inline.skip_first_whitespace(linebox, skip_stack) != skip_stack:
            last = _last_text_box(getattr(linebox, "makecase_previous_line", None))
            if last is not None and last.text and not last.text.endswith(" "):
                last.makecase_space_removed = True
        _pending_space[0] = False
        line, resume_at = original_next(context, linebox, position_y, bottom_space, skip_stack,
                                        *args, **kwargs)
        if _pending_space[0] and resume_at is not None:
            last = _last_text_box(line)
            if last is not None and last.text and not last.text.endswith(" "):
                last.makecase_space_removed = True
        _pending_space[0] = False
        linebox.makecase_previous_line = line
        return line, resume_at

    inline.get_next_linebox = get_next_linebox


def _mark_trailing_spaces_removed() -> None:
    """The space WeasyPrint strips from the end of a finished line."""
    inline = importlib.import_module("weasyprint.layout.inline")
    original = inline.remove_last_whitespace

    def remove_last_whitespace(context, line, *args, **kwargs):
        last = _last_text_box(line)
        had_space = last is not None and last.text.endswith(" ")
        result = original(context, line, *args, **kwargs)
        if had_space and last.text:
            last.makecase_space_removed = True
        elif had_space:  # a space-only box emptied: the space belongs to the text before it
            texts = [b for b in _text_boxes(line) if b.text]
            if texts and not texts[-1].text.endswith(" "):
                texts[-1].makecase_space_removed = True
        return result

    inline.remove_last_whitespace = remove_last_whitespace


def _draw_removed_spaces() -> None:
    """Draw a space glyph after a box whose line-end space was removed, its advance cancelled
    in the same TJ, and a space glyph for a space-only box (which WeasyPrint skips)."""
    text = importlib.import_module("weasyprint.draw.text")
    original = text.draw_first_line

    def draw_first_line(stream, textbox, *args, **kwargs):
        before = len(stream.stream)
        result = original(stream, textbox, *args, **kwargs)
        only_space = bool(textbox.text) and not textbox.text.strip()
        if only_space or getattr(textbox, "makecase_space_removed", False):
            _add_space(stream, textbox, before, only_space, args[-1] if args else kwargs.get("matrix"))
        return result

    text.draw_first_line = draw_first_line


def _add_space(stream, textbox, before: int, only_space: bool, matrix) -> None:
    font_and_size = _last_font(stream, textbox)
    if font_and_size is None:
        return
    font, size = font_and_size
    glyph = _space_glyph(font)
    if glyph is None or font.bitmap:
        return
    gid, width = glyph
    font.widths.setdefault(gid, width)
    font.to_unicode.setdefault(gid, " ")
    if only_space:  # nothing was drawn: draw the space where the box is
        if matrix is None:
            return
        stream.set_text_matrix(*matrix.values)
        stream.set_font_size(font.hash, size)
        stream.show_text(f"<{gid:04x}>")
        return
    for index in range(len(stream.stream) - 1, before - 1, -1):
        chunk = stream.stream[index]
        if isinstance(chunk, bytes) and chunk.endswith(b"] TJ"):
            stream.stream[index] = chunk[:-4] + f"<{gid:04x}>{width}] TJ".encode()
            return


def _last_font(stream, textbox):
    """The font (and size) of the last run of the box's first line: the one its TJ ends in."""
    from weasyprint.text.ffi import ffi

    first_line, _ = textbox.pango_layout.get_first_line()
    run, last = first_line.runs[0], None
    while run != ffi.NULL:
        last, run = run.data, run.next
    if last is None:
        return None
    return stream.add_font(last.item.analysis.font)


def _space_glyph(font) -> tuple[int, int] | None:
    """The font's glyph for U+0020 and its advance in 1/1000 em, read from its cmap once."""
    if font.hash not in _space_glyphs:
        from fontTools.ttLib import TTFont

        try:
            ttfont = TTFont(io.BytesIO(font.file_content), fontNumber=font.index, lazy=True)
            name = ttfont.getBestCmap().get(0x20)
            advance = ttfont["hmtx"][name][0] if name else None
            _space_glyphs[font.hash] = (ttfont.getGlyphID(name), round(advance * 1000 / font.upem)) \
                if name else None
        except Exception:  # an unreadable font keeps WeasyPrint's text as it is  # noqa: BLE001
            _space_glyphs[font.hash] = None
    return _space_glyphs[font.hash]


def _text_boxes(box):
    boxes = importlib.import_module("weasyprint.formatting_structure.boxes")
    if isinstance(box, boxes.TextBox):
        yield box
    for child in getattr(box, "children", ()) if isinstance(box, (boxes.LineBox, boxes.InlineBox)) else ():
        yield from _text_boxes(child)


def _last_text_box(line):
    boxes = importlib.import_module("weasyprint.formatting_structure.boxes")
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
    """Patch 2: a link's purpose as its description, and every link annotation printable."""
    pdf_module = importlib.import_module("weasyprint.pdf")
    original = pdf_module.add_links

    def add_links(links_and_anchors, *args, **kwargs):
        original(links_and_anchors, *args, **kwargs)
        for _type, _target, _rectangle, box in links_and_anchors[0]:
            annotation = getattr(box, "link_annotation", None)
            if annotation is None:
                continue
            annotation["F"] = 4  # Print: PDF/UA wants annotations shown on paper as on screen
            purpose = _purpose(getattr(box, "element", None))
            if purpose:
                annotation["Contents"] = pydyf.String(purpose)

    pdf_module.add_links = add_links


def _collapse_anonymous_boxes() -> None:
    """Patch 5: a box WeasyPrint made for layout (the same element and tag as the box it is
    in) adds no structure element: its children join the element's own. And a figure that
    holds a blockquote is the BlockQuote (its caption inside it)."""
    tags = importlib.import_module("weasyprint.pdf.tags")
    original = tags._build_box_tree

    def build_box_tree(box, parent, pdf, *args, **kwargs):
        if _is_decoration(box):
            return  # painted as an Artifact (patch 6): no element, and nothing marked to map
        outer = _building[-1] if _building else None
        _building.append(box)
        try:
            elements = list(original(box, parent, pdf, *args, **kwargs))
        finally:
            _building.pop()
        if _adds_no_structure(box, outer):
            elements = [kid for element in elements for kid in _unwrap(element, parent, pdf)]
        elif getattr(box, "element_tag", None) == "figure" and _holds_quote(box):
            for element in elements:
                element["S"] = "/BlockQuote"
        _mark_running(box, outer, elements)
        yield from elements

    tags._build_box_tree = build_box_tree


def _is_decoration(box) -> bool:
    element = getattr(box, "element", None)
    boxes = importlib.import_module("weasyprint.formatting_structure.boxes")
    return isinstance(box, boxes.ReplacedBox) and element is not None \
        and (element.get("aria-hidden") or "").strip().lower() == "true"


def _decoration_as_artifacts() -> None:
    """Patch 6: an aria-hidden image is painted as an Artifact, not marked as a Figure."""
    stream_module = importlib.import_module("weasyprint.pdf.stream")
    original = stream_module.Stream.marked

    def marked(self, box, tag, *args, **kwargs):
        if tag == "Figure" and _is_decoration(box):
            return self.artifact()
        return original(self, box, tag, *args, **kwargs)

    stream_module.Stream.marked = marked


def _mark_running(box, outer, elements) -> None:
    """Patch 7: the element's running ID as its /ID, on the element's outermost box only."""
    element = getattr(box, "element", None)
    if element is None or len(elements) != 1 or (outer is not None and outer.element is element):
        return
    identifier = running.running_id(element)
    if identifier is not None:
        elements[0]["ID"] = pydyf.String(identifier)


def _running_ids(pdf) -> None:
    """Patch 7: the IDTree listing each running part's element (a repeated ID is dropped)."""
    named: dict[str, bytes] = {}
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/StructElem" and "ID" in obj:
            identifier = obj["ID"].string if hasattr(obj["ID"], "string") else str(obj["ID"])
            if identifier in named:
                del obj["ID"]
            else:
                named[identifier] = obj.reference
    if not named:
        return
    names = pydyf.Array()
    for identifier in sorted(named):
        names.extend((pydyf.String(identifier), named[identifier]))
    tree = pydyf.Dictionary({"Names": names})
    pdf.add_object(tree)
    root = pdf.objects[int(pdf.catalog["StructTreeRoot"].split()[0])]
    root["IDTree"] = tree.reference


def _adds_no_structure(box, outer) -> bool:
    if outer is None or box is outer or getattr(box, "element", None) is None:
        return False
    if box.element_tag == "blockquote" and outer.element_tag == "figure":
        return True  # the figure is the BlockQuote
    return box.element is outer.element and box.element_tag == outer.element_tag


def _holds_quote(box) -> bool:
    return any(getattr(child, "element_tag", None) == "blockquote" for child in box.children)


def _unwrap(element, parent, pdf) -> list:
    """The structure elements under `element`, moved up to `parent`; `element` is emptied.
    One that holds content itself (marked content, a link annotation) is kept."""
    kids = [pdf.objects[int(ref.split()[0])] if isinstance(ref, bytes) else ref for ref in element["K"]]
    if not all(isinstance(kid, pydyf.Dictionary) and kid.get("Type") == "/StructElem" for kid in kids):
        return [element]
    if element["S"] == "/LI" and [kid["S"] for kid in kids] == ["/LBody"]:
        return _unwrap(kids[0], parent, pdf)  # the item WeasyPrint wrapped round this box
    for kid in kids:
        kid["P"] = parent.reference
    element.clear()
    return kids


def _fix_tags_after_tagging() -> None:
    """Patches 3 and 4, and list items' bodies, over the finished tag tree."""
    pdf_module = importlib.import_module("weasyprint.pdf")
    original = pdf_module.add_tags

    def add_tags(pdf, document, *args, **kwargs):
        result = original(pdf, document, *args, **kwargs)
        _merge_split_links(pdf)
        _name_picture_links(pdf)
        _list_bodies(pdf)
        _figure_boxes(pdf, document)
        _running_ids(pdf)
        return result

    pdf_module.add_tags = add_tags


def _list_bodies(pdf) -> None:
    """A list item holds its label (Lbl) and its body (LBody) only: whatever else it holds
    (the text after an inside marker) goes into one LBody, in order."""
    for item in list(pdf.objects):
        if not isinstance(item, pydyf.Dictionary) or item.get("S") != "/LI":
            continue
        kids, loose = item["K"], []
        resolved = [pdf.objects[int(ref.split()[0])] if isinstance(ref, bytes) else None for ref in kids]
        if any(kid is None for kid in resolved):
            continue  # marked content directly in the item: left as WeasyPrint wrote it
        if all(kid.get("S") in ("/Lbl", "/LBody") for kid in resolved):
            continue
        kept = []
        for ref, kid in zip(kids, resolved):
            if kid.get("S") in ("/Lbl", "/LBody"):
                kept.append(ref)
            else:
                loose.append(kid)
                if len(loose) == 1:
                    body = pydyf.Dictionary({"Type": "/StructElem", "S": "/LBody", "K": pydyf.Array(),
                                             "P": item.reference})
                    if "Pg" in item:
                        body["Pg"] = item["Pg"]
                    pdf.add_object(body)
                    kept.append(body.reference)
                kid["P"] = body.reference
                body["K"].append(ref)
        item["K"] = pydyf.Array(kept)


def _figure_boxes(pdf, document) -> None:
    """Patch 3: figures' /BBox in PDF points from the bottom of the page."""
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


def _name_picture_links(pdf) -> None:
    """Patch 2: a Link with no words of its own is named by the first picture inside it."""

    def resolve(reference):
        return pdf.objects[int(reference.split()[0])] if isinstance(reference, bytes) else None

    def picture_words(element) -> str | None:
        for kid in element.get("K", ()):
            inner = resolve(kid)
            if isinstance(inner, pydyf.Dictionary) and inner.get("Type") == "/StructElem":
                alt = inner.get("Alt")
                if alt is not None and str(getattr(alt, "string", alt)).strip():
                    return str(getattr(alt, "string", alt)).strip()
                found = picture_words(inner)
                if found:
                    return found
        return None

    for obj in pdf.objects:
        if not isinstance(obj, pydyf.Dictionary) or obj.get("S") != "/Link" or "Alt" in obj:
            continue
        if any(isinstance(kid, int) for kid in obj.get("K", ())):
            continue  # it has words
        words = picture_words(obj)
        if words:
            obj["Alt"] = pydyf.String(words)


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
