"""Check stage, PDF: check a built PDF's tags, as pdftags.py reads them back, for what PDF/UA and a
screen reader need.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import pikepdf

from makecase.check.pdftags import HEADING, Element, TaggedPdf, read
from makecase.pack import combine
from makecase.page import running

# --- the checks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfProblem:
    check: str
    message: str
    hint: str | None = None
    known_limitation: bool = False  # caused by WeasyPrint, not fixable in content


def check_pdf(pdf_bytes: bytes, page_text: str | None = None) -> list[PdfProblem]:
    """Every PDF/UA and reading problem found in one built PDF (page_text: the page's words as
    the HTML has them, to find words the tags run together)."""
    tagged = read(pdf_bytes)
    problems = _catalogue_problems(tagged)
    problems += _font_problems(tagged.pdf)
    problems += _parent_tree_problems(tagged)
    return problems + _page_problems(tagged, page_text)


def check_pack_pdf(pdf_bytes: bytes, page_texts: list[str] | None = None) -> list[PdfProblem]:
    """The same checks over a combined PDF (pack.pdf): the document's own once, then each page's
    over its Part of the tag tree, saying which page; and one Part and one bookmark per page."""
    tagged = read(pdf_bytes)
    problems = _catalogue_problems(tagged)
    problems += _font_problems(tagged.pdf)
    problems += _parent_tree_problems(tagged)
    parts = tagged.parts()
    pages = len(tagged.pdf.pages)
    if [part.pages for part in parts] != [[i] for i in range(pages)]:
        problems.append(PdfProblem("pdf-tagged", f"The PDF has {pages} page(s), but its tag tree does not hold "
                                                 "one Part per page, in page order."))
    if "/Outlines" not in tagged.pdf.Root:
        problems.append(PdfProblem("pdf-bookmarks", "The PDF has no bookmarks (outline)."))
    for number, part in enumerate(parts, 1):
        text = page_texts[number - 1] if page_texts and number <= len(page_texts) else None
        problems += [replace(p, message=f"Page {number}: {p.message}") for p in _page_problems(part, text)]
    return problems + _running_problems(tagged, pages)


def _running_problems(tagged: TaggedPdf, pages: int) -> list[PdfProblem]:
    """A running part (logo, contact, credits) read out on three or more pages of a pack: it
    should be content once and an Artifact after (pack/running.py, PDF/UA-1 7.8)."""
    tagged_on: dict[str, set[int]] = {}
    for element in tagged.elements():
        name = combine.page_id(element.identifier or "")
        if running.kind_of(name) is not None:
            tagged_on.setdefault(name, set()).add(element.page if element.page is not None else -1)
    problems = []
    for name, on in tagged_on.items():
        if running.is_running(len(on), pages):
            problems.append(PdfProblem("pdf-running",
                f"The same {running.kind_of(name)} part is tagged as content on {len(on)} pages, so "
                "a screen reader reads it out on each (outloud PAG-001, PDF/UA-1 7.8).",
                "Build pack.pdf with this makecase, which reads a repeated logo, contact and "
                "credits out once."))
    return problems


def _page_problems(tagged: TaggedPdf, page_text: str | None) -> list[PdfProblem]:
    """What is checked on each page's tags: figures, headings, links, reading order, words."""
    problems = _figure_problems(tagged)
    problems += _heading_problems(tagged)
    problems += _link_annotation_problems(tagged)
    problems += _split_links(tagged)
    problems += _structure_problems(tagged)
    problems += _paint_order(tagged)
    if page_text is not None:
        problems += _run_together(tagged, page_text)
    return problems


def _catalogue_problems(tagged: TaggedPdf) -> list[PdfProblem]:
    """Tagged, language, title and PDF/UA, as the document catalogue and metadata say."""
    pdf = tagged.pdf
    root = pdf.Root
    problems: list[PdfProblem] = []

    def add(check: str, message: str, hint: str | None = None, known: bool = False) -> None:
        problems.append(PdfProblem(check, message, hint, known))

    if tagged.root is None:
        add("pdf-tagged", "The PDF is not tagged (no StructTreeRoot).",
            "Build with makecase, which writes tagged PDF/UA-1.")
    marked = root.get("/MarkInfo")
    if not (isinstance(marked, pikepdf.Dictionary) and bool(marked.get("/Marked", False))):
        add("pdf-tagged", "The PDF does not say it is tagged (MarkInfo /Marked true).")
    if not str(root.get("/Lang", "")).strip():
        add("pdf-language", "The PDF has no document language (/Lang).", "Set language: in makecase.yaml.")
    prefs = root.get("/ViewerPreferences")
    if not (isinstance(prefs, pikepdf.Dictionary) and bool(prefs.get("/DisplayDocTitle", False))):
        add("pdf-title", "The PDF does not ask viewers to show its title (DisplayDocTitle).")
    if not str(pdf.docinfo.get("/Title", "")).strip():
        add("pdf-title", "The PDF has no title.")
    with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
        part = xmp.get("pdfuaid:part")
        if str(part) != "1":
            add("pdf-ua", "The PDF's XMP metadata does not declare PDF/UA-1 (pdfuaid:part 1).")
        if not xmp.get("dc:title"):
            add("pdf-title", "The PDF's XMP metadata has no dc:title.")
    return problems


