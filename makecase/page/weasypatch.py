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
3-7. The tag tree's own fixes are in weasytags.py: figures' boxes, links that wrap, layout
   boxes that add no structure, decoration as artifacts, and running parts' IDs.
"""

from __future__ import annotations

import importlib
import io

import pydyf

from makecase.errors import MakecaseError
from makecase.page import running, weasytags

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
    weasytags.apply()


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
    return running.element_words(element) or None


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
