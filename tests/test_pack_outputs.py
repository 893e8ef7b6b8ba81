"""The pack-wide files as a reader meets them: pack.pdf (every page, bookmarked by place then
audience, tagged like the pages), the index page (a thumbnail card per page, grouped by place
in places.yaml's order), and manifest.json (each file's hash, pages and words)."""

from __future__ import annotations

import hashlib
import io
import json
from html.parser import HTMLParser

import pikepdf
import pypdf
import pytest

from conftest import AUDIENCE_IDS, pdf_text, squash
import makecase
from makecase.text import plain_english as plain
from makecase.page.compose import compose
from makecase.load.loader import load_project
from makecase.check.pdf import check_pack_pdf
from makecase.check.pdftags import read

# Not in alphabetical order, so the tests see places.yaml's order, not a sorted one.
PLACES = "places:\n  - id: york\n    name: York\n  - id: leeds\n    name: Leeds\n"
SETTINGS = "audiences: [gps, ics-leads]\n"


@pytest.fixture(scope="module")
def places_pack(tmp_path_factory):
    root = tmp_path_factory.mktemp("places-pack")
    (root / "content").mkdir()
    (root / "content" / "places.yaml").write_text(PLACES, encoding="utf-8")
    (root / "makecase.yaml").write_text(SETTINGS, encoding="utf-8")
    report = makecase.build(root, jobs=2)
    return root, report.out_dir


def manifest_of(out):
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def outline(reader):
    """The bookmarks as (title, page number, children)."""
    def walk(items):
        found = []
        for item in items:
            if isinstance(item, list):
                found[-1] = (found[-1][0], found[-1][1], walk(item))
            else:
                found.append((item.title, reader.get_destination_page_number(item), []))
        return found
    return walk(reader.outline)


# --- pack.pdf -----------------------------------------------------------------------------------


def test_pack_pdf_has_every_page_in_pack_order_bookmarked_by_place_then_audience(places_pack):
    root, out = places_pack
    project = load_project(root)
    documents = manifest_of(out)["documents"]
    order = [(d["place"], d["audience"]) for d in documents]
    # York first (places.yaml), then each place's audiences in the content's order.
    assert order == [("york", "ics-leads"), ("york", "gps"), ("leeds", "ics-leads"), ("leeds", "gps")]
    reader = pypdf.PdfReader(out / "pack.pdf")
    assert len(reader.pages) == len(documents)
    ics, gps = project.audiences["ics-leads"].title, project.audiences["gps"].title
    assert outline(reader) == [("York", 0, [(ics, 0, []), (gps, 1, [])]),
                               ("Leeds", 2, [(ics, 2, []), (gps, 3, [])])]
    for page, document in zip(reader.pages, documents):
        text = squash(page.extract_text())
        briefing = compose(project, project.audiences[document["audience"]], project.places[document["place"]])
        assert squash(briefing.key_message) in text
        # The very page of that briefing's own PDF.
        assert text == squash(pdf_text(out / document["files"]["pdf"]["path"]))


def test_pack_pdf_of_a_project_without_places_has_no_place_bookmarks(default_pack, content_titles):
    reader = pypdf.PdfReader(default_pack.out_dir / "pack.pdf")
    assert outline(reader) == [(title, number, []) for number, title in enumerate(content_titles)]
    assert reader.metadata.title.startswith("Making the case for physical activity")


@pytest.fixture(scope="module")
def content_titles(default_pack):
    project = load_project(default_pack.out_dir.parent)
    return [project.audiences[a].title for a in AUDIENCE_IDS]


def test_pack_pdf_passes_the_tag_checks_a_page_pdf_passes(places_pack):
    root, out = places_pack
    project = load_project(root)
    from makecase.page.render import Renderer

    renderer = Renderer(project)
    documents = manifest_of(out)["documents"]
    texts = [plain.page_text(renderer.render_html(
        compose(project, project.audiences[d["audience"]], project.places[d["place"]]), "print"))
        for d in documents]
    data = (out / "pack.pdf").read_bytes()
    assert check_pack_pdf(data, texts) == []
    # Each page's tags are a Part of one Document, titled with the briefing, reading its page.
    tagged = read(data)
    parts = tagged.parts()
    assert [part.pages for part in parts] == [[0], [1], [2], [3]]
    for part, document in zip(parts, documents):
        [element] = part.root.children
        assert element.type == "/Part"
        briefing = compose(project, project.audiences[document["audience"]], project.places[document["place"]])
        assert squash(briefing.key_message) in squash(part.text())
    pdf = pikepdf.open(io.BytesIO(data))
    assert str(pdf.Root.Lang) == "en-GB" and bool(pdf.Root.MarkInfo.Marked)
    numbers = [int(p.obj.StructParents) for p in pdf.pages]
    numbers += [int(a.StructParent) for p in pdf.pages for a in p.obj.get("/Annots") or []]
    assert len(numbers) == len(set(numbers))  # renumbered: each a number of its own


