"""Pack stage, across builds: what the previous manifest says was built, what a build keeps or
need not make again, and the manifest it writes.

A partial build keeps the documents of the previous pack that are still in the content and whose
files are still as makecase wrote them and pass the live-markup check; a chosen document whose
inputs (cache.py) are unchanged is not laid out again. The index and the manifest always list the whole pack, kept and remade.
"""

from __future__ import annotations

import hashlib
import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from makecase.pack.cache import InputsHasher
from makecase.page.compose import Briefing, compose
from makecase.page.document import FILES, FORMATS, Document, NotMade, files_made, in_time
from makecase.errors import MakecaseError, Problem
from makecase.pack.fingerprint import live_parts, manifest_digest
from makecase.load.project import Project
from makecase.output.folder import file_entry, read_if_ours, read_manifest
from makecase.page.render import Renderer
from makecase.version import __version__


def unchanged_documents(project: Project, renderer: Renderer, briefings: list[Briefing],
                        formats: tuple[str, ...], previous: dict[str, Document], force: bool
                        ) -> tuple[list[Briefing], list[Document], dict[str, str]]:
    """Split the chosen briefings into those to make and the previous documents that stand:
    same inputs hash, and every file this build would write still there as makecase wrote it."""
    hasher = InputsHasher(project, renderer)
    to_make: list[Briefing] = []
    unchanged: list[Document] = []
    inputs: dict[str, str] = {}
    problems: list[Problem] = []
    for briefing in briefings:
        before = previous.get(briefing.slug)
        kept = frozenset(before.files) if before else frozenset()
        try:  # project templates render here
            digest = inputs[briefing.slug] = in_time(project, briefing,
                                                     lambda: hasher.inputs(briefing, formats, kept))
        except NotMade as exc:
            problems.append(exc.problem)
            continue
        wanted = files_made(formats, kept)
        if not force and before is not None and before.inputs == digest and wanted <= kept:
            unchanged.append(before)
        else:
            to_make.append(briefing)
    if problems:
        raise MakecaseError(problems, summary=f"{len(problems)} briefing(s) could not be made; "
                                              "nothing was written:")
    return to_make, unchanged, inputs


@dataclass
class PreviousPack:
    """What the previous build left in the output folder: the documents whose files may be kept
    (by slug, with those files), and the documents listed with a file that may not be kept
    (by slug: the briefing and the formats to make again)."""

    documents: dict[str, Document] = field(default_factory=dict)
    damaged: dict[str, tuple[Briefing, tuple[str, ...]]] = field(default_factory=dict)


def previous_documents(project: Project, out_dir: Path) -> PreviousPack:
    """The previous build's documents that a build may keep: those still in the content, with
    the files that are still as makecase wrote them (bytes read back, checked against the
    manifest's SHA-256) and whose web page passes the live-markup check (standalone.py), as every
    page made now does: the output folder may come with a pull request or a CI cache. A listed
    file that fails either is not kept, and its document is named in `damaged`, to be made
    again (a file that is gone is only not kept, as a person may remove one). A document no
    longer in the content is left out, so its files are removed as stale."""
    previous = PreviousPack()
    built = {audience.id for audience in project.audiences_to_build()}
    for entry in read_manifest(out_dir).get("documents", []):
        if not isinstance(entry, dict):
            continue
        audience, place = entry.get("audience"), entry.get("place")
        if not isinstance(audience, str) or audience not in project.audiences or audience not in built \
                or not _place_exists(project, place) or not isinstance(entry.get("files"), dict):
            continue
        briefing = compose(project, project.audiences[audience], project.places[place] if place else None)
        files, damaged = {}, set()
        for fmt, file in entry["files"].items():
            found = file_entry(file)
            if fmt in FILES and found and found[0] == briefing.file_name(fmt):
                data = read_if_ours(out_dir, *found)
                if data is not None and not live_parts(found[0], data):
                    files[fmt] = data
                elif os.path.lexists(out_dir / found[0]):  # a page's picture and thumbnail come with its PDF
                    damaged.add("html" if fmt == "html" else "pdf")
        if files:
            previous.documents[briefing.slug] = recorded_document(briefing, files, entry, kept=frozenset(files))
        if damaged:
            previous.damaged[briefing.slug] = (briefing, tuple(f for f in FORMATS if f in damaged))
    return previous


def recorded_document(briefing: Briefing, files: dict[str, bytes], entry: dict,
                      kept: frozenset[str] = frozenset()) -> Document:
    """A document as a manifest entry recorded it: its files, and what the fit stage measured when
    it was made. Shared by the next build (files it keeps) and merge (files from shards), so both
    write the same manifest a build that made the page now would."""
    document = Document(_as_laid_out(briefing, entry.get("evidence"), entry.get("shortened"),
                                     entry.get("quote_left_out") is True), files, kept=kept)
    body, fill, room = entry.get("body_size_pt"), entry.get("fill_percent"), entry.get("room_words")
    document.body_size = body if _finite(body) else None
    document.fill = fill if _finite(fill) else None
    document.room_words = room if isinstance(room, int) else 0
    inputs, warnings = entry.get("inputs"), entry.get("warnings")
    document.inputs = inputs if isinstance(inputs, str) else None
    document.warnings = [w for w in warnings if isinstance(w, str)] if isinstance(warnings, list) else []
    document.words = _count(entry.get("words"))
    pdf = entry["files"].get("pdf") if isinstance(entry.get("files"), dict) else None
    document.pages = _count(pdf.get("pages")) if "pdf" in files and isinstance(pdf, dict) else None
    return document


