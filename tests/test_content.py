"""The default content pack follows the report and NHS content style, checked rule by rule."""

from __future__ import annotations

import json
import re

import pytest

from conftest import AUDIENCE_IDS, pdf_text, squash
from makecase.text import plain_english as plain
from makecase.page.compose import compose
from makecase.load.loader import load_project
from makecase.page.render import Renderer
from test_sources import report_text

# Abbreviations a reader needs no expansion for (NHS content style).
WELL_KNOWN = {"NHS", "GP", "GPs", "UK", "COVID"}


@pytest.fixture(scope="module")
def content(tmp_path_factory):
    return load_project(tmp_path_factory.mktemp("empty"))


@pytest.fixture(scope="module")
def screen_pages(content):
    renderer = Renderer(content)
    return {a: renderer.render_html(compose(content, content.audiences[a]), "screen") for a in AUDIENCE_IDS}


def test_the_six_audiences_of_appendix_3_and_chapter_5(content):
    assert list(content.audiences) == AUDIENCE_IDS


@pytest.mark.parametrize("audience", AUDIENCE_IDS)
def test_each_page_holds_250_to_450_words_counting_everything(default_pack, content, audience):
    count = len(plain.words(pdf_text(default_pack.out_dir / f"{audience}.pdf")))
    # Everything but the small print makecase adds for paper: the figures' source credits
    # (each repeats a source already cited on the page) and the QR code's "Scan or go to"; and
    # the heading "The case", which is there for screen readers and not seen on paper.
    briefing = compose(content, content.audiences[audience])
    furniture = [f"Source: {f.credit}" for f in briefing.key_figures] + ["Scan or go to", "The case"]
    count -= sum(len(plain.words(text)) for text in furniture)
    assert 250 <= count <= 450, f"{audience}: {count} words"


def test_every_audience_fits_one_page_at_12pt_body_text(default_pack):
    manifest = json.loads((default_pack.out_dir / "manifest.json").read_text())
    sizes = {d["audience"]: d["body_size_pt"] for d in manifest["documents"]}
    assert sizes == {a: 12.0 for a in AUDIENCE_IDS}


def _prose(content):
    for audience in content.audiences.values():
        yield f"{audience.id}.why", audience.why
        yield f"{audience.id}.key_message", audience.key_message
        for i, action in enumerate(audience.actions):
            yield f"{audience.id}.actions.{i}", action
    for item in content.evidence.values():
        yield f"{item.id}.body", item.body
        yield f"{item.id}.headline", item.headline
    for story in content.stories.values():
        yield f"{story.id}.did", story.did
        yield f"{story.id}.helped", story.helped


def test_sentences_are_25_words_or_fewer_and_20_on_average(content):
    lengths = []
    for where, text in _prose(content):
        for sentence in plain.sentences(text):
            n = len(plain.words(sentence))
            assert n <= 25, f"{where}: {n} words: {sentence}"
            lengths.append(n)
    assert sum(lengths) / len(lengths) <= 20


def test_paragraphs_have_at_most_three_sentences_and_lists_six_items(content):
    for where, text in _prose(content):
        assert len(plain.sentences(text)) <= 3, where
    for audience in content.audiences.values():
        assert len(audience.actions) <= 6 and len(audience.signposts) <= 6 and len(audience.evidence) <= 6


def test_no_block_capitals(content):
    for where, text in _prose(content):
        shouting = [w for w in re.findall(r"\b[A-Z]{2,}\b", text)
                    if w not in WELL_KNOWN and w not in {t.abbreviation for t in content.glossary.values()}]
        assert not shouting, f"{where}: {shouting}"


@pytest.mark.parametrize("audience", AUDIENCE_IDS)
def test_abbreviations_are_written_out_on_first_use(content, screen_pages, audience):
    text = " ".join(plain.visible_text_blocks(screen_pages[audience]))
    for term in content.glossary.values():
        abbr = term.abbreviation
        if not abbr or abbr in WELL_KNOWN:
            continue
        first = re.search(rf"\b{re.escape(abbr)}s?\b", text)
        if first is None:
            continue
        before = text[:first.start()]
        lead = before.lower().rstrip()
        assert lead.endswith(f"{term.term.lower()} (") or lead.endswith(f"{term.term.lower()}s ("), (
            f"{audience}: first '{abbr}' is not preceded by '{term.term} (': …{before[-60:]}")


def test_every_source_has_an_https_link_or_is_the_report(content):
    for item in content.evidence.values():
        for source in item.sources:
            assert source.is_report or (source.url and source.url.startswith("https://")), item.id
    for audience in content.audiences.values():
        assert all(s.url.startswith("https://") for s in audience.signposts)


def test_every_evidence_item_has_a_review_date(content):
    assert all(item.reviewed for item in content.evidence.values())


def test_every_lever_is_used_by_at_least_one_audience(content):
    used = {content.evidence[e].lever for a in content.audiences.values() for e in a.evidence}
    assert set(content.levers) == used
    assert not content.warnings


def test_appendix_3_levers_and_chapter_5_points_are_on_the_menu(content):
    assert {"performance", "guidance", "research", "active-travel", "clinical-pathways", "stories",
            "involvement", "upskilling", "workforce-health", "system-mapping"} <= set(content.levers)


def test_stories_are_the_four_case_studies_of_appendix_1(content):
    assert {s.place for s in content.stories.values()} == {"Dorset", "Essex", "Kirklees", "South Tees"}


def test_quotes_are_verbatim_from_the_report_with_codes(content):
    report = report_text()
    for quote in content.quotes.values():
        # A closing "…" marks a sentence that goes on in the report; the words before it are verbatim.
        assert squash(quote.text).removesuffix("…") in squash(report), f"quote {quote.id} is not verbatim"
        assert f"{quote.code})" in report, f"code {quote.code} not in the report"


@pytest.mark.parametrize("audience", AUDIENCE_IDS)
def test_since_2020_changes_are_said_where_they_matter(screen_pages, audience):
    text = " ".join(plain.visible_text_blocks(screen_pages[audience]))
    if "clinical commissioning group" in text.lower() or "CCG" in text:
        assert "1 July 2022" in text, f"{audience} mentions CCGs without saying they were replaced"
    assert "Public Health England (PHE)" not in text or "2021" in text
