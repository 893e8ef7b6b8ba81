"""Content that says when it goes stale (issue 21): review-by dates, next releases and dated
phrases, found by `makecase check` on the day it runs or on the day `--as-of` names."""

from __future__ import annotations

import datetime as dt
import textwrap

from click.testing import CliRunner

from makecase.check.run import check
from makecase.check.staleness import dated_phrases
from makecase.cli.commands import cli
from makecase.load.loader import load_project
from makecase.page.compose import briefings_for

TODAY = dt.date(2026, 12, 6)


def test_dated_phrases_are_found_once_their_date_has_passed():
    text = ("ICB mergers were set for 1 April 2026. The guidance for 2025/26 applies. "
            "Champions are funded until March 2028. By 2020, Dorset had trained its staff. "
            "Active Lives 2023-24 shows it. Data for 2024 show it. The plan is due in April 2027. "
            "The survey for November 2023-24 found it.")
    now = [message for message, _ in dated_phrases(text, TODAY)]
    assert any('"set for 1 April 2026"' in m for m in now)
    assert any('"for 2025/26"' in m and "2026-03-31" in m for m in now)
    assert not any("2028" in m or "2027" in m or "2020" in m or "2023" in m or "2024" in m for m in now)
    year_on = " ".join(message for message, _ in dated_phrases(text, dt.date(2028, 6, 1)))
    assert '"until March 2028"' in year_on and '"due in April 2027"' in year_on
    assert "By 2020" not in year_on  # history, not a plan


def test_the_packaged_content_records_when_to_check_its_dated_claims(tmp_path):
    project = load_project(tmp_path)
    dated = {item.id: item.review_by for item in project.evidence.values() if item.review_by}
    assert {"inactive-adults", "staff-sickness", "local-incentives", "clinical-champions"} <= set(dated)
    assert all(date > TODAY for date in dated.values()), "a review date in the packaged content has passed"


def test_a_year_on_check_names_every_passed_review_date_and_dated_phrase(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "evidence.yaml").write_text(textwrap.dedent("""\
        evidence:
          - id: local-walks
            lever: active-travel
            headline: Local walking groups
            body: Our new walking routes were set for 1 April 2027, with funding for 2026/27.
            sources:
              - title: Walking for health
                publisher: Ramblers
                year: 2024
                url: https://www.walkingforhealth.org.uk/
                section: About us
                checked: 2026-11-01
                next_release: 2027-06-01
            reviewed: 2026-11-01
            review_by: 2027-09-30
        """), encoding="utf-8")
    (tmp_path / "content" / "audiences.yaml").write_text(textwrap.dedent("""\
        audiences:
          - id: gps
            evidence: [local-walks, nice-brief-advice, active-practice-charter, clinical-champions]
        """), encoding="utf-8")
    year_on = dt.date(2028, 6, 1)
    today = check(tmp_path, audiences=["gps"], html=False, today=TODAY)
    assert not [f for f in today.findings if f.check in ("review-by", "next-release", "dated-phrase")]

    later = check(tmp_path, audiences=["gps"], html=False, today=year_on)
    said = {(f.check, f.message) for f in later.findings}
    messages = " ".join(message for _, message in said)
    assert "evidence item 'local-walks' was due to be checked again by 2027-09-30" in messages
    assert "'Walking for health' (Ramblers)" in messages and "2027-06-01" in messages
    assert '"set for 1 April 2027"' in messages and '"for 2026/27"' in messages
    # Every packaged item on the page whose review date has passed by then is named too.
    project = load_project(tmp_path)
    briefing = next(iter(briefings_for(project, ["gps"])))
    for case in briefing.cases:
        if case.item.review_by and case.item.review_by < year_on:
            assert f"evidence item '{case.item.id}'" in messages
    where = [f for f in later.findings if f.check == "review-by"][0].location
    assert where.file.name == "evidence.yaml" and where.line
    assert later.failed(strict=True)


def test_check_as_of_a_later_day_on_the_command_line(tmp_path):
    result = CliRunner().invoke(cli, ["-C", str(tmp_path), "check", "-a", "gps", "--as-of", "2028-06-01"])
    assert "[review-by] gps:" in result.output and "clinical-champions" in result.output
    result = CliRunner().invoke(cli, ["-C", str(tmp_path), "check", "-a", "gps", "--as-of", "June 2028"])
    assert result.exit_code == 2 and "--as-of" in result.output and "%Y-%m-%d" in result.output
    assert "Traceback" not in result.output