def _font_problems(pdf: pikepdf.Pdf) -> list[PdfProblem]:
    problems: list[PdfProblem] = []
    for font_name, font in _fonts(pdf):
        if not _embedded(font):
            problems.append(PdfProblem("pdf-fonts", f"Font {font_name} is not embedded.",
                "Use the bundled fonts, or name "
                "open-licence font files in brand.font_regular and friends."))
        if "/ToUnicode" not in font:
            problems.append(PdfProblem("pdf-fonts",
                f"Font {font_name} has no ToUnicode map: its text cannot be read out."))
    return problems


def _figure_problems(tagged: TaggedPdf) -> list[PdfProblem]:
    problems: list[PdfProblem] = []
    for element in tagged.elements():
        if element.type == "/Figure":
            if not (element.alt or "").strip():
                problems.append(PdfProblem("pdf-figure-alt", "A figure (image) has no alternative text.",
                    "Give the logo an alt in makecase.yaml (brand.logo.alt)."))
            elif not _reads_as_words(element.alt or ""):
                problems.append(PdfProblem("pdf-figure-alt",
                    f"A figure's alternative text “{' '.join(element.alt.split())[:60]}” does not "
                    "read as words (outloud FIG-012).",
                    "Describe the picture in words in its alt. A picture that only repeats the "
                    "words beside it is decoration: aria-hidden=\"true\" in its template."))
            if element.bbox and not _inside(element.bbox, tagged.page_width, tagged.page_height):
                # The bounding box is where the figure is printed (weasypatch.py converts it):
                # off the page is content cut off, not a tagging detail.
                name = " ".join((element.alt or "").split())[:60] or "an image"
                problems.append(PdfProblem("overflow",
                    f"The figure “{name}” runs past the edge of the page (its box is at "
                    f"x {round(element.bbox[0])}-{round(element.bbox[2])} pt on a page "
                    f"{round(tagged.page_width)} pt wide).",
                    "Something beside it is too wide for its column: shorten it, or rebuild with "
                    "this makecase, which wraps long addresses."))
    return problems


def _reads_as_words(alt: str) -> bool:
    """At least half of it letters, as a sentence is (outloud FIG-012's test): "20 in every
    100" is not, "Active Dorset logo" is."""
    text = alt.strip()
    return sum(ch.isalpha() for ch in text) * 2 >= len(text)


def _heading_problems(tagged: TaggedPdf) -> list[PdfProblem]:
    problems: list[PdfProblem] = []
    levels = [int(m.group(1)) for e in tagged.elements() if (m := HEADING.match(e.type))]
    if levels and levels[0] != 1:
        problems.append(PdfProblem("pdf-headings", f"The first heading is H{levels[0]}, not H1."))
    if levels.count(1) > 1:
        problems.append(PdfProblem("pdf-headings",
            f"The page has {levels.count(1)} H1 headings; it should have one."))
    for before, after in zip(levels, levels[1:]):
        if after > before + 1:
            problems.append(PdfProblem("pdf-headings", f"Heading levels skip from H{before} to H{after}.",
                "Headings go down one level at a time."))
            break
    return problems


def _link_annotation_problems(tagged: TaggedPdf) -> list[PdfProblem]:
    """Every link annotation in the tag tree, with a description that says what it is for."""
    problems: list[PdfProblem] = []
    tagged_links = {a.objgen for e in tagged.elements() if e.type == "/Link" for a in e.annotations}
    annotations = [a for i in tagged.pages for a in tagged.pdf.pages[i].get("/Annots") or []]
    for annot in annotations:
        if annot.get("/Subtype") != "/Link":
            continue
        uri = str(annot.get("/A", {}).get("/URI", "")) if "/A" in annot else ""
        contents = str(annot.get("/Contents", "")).strip()
        if annot.objgen not in tagged_links:
            problems.append(PdfProblem("pdf-links",
                f"The link to {uri or 'a place in the page'} is not in the tag tree (no OBJR)."))
        if not contents:
            problems.append(PdfProblem("pdf-links",
                f"The link to {uri} has no alternative description (/Contents)."))
        if not int(annot.get("/F", 0)) & 4:
            problems.append(PdfProblem("pdf-links",
                f"The link to {uri or 'a place in the page'} is not printable (no Print flag, /F 4).",
                "PDF/UA asks for annotations that print as they show."))
        elif contents == uri or contents.startswith(("http://", "https://", "mailto:")) and " " not in contents:
            problems.append(PdfProblem("pdf-links",
                f"The link's alternative description is its raw address ({contents}), "
                "not what it is for.", known_limitation=True))
    return problems


