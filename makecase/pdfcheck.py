"""Check stage, PDF: read a built PDF's tags back and check what PDF/UA and a screen reader need.

pikepdf (qpdf) rather than pypdf: it gives the whole object model (structure tree, parent tree,
annotations, XMP metadata) as typed objects, parses content streams into operators, and is
strict and fast on the files WeasyPrint writes. Text of each marked-content sequence is decoded
here from the fonts' ToUnicode maps, honouring /ActualText, which is what assistive technology
and reflow read; no other library is needed.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pikepdf

# Structure types a reader treats as blocks: text inside one runs on, text across two does not.
BLOCKS = {"/Document", "/Part", "/Art", "/Sect", "/Div", "/P", "/H", "/H1", "/H2", "/H3", "/H4",
          "/H5", "/H6", "/L", "/LI", "/Lbl", "/LBody", "/BlockQuote", "/Caption", "/Figure",
          "/Table", "/TR", "/TH", "/TD", "/NonStruct", "/TOC", "/TOCI", "/Index", "/Note"}
HEADING = re.compile(r"^/H([1-6])$")


@dataclass
class Element:
    """A structure element with the text of its own marked content, in tag order."""

    type: str
    children: list["Element"] = field(default_factory=list)
    mcids: list[int] = field(default_factory=list)  # own marked content, in order
    alt: str | None = None
    bbox: tuple[float, ...] | None = None
    annotations: list[pikepdf.Dictionary] = field(default_factory=list)
    text: str = ""  # own text (of its MCIDs)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def is_block(self) -> bool:
        """NonStruct groups either blocks (a <div>) or inline text (a <strong>): it takes after
        its children."""
        if self.type == "/NonStruct":
            return any(child.is_block() for child in self.children)
        return self.type in BLOCKS

    def all_text(self) -> str:
        """Text as a reader of the tags gets it: inline parts run on, blocks are separated."""
        parts: list[str] = [self.text]
        for child in self.children:
            inner = child.all_text()
            parts.append(f"\n{inner}\n" if child.is_block() else inner)
        return "".join(parts)


@dataclass
class TaggedPdf:
    """What the checks need from one PDF."""

    pdf: pikepdf.Pdf
    root: Element | None
    paint_order: list[int]  # MCIDs of page 1 in the order the content stream paints them
    page_height: float
    page_width: float

    def elements(self):
        return self.root.walk() if self.root else iter(())

    def text(self) -> str:
        return self.root.all_text() if self.root else ""


def read(pdf_bytes: bytes) -> TaggedPdf:
    pdf = pikepdf.open(io.BytesIO(pdf_bytes))
    page = pdf.pages[0]
    texts, order = _marked_text(page)
    box = [float(v) for v in page.MediaBox]
    root = None
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is not None:
        root = Element("/StructTreeRoot")
        for kid in _kids(tree):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                root.children.append(_element(kid, texts))
    return TaggedPdf(pdf, root, order, box[3] - box[1], box[2] - box[0])


def _kids(node) -> list:
    k = node.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def _element(node: pikepdf.Dictionary, texts: dict[int, str]) -> Element:
    element = Element(str(node.get("/S")))
    if "/Alt" in node:
        element.alt = str(node.Alt)
    attributes = node.get("/A")
    if isinstance(attributes, pikepdf.Dictionary) and "/BBox" in attributes:
        element.bbox = tuple(float(v) for v in attributes.BBox)
    actual = str(node.ActualText) if "/ActualText" in node else None
    own: list[str] = []
    for kid in _kids(node):
        if isinstance(kid, int):
            element.mcids.append(int(kid))
            own.append(texts.get(int(kid), ""))
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            child = _element(kid, texts)
            element.children.append(child)
        elif isinstance(kid, pikepdf.Dictionary) and "/Obj" in kid:
            element.annotations.append(kid.Obj)
        elif isinstance(kid, pikepdf.Dictionary) and "/MCID" in kid:
            element.mcids.append(int(kid.MCID))
            own.append(texts.get(int(kid.MCID), ""))
    # Own text and children interleave in the tree; WeasyPrint writes spans as children, and
    # MCIDs directly only on links and figures, so own text first is faithful here.
    element.text = actual if actual is not None else "".join(own)
    return element


# --- text of marked content ------------------------------------------------------------------


def _marked_text(page: pikepdf.Page) -> tuple[dict[int, str], list[int]]:
    """MCID -> text it paints (or its /ActualText), and the MCIDs in paint order."""
    fonts = {}
    resources = page.obj.get("/Resources", {})
    for name, font in (resources.get("/Font") or {}).items():
        fonts[name] = _ToUnicode(font)
    texts: dict[int, list[str]] = {}
    order: list[int] = []
    stack: list[int | None] = []
    actual: dict[int, str] = {}
    font = None
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "BDC":
            props = operands[1] if len(operands) > 1 else None
            mcid = None
            if isinstance(props, pikepdf.Dictionary) and "/MCID" in props:
                mcid = int(props.MCID)
                order.append(mcid)
                texts.setdefault(mcid, [])
                if "/ActualText" in props:
                    actual[mcid] = str(props.ActualText)
            stack.append(mcid)
        elif op == "BMC":
            stack.append(None)
        elif op == "EMC":
            if stack:
                stack.pop()
        elif op == "Tf":
            font = fonts.get(str(operands[0]))
        elif op in ("Tj", "'", '"', "TJ"):
            mcid = next((m for m in reversed(stack) if m is not None), None)
            if mcid is None or font is None:
                continue
            strings = operands[-1] if op == "TJ" else [operands[-1]]
            for s in strings:
                if isinstance(s, pikepdf.String):
                    texts[mcid].append(font.decode(bytes(s)))
    result = {m: "".join(parts) for m, parts in texts.items()}
    result.update(actual)
    return result, order


class _ToUnicode:
    """A font's code -> Unicode map, from its ToUnicode CMap (bfchar and bfrange)."""

    def __init__(self, font: pikepdf.Dictionary) -> None:
        self.two_bytes = str(font.get("/Subtype")) == "/Type0"
        self.map: dict[int, str] = {}
        stream = font.get("/ToUnicode")
        if stream is None:
            return
        cmap = stream.read_bytes().decode("latin-1")
        for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
            for src, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
                self.map[int(src, 16)] = _utf16(dst)
        for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
            for lo, hi, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]*>|\[[^\]]*\])", block):
                lo_i, hi_i = int(lo, 16), int(hi, 16)
                if dst.startswith("["):
                    for offset, each in enumerate(re.findall(r"<([0-9a-fA-F]*)>", dst)):
                        self.map[lo_i + offset] = _utf16(each)
                else:
                    start = _utf16(dst[1:-1])
                    for offset in range(hi_i - lo_i + 1):
                        self.map[lo_i + offset] = start[:-1] + chr(ord(start[-1]) + offset) if start else ""

    def decode(self, data: bytes) -> str:
        if self.two_bytes:
            codes = [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data) - 1, 2)]
        else:
            codes = list(data)
        return "".join(self.map.get(c, "\ufffd") for c in codes)


