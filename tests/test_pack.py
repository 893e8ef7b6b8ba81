"""The default pack as a reader meets it: one A4 page each, the right words, real links, good HTML."""

from __future__ import annotations

import hashlib
import json
from html.parser import HTMLParser

import pypdf
import pytest

from conftest import AUDIENCE_IDS, link_uris, pdf_text, squash
import makecase
from makecase.load.loader import load_project

A4_POINTS = (595.28, 841.89)


@pytest.fixture(scope="session")
def content(default_pack):
    return load_project(default_pack.out_dir.parent)


def test_builds_a_pdf_and_an_html_page_for_every_audience(default_pack):
    out = default_pack.out_dir
    for audience in AUDIENCE_IDS:
        assert (out / f"{audience}.pdf").is_file()
        assert (out / f"{audience}.html").is_file()
    assert sorted(p.name for p in out.glob("*.pdf")) == sorted([f"{a}.pdf" for a in AUDIENCE_IDS] + ["pack.pdf"])


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
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == [
        "gps.pdf", "gps.thumb.png", "index.html", "manifest.json", "pack.pdf"]
    assert [d.slug for d in report.documents] == ["gps"]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a" and dict(attrs).get("href"):
            self.hrefs.append(dict(attrs)["href"])


def _files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _index_links_resolve(folder):
    links = _Links()
    links.feed((folder / "index.html").read_text(encoding="utf-8"))
    local = [h for h in links.hrefs if "://" not in h and not h.startswith(("mailto:", "#"))]
    assert local and all((folder / h).is_file() for h in local), local
    return local


@pytest.fixture
def pack_dir(default_pack, tmp_path):
    """A copy of the default pack's output, to build over."""
    import shutil

    out = tmp_path / "output"
    shutil.copytree(default_pack.out_dir, out)
    return out


@pytest.mark.parametrize("options", [{"audiences": ["gps"]}, {"formats": ["pdf"], "audiences": ["gps"]},
                                     {"formats": ["html"], "audiences": ["pcn-leads"]}])
def test_a_partial_build_keeps_the_rest_of_the_pack_byte_for_byte(pack_dir, tmp_path, options):
    import makecase

    before = _files(pack_dir)
    (pack_dir / "trust-executives.html").unlink()  # kept pages are listed only if still there
    report = makecase.build(tmp_path, out=pack_dir, force=True, **options)
    after = _files(pack_dir)
    assert set(after) == set(before) - {"trust-executives.html"}
    remade = {f"{d.slug}.{fmt}" for d in report.documents for fmt in d.files}
    assert remade and len(remade) < len(after) - 2
    # Every file kept byte for byte; and a page made on its own comes out byte for byte as it
    # did among the whole pack.
    assert {name for name in after if after[name] != before[name]} <= {"index.html", "manifest.json"}
    # The index and the manifest still list the whole pack, and every link leads to a file.
    local = _index_links_resolve(pack_dir)
    for audience in AUDIENCE_IDS:
        assert f"{audience}.pdf" in local and (f"{audience}.html" in local) == (audience != "trust-executives")
    manifest = json.loads(after["manifest.json"])
    assert [d["audience"] for d in manifest["documents"]] == AUDIENCE_IDS
    for document in manifest["documents"]:
        for file in document["files"].values():
            assert hashlib.sha256(after[file["path"]]).hexdigest() == file["sha256"]
    if options.get("formats") == ["html"]:  # the remade web page still links to its kept PDF
        assert 'href="pcn-leads.pdf"' in after["pcn-leads.html"].decode()