def _parent_tree_problems(tagged: TaggedPdf) -> list[PdfProblem]:
    """Each page's StructParents and each link's StructParent is a number of its own that the
    ParentTree maps back to its tags: how a reader gets from what is on a page to the tags (a
    combined PDF renumbers them page by page)."""
    tree = tagged.pdf.Root.get("/StructTreeRoot")
    if not isinstance(tree, pikepdf.Dictionary) or "/ParentTree" not in tree:
        return []  # an untagged PDF is reported as such
    parents = pikepdf.NumberTree(tree.ParentTree)
    seen: set[int] = set()
    wrong: list[str] = []
    for index in tagged.pages:
        page = tagged.pdf.pages[index].obj
        owners = [(page, page.get("/StructParents"))]
        owners += [(a, a.get("/StructParent")) for a in page.get("/Annots") or [] if "/StructParent" in a]
        for owner, number in owners:
            if number is None:
                continue
            what = f"page {index + 1}" if owner is page else f"a link on page {index + 1}"
            if int(number) in seen:
                wrong.append(f"{what} shares its number {int(number)} with another")
            seen.add(int(number))
            entry = parents[int(number)] if int(number) in parents else None  # (get raises IndexError)
            if entry is None or not _maps_back(entry, owner, page):
                wrong.append(f"the ParentTree does not map {what} (number {int(number)}) to its tags")
    if not wrong:
        return []
    return [PdfProblem("pdf-parent-tree", f"{len(wrong)} structure parent number(s) are wrong: "
                       + "; ".join(wrong[:3]) + ".", "Readers cannot find the tags of that content.")]


def _maps_back(entry: pikepdf.Object, owner: pikepdf.Dictionary, page: pikepdf.Dictionary) -> bool:
    """A page's entry lists elements on that page; a link's names the element holding it."""
    if owner is page:
        return isinstance(entry, pikepdf.Array) and all(
            not isinstance(e, pikepdf.Dictionary) or "/Pg" not in e or e.Pg.objgen == page.objgen
            for e in entry)
    kids = entry.get("/K") if isinstance(entry, pikepdf.Dictionary) else None
    kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    return any(isinstance(k, pikepdf.Dictionary) and "/Obj" in k and k.Obj.objgen == owner.objgen for k in kids)


def _fonts(pdf: pikepdf.Pdf):
    for page in pdf.pages:
        for name, font in ((page.obj.get("/Resources") or {}).get("/Font") or {}).items():
            yield str(font.get("/BaseFont", name)), font