def _utf16(hexstr: str) -> str:
    try:
        return bytes.fromhex(hexstr).decode("utf-16-be")
    except ValueError:
        return "\ufffd"


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

    for font_name, font in _fonts(pdf):
        if not _embedded(font):
            add("pdf-fonts", f"Font {font_name} is not embedded.", "Use the bundled fonts, or name "
                "open-licence font files in brand.font_regular and friends.")
        if "/ToUnicode" not in font:
            add("pdf-fonts", f"Font {font_name} has no ToUnicode map: its text cannot be read out.")

    for element in tagged.elements():
        if element.type == "/Figure":
            if not (element.alt or "").strip():
                add("pdf-figure-alt", "A figure (image) has no alternative text.",
                    "Give the logo an alt in makecase.yaml (brand.logo.alt).")
            if element.bbox and not _inside(element.bbox, tagged.page_width, tagged.page_height):
                add("pdf-figure-bbox", f"A figure's bounding box {tuple(round(v) for v in element.bbox)} "
                    "lies off the page.", known=True)

    levels = [int(m.group(1)) for e in tagged.elements() if (m := HEADING.match(e.type))]
    if levels and levels[0] != 1:
        add("pdf-headings", f"The first heading is H{levels[0]}, not H1.")
    if levels.count(1) > 1:
        add("pdf-headings", f"The page has {levels.count(1)} H1 headings; it should have one.")
    for before, after in zip(levels, levels[1:]):
        if after > before + 1:
            add("pdf-headings", f"Heading levels skip from H{before} to H{after}.",
                "Headings go down one level at a time.")
            break

    tagged_links = {a.objgen for e in tagged.elements() if e.type == "/Link" for a in e.annotations}
    for annot in pdf.pages[0].get("/Annots") or []:
        if annot.get("/Subtype") != "/Link":
            continue
        uri = str(annot.get("/A", {}).get("/URI", "")) if "/A" in annot else ""
        contents = str(annot.get("/Contents", "")).strip()
        if annot.objgen not in tagged_links:
            add("pdf-links", f"The link to {uri or 'a place in the page'} is not in the tag tree (no OBJR).")
        if not contents:
            add("pdf-links", f"The link to {uri} has no alternative description (/Contents).")
        elif contents == uri or contents.startswith(("http://", "https://", "mailto:")) and " " not in contents:
            add("pdf-links", f"The link's alternative description is its raw address ({contents}), "
                "not what it is for.", known=True)

    problems += _split_links(tagged)
    problems += _paint_order(tagged)
    if page_text is not None:
        problems += _run_together(tagged, page_text)
    return problems


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
    sequence: list[tuple[int, Element]] = [(position[m], e) for e in tagged.elements()
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
                       "Screen readers, reflow and braille read them as one word.", known_limitation=True)]