def test_a_partial_build_removes_a_document_no_longer_in_the_content(project):
    import makecase

    places = """
        places:
          - id: kirklees
            name: Kirklees
          - id: calderdale
            name: Calderdale
        """
    project.write("content/places.yaml", places)
    out = project.root / "output"
    makecase.build(project.root, out=out, audiences=["gps", "pcn-leads"], formats=["html"])
    assert (out / "calderdale" / "gps.html").is_file()
    project.write("content/places.yaml", places.split("          - id: calderdale")[0])
    makecase.build(project.root, out=out, audiences=["gps"], formats=["html"])
    assert not (out / "calderdale").exists()
    assert (out / "kirklees" / "pcn-leads.html").is_file()  # not rebuilt, still in the content
    manifest = json.loads((out / "manifest.json").read_text())
    assert [(d["place"], d["audience"]) for d in manifest["documents"]] == [("kirklees", "gps"),
                                                                             ("kirklees", "pcn-leads")]
    assert sorted(_index_links_resolve(out)) == ["kirklees/gps.html", "kirklees/pcn-leads.html"]


def test_a_partial_build_never_keeps_a_file_a_person_changed(pack_dir, tmp_path):
    import makecase

    (pack_dir / "nurses.pdf").write_bytes(b"mine")  # never listed: left alone
    (pack_dir / "commissioners.html").write_text("edited by hand", encoding="utf-8")
    report = makecase.build(tmp_path, out=pack_dir, audiences=["gps"])
    # A listed page whose bytes are not the manifest's is made again, in its own format only
    # (issue 17: the output folder may come with a pull request).
    assert {(d.slug, fmt) for d in report.documents for fmt in d.files if fmt not in d.kept} >= {
        ("commissioners", "html")}
    assert ("commissioners", "pdf") not in {(d.slug, f) for d in report.documents for f in d.files if f not in d.kept}
    manifest = json.loads((pack_dir / "manifest.json").read_text())
    listed = {f["path"]: f["sha256"] for d in manifest["documents"] for f in d["files"].values()}
    assert {"commissioners.html", "commissioners.pdf"} <= set(listed)
    page = (pack_dir / "commissioners.html").read_bytes()
    assert b"Making the case" in page and hashlib.sha256(page).hexdigest() == listed["commissioners.html"]
    assert (pack_dir / "nurses.pdf").read_bytes() == b"mine"
    assert 'href="commissioners.html"' in (pack_dir / "index.html").read_text()


def test_two_clean_builds_make_byte_identical_files_whatever_the_number_of_jobs(default_pack, tmp_path):
    import makecase

    # Another folder, another time, pages laid out two at a time in two processes.
    again = makecase.build(tmp_path, out=tmp_path / "again", jobs=2)
    first, second = _files(default_pack.out_dir), _files(again.out_dir)
    assert set(first) == set(second) and {"pack.pdf", "gps.thumb.png"} <= set(first)
    assert [name for name in first if first[name] != second[name]] == []
    # Each PDF carries a file identifier, made from its own content.
    ids = {name: pypdf.PdfReader(default_pack.out_dir / name).trailer["/ID"][0]
           for name in first if name.endswith(".pdf")}
    assert len(set(ids.values())) == len(ids)


def test_build_prints_each_page_as_it_is_done_or_only_the_summary_or_json(pack_dir, tmp_path):
    from click.testing import CliRunner

    from makecase.cli.commands import cli

    def run(*args):
        result = CliRunner().invoke(cli, ["-C", str(tmp_path), "build", "--out", str(pack_dir),
                                          "-a", "gps", "-a", "pcn-leads", "-f", "html", "--force", *args])
        assert result.exit_code == 0, result.output
        return result.stdout

    lines = run().splitlines()
    # One line per page as it is done (in parallel, in the order they finish).
    assert sorted(line.strip() for line in lines[:2]) == ["gps.html", "pcn-leads.html"]
    assert lines[-1].startswith("Wrote 2 briefing(s)") and "kept 4 from the previous build" in lines[-1]
    quiet = run("-q").splitlines()
    assert len(quiet) == 1 and quiet[0].startswith("Wrote 2 briefing(s)")
    assert "kept trust-executives: html, pdf, png" in run("-v")
    report = json.loads(run("--json"))
    assert (report["made"], report["kept"]) == (2, 4)
    assert [d["audience"] for d in report["documents"]] == AUDIENCE_IDS
    gps = next(d for d in report["documents"] if d["audience"] == "gps")
    assert gps["made"] and not gps["files"]["html"]["kept"] and gps["files"]["pdf"]["kept"]
    assert gps["fill_percent"] > 50  # the kept PDF's page, as measured when it was made
    for document in report["documents"]:
        for file in document["files"].values():
            assert (pack_dir / file["path"]).stat().st_size == file["bytes"]


