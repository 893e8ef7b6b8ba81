"""Every claim on a page is exact to its source: report passages are found in the report's text,
other sources carry a link, where to look and a checked date, and `explain --sources` shows them."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import AUDIENCE_IDS, REPO, squash
from makecase.cli.commands import cli
from makecase.page.compose import compose
from makecase.load.loader import load_project
from makecase.load.model import Source

REPORT_DIR = REPO.parent / "shared" / "source"


def report_text() -> str:
    """The report, from ../shared/source/ beside the checkout (there in CI too: never skipped)."""
    texts = sorted(REPORT_DIR.glob("*.txt"))
    assert texts, f"the report's text is missing: expected a .txt file in {REPORT_DIR}"
    # Footnote markers (CQUINs³) are superscript digits in the text; quotes and passages omit them.
    return re.sub("[¹²³⁴⁵⁶⁷⁸⁹⁰]", "", texts[0].read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def content(tmp_path_factory):
    return load_project(tmp_path_factory.mktemp("empty"))


@pytest.fixture(scope="module")
def report() -> str:
    return squash(report_text())


def every_source(content) -> list[tuple[str, Source]]:
    found = []
    for item in content.evidence.values():
        found += [(f"evidence {item.id}", s) for s in item.sources]
    for audience in content.audiences.values():
        found += [(f"audience {audience.id}", s) for s in audience.sources]
    for story in content.stories.values():
        found += [(f"story {story.id}", story.source)] if story.source else []
    for quote in content.quotes.values():
        found += [(f"quote {quote.id}", quote.source)] if quote.source else []
    for term in content.glossary.values():
        found += [(f"glossary {term.id}", term.source)] if term.source else []
    return found


def test_every_report_passage_is_in_the_report_word_for_word(content, report):
    passages = [(where, s.passage) for where, s in every_source(content) if s.is_report]
    assert len(passages) >= 20
    # A passage may join excerpts of the same source with " … ": each must be in the report.
    missing = [f"{where}: {part[:70]}…" for where, passage in passages
               for part in passage.split("…") if squash(part) not in report]
    assert not missing, "passages not found in the report:\n" + "\n".join(missing)


def test_every_other_source_has_a_link_where_to_look_and_a_recent_check(content):
    for where, source in every_source(content):
        if source.is_report:
            continue
        assert source.url.startswith("https://"), where
        assert source.section or source.passage, where
        assert dt.date(2026, 1, 1) <= source.checked <= dt.date.today(), f"{where}: checked {source.checked}"


def test_every_page_says_where_its_facts_come_from(content):
    for audience in content.audiences.values():
        assert audience.sources, f"{audience.id}: key message, why and actions need sources"
        briefing = compose(content, audience)
        assert briefing.story is None or briefing.story.source is not None, audience.id


def test_every_link_on_every_page_was_checked(content):
    for audience in content.audiences.values():
        links = list(audience.signposts)
        story = content.stories.get(audience.story) if audience.story else None
        links += story.links if story else []
        for link in links:
            assert link.url.startswith("https://"), f"{audience.id}: {link.url}"
            assert link.checked is not None, f"{audience.id}: {link.url} has no checked date"


def test_every_evidence_item_is_on_some_page(content):
    shown = {e for a in content.audiences.values() for e in a.evidence}
    assert set(content.evidence) == shown


def test_a_placeholder_source_from_init_is_caught_before_it_goes_out(project):
    """The scaffold's examples build when uncommented, so their values are warnings that
    validate and check name, and that --strict (as in CI) turns into a failure."""
    project.write("content/evidence.yaml", """
        evidence:
          - id: local-claim
            lever: research
            headline: A local claim
            body: Something local.
            sources:
              - title: The source's title
                publisher: Someone
                year: 2025
                url: https://www.example.org/report
                section: page 1
                checked: 2026-11-01
            reviewed: 2026-11-01
        """)
    warned = CliRunner().invoke(cli, ["-C", str(project.root), "validate"])
    assert warned.exit_code == 0
    assert "content/evidence.yaml:7:" in warned.output and "example from `makecase init`" in warned.output
    assert "content/evidence.yaml:10:" in warned.output and "example.org" in warned.output
    strict = CliRunner().invoke(cli, ["-C", str(project.root), "validate", "--strict"])
    assert strict.exit_code == 2


def test_a_report_claim_without_its_passage_is_an_error(project):
    project.write("content/evidence.yaml", """
        evidence:
          - id: local-claim
            lever: research
            headline: A local claim
            body: Something local.
            sources:
              - title: Engaging NHS system leaders in whole systems approaches to physical activity
                publisher: Public Health England and UWE Bristol
                year: 2020
            reviewed: 2026-11-01
        """)
    result = CliRunner().invoke(cli, ["-C", str(project.root), "validate"])
    assert result.exit_code == 2
    assert "evidence.yaml:7" in result.output and "'passage'" in result.output


def test_explain_sources_prints_each_claim_beside_its_passage_and_link(tmp_path):
    result = CliRunner().invoke(cli, ["-C", str(tmp_path), "explain", "trust-executives", "--sources"])
    assert result.exit_code == 0, result.output
    content = load_project(tmp_path)
    audience = content.audiences["trust-executives"]
    for evidence_id in audience.evidence:
        item = content.evidence[evidence_id]
        assert item.headline in result.output
        for source in item.sources:
            assert (source.url or source.title) in result.output
            if source.passage:
                assert " ".join(source.passage.split())[:60] in result.output
    assert "checked 2026-" in result.output


def test_every_packaged_story_says_it_is_from_2020(content):
    """The case studies describe 2020: none may read as if it described today."""
    for story in content.stories.values():
        assert "2020" in f"{story.did} {story.helped}", f"story {story.id} does not say when"
        assert story.contact is None, f"story {story.id} prints a 2020 contact"


@pytest.mark.parametrize("audience", AUDIENCE_IDS)
def test_every_page_shows_a_sourced_figure(default_pack, audience):
    from conftest import pdf_text
    document = next(d for d in default_pack.documents if d.briefing.audience.id == audience)
    figures = [c for c in document.briefing.cases if c.item.figure]
    assert figures, f"{audience} has no key figure"
    text = squash(pdf_text(default_pack.out_dir / f"{audience}.pdf"))
    for case in figures:
        assert case.item.figure.value in text
        assert case.item.sources[0].title[:40] in text, f"{audience}: figure {case.item.figure.value} without its source"


def test_the_trust_page_makes_the_case_in_money_beds_and_staff_absence(default_pack):
    from conftest import pdf_text
    text = squash(pdf_text(default_pack.out_dir / "trust-executives.pdf"))
    # Money: a saving with its year and basis, reconciled with Sport England's £10.5bn (2022/23).
    assert "£8 billion" in text and "2023/24" in text and "£10.5 billion" in text and "2022/23" in text
    # Beds: shorter stays (NICE NG180) and falls admissions (NICE NG249).
    assert "shorten stays" in text and "NG180" in text
    assert "emergency admissions for falls" in text and "NG249" in text
    # Staff: a source that links activity to sickness absence, and where to compare the rate.
    assert "sickness leave" in text and "Physical activity in the workplace (PH13)" in text
    assert "£5.8 billion" in text and "NHS Sickness Absence Rates" in text


LOCAL_QUOTE = """
quotes:
  - id: l3-our-own-pick
    text: a quick and easy thing that they can do.
    speaker: Director of Public Health
    code: L3