def _embedded(font: pikepdf.Dictionary) -> bool:
    if str(font.get("/Subtype")) == "/Type3":
        return True
    target = font.DescendantFonts[0] if "/DescendantFonts" in font else font
    descriptor = target.get("/FontDescriptor")
    return isinstance(descriptor, pikepdf.Dictionary) and any(
        k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def _inside(bbox: tuple[float, ...], width: float, height: float) -> bool:
    x1, y1, x2, y2 = bbox
    return -1 <= min(x1, x2) and max(x1, x2) <= width + 1 and -1 <= min(y1, y2) and max(y1, y2) <= height + 1


def _paint_order(tagged: TaggedPdf) -> list[PdfProblem]:
    """Readers that ignore tags (copy and paste, some reflow) read in paint order: it should
    be the tag order. The parts out of place are those outside the longest run of content
    whose paint order follows the tag order."""
    position = {mcid: i for i, mcid in enumerate(tagged.paint_order)}
    # A figure with alternative text is an image to a reader: what its drawing paints is not
    # read out, so where it is painted does not change what is read.
    sequence: list[tuple[int, Element]] = [(position[m], e) for e in _read_elements(tagged.root)
                                           for m in e.mcids if m in position]
    keep = _longest_increasing([p for p, _ in sequence])
    late: list[str] = []
    for index, (_, element) in enumerate(sequence):
        if index in keep:
            continue
        text = " ".join(element.all_text().split()) or element.type
        if text not in late:
            late.append(text)
    if not late:
        return []
    shown = ", ".join(f"\u201c{t[:40]}\u201d" for t in late[:4]) + (f" and {len(late) - 4} more" if len(late) > 4 else "")
    return [PdfProblem("pdf-reading-order",
                       f"{len(late)} part(s) are painted out of the order the tags read them in: {shown}. "
                       "Readers that ignore tags read them out of place.",
                       "Avoid position: absolute, overflow: hidden and list markers outside the text in print CSS.")]


# Where a list's parts and a caption may sit (ISO 32000-1 14.8.4.3, as PDF/UA validators read it).
ITEM_PARTS = {"/Lbl", "/LBody"}
CAPTION_PARENTS = {"/Figure", "/Table", "/L", "/BlockQuote", "/Formula"}


def _structure_problems(tagged: TaggedPdf) -> list[PdfProblem]:
    """Lists as validators read them: every LI in an L and holding only Lbl and LBody; no L
    directly in an L's only place; a caption in the thing it captions."""
    found: dict[str, int] = {}

    def walk(element: Element, parent: Element | None) -> None:
        kind = element.type
        if kind == "/LI" and (parent is None or parent.type != "/L"):
            found["a list item (LI) is not in a list (L)"] = found.get("a list item (LI) is not in a list (L)", 0) + 1
        if kind == "/LI" and any(c.type not in ITEM_PARTS for c in element.children):
            key = "a list item (LI) holds more than its label (Lbl) and body (LBody)"
            found[key] = found.get(key, 0) + 1
        if kind == "/L" and [c.type for c in element.children] == ["/L"]:
            found["a list (L) holds only another list"] = found.get("a list (L) holds only another list", 0) + 1
        if kind == "/Caption" and (parent is None or parent.type not in CAPTION_PARENTS):
            key = f"a caption sits in {parent.type[1:] if parent else 'nothing'}, not in what it captions"
            found[key] = found.get(key, 0) + 1
        for child in element.children:
            walk(child, element)

    if tagged.root is not None:
        walk(tagged.root, None)
    return [PdfProblem("pdf-structure", f"{what[0].upper()}{what[1:]} ({count} time(s)).",
                       "Lists and quotes are tagged from the HTML: see docs/accessibility.md.")
            for what, count in found.items()]


def _read_elements(element: Element | None):
    """The elements whose own content a reader meets: all but what a described figure holds."""
    if element is None:
        return
    if element.is_described_figure():
        return
    yield element
    for child in element.children:
        yield from _read_elements(child)


def _split_links(tagged: TaggedPdf) -> list[PdfProblem]:
    """WeasyPrint tags each line of a wrapped link as a Link of its own: readers announce it
    twice. Not fixable in makecase (see docs/accessibility.md); reported so a page can avoid it."""
    links = [e for e in tagged.elements() if e.type == "/Link" and e.annotations]
    split: list[str] = []
    for before, after in zip(links, links[1:]):
        first, second = before.annotations[0], after.annotations[0]
        uri = lambda a: str(a.get("/A", {}).get("/URI", "")) if "/A" in a else ""  # noqa: E731
        if uri(first) == uri(second) and str(first.get("/Contents", "")) == str(second.get("/Contents", "")):
            split.append(" ".join(str(first.get("/Contents", "")).split()))
    if not split:
        return []
    return [PdfProblem("pdf-split-link",
                       f"{len(split)} link(s) wrap onto a second line and are tagged as two links: "
                       + ", ".join(f"\u201c{t[:50]}\u201d" for t in split[:3])
                       + ". A screen reader announces each twice.",
                       "Shorter link text keeps a link on one line.", known_limitation=True)]


def _longest_increasing(values: list[int]) -> set[int]:
    """Indexes of one longest strictly increasing subsequence."""
    best = [1] * len(values)
    back = [-1] * len(values)
    for i, value in enumerate(values):
        for j in range(i):
            if values[j] < value and best[j] + 1 > best[i]:
                best[i], back[i] = best[j] + 1, j
    keep: set[int] = set()
    i = max(range(len(values)), key=best.__getitem__, default=-1)
    while i >= 0:
        keep.add(i)
        i = back[i]
    return keep


WORD = re.compile(r"[A-Za-z£][A-Za-z'’£0-9-]*")


def _run_together(tagged: TaggedPdf, page_text: str) -> list[PdfProblem]:
    """Words a tag reader gets glued together ("andlocal", "Excellence(NICE)"): not on the page,
    but two words that are."""
    lower = {w.lower() for w in WORD.findall(page_text)}
    tag_text = tagged.text()
    flat = " ".join(page_text.split())
    joined: list[str] = [m.group(0) for m in re.finditer(r"\w+[(£]\w+", tag_text) if m.group(0) not in flat]
    for token in WORD.findall(tag_text):
        if token.lower() in lower or len(token) < 4:
            continue
        for cut in range(1, len(token)):
            a, b = token[:cut], token[cut:]
            if a.lower() in lower and b.lower() in lower:
                joined.append(token)
                break
    if not joined:
        return []
    return [PdfProblem("pdf-tag-text",
                       f"{len(joined)} word(s) run together in the tag text, e.g. "
                       + ", ".join(f"“{w}”" for w in joined[:5]) + ".",
                       "Screen readers, reflow and braille read them as one word.")]