def test_a_second_build_makes_nothing_and_an_edit_remakes_only_its_page(pack_dir, project):
    import makecase

    before = _files(pack_dir)
    again = makecase.build(project.root, out=pack_dir)
    assert again.documents == [] and [d.slug for d in again.unchanged] == AUDIENCE_IDS
    assert _files(pack_dir) == before  # index and manifest included
    project.write("content/audiences.yaml", """
        audiences:
          - id: gps
            key_message: Brief advice on physical activity works, and your practice can give it.
        """)
    edited = makecase.build(project.root, out=pack_dir)
    assert [d.slug for d in edited.documents] == ["gps"]
    after = _files(pack_dir)
    assert "Brief advice on physical activity works" in pdf_text(pack_dir / "gps.pdf")
    assert {n for n in after if after[n] != before[n]} == {"gps.pdf", "gps.html", "gps.png", "gps.thumb.png",
                                                          "index.html", "manifest.json", "pack.pdf"}
    forced = makecase.build(project.root, out=pack_dir, force=True, audiences=["pcn-leads"])
    assert [d.slug for d in forced.documents] == ["pcn-leads"]
    assert _files(pack_dir) == after  # made again, the same bytes


def test_a_page_whose_file_was_deleted_or_edited_is_made_again(pack_dir, tmp_path):
    import makecase

    (pack_dir / "gps.png").unlink()
    (pack_dir / "pcn-leads.html").write_text("edited by hand", encoding="utf-8")
    report = makecase.build(tmp_path, out=pack_dir)
    assert [d.slug for d in report.documents] == ["gps", "pcn-leads"]
    assert (pack_dir / "gps.png").is_file()
    assert "edited by hand" not in (pack_dir / "pcn-leads.html").read_text(encoding="utf-8")


def test_progress_is_told_each_page_with_how_many_are_done_of_how_many(pack_dir, tmp_path):
    import makecase

    seen = []
    makecase.build(tmp_path, out=pack_dir, audiences=["gps", "pcn-leads", "ics-leads"], formats=["html"],
                   progress=lambda page, done, total: seen.append((page.slug, done, total)))
    assert [(done, total) for _, done, total in seen] == [(1, 3), (2, 3), (3, 3)]
    assert sorted(slug for slug, _, _ in seen) == ["gps", "ics-leads", "pcn-leads"]
    seen.clear()
    makecase.build(tmp_path, out=pack_dir, audiences=["gps"], formats=["html"], force=True,
                   progress=lambda page, done, total: seen.append((page.slug, done, total)))
    assert seen == [("gps", 1, 1)]


def test_a_full_build_is_exactly_what_the_project_asks_for_now(tmp_path):
    """Partial builds keep the rest of the pack; a full build after the project drops an
    audience or a format removes those files (and the index no longer links them)."""
    out = tmp_path / "output"
    makecase.build(tmp_path, out=out)
    assert (out / "ics-leads.html").exists()
    (tmp_path / "makecase.yaml").write_text("audiences: [gps, pcn-leads]\noutput:\n  formats: [pdf]\n",
                                            encoding="utf-8")
    makecase.build(tmp_path, out=out)
    names = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert names == ["gps.pdf", "gps.thumb.png", "index.html", "manifest.json", "pack.pdf", "pcn-leads.pdf",
                     "pcn-leads.thumb.png"]
    # The index of a PDF-only pack lists its PDFs and thumbnails, and no web page that has gone.
    assert sorted(_index_links_resolve(out)) == ["gps.pdf", "pack.pdf", "pcn-leads.pdf"]
    assert len(pypdf.PdfReader(out / "pack.pdf").pages) == 2
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [d["audience"] for d in manifest["documents"]] == ["gps", "pcn-leads"]


