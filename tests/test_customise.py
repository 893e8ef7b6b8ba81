"""A partnership makes the pack its own: init, layered content, branding, places, schema, explain."""

from __future__ import annotations

import json

import pypdf
import pytest

import makecase
from conftest import REPO, invoke, pdf_text, squash
from makecase.cli.schema import schemas

LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60">'
        '<rect width="200" height="60" fill="#6A1B9A"/></svg>')


@pytest.fixture
def partnership(tmp_path):
    root = tmp_path / "move-more"
    code, out = invoke("init", root)
    assert code == 0, out
    return root


def test_init_scaffolds_a_project_that_builds_at_once(partnership):
    code, out = invoke("-C", partnership, "build")
    assert code == 0, out
    pdfs = sorted(p.name for p in (partnership / "output").glob("*.pdf"))
    assert len(pdfs) == 7 and "pack.pdf" in pdfs  # six pages, and all of them in one PDF
    assert "Move More" in pdf_text(partnership / "output" / "gps.pdf")
    first_line = (partnership / "content" / "evidence.yaml").read_text().splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=../schema/evidence.schema.json"
    assert (partnership / "schema" / "evidence.schema.json").is_file()


def test_init_refuses_to_overwrite(partnership):
    before = (partnership / "makecase.yaml").read_text()
    code, out = invoke("init", partnership)
    assert code == 2 and "never overwrites" in out
    assert (partnership / "makecase.yaml").read_text() == before


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_name_colours_logo_reworded_evidence_and_local_story_show_on_the_page(partnership):
    write(partnership / "assets" / "logo.svg", LOGO)
    write(partnership / "makecase.yaml", """
partnership:
  name: Move More Yorkshire
contact:
  name: Sam Patel
  email: sam.patel@example.org
brand:
  primary: "#6A1B9A"
  logo:
    file: assets/logo.svg
    alt: Move More Yorkshire logo
""")
    write(partnership / "content" / "evidence.yaml", """
evidence:
  - id: nice-brief-advice
    headline: Brief advice works in Yorkshire practices
""")
    write(partnership / "content" / "stories.yaml", """
stories:
  - id: yorkshire-walks
    place: Halifax
    title: walking groups with GP practices
    did: Practices and the council started weekly walking groups.
    helped: Practice staff who walked with patients.
    links:
      - text: Our walking groups
        url: https://www.example.org/walks
    reviewed: 2026-11-20
""")
    write(partnership / "content" / "audiences.yaml", """
audiences:
  - id: gps
    story: yorkshire-walks
""")
    report = makecase.build(partnership, audiences=["gps"])
    pdf = partnership / "output" / "gps.pdf"
    text = squash(pdf_text(pdf))
    assert "Move More Yorkshire" in text and "sam.patel@example.org" in text
    assert "Brief advice works in Yorkshire practices" in text
    assert "Halifax: walking groups with GP practices" in text
    assert len(pypdf.PdfReader(pdf).pages) == 1
    html = (partnership / "output" / "gps.html").read_text()
    assert "--primary: #6A1B9A" in html
    assert 'alt="Move More Yorkshire logo"' in html and 'src="data:image/svg+xml;base64,' in html
    assert report.documents[0].body_size == 12


def test_switch_off_and_reorder_by_id(partnership):
    write(partnership / "content" / "evidence.yaml", """
evidence:
  - id: clinical-champions
    enabled: false
""")
    write(partnership / "content" / "audiences.yaml", """
audiences:
  - id: gps
    evidence: [active-practice-charter, clinical-champions, nice-brief-advice]
""")
    report = makecase.build(partnership, audiences=["gps"], formats=["html"])
    assert [c.item.id for c in report.documents[0].briefing.cases] == ["active-practice-charter", "nice-brief-advice"]