"""


def test_a_local_quote_beside_a_case_study_story_is_refused(project):
    project.write("content/evidence.yaml", LOCAL_QUOTE)
    project.write("content/audiences.yaml", """
        audiences:
          - id: gps
            quote: l3-our-own-pick
        """)
    result = CliRunner().invoke(cli, ["-C", str(project.root), "validate"])
    assert result.exit_code == 2, result.output
    assert "content/audiences.yaml:3:" in result.output
    assert "l3-our-own-pick" in result.output and "dorset-primary-care" in result.output
    assert "could identify who said it" in result.output and "national interviewee" in result.output


def test_a_local_quote_beside_a_story_from_elsewhere_builds(project, tmp_path):
    project.write("content/evidence.yaml", LOCAL_QUOTE)
    project.write("content/stories.yaml", """
        stories:
          - id: calderdale-walks
            place: Halifax, Calderdale
            title: walking groups with GP practices
            did: Three practices and the council started weekly walking groups in 2025.
            helped: Practice staff who walked with patients.
            links:
              - text: Our walking groups
                url: https://www.movemoreyorkshire.org.uk/walks
                checked: 2026-11-20
            reviewed: 2026-11-20
        """)
    project.write("content/audiences.yaml", """
        audiences:
          - id: gps
            quote: l3-our-own-pick
            story: calderdale-walks
        """)
    result = CliRunner().invoke(cli, ["-C", str(project.root), "build", "-a", "gps", "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert "a quick and easy thing that they can do" in (tmp_path / "o" / "gps.html").read_text()


def test_a_place_whose_story_is_a_case_study_is_checked_too(project):
    project.write("content/evidence.yaml", LOCAL_QUOTE)
    project.write("content/stories.yaml", """
        stories:
          - id: calderdale-walks
            place: Calderdale
            title: walking groups
            did: Weekly walking groups since 2025.
            helped: Practice staff.
            links:
              - text: Our walking groups
                url: https://www.movemoreyorkshire.org.uk/walks
            reviewed: 2026-11-20
        """)
    project.write("content/audiences.yaml", """
        audiences:
          - id: gps
            quote: l3-our-own-pick
            story: calderdale-walks
        """)
    project.write("content/places.yaml", """
        places:
          - id: kirklees
            name: Kirklees
            story: kirklees
        """)
    result = CliRunner().invoke(cli, ["-C", str(project.root), "validate"])
    assert result.exit_code == 2, result.output
    assert "content/places.yaml:4:" in result.output and "the gps page for kirklees" in result.output
