"""Pack stage, pack-wide PDF: every page of the pack in one tagged PDF (pack.pdf), from the pages' bytes.

Built from PDF bytes, not from laid-out WeasyPrint documents: a page kept from an earlier build
is never laid out again, and shards' outputs are merged from their files. pikepdf (qpdf) copies
each page with everything it uses, and the combined file is tagged like the pages it holds:

- one StructTreeRoot whose Document element holds each page's tag tree as a Part (the page's
  own Document element, titled with the briefing's title), in pack order;
- each page's StructParents and each annotation's StructParent renumbered past the pages
  before it, so every number is unique and the one ParentTree maps them all;
- RoleMap and ClassMap merged, and an IDTree's ids prefixed by page so none collide;
- a running part (logo, contact, credits) that repeats an earlier page's word for word is
  an Artifact there, read out once (pack/running.py; PDF/UA-1 7.8);
- MarkInfo, Lang, DisplayDocTitle, the title in DocInfo and in XMP, and PDF/UA-1 declared;
- bookmarks by place, then audience (no place level when the project has no places), each
  pointing at its page and at its Part in the tag tree.

Each page's own named destinations (its heading anchors) are not carried over: nothing in the
pages links to them, and the pack's way around is its bookmarks.

Deterministic: the same pages in the same order make the same bytes. The file identifier is a
hash of the content (qpdf's deterministic /ID) and the only date is the newest creation date of
the pages themselves.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from makecase.pack import running
from makecase.version import __version__

if TYPE_CHECKING:  # pikepdf is loaded only when a pack.pdf is made: a build with nothing new skips it
    import pikepdf

# Above this many pages the place bookmarks start closed: a long list of places is the way in.
OPEN_OUTLINE_PAGES = 60


@dataclass(frozen=True)
class PackPage:
    """One page's PDF and where it sits in the pack's bookmarks."""

    pdf: bytes
    title: str  # the audience's bookmark, e.g. "GPs"
    place: str | None  # the place bookmark it sits under; None when the project has no places
    part_title: str  # the tag tree's title for the page: the briefing's full title


@dataclass(frozen=True)
class PackInfo:
    """What the combined PDF says about itself."""

    title: str
    author: str
    language: str


class UnreadablePage(Exception):
    """A page's bytes are not a PDF qpdf can read (pages[index])."""

    def __init__(self, index: int, reason: str) -> None:
        super().__init__(reason)
        self.index = index


def cache_key(pages: list[PackPage], info: PackInfo) -> str:
    """A hash of everything the combined PDF is made from: when it is unchanged, so is pack.pdf."""
    digest = hashlib.sha256()
    for part in (__version__, _pikepdf_version(), info.title, info.author, info.language):
        digest.update(part.encode("utf-8") + b"\0")
    for page in pages:
        digest.update(f"{page.place}\0{page.title}\0{page.part_title}\0".encode("utf-8"))
        digest.update(hashlib.sha256(page.pdf).digest())
    return digest.hexdigest()