def only_formats(documents: list[Document], formats: tuple[str, ...]) -> dict[str, Document]:
    """Documents by slug with only the files of these formats (and the page picture with both,
    the thumbnail with a PDF)."""
    wanted = files_made(formats)
    kept: dict[str, Document] = {}
    for document in documents:
        files = {fmt: data for fmt, data in document.files.items() if fmt in wanted}
        kept[document.slug] = replace(document, files=files, kept=frozenset(files))
    return kept


def _finite(value: object) -> bool:
    """A measurement read back from a manifest: a plain number (not NaN, not infinite)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _count(value: object) -> int | None:
    """A count read back from a manifest: a whole number, or None."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _place_exists(project: Project, place: object) -> bool:
    if place is None:
        return not project.places
    return isinstance(place, str) and place in project.places


def _as_laid_out(briefing: Briefing, recorded: object, shortened: object = 0, no_quote: bool = False) -> Briefing:
    """The briefing with the evidence items its page took when it was made (the manifest's
    "evidence"), when those are still the first of its audience's list, and its side column as
    shortened then ("shortened")."""
    if isinstance(shortened, int) and not isinstance(shortened, bool) and 0 < shortened <= briefing.side_steps:
        briefing = briefing.shortening(shortened)
    briefing = briefing.without_quote(no_quote)
    listed = [c.item.id for c in briefing.cases]
    if isinstance(recorded, list) and recorded == listed[:len(recorded)]:
        return briefing.taking(len(recorded))
    return briefing


def whole_pack(project: Project, made: list[Document], previous: dict[str, Document]) -> list[Document]:
    """The documents made now and those kept, in content order (place, then audience); a
    document made in one format keeps its other formats' files from the previous build."""
    by_slug: dict[str, Document] = dict(previous)
    for document in made:
        before = by_slug.get(document.slug)
        if before is not None:
            kept = {fmt: data for fmt, data in before.files.items() if fmt not in document.files}
            if kept:
                document = replace(document, files={**document.files, **kept}, kept=frozenset(kept))
                if "pdf" in kept:  # the kept PDF's page, as measured when it was made
                    document.body_size, document.fill = before.body_size, before.fill
                    document.pages = before.pages
        by_slug[document.slug] = document
    order = content_order(project)
    return sorted(by_slug.values(), key=lambda document: order(document.briefing))


def content_order(project: Project) -> Callable[[Briefing], tuple[int, int]]:
    """The pack's order as a sort key: place in places.yaml order, then audience in content order."""
    places = {place: index for index, place in enumerate(list(project.places) or [None])}
    audiences = {audience: index for index, audience in enumerate(project.audiences)}

    def order(briefing: Briefing) -> tuple[int, int]:
        place = briefing.place.id if briefing.place else None
        return places.get(place, len(places)), audiences[briefing.audience.id]

    return order


def manifest_for(project: Project, documents: list[Document], pack: dict[str, dict] | None = None,
                 fingerprint: str | None = None) -> dict:
    """The manifest: the pack-wide files (pack: index.html and pack.pdf, as file entries), then
    every document with its files (SHA-256, bytes, and a PDF's pages), words, fill and inputs.
    fingerprint: the whole project's (fingerprint.py), when a whole build warned of nothing."""
    manifest = {
        "generator": f"makecase {__version__}",
        "partnership": project.settings.partnership.name if project.settings.partnership else None,
        "fingerprint": {"project": fingerprint} if fingerprint else None,
        "pack": pack or {},
        "documents": [
            {
                "audience": d.briefing.audience.id,
                "place": d.briefing.place.id if d.briefing.place else None,
                "title": d.briefing.title,
                "reviewed": d.briefing.reviewed.isoformat(),
                "levers": [lever.id for lever in d.briefing.levers],
                "evidence": [c.item.id for c in d.briefing.cases],
                "left_out": [c.item.id for c in d.briefing.left_out],
                "shortened": d.briefing.shortened,
                "quote_left_out": d.briefing.quote_left_out is not None,
                "words": d.words,
                "body_size_pt": d.body_size,
                "fill_percent": d.fill,
                "room_words": d.room_words,
                "warnings": d.warnings,
                "inputs": d.inputs,
                "files": {fmt: file_record(d.briefing.file_name(fmt), data,
                                           pages=d.pages if fmt == "pdf" else None)
                          for fmt, data in d.files.items()},
            }
            for d in documents
        ],
    }
    if fingerprint:
        # The manifest's own hash beside it: a hand-edited manifest is never taken as built.
        manifest["fingerprint"]["manifest"] = manifest_digest(manifest)
    return manifest


def file_record(path: str, data: bytes, **more: object) -> dict:
    """A file as the manifest lists it: path, SHA-256 and size (and anything more that is set)."""
    record = {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    record.update({key: value for key, value in more.items() if value is not None})
    return record
