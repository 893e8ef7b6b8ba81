"""The fit stage: content before type (a page leaves out its lowest-priority evidence items, down to
layout.min_items), then the type floor: the smallest body size it promises to try is the one it
tries and names."""

from __future__ import annotations

import json
import re
import textwrap

import pypdf
import pytest

import makecase
from makecase.pack.report import document_line
from conftest import invoke, pdf_text, squash
from makecase.page.fit import DoesNotFit, PageFitter
from makecase.load.settings import Layout

TOO_LONG = "<html><body>" + "<p>Walking groups meet every week in every park.</p>" * 400 + "</body></html>"
SHORT = "<html><body><p>Walking groups meet every week.</p></body></html>"


def overflow(tmp_path, layout: Layout, label: str = "gps") -> tuple[DoesNotFit, list[float]]:
    fitter = PageFitter([tmp_path])
    tried: list[float] = []
    render = fitter._render

    def spy(html, size, extra=None):
        tried.append(size)
        return render(html, size, extra)

    fitter._render = spy
    with pytest.raises(DoesNotFit) as caught:
        fitter.fit(TOO_LONG, tmp_path, layout, label)
    return caught.value, tried


def test_a_floor_between_steps_is_tried_and_named(tmp_path):
    error, tried = overflow(tmp_path, Layout(body_size=12, min_body_size=11.1))
    # 12, 11.75, 11.5, 11.25 and then the floor itself, not 11.0 (below it) nor a stop at 11.25.
    assert tried[:5] == [12, 11.75, 11.5, 11.25, 11.1]
    assert min(tried) == 11.1
    assert "at the 11.1pt minimum" in error.problem.message


def test_the_overflow_problem_carries_the_callers_label(tmp_path):
    error, _ = overflow(tmp_path, Layout(body_size=11, min_body_size=11), label="audience gps")
    assert error.problem.key == "audience gps"
    assert "Does not fit on one page" in error.problem.message and error.problem.hint.startswith("Cut about")


def test_a_page_that_fits_keeps_its_starting_size(tmp_path):
    page = PageFitter([tmp_path]).fit(SHORT, tmp_path, Layout(body_size=12, min_body_size=11.1), "gps")
    assert page.body_size == 12 and page.room_words > 0


# --- content before type: a page takes as many of its audience's evidence items as fit at 12pt ---

SIX = ["inactive-adults", "nice-brief-advice", "active-practice-charter", "clinical-champions",
       "falls-admissions", "staff-sickness"]


def gps_listing(project, evidence: list[str], settings: str = "") -> None:
    project.write("content/audiences.yaml", f"""
        audiences:
          - id: gps
            evidence: [{', '.join(evidence)}]
        """)
    if settings:
        project.write("makecase.yaml", settings)


def built_gps(project, out: str = "output"):
    report = makecase.build(project.root, audiences=["gps"], out=project.root / out)
    manifest = json.loads((project.root / out / "manifest.json").read_text())
    entry = next(d for d in manifest["documents"] if d["audience"] == "gps")
    return report, entry, project.root / out / "gps.pdf"


def test_a_page_too_long_for_its_list_leaves_out_the_last_items_not_its_type_size(project):
    gps_listing(project, SIX)
    report, entry, pdf = built_gps(project)
    document = report.documents[0]
    assert len(pypdf.PdfReader(pdf).pages) == 1 and document.body_size == 12
    taken = entry["evidence"]
    # The first items in priority order, at least the floor, and not all six: the page had no room.
    assert 3 <= len(taken) < 6 and taken == SIX[:len(taken)] and entry["left_out"] == SIX[len(taken):]
    # One layout, one tall measurement and one layout a step: the side column's "What helped",
    # then the items that must go, in one step.
    assert document.fill >= 90 and document.layouts <= 5
    text = squash(pdf_text(pdf))
    assert "Staff health is a cost you can act on" not in text  # staff-sickness's headline: left out
    # Each left-out item is a warning naming it, pointing at the project's own list.
    left = [w for w in report.warnings if "leaves out evidence item" in w.message]
    assert [w.message.split("'")[3] for w in left] == SIX[len(taken):]
    assert all(w.location.file == project.root / "content/audiences.yaml" for w in left)
    # The web page shows the items the printed page shows.
    html = (project.root / "output/gps.html").read_text()
    assert "Staff health is a cost you can act on" not in html


def test_the_same_list_makes_the_same_bytes_and_an_unchanged_page_keeps_its_warnings(project):
    gps_listing(project, SIX)
    _, _, first = built_gps(project, "one")
    _, _, second = built_gps(project, "two")
    assert first.read_bytes() == second.read_bytes()
    again, entry, _ = built_gps(project, "two")  # nothing changed: the page is not laid out again
    assert not again.documents and entry["left_out"]
    assert any("leaves out evidence item 'staff-sickness'" in w.message for w in again.warnings)


def test_items_are_kept_down_to_layout_min_items_before_type_shrinks(project):
    gps_listing(project, SIX, "layout:\n  min_items: 5\n  min_body_size: 10\n")
    report, entry, pdf = built_gps(project)
    assert entry["evidence"] == SIX[:5] and entry["left_out"] == SIX[5:]
    assert report.documents[0].body_size < 12 and len(pypdf.PdfReader(pdf).pages) == 1


def test_explain_names_what_the_page_left_out_and_why(project):
    gps_listing(project, SIX)
    code, out = invoke("--project", str(project.root), "explain", "gps")
    assert code == 0, out
    assert re.search(r"left out 6: staff-sickness +packaged content/evidence\.yaml:\d+: no room on the "
                     r"page at 12pt after the \d above", out), out
    assert "site-packages" not in out


def test_a_place_with_local_figures_loses_content_not_type_size(project):
    """A place's taller figure band pushes both columns down. The evidence column leaves out
    its lowest-priority items; the side column ("What you can do" and the story), which no item
    can shorten, leaves out the story's "What helped" and then its last actions; the type
    stays at 12pt."""
    figures = """
              - value: "25%"
                label: of adults in Calderdale did less than 30 minutes of moderate intensity activity a week, in Sport England's Active Lives survey of all adults aged 19 and over, November 2023 to November 2024, the latest year published for the council's area
                source:
                  title: Calderdale physical activity profile
                  publisher: Calderdale Council
                  year: 2025
                  url: https://www.calderdale.gov.uk/physical-activity-profile
                  section: Adults, table 1
                  checked: 2026-11-27"""
    gps_listing(project, SIX)
    _, alone, _ = built_gps(project)
    project.write("content/places.yaml", "places:\n  - id: calderdale\n    name: Calderdale\n"
                  "    figures:" + textwrap.indent(textwrap.dedent(figures), "      "))
    report, entry, pdf = built_gps(project)
    document = report.documents[0]
    assert document.slug == "calderdale/gps" and len(pypdf.PdfReader(pdf.parent / "calderdale/gps.pdf").pages) == 1
    assert document.body_size == 12 and document.fill >= 90
    assert len(entry["evidence"]) <= len(alone["evidence"]) and entry["left_out"] == SIX[len(entry["evidence"]):]
    assert entry["shortened"] >= 1  # the side column was the one too long
    html = (pdf.parent / "calderdale" / "gps.html").read_text(encoding="utf-8")
    assert "What helped" not in html and "Dorset" in html  # the story stays, shorter
    assert 'without the story\'s "What helped"' in document_line(document)