def combine(pages: list[PackPage], info: PackInfo) -> bytes:
    """Every page in one tagged PDF with bookmarks by place then audience."""
    import pikepdf

    out = pikepdf.new()
    tree = _Tree(out)
    starts: list[tuple[int, pikepdf.Object | None]] = []
    versions = ["1.7"]
    created: list[str] = []
    for index, page in enumerate(pages):
        try:
            source = pikepdf.open(io.BytesIO(page.pdf))
        except pikepdf.PdfError as exc:
            raise UnreadablePage(index, str(exc)) from None
        # qpdf keeps a copied stream's source bytes itself, so each parsed source can go as
        # soon as it is copied: half the memory of keeping them all open (0.5 MB a page).
        # The tests compare every page's text in pack.pdf with its own PDF's.
        with source:
            versions.append(source.pdf_version)
            if "/CreationDate" in source.docinfo:
                created.append(str(source.docinfo.CreationDate))
            starts.append((len(out.pages), tree.add(source, out, index, page.part_title)))
    tree.finish()
    _outline(out, pages, starts)
    _catalogue(out, info, max(created, default=None))
    buffer = io.BytesIO()
    out.save(buffer, min_version=max(versions, key=_version_key), deterministic_id=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
    return buffer.getvalue()


class _Tree:
    """The combined structure tree, filled one source PDF at a time."""

    def __init__(self, out: pikepdf.Pdf) -> None:
        from pikepdf import Array, Dictionary, Name, NumberTree

        self.out = out
        self.root = out.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        self.document = out.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document,
                                                     P=self.root, K=Array()))
        self.parents = NumberTree.new(out)
        self.role_map: dict[str, pikepdf.Object] = {}
        self.class_map: dict[str, pikepdf.Object] = {}
        self.ids = None
        self.next_key = 0
        self.running = running.RunningParts()  # logo, contact, credits: read out once (pack/running.py)

    def add(self, source: pikepdf.Pdf, out: pikepdf.Pdf, index: int, title: str) -> pikepdf.Object | None:
        """Append the source's pages and their tags; the first Part added, for its bookmark."""
        import pikepdf
        from pikepdf import Name, NumberTree

        first_new = len(out.pages)
        for page in source.pages:
            out.pages.append(page)  # copies the page, its resources and annotations
        offset = self.next_key
        for page in out.pages[first_new:]:
            _renumber(page, offset)
        tags = source.Root.get("/StructTreeRoot")
        if not isinstance(tags, pikepdf.Dictionary):
            return None
        # The same copier as the pages': each /Pg and annotation reference lands on its copy.
        copied = out.copy_foreign(tags)
        for page in out.pages[first_new:]:
            key = int(page.obj.StructParents) if "/StructParents" in page.obj else None
            self.running.add(page, copied, key, _id_prefix(index))
        used = -1
        if "/ParentTree" in copied:
            for key, value in NumberTree(copied.ParentTree).items():
                self.parents[key + offset] = value
                used = max(used, key)
        declared = int(copied.get("/ParentTreeNextKey", 0))
        self.next_key = offset + max(used + 1, declared)
        _merge(self.role_map, copied.get("/RoleMap"), "RoleMap")
        _merge(self.class_map, copied.get("/ClassMap"), "ClassMap")
        if "/IDTree" in copied:
            self._add_ids(copied.IDTree, index)
        first_part = None
        for kid in running.kids(copied):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                kid.P = self.document
                if kid.S == Name.Document:
                    kid.S = Name.Part
                    kid.T = pikepdf.String(title)
                self.document.K.append(kid)
                first_part = kid if first_part is None else first_part
        return first_part

    def _add_ids(self, tree: pikepdf.Object, index: int) -> None:
        import pikepdf
        from pikepdf import NameTree

        if self.ids is None:
            self.ids = NameTree.new(self.out)
        for name, element in NameTree(tree).items():
            unique = _id_prefix(index) + name
            element.ID = pikepdf.String(unique)
            self.ids[unique] = element

    def finish(self) -> None:
        from pikepdf import Array, Dictionary

        self.running.hide_repeats(self.out, self.parents, self.ids)
        self.root.K = Array([self.document])
        self.root.ParentTree = self.parents.obj
        self.root.ParentTreeNextKey = self.next_key
        if self.role_map:
            self.root.RoleMap = Dictionary({k: self.role_map[k] for k in sorted(self.role_map)})
        if self.class_map:
            self.root.ClassMap = Dictionary({k: self.class_map[k] for k in sorted(self.class_map)})
        if self.ids is not None:
            self.root.IDTree = self.ids.obj
        self.out.Root.StructTreeRoot = self.root


def _id_prefix(index: int) -> str:
    """What goes before the IDs of the pack's page `index` (from 0), so no two pages' collide."""
    return f"p{index + 1}-"


def page_id(identifier: str) -> str:
    """An ID in pack.pdf as its page had it: without the prefix _id_prefix put before it."""
    return re.sub(r"^p\d+-", "", identifier)


def _renumber(page: pikepdf.Page, offset: int) -> None:
    """Move a copied page's ParentTree numbers past the pages before it."""
    import pikepdf

    if "/StructParents" in page.obj:
        page.obj.StructParents = int(page.obj.StructParents) + offset
    for annotation in page.obj.get("/Annots") or []:
        if isinstance(annotation, pikepdf.Dictionary) and "/StructParent" in annotation:
            annotation.StructParent = int(annotation.StructParent) + offset


