"""Every claim on a page is exact to its source: report passages are found in the report's text,
other sources carry a link, where to look and a checked date, and `explain --sources` shows them."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import AUDIENCE_IDS, REPO, squash
from makecase.cli import cli
from makecase.compose import compose
from makecase.load import load_project
from makecase.model import Source

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


def test_a_placeholder_source_from_init_is_an_error(project):
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
    result = CliRunner().invoke(cli, ["-C", str(project.root), "validate"])
    assert result.exit_code == 2
    assert "evidence.yaml:7" in result.output  # the source's first line
    assert "example from `makecase init`" in result.output


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
