"""Pack stage, pack-wide files: the index page, pack.pdf and manifest.json, made from the whole
pack's documents and their bytes.

The documents may have been made by this build, kept from an earlier one, or gathered from
elsewhere (shards' outputs): nothing here lays a page out. What an older build did not record
(a page's words, a PDF's page count, the index's thumbnail) is filled in from the bytes and the
content. pack.pdf is made again only when its pages changed: the manifest records a hash of
what it was made from, and an unchanged pack.pdf stays as it is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from makecase.text import plain_english as plain
from makecase.pack.combine import PackInfo, PackPage, UnreadablePage, cache_key, combine
from makecase.load.contrast import full_brand
from makecase.page.document import Document, too_long
from makecase.errors import MakecaseError
from makecase.load.loader import Project
from makecase.pack.manifest import file_record, manifest_for
from makecase.page.pictures import page_thumbnail, pdf_pages, png_size
from makecase.output.folder import MANIFEST, file_entry, read_if_ours, read_manifest
from makecase.page.render import Renderer, briefing_data
from makecase.page.template_data import plain_data
from makecase.page.standalone import active_parts
from makecase.page.layout_watch import TimeLimit, time_limit

INDEX = "index.html"
PACK_PDF = "pack.pdf"


@dataclass
class PackOutputs:
    """The pack-wide files to write, and those of the previous build that stay as they are."""

    files: dict[str, bytes] = field(default_factory=dict)
    keep: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class IndexEntry:
    """One document as the index shows it: its card, with its thumbnail when it has a PDF."""

    document: Document
    thumbnail: str | None = None  # the thumbnail's path, relative to the index
    width: int = 0
    height: int = 0


def pack_outputs(project: Project, documents: list[Document], out_dir: Path, renderer: Renderer,
                 fingerprint: str | None = None) -> PackOutputs:
    """index.html, pack.pdf and manifest.json for the whole pack (documents in pack order).

    The index is made whenever the pack has a document, pack.pdf whenever it has a PDF. The
    manifest lists both, so a previous build's index or pack.pdf that this pack no longer has
    is removed like a stale page (publish.py): neither outlives the pack it was made from."""
    complete(project, documents, renderer)
    outputs = PackOutputs()
    records: dict[str, dict] = {}
    pdf = pack_pdf(project, documents, out_dir)
    if documents:
        index = index_page(project, documents, renderer, pdf[0] if pdf else None).encode("utf-8")
        outputs.files[INDEX] = index
        records["index"] = file_record(INDEX, index)
    if pdf is not None:
        record, data = pdf
        records["pdf"] = record
        if data is None:
            outputs.keep.add(PACK_PDF)
        else:
            outputs.files[PACK_PDF] = data
    manifest = manifest_for(project, documents, records, fingerprint)
    outputs.files[MANIFEST] = (json.dumps(manifest, indent=2) + "\n").encode("utf-8")
    return outputs


def complete(project: Project, documents: list[Document], renderer: Renderer) -> None:
    """Fill in what a document made by an older build lacks: its words, its PDF's page count
    and its thumbnail (made now, from the PDF's bytes, and written with the pack)."""
    for document in documents:
        if document.words is None:
            try:
                with time_limit(project.limits.layout_seconds):  # project templates render here
                    document.words = plain.page_words(renderer.render_html(document.briefing, "print"))
            except TimeLimit:
                raise MakecaseError([too_long(project, document.briefing)]) from None
        pdf = document.files.get("pdf")
        if pdf is None or (document.pages is not None and "thumb" in document.files):
            continue
        import pypdfium2  # only when there is a picture to draw: a build with nothing new skips it

        try:
            if document.pages is None:
                document.pages = pdf_pages(pdf)
            if "thumb" not in document.files:
                document.files["thumb"] = page_thumbnail(pdf)
        except pypdfium2.PdfiumError as exc:
            raise unreadable(document, str(exc)) from None


def unreadable(document: Document, reason: str) -> MakecaseError:
    """A PDF of the pack (kept from an earlier build, or gathered) that cannot be read."""
    return MakecaseError.single(
        f"{document.briefing.file_name('pdf')} cannot be read as a PDF ({reason}).",
        key=f"document {document.slug}.pdf",
        hint="Delete it from the output folder and build again: makecase makes it afresh.")


def pack_pdf(project: Project, documents: list[Document], out_dir: Path) -> tuple[dict, bytes | None] | None:
    """pack.pdf's manifest record and its bytes; None for the bytes when the previous pack.pdf
    was made from the same pages and is still as makecase wrote it; None when there are no PDFs."""
    pages = pack_pages(documents)
    if not pages:
        return None
    info = pack_info(project)
    key = cache_key(pages, info)
    count = sum(d.pages or 1 for d in documents if "pdf" in d.files)
    previous = read_manifest(out_dir).get("pack")
    before = previous.get("pdf") if isinstance(previous, dict) else None
    found = file_entry(before)
    if found is not None and found[0] == PACK_PDF and before.get("inputs") == key:
        data = read_if_ours(out_dir, *found)
        if data is not None:
            return file_record(PACK_PDF, data, pages=count, inputs=key), None
    try:
        data = combine(pages, info)
    except UnreadablePage as exc:
        raise unreadable([d for d in documents if "pdf" in d.files][exc.index], str(exc)) from None
    return file_record(PACK_PDF, data, pages=count, inputs=key), data


def pack_pages(documents: list[Document]) -> list[PackPage]:
    """The pack's PDFs in pack order, each with its bookmarks: place, then audience."""
    return [PackPage(d.files["pdf"], d.briefing.audience.title,
                     d.briefing.place.name if d.briefing.place else None, d.briefing.title)
            for d in documents if "pdf" in d.files]


def pack_info(project: Project) -> PackInfo:
    return PackInfo(pack_title(project), pack_author(project), project.settings.language)


def pack_title(project: Project) -> str:
    """The pack's title: the index page's and pack.pdf's."""
    partnership = project.settings.partnership
    return "Making the case for physical activity: briefings for NHS leaders" + (
        f" from {partnership.name}" if partnership else "")


def pack_author(project: Project) -> str:
    partnership = project.settings.partnership
    return partnership.name if partnership else "makecase default content pack"


def index_entries(documents: list[Document]) -> list[tuple[object, list[IndexEntry]]]:
    """The documents grouped by place, in pack order (places.yaml's), each with its thumbnail."""
    groups: list[tuple[object, list[IndexEntry]]] = []
    for document in documents:
        place = document.briefing.place
        if not groups or _id(groups[-1][0]) != _id(place):
            groups.append((place, []))
        thumb = document.files.get("thumb")
        width, height = png_size(thumb) if thumb else (0, 0)
        groups[-1][1].append(IndexEntry(document, document.briefing.file_name("thumb") if thumb else None,
                                        width, height))
    return groups


def index_page(project: Project, documents: list[Document], renderer: Renderer,
               pack_pdf: dict | None = None) -> str:
    """The page listing every briefing of the pack, checked like the briefings: standalone, in
    time. pack_pdf: pack.pdf's manifest record (path, bytes, pages), for "download everything"."""
    groups = index_entries(documents)
    try:
        with time_limit(project.limits.layout_seconds):
            index = renderer.render_index(**index_values(project, documents, groups, pack_pdf))
    except TimeLimit:
        raise MakecaseError.single(
            f"Making the index page took more than {project.limits.layout_seconds} s.", key=INDEX,
            hint="Look for loops in templates/index.html.") from None
    # The thumbnails are the one thing the index may load: the pack's own files, beside it.
    found = active_parts(index, own_pictures={e.thumbnail for _, group in groups for e in group if e.thumbnail})
    if found:
        raise MakecaseError.single(
            f"The index page would run or load something: {', '.join(found[:3])}.", key=INDEX,
            hint="A project template (templates/index.html) adds it: remove it from the template.")
    return index


def index_values(project: Project, documents: list[Document], groups, pack_pdf: dict | None) -> dict:
    """What templates/index.html is handed: plain data only (template_data.py), never the
    Project or a Document, whose paths and methods a project template could use."""
    data = {id(d): document_data(d) for d in documents}
    return {
        "documents": [data[id(d)] for d in documents],
        "groups": [[plain_data(place), [{"document": data[id(e.document)], "thumbnail": e.thumbnail,
                                    "width": e.width, "height": e.height} for e in entries]]
                   for place, entries in groups],
        "pack_pdf": plain_data(pack_pdf),
        "title": pack_title(project),
        "project": {"settings": plain_data(project.settings)},
        "brand": plain_data(full_brand(project.settings.brand)),
    }


def document_data(document: Document) -> dict:
    """A built briefing as the index sees it: the page's data, its files' sizes and measures."""
    return {"briefing": briefing_data(document.briefing),
            "files": {fmt: len(content) for fmt, content in document.files.items()},
            "body_size": document.body_size, "fill": document.fill, "words": document.words,
            "pages": document.pages}


def _id(place: object) -> str | None:
    return getattr(place, "id", None)