def test_places_build_every_audience_for_every_place_with_placeholders_filled(partnership):
    write(partnership / "content" / "places.yaml", """
places:
  - id: kirklees
    name: Kirklees
    population: 440000
    figures:
      - value: "440,000"
        label: people live in Kirklees
        source:
          title: Kirklees population estimates
          publisher: Kirklees Council
          year: 2024
          url: https://www.kirklees.gov.uk/population
          section: Summary
          checked: 2026-11-20
  - id: calderdale
    name: Calderdale
""")
    write(partnership / "content" / "evidence.yaml", """
evidence:
  - id: nice-brief-advice
    headline: Brief advice in {place.name}
""")
    makecase.build(partnership, audiences=["gps", "ics-leads"])
    out = partnership / "output"
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.pdf")) == [
        "calderdale/gps.pdf", "calderdale/ics-leads.pdf", "kirklees/gps.pdf", "kirklees/ics-leads.pdf",
        "pack.pdf"]
    kirklees = squash(pdf_text(out / "kirklees" / "gps.pdf"))
    assert "Brief advice in Kirklees" in kirklees and "people live in Kirklees" in kirklees
    assert "Brief advice in Calderdale" in squash(pdf_text(out / "calderdale" / "gps.pdf"))
    index = (out / "index.html").read_text()
    assert 'href="kirklees/gps.pdf"' in index and '<h2 id="place-calderdale">Calderdale</h2>' in index


def test_low_contrast_colour_names_both_colours_the_ratio_and_a_passing_shade(partnership):
    write(partnership / "makecase.yaml", 'brand:\n  primary: "#7FB3E0"\n')
    code, out = invoke("-C", partnership, "validate")
    assert code == 2
    assert "makecase.yaml:2:12" in out
    assert "#7FB3E0" in out and "#FFFFFF" in out and ":1" in out and "4.5:1" in out
    assert "nearest shade that passes is #" in out


def test_logo_without_alt_text_is_an_error_with_file_and_line(partnership):
    write(partnership / "assets" / "logo.svg", LOGO)
    write(partnership / "makecase.yaml", "brand:\n  logo:\n    file: assets/logo.svg\n")
    code, out = invoke("-C", partnership, "validate")
    assert code == 2 and "Required key 'alt' is missing" in out and "makecase.yaml:3:" in out


def test_unknown_placeholder_is_an_error_with_file_and_line(partnership):
    write(partnership / "content" / "evidence.yaml", """
evidence:
  - id: falls-admissions
    headline: Fewer falls in {place.nmae}
""")
    code, out = invoke("-C", partnership, "validate")
    assert code == 2
    assert "content/evidence.yaml:4:" in out and "Unknown placeholder {place.nmae}" in out
    assert "'place.name'" in out


def test_place_placeholder_without_places_is_an_error(partnership):
    write(partnership / "content" / "evidence.yaml", "evidence:\n  - id: falls-admissions\n    headline: In {place.name}\n")
    code, out = invoke("-C", partnership, "validate")
    assert code == 2 and "no places.yaml" in out


def test_a_project_template_overrides_the_packaged_one_file_by_file(partnership):
    write(partnership / "templates" / "partials" / "quote.html", "<p class='ours'>Our own quote block</p>")
    report = makecase.build(partnership, audiences=["gps"], formats=["html"])
    html = (report.out_dir / "gps.html").read_text()
    assert "Our own quote block" in html and "What you can do" in html


def test_explain_names_the_file_and_line_of_each_thing(partnership):
    write(partnership / "content" / "audiences.yaml", "audiences:\n  - id: gps\n    key_message: Our message.\n")
    code, out = invoke("-C", partnership, "explain", "gps")
    assert code == 0, out
    width = out.splitlines()[0].index("content/")  # the where-column starts after the labels
    lines = {line[:width].strip(): line[width:].strip() for line in out.splitlines()}
    assert lines["key_message"] == "content/audiences.yaml:3"
    assert lines["why"].startswith("packaged content/audiences.yaml:")
    assert any(k.startswith("evidence 1:") for k in lines)


def test_shipped_schema_is_up_to_date():
    for name, schema in schemas().items():
        shipped = json.loads((REPO / "schema" / name).read_text(encoding="utf-8"))
        assert shipped == json.loads(json.dumps(schema)), f"schema/{name} is stale: run `makecase schema`"


def test_schema_lets_editors_flag_unknown_keys():
    evidence = schemas()["evidence.schema.json"]
    item = evidence["$defs"]["EvidenceItem"]
    assert item["additionalProperties"] is False and item["required"] == ["id"]