def test_pages_joined_without_renumbering_fail_the_pack_check(places_pack):
    """The check is not vacuous: two pages appended as they are share their ParentTree numbers."""
    _, out = places_pack
    joined = pikepdf.new()
    for document in manifest_of(out)["documents"][:2]:
        page = pikepdf.open(out / document["files"]["pdf"]["path"])
        joined.pages.append(page.pages[0])
    first = pikepdf.open(out / "york" / "ics-leads.pdf")
    joined.Root.StructTreeRoot = joined.copy_foreign(first.Root.StructTreeRoot)
    buffer = io.BytesIO()
    joined.save(buffer)
    checks = {p.check for p in check_pack_pdf(buffer.getvalue())}
    assert {"pdf-parent-tree", "pdf-tagged", "pdf-bookmarks", "pdf-language"} <= checks


def test_pack_pdf_is_the_same_bytes_from_the_same_pages(places_pack, tmp_path):
    from makecase.pack.combine import PackInfo, PackPage, combine

    _, out = places_pack
    pages = [PackPage((out / d["files"]["pdf"]["path"]).read_bytes(), d["audience"], d["place"], d["title"])
             for d in manifest_of(out)["documents"]]
    info = PackInfo("A pack", "Someone", "en-GB")
    first = combine(pages, info)
    assert combine(pages, info) == first
    assert combine(pages[::-1], info) != first
    # Its identifier comes from its content, and its only date is its pages' newest.
    reader = pypdf.PdfReader(io.BytesIO(first))
    page_ids = {pypdf.PdfReader(io.BytesIO(p.pdf)).trailer["/ID"][0] for p in pages}
    assert reader.trailer["/ID"][0] not in page_ids
    dates = set()
    for page in pages:
        with pikepdf.open(io.BytesIO(page.pdf)) as source:
            dates.add(str(source.docinfo.CreationDate))
    assert str(reader.metadata["/CreationDate"]) == max(dates)


# --- index.html ---------------------------------------------------------------------------------


class _Index(HTMLParser):
    """The headings, pictures and links of the index, in document order."""

    def __init__(self):
        super().__init__()
        self.events: list[tuple[str, dict]] = []
        self._heading: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("h2", "img", "a"):
            self.events.append((tag, dict(attrs)))
        if tag == "h2":
            self._heading = ""

    def handle_data(self, data):
        if self._heading is not None:
            self._heading += data

    def handle_endtag(self, tag):
        if tag == "h2" and self._heading is not None:
            self.events[-1] = ("h2", {**self.events[-1][1], "text": self._heading.strip()})
            self._heading = None


def test_index_shows_a_thumbnail_of_each_page_under_its_place_in_places_order(places_pack):
    _, out = places_pack
    page = _Index()
    page.feed((out / "index.html").read_text(encoding="utf-8"))
    under: dict[str, list[dict]] = {}
    heading = None
    for tag, attrs in page.events:
        if tag == "h2":
            heading = attrs["text"]
            under[heading] = []
        elif tag == "img" and heading is not None:
            under[heading].append(attrs)
    assert [h for h in under if h != "Places"] == ["York", "Leeds"]
    for place in ("york", "leeds"):
        pictures = under[place.title()]
        assert [p["src"] for p in pictures] == [f"{place}/ics-leads.thumb.png", f"{place}/gps.thumb.png"]
        for picture in pictures:
            data = (out / picture["src"]).read_bytes()
            assert data.startswith(b"\x89PNG")
            # Its own size, so the page does not jump as pictures arrive; decorative beside the
            # link that names the briefing; fetched only as the reader scrolls to it.
            assert (int(picture["width"]), int(picture["height"])) == png_dimensions(data)
            assert picture["alt"] == "" and picture["loading"] == "lazy"


def png_dimensions(data: bytes) -> tuple[int, int]:
    from PIL import Image

    return Image.open(io.BytesIO(data)).size


def test_index_offers_every_page_in_one_pdf_with_its_page_count_and_size(places_pack):
    _, out = places_pack
    html = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="pack.pdf">Download every briefing in one PDF</a>' in html
    size = (out / "pack.pdf").stat().st_size
    assert f"4 A4 pages, {size / 1000:.1f} kB, with bookmarks by place" in " ".join(html.split())
    # Each PDF link says, to a screen reader, whose page and which place it is.
    assert "Download the PDF<span class=\"visually-hidden\"> for GPs in Leeds</span>" in html