def test_a_damaged_manifest_from_an_earlier_build_is_not_a_crash(tmp_path):
    out = tmp_path / "output"
    out.mkdir()
    (out / "manifest.json").write_text('{"documents": [{"audience": ["gps"], "files": 3}, 7]}',
                                       encoding="utf-8")
    report = makecase.build(tmp_path, audiences=["gps"], formats=["html"], out=out)
    assert [d.slug for d in report.documents] == ["gps"] and (out / "gps.html").exists()


def test_a_worker_returns_each_page_or_the_problem_that_stopped_it(tmp_path, monkeypatch):
    """What one --jobs worker process sends back, run here in-process so each answer is seen."""
    import makecase.load.loader
    from makecase.pack import workers
    from makecase.limits import Limits
    from makecase.load.loader import load_project
    from makecase.pack.build import make_document

    def answer(templates: dict[str, str], seconds: float = 60) -> tuple:
        root = tmp_path / str(len(list(tmp_path.iterdir())))
        for name, text in templates.items():
            (root / "templates" / name).parent.mkdir(parents=True, exist_ok=True)
            (root / "templates" / name).write_text(text, encoding="utf-8")
        root.mkdir(exist_ok=True)
        monkeypatch.setattr(makecase.load.loader, "limits_for", lambda settings: Limits(layout_seconds=seconds))
        workers.start_worker(load_project(root), ("html",), make_document)
        return workers.make_in_worker("gps", None, ("html",), frozenset())

    kind, fields = answer({})
    assert kind == "made" and b"<h1" in fields["files"]["html"] and fields["seconds"] >= 0
    kind, problem = answer({"partials/quote.html": "<script>alert(1)</script>"})
    assert kind == "problem" and "would run or load something" in problem.message
    kind, problem = answer({"partials/quote.html": "{% for i in range(9999) %}{% for j in range(9999) %}"
                                                   "{% for k in range(9999) %}{% endfor %}{% endfor %}{% endfor %}"},
                           seconds=0.2)
    assert kind == "problem" and "took more than" in problem.message
    kind, problems, _summary = answer({"partials/quote.html": "{% if %}"})
    assert kind == "error" and "Template syntax error" in problems[0].message


def test_a_crafted_manifest_cannot_make_a_build_remove_a_persons_files(project, tmp_path):
    """Stale files are removed only if named as makecase names its files, whatever a manifest
    (say one committed in the output folder) lists with the right SHA-256."""
    import hashlib
    import json

    import makecase

    project.write("makecase.yaml", "audiences: [gps]\n")
    out = tmp_path / "site"
    (out / "docs").mkdir(parents=True)
    mine = {"NOTES.md": b"my notes\n", ".gitkeep": b"", "docs/.gitkeep": b""}
    for name, data in mine.items():
        (out / name).write_bytes(data)
    listed = {name: {"path": name, "sha256": hashlib.sha256(data).hexdigest()} for name, data in mine.items()}
    (out / "manifest.json").write_text(json.dumps({"generator": "makecase", "documents": [
        {"audience": "gone", "place": None, "files": listed}]}))
    makecase.build(project.root, out=out, formats=["html"])
    assert {name: (out / name).read_bytes() for name in mine} == mine
    assert (out / "gps.html").exists()


def test_a_manifest_nested_too_deeply_to_read_is_not_ours(project, tmp_path):
    import makecase

    project.write("makecase.yaml", "audiences: [gps]\n")
    out = tmp_path / "site"
    out.mkdir()
    (out / "manifest.json").write_text("[" * 100_000)
    report = makecase.build(project.root, out=out, formats=["html"])
    assert [d.slug for d in report.documents] == ["gps"]