def _merge(into: dict[str, pikepdf.Object], mapping: pikepdf.Object | None, what: str) -> None:
    import pikepdf

    if not isinstance(mapping, pikepdf.Dictionary):
        return
    for key, value in mapping.items():
        if key in into and repr(into[key]) != repr(value):
            # Two pages that call one tag different things cannot share one tree.
            raise ValueError(f"The pages' {what}s disagree about {key}.")
        into[key] = value


def _outline(out: pikepdf.Pdf, pages: list[PackPage], starts: list[tuple[int, pikepdf.Object | None]]) -> None:
    """Bookmarks: a place (at its first page) holding its audiences, or the audiences alone."""
    from pikepdf import OutlineItem

    closed = len(out.pages) > OPEN_OUTLINE_PAGES
    with out.open_outline() as outline:
        place_item = None
        for page, (number, part) in zip(pages, starts):
            item = OutlineItem(page.title, number, structure_element=part)
            if page.place is None:
                outline.root.append(item)
                continue
            if place_item is None or place_item.title != page.place:
                place_item = OutlineItem(page.place, number)
                place_item.is_closed = closed
                outline.root.append(place_item)
            place_item.children.append(item)


def _catalogue(out: pikepdf.Pdf, info: PackInfo, created: str | None) -> None:
    """What PDF/UA asks of the document as a whole: marked, language, title shown, metadata."""
    import pikepdf
    from pikepdf import Dictionary, Name

    root = out.Root
    root.MarkInfo = Dictionary(Marked=True)
    root.Lang = pikepdf.String(info.language)
    root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    root.PageMode = Name.UseOutlines  # open with the bookmarks showing
    docinfo = {"/Title": info.title, "/Author": info.author, "/Creator": f"makecase {__version__}",
               "/Producer": f"pikepdf {_pikepdf_version()}"}
    if created:
        docinfo["/CreationDate"] = created
    out.docinfo = out.make_indirect(Dictionary({k: pikepdf.String(v) for k, v in docinfo.items()}))
    root.Metadata = out.make_stream(_xmp(info, created), Type=Name.Metadata, Subtype=Name.XML)


def _xmp(info: PackInfo, created: str | None) -> bytes:
    """The XMP packet, written out so it holds nothing but these values (no editing date)."""
    date = f"{created[2:6]}-{created[6:8]}-{created[8:10]}" if created and len(created) >= 10 else None
    parts = [
        '<rdf:Description rdf:about="" pdfuaid:part="1"/>',
        f'<rdf:Description rdf:about=""><dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(info.title)}'
        '</rdf:li></rdf:Alt></dc:title></rdf:Description>',
        f'<rdf:Description rdf:about=""><dc:creator><rdf:Seq><rdf:li>{escape(info.author)}</rdf:li>'
        '</rdf:Seq></dc:creator></rdf:Description>',
        f'<rdf:Description rdf:about=""><dc:language><rdf:Bag><rdf:li>{escape(info.language)}</rdf:li>'
        '</rdf:Bag></dc:language></rdf:Description>',
        f'<rdf:Description rdf:about="" pdf:Producer="pikepdf {escape(_pikepdf_version())}"/>',
        f'<rdf:Description rdf:about=""><xmp:CreatorTool>makecase {escape(__version__)}</xmp:CreatorTool>'
        '</rdf:Description>',
    ]
    if date:
        parts.append(f'<rdf:Description rdf:about=""><xmp:CreateDate>{date}</xmp:CreateDate></rdf:Description>')
    return ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
            '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n<rdf:RDF '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" '
            'xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" '
            'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:xmp="http://ns.adobe.com/xap/1.0/">'
            + "".join(parts) + '</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end="r"?>').encode("utf-8")


@cache
def _pikepdf_version() -> str:
    """pikepdf's version (it carries its own qpdf), read without loading it."""
    return metadata.version("pikepdf")


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())
