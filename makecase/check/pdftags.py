"""Check stage, PDF tags: read a built PDF's structure tree and the text of its marked content.

pikepdf (qpdf) rather than pypdf: it gives the whole object model (structure tree, parent tree,
annotations, XMP metadata) as typed objects, parses content streams into operators, and is
strict and fast on the files WeasyPrint writes. Text of each marked-content sequence is decoded
here from the fonts' ToUnicode maps, honouring /ActualText, which is what assistive technology
and reflow read; no other library is needed. The checks over what is read are in pdfcheck.py.
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
    mcids: list[tuple[int, int]] = field(default_factory=list)  # own marked content (page, MCID), in order
    alt: str | None = None
    bbox: tuple[float, ...] | None = None
    annotations: list[pikepdf.Dictionary] = field(default_factory=list)
    text: str = ""  # own text (of its MCIDs)
    page: int | None = None  # the index of the page its content is on (/Pg, or its parent's)
    identifier: str | None = None  # its /ID: a running part's says so (page/running.py)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def is_described_figure(self) -> bool:
        return self.type == "/Figure" and bool((self.alt or "").strip())

    def is_block(self) -> bool:
        """NonStruct groups either blocks (a <div>) or inline text (a <strong>): it takes after
        its children."""
        if self.type == "/NonStruct":
            return any(child.is_block() for child in self.children)
        return self.type in BLOCKS

    def all_text(self) -> str:
        """Text as a reader of the tags gets it: inline parts run on, blocks are separated. A
        figure with alternative text is read as that text, not as what its drawing paints."""
        if self.is_described_figure():
            return self.alt or ""
        parts: list[str] = [self.text]
        for child in self.children:
            inner = child.all_text()
            parts.append(f"\n{inner}\n" if child.is_block() else inner)
        return "".join(parts)


@dataclass
class TaggedPdf:
    """What the checks need from one PDF, or from one page's Part of a combined PDF (parts())."""

    pdf: pikepdf.Pdf
    root: Element | None
    paint_order: list[tuple[int, int]]  # (page, MCID) in the order the content streams paint them
    page_height: float
    page_width: float
    pages: list[int] = field(default_factory=lambda: [0])  # the indexes of the pages it covers

    def elements(self):
        return self.root.walk() if self.root else iter(())

    def text(self) -> str:
        return self.root.all_text() if self.root else ""

    def parts(self) -> list["TaggedPdf"]:
        """Each page's own tags in a combined PDF (pack.pdf: Document > Part per page), as a
        TaggedPdf of its own, so the checks of one page PDF run over each."""
        tops = self.root.children if self.root else []
        parts = tops[0].children if len(tops) == 1 and tops[0].type == "/Document" else tops
        views = []
        for part in parts:
            page = next((e.page for e in part.walk() if e.page is not None), None)
            pages = [page] if page is not None else []
            views.append(TaggedPdf(self.pdf, Element("/StructTreeRoot", children=[part]),
                                   [m for m in self.paint_order if m[0] == page],
                                   self.page_height, self.page_width, pages))
        return views


def read(pdf_bytes: bytes) -> TaggedPdf:
    """The tag tree of a PDF with the text of every page's marked content."""
    pdf = pikepdf.open(io.BytesIO(pdf_bytes))
    texts: dict[tuple[int, int], str] = {}
    order: list[tuple[int, int]] = []
    for index, page in enumerate(pdf.pages):
        page_texts, page_order = _marked_text(page)
        texts.update({(index, mcid): text for mcid, text in page_texts.items()})
        order += [(index, mcid) for mcid in page_order]
    numbers = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
    box = [float(v) for v in pdf.pages[0].MediaBox]
    root = None
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is not None:
        root = Element("/StructTreeRoot")
        for kid in _kids(tree):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                # A one-page PDF's elements are on its page even where no /Pg says so.
                root.children.append(_element(kid, texts, numbers, 0 if len(pdf.pages) == 1 else None))
    return TaggedPdf(pdf, root, order, box[3] - box[1], box[2] - box[0], list(range(len(pdf.pages))))


def _kids(node) -> list:
    k = node.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def _element(node: pikepdf.Dictionary, texts: dict[tuple[int, int], str], numbers: dict[tuple[int, int], int],
             page: int | None) -> Element:
    """One structure element and those below it; MCIDs are read on the element's page (/Pg,
    inherited from its parent when it has none)."""
    on = node.get("/Pg")
    if isinstance(on, pikepdf.Dictionary):
        page = numbers.get(on.objgen, page)
    element = Element(str(node.get("/S")), page=page)
    if "/Alt" in node:
        element.alt = str(node.Alt)
    if "/ID" in node:
        element.identifier = str(node.ID)
    attributes = node.get("/A")
    if isinstance(attributes, pikepdf.Dictionary) and "/BBox" in attributes:
        element.bbox = tuple(float(v) for v in attributes.BBox)
    actual = str(node.ActualText) if "/ActualText" in node else None
    own: list[str] = []
    for kid in _kids(node):
        if isinstance(kid, int):
            element.mcids.append((page if page is not None else -1, int(kid)))
            own.append(texts.get(element.mcids[-1], ""))
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            child = _element(kid, texts, numbers, page)
            element.children.append(child)
        elif isinstance(kid, pikepdf.Dictionary) and "/Obj" in kid:
            element.annotations.append(kid.Obj)
        elif isinstance(kid, pikepdf.Dictionary) and "/MCID" in kid:
            on_page = numbers.get(kid.Pg.objgen, page) if isinstance(kid.get("/Pg"), pikepdf.Dictionary) else page
            element.mcids.append((on_page if on_page is not None else -1, int(kid.MCID)))
            own.append(texts.get(element.mcids[-1], ""))
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