def test_index_without_pdfs_has_no_thumbnails_and_no_pack_pdf(tmp_path):
    out = tmp_path / "out"
    makecase.build(tmp_path, audiences=["gps"], formats=["html"], out=out)
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "<img" not in html and "pack.pdf" not in html and 'href="gps.html"' in html
    assert not (out / "pack.pdf").exists()


# --- manifest.json ------------------------------------------------------------------------------


def test_manifest_lists_every_file_with_its_hash_and_each_pdf_with_its_pages(places_pack):
    _, out = places_pack
    manifest = manifest_of(out)
    listed = {"manifest.json"}
    for record in list(manifest["pack"].values()) + [f for d in manifest["documents"] for f in d["files"].values()]:
        data = (out / record["path"]).read_bytes()
        assert (record["sha256"], record["bytes"]) == (hashlib.sha256(data).hexdigest(), len(data))
        listed.add(record["path"])
    assert listed == {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert manifest["pack"]["pdf"]["path"] == "pack.pdf" and manifest["pack"]["pdf"]["pages"] == 4
    assert manifest["pack"]["index"]["path"] == "index.html"
    for document in manifest["documents"]:
        assert document["files"]["pdf"]["pages"] == 1
        assert 250 <= document["words"] <= 470


# --- pack.pdf and the index across builds -------------------------------------------------------


def test_a_partial_build_remakes_pack_pdf_with_the_new_page_and_keeps_the_rest(places_pack, tmp_path):
    import shutil

    root, built = places_pack
    project = tmp_path / "project"
    shutil.copytree(root, project, ignore=shutil.ignore_patterns("output"))
    out = tmp_path / "out"
    shutil.copytree(built, out)
    (project / "content" / "audiences.yaml").write_text(
        "audiences:\n  - id: gps\n    key_message: Brief advice on physical activity works, and your "
        "practice can give it.\n", encoding="utf-8")
    before = pypdf.PdfReader(out / "pack.pdf")
    old = [squash(p.extract_text()) for p in before.pages]
    makecase.build(project, out=out, audiences=["gps"], places=["leeds"])
    after = pypdf.PdfReader(out / "pack.pdf")
    new = [squash(p.extract_text()) for p in after.pages]
    assert "Brief advice on physical activity works" in new[3]
    assert new[:3] == old[:3]  # York's pages and Leeds's other page, kept
    record = manifest_of(out)["pack"]["pdf"]
    assert record["sha256"] == hashlib.sha256((out / "pack.pdf").read_bytes()).hexdigest()


def test_pack_pdf_deleted_or_edited_is_made_again_and_removed_when_the_pack_has_no_pdfs(places_pack, tmp_path):
    import shutil

    source, built = places_pack
    root = tmp_path / "project"
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("output"))
    out = tmp_path / "out"
    shutil.copytree(built, out)
    first = (out / "pack.pdf").read_bytes()
    (out / "pack.pdf").unlink()
    report = makecase.build(root, out=out)
    assert report.documents == [] and (out / "pack.pdf").read_bytes() == first
    (out / "pack.pdf").write_bytes(b"edited by hand")
    makecase.build(root, out=out)
    assert (out / "pack.pdf").read_bytes() == first
    # The project now makes only web pages: pack.pdf and the PDFs go, and the index says so.
    (root / "makecase.yaml").write_text(SETTINGS + "output:\n  formats: [html]\n", encoding="utf-8")
    makecase.build(root, out=out)
    assert not (out / "pack.pdf").exists() and not list(out.rglob("*.pdf"))
    assert "pack.pdf" not in (out / "index.html").read_text(encoding="utf-8")
    assert "pdf" not in manifest_of(out)["pack"]


def test_a_kept_pdf_that_cannot_be_read_is_named_with_how_to_fix_it(tmp_path):
    """A manifest can be forged (an output folder in a pull request): its 'PDF' is then read
    only to be refused, by name."""
    from conftest import invoke

    out = tmp_path / "output"
    makecase.build(tmp_path, audiences=["gps"], formats=["pdf"])
    manifest = manifest_of(out)
    junk = b"%PDF-1.7 not really"
    (out / "gps.pdf").write_bytes(junk)
    record = manifest["documents"][0]["files"]["pdf"]
    record.update(sha256=hashlib.sha256(junk).hexdigest(), bytes=len(junk))
    del manifest["documents"][0]["files"]["thumb"]
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    code, printed = invoke("-C", tmp_path, "build", "-a", "pcn-leads", "--format", "pdf")
    assert code == 2, printed
    assert "gps.pdf cannot be read as a PDF" in printed and "Delete it from the output folder" in printed
