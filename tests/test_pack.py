"""The default pack as a reader meets it: one A4 page each, the right words, real links, good HTML."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pypdf
import pytest

from conftest import AUDIENCE_IDS, link_uris, pdf_text, squash
from makecase.load import load_project

A4_POINTS = (595.28, 841.89)


@pytest.fixture(scope="session")
def content(default_pack):
    return load_project(default_pack.out_dir.parent)


def test_builds_a_pdf_and_an_html_page_for_every_audience(default_pack):
    out = default_pack.out_dir
    for audience in AUDIENCE_IDS:
        assert (out / f"{audience}.pdf").is_file()
        assert (out / f"{audience}.html").is_file()
    assert sorted(p.name for p in out.glob("*.pdf")) == sorted(f"{a}.pdf" for a in AUDIENCE_IDS)


@pytest.mark.parametrize("audience", AUDIENCE_IDS)
def test_pdf_is_exactly_one_a4_page(default_pack, audience):
    reader = pypdf.PdfReader(default_pack.out_dir / f"{audience}.pdf")
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(A4_POINTS[0], abs=1)
    assert float(box.height) == pytest.approx(A4_POINTS[1], abs=1)


@pytest.mark.parametrize("audience", AUDIENCE_IDS)
def test_pdf_shows_the_key_message_and_each_evidence_headline(default_pack, content, audience):
    text = squash(pdf_text(default_pack.out_dir / f"{audience}.pdf"))
    spec = content.audiences[audience]
    assert squash(spec.key_message) in text
    for evidence_id in spec.evidence:
        assert squash(content.evidence[evidence_id].headline) in text


@pytest.mark.parametrize("audience", AUDIENCE_IDS)
def test_pdf_links_are_real_link_annotations_to_the_content_urls(default_pack, content, audience):
    uris = link_uris(default_pack.out_dir / f"{audience}.pdf")
    spec = content.audiences[audience]
    expected = {s.url for s in spec.signposts}
    expected |= {src.url for e in spec.evidence for src in content.evidence[e].sources if src.url}
    missing = expected - set(uris)
    assert not missing, f"links missing from the PDF: {missing}"


@pytest.mark.parametrize("audience", AUDIENCE_IDS)
def test_pdf_is_tagged_with_language_and_title(default_pack, content, audience):
    reader = pypdf.PdfReader(default_pack.out_dir / f"{audience}.pdf")
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root, "PDF is not tagged"
    assert root["/MarkInfo"]["/Marked"]
    assert str(root["/Lang"]) == "en-GB"
    assert content.audiences[audience].short_title.split()[0].lower() in reader.metadata.title.lower()


class _Structure(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


@pytest.mark.parametrize("audience", AUDIENCE_IDS)
def test_html_has_lang_title_and_one_h1_and_loads_nothing_from_elsewhere(default_pack, audience):
    html = (default_pack.out_dir / f"{audience}.html").read_text(encoding="utf-8")
    page = _Structure()
    page.feed(html)
    tags = page.tags
    assert tags[0] == ("html", {"lang": "en-GB"})
    assert page.title.strip()
    assert sum(1 for t, _ in tags if t == "h1") == 1
    # Standalone: no stylesheet, script, font or image fetched from anywhere.
    assert not [t for t, a in tags if t == "script"]
    assert not [a for t, a in tags if t == "link" and not a.get("href", "").startswith("data:")]
    assert not [a for t, a in tags if "src" in a and not a["src"].startswith("data:")]
    assert "@import" not in html and "url(" not in html.split("</style>")[0].split("<style>")[1]


def test_html_links_to_the_pdf_only_when_the_pdf_was_built(default_pack, tmp_path):
    import makecase

    html = (default_pack.out_dir / "gps.html").read_text(encoding="utf-8")
    assert 'href="gps.pdf"' in html
    only_html = makecase.build(tmp_path, audiences=["gps"], formats=["html"], out=tmp_path / "o")
    assert 'href="gps.pdf"' not in (only_html.out_dir / "gps.html").read_text(encoding="utf-8")
    assert not list((tmp_path / "o").glob("*.pdf"))


def test_manifest_and_index_list_every_document(default_pack):
    manifest = json.loads((default_pack.out_dir / "manifest.json").read_text())
    assert [d["audience"] for d in manifest["documents"]] == AUDIENCE_IDS
    for document in manifest["documents"]:
        assert (default_pack.out_dir / document["files"]["pdf"]["path"]).is_file()
        assert document["levers"]
    index = (default_pack.out_dir / "index.html").read_text(encoding="utf-8")
    for audience in AUDIENCE_IDS:
        assert f'href="{audience}.pdf"' in index and f'href="{audience}.html"' in index


def test_build_one_audience_and_one_format(tmp_path):
    import makecase

    report = makecase.build(tmp_path, audiences=["gps"], formats=["pdf"], out=tmp_path / "one")
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == ["gps.pdf", "manifest.json"]
    assert [d.slug for d in report.documents] == ["gps"]
