"""`makecase check`: the default pack passes every check; a page made to fail each check is
named, with the problem and the file and line to change."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from makecase.text import plain_english as plain
from makecase.check.run import check, check_html, print_report
from makecase.cli.commands import cli

# A page made to fail the plain-English, freshness and example-value checks at once.
SETTINGS = """
partnership:
  name: Testshire Active
contact:
  name: Testshire Active
  email: hello@example.org
layout:
  body_size: 11.5
  min_body_size: 11
check:
  max_list_items: 3
  min_reading_ease: 90
  max_reading_age: 10
  max_average_sentence_words: 10
"""
AUDIENCES = """
audiences:
  - id: gps
    why: >-
      Our ICB and the XYZ panel want this. We have asked every practice in the county to give
      brief advice to each adult who is inactive and to follow it up with a call within two
      weeks of the first visit. Social prescribing helps. Partners can help too.
    signposts:
      - text: click here
        url: https://www.nice.org.uk/guidance/ph44
        checked: 2026-11-28
      - text: www.nice.org.uk/guidance/ph44
        url: https://www.nice.org.uk/guidance/ph44
        checked: 2026-11-28
"""
EVIDENCE = """
evidence:
  - id: inactive-adults
    reviewed: 2019-06-30
"""


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


@pytest.fixture(scope="module")
def failing(tmp_path_factory):
    root = tmp_path_factory.mktemp("failing")
    write(root, "makecase.yaml", SETTINGS)
    write(root, "content/audiences.yaml", AUDIENCES)
    write(root, "content/evidence.yaml", EVIDENCE)
    return root, check(root, audiences=["gps"], html=False)


def findings(report, name):
    return [f for f in report.findings if f.check == name]


# --- the default pack -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_report(tmp_path_factory):
    return check(tmp_path_factory.mktemp("empty"), html=False)


def test_default_pack_passes_every_check_even_strict(default_report):
    assert [f.render() for f in default_report.findings] == []
    assert not default_report.failed(strict=True)


def test_default_pack_table_has_a_row_per_page_with_plain_english_figures(default_report):
    table = default_report.table()
    header = table.splitlines()[0]
    for column in ("words", "sentences", "average", "longest", "reading ease", "reading age", "body", "fill"):
        assert column in header
    for page in default_report.pages:
        assert page.page in table
        assert 250 <= page.words <= 470 and page.longest <= 25 and page.average <= 20
        assert page.body_size == 12.0
        assert 30 <= page.reading_ease <= 100 and 8 <= page.reading_age <= 18


def test_check_reads_pack_pdf_back_and_the_manifest_counts_the_words_check_counts(default_report, default_pack):
    assert default_report.pack_pdf == "pack.pdf (6 pages) read back with the page checks"
    assert "Pack PDF: pack.pdf (6 pages)" in print_report(default_report)
    manifest = json.loads((default_pack.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert {d["audience"]: d["words"] for d in manifest["documents"]} == {
        p.page: p.words for p in default_report.pages}


# --- each check on a page made to fail it -----------------------------------------------------


def test_long_sentence_names_page_file_and_line(failing):
    root, report = failing
    [found] = [f for f in findings(report, "sentence-length") if "A sentence of" in f.message]
    assert found.page == "gps" and "33 words" in found.message and "at most 25" in found.message
    assert found.location.file == root / "content/audiences.yaml"
    assert found.location.line == line_of(root / "content/audiences.yaml", "why:")


def test_average_sentence_length_against_the_setting(failing):
    _, report = failing
    [found] = [f for f in findings(report, "sentence-length") if "average" in f.message]
    assert found.page == "gps" and "(at most 10)" in found.message
    assert f"{report.pages[0].average:.1f} words" in found.message


def test_paragraph_of_four_sentences(failing):
    root, report = failing
    [found] = findings(report, "paragraph-length")
    assert "4 sentences" in found.message and found.location.file == root / "content/audiences.yaml"


def test_list_longer_than_the_setting(failing):
    _, report = failing
    messages = " ".join(f.message for f in findings(report, "list-length"))
    assert "4 actions" in messages and "4 evidence items" in messages and "at most 3" in messages


def test_abbreviation_not_written_out_and_one_the_glossary_does_not_know(failing):
    root, report = failing
    messages = {f.message.split(" ")[0]: f for f in findings(report, "abbreviation")}
    assert "'ICB'" in messages and "not written out" in messages["'ICB'"].message
    assert "integrated care board (ICB)" in messages["'ICB'"].hint
    assert messages["'ICB'"].location.line == line_of(root / "content/audiences.yaml", "why:")
    assert "'XYZ'" in messages and "glossary does not write out" in messages["'XYZ'"].message


def test_vague_link_text_and_bare_address(failing):
    root, report = failing
    found = findings(report, "link-text")
    assert {("click here" in f.message, "bare address" in f.message) for f in found} == {(True, False), (False, True)}
    lines = {f.location.line for f in found}
    assert line_of(root / "content/audiences.yaml", "text: click here") in lines


def test_reading_ease_and_age_against_the_settings(failing):
    root, report = failing
    [ease] = findings(report, "reading-ease")
    [age] = findings(report, "reading-age")
    assert "below 90" in ease.message and "above 10" in age.message
    assert ease.location.file == root / "content/audiences.yaml"


def test_page_fill_where_the_layout_measures_it(tmp_path, monkeypatch):
    import makecase.check.run as check_module

    real = check_module.make_documents

    def half_full(*args):
        documents = real(*args)
        for document in documents:
            document.fill, document.room_words = 45.0, 150  # as the fit stage measures them
        return documents

    monkeypatch.setattr(check_module, "make_documents", half_full)
    report = check(tmp_path, audiences=["gps"], html=False)
    [found] = findings(report, "page-fill")
    assert "45% full" in found.message and "layout.min_fill is 90%" in found.message
    assert "about 150 more words" in found.hint
    assert "45%" in report.table()


def test_body_text_below_12pt_after_fitting(failing):
    _, report = failing
    [found] = findings(report, "body-size")
    assert "11.5pt" in found.message and "below 12pt" in found.message


def test_evidence_past_its_review_date(failing):
    root, report = failing
    [found] = findings(report, "review-date")
    assert "inactive-adults" in found.message and "2019-06-30" in found.message and "3 years" in found.message
    assert found.location.file == root / "content/evidence.yaml"
    assert found.location.line == line_of(root / "content/evidence.yaml", "reviewed:")


def test_example_contact_from_init_is_an_error_naming_makecase_yaml(failing):
    root, report = failing
    [found] = findings(report, "example-value")
    assert found.level == "error" and "hello@example.org" in found.message
    assert found.location.file == root / "makecase.yaml"
    assert found.location.line == line_of(root / "makecase.yaml", "hello@example.org")
    assert report.failed()


def test_cli_prints_the_table_and_each_finding_and_exits_2(failing):
    root, report = failing
    result = CliRunner().invoke(cli, ["-C", str(root), "check", "-a", "gps", "--json"])
    assert result.exit_code == 2
    data = json.loads(result.output)
    assert [p["page"] for p in data["pages"]] == ["gps"]
    assert data["html_check"].startswith("axe-core") and "2 HTML pages" in data["html_check"]
    example = next(f for f in data["findings"] if f["check"] == "example-value")
    assert example["where"] == {"file": "makecase.yaml", "line": line_of(root / "makecase.yaml", "hello@"),
                                "column": 10}
    text = print_report(report)  # what the command prints without --json
    assert "error: [example-value] gps: makecase.yaml:5:10: The example address hello@example.org" in text
    assert "content/evidence.yaml:" in text and "Check FAILED" in text


def test_warnings_fail_only_with_strict_and_a_skipped_html_check_is_said_not_failed(tmp_path, monkeypatch):
    monkeypatch.setenv("MAKECASE_CHROMIUM", "/nonexistent/chromium")
    write(tmp_path, "makecase.yaml", "check:\n  min_reading_ease: 90\n")
    result = CliRunner().invoke(cli, ["-C", str(tmp_path), "check", "-a", "gps"])
    assert result.exit_code == 0, result.output
    assert "warning: [reading-ease] gps:" in result.output and "Check passed" in result.output
    assert "HTML accessibility: skipped: Chromium was not found" in result.output
    result = CliRunner().invoke(cli, ["-C", str(tmp_path), "check", "-a", "gps", "--strict"])
    assert result.exit_code == 2 and "Check FAILED" in result.output and "--strict" in result.output


def test_html_check_says_clearly_when_chromium_is_missing(monkeypatch, default_pack):
    monkeypatch.setenv("MAKECASE_CHROMIUM", "/nonexistent/chromium")
    status, found = check_html(None, [], "<html></html>")
    assert status.startswith("skipped: Chromium was not found") and "apt-get install chromium" in status
    assert [f.level for f in found] == ["note"]


def test_html_check_names_the_page_of_an_axe_violation(default_pack):
    broken = '<!DOCTYPE html><html lang="en"><head><title>x</title></head><body><main><h1>Hi</h1>' \
             '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></body></html>'
    status, found = check_html(None, [], broken)
    assert status.startswith("axe-core")
    assert any(f.page == "index" and "image-alt" in f.message for f in found)


# --- sentence splitting and reading figures -----------------------------------------------------


@pytest.mark.parametrize("text, count", [
    ("Use brief advice, e.g. the NICE guide. It works.", 2),
    ("Walk more, i.e. every day. Then rest.", 2),
    ("Dr. Patel leads it. We agree.", 2),
    ("It rose 2.5 times to £1.2 billion. Then it fell.", 2),
    ("Walking, cycling, swimming etc. are all good for you.", 1),
    ("One. Two! Three? “Four.” Five.", 5),
])
def test_sentences_do_not_split_at_abbreviations_or_decimals(text, count):
    assert len(plain.sentences(text)) == count, plain.sentences(text)


def test_reading_ease_and_age_rank_plain_text_above_dense_text():
    easy = "The cat sat on the mat. It was a warm day. We went for a walk."
    hard = ("Comprehensive multidisciplinary interventions necessitate organisational "
            "prioritisation of population-level physical activity considerations.")
    assert plain.reading_ease(easy) > 80 > 0 > plain.reading_ease(hard)
    assert plain.reading_age(easy) < 10 < 20 < plain.reading_age(hard)


def test_every_pdf_and_the_pack_pdf_go_through_the_independent_validator(default_report):
    """page-validation's PDF/UA-1 profile over the six pages and pack.pdf: all compliant, said
    in the report and in --json."""
    assert default_report.validator.startswith("page-validation ")
    assert default_report.validator.endswith("PDF/UA-1: 7 of 7 PDF(s) compliant")
    assert "PDF/UA validator: page-validation" in print_report(default_report, strict=True)
    assert default_report.as_json()["pdf_validator"] == default_report.validator
    assert not [f for f in default_report.findings if f.check == "pdf-validator"]


def test_a_validator_finding_fails_the_check_and_names_its_page(default_report):
    from dataclasses import replace

    from makecase.check.findings import ERROR, Finding

    failing = replace(default_report, findings=default_report.findings + [
        Finding(ERROR, "pdf-validator", "pack", "page-validation (PDF/UA-1): An LI structure element is not "
                "contained in an L structure element [PDFUA1-LI-PARENT-001].")])
    assert failing.failed() and failing.failed(strict=True)
    assert "error: [pdf-validator] pack: page-validation (PDF/UA-1)" in print_report(failing)
