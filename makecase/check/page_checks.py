"""Check stage, one page: the plain-English figures of a page and everything found wrong with it.

Content findings name the file and line to change (each model knows where its keys were
written); the PDF is read back with pikepdf (pdfcheck.py). check.py runs these over every page.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterator

from makecase.text import plain_english as plain
from makecase.page.compose import Briefing
from makecase.errors import Location
from makecase.check.example_values import example_values
from makecase.check.findings import ERROR, NOTE, WARNING, Finding, PageFigures
from makecase.check.staleness import staleness_findings
from makecase.load.model import Item
from makecase.page.document import Document
from makecase.load.project import Project

# Link text that says nothing out of context (WCAG 2.4.4, GOV.UK and NHS content style).
VAGUE_LINK_TEXT = {"click here", "here", "read more", "more", "this link", "link", "this page",
                   "learn more", "find out more", "more information", "more info", "website",
                   "click", "download", "go"}
ADDRESS = re.compile(r"^(https?://|www\.)|^[\w.-]+\.(org|uk|com|net|gov|nhs|io|info)(/\S*)?$", re.I)
CAPITALS = re.compile(r"\b[A-Z]{2,}s?\b")
MD_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
MD_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.M)


def check_page(project: Project, document: Document, page_html: str,
               today: dt.date) -> tuple[PageFigures, list[Finding]]:
    """The plain-English figures of one page and everything found wrong with it."""
    briefing = document.briefing
    settings = project.settings.check
    slug = briefing.slug
    page_text = plain.page_text(page_html)
    pieces = list(prose(briefing))
    # The figures are of our own running text: headings and labels are not sentences, and a
    # verbatim quote is the speaker's (its words still count in `words`).
    running = [p for p in pieces if p.running and not p.verbatim]
    figures, has_sentences = page_figures(document, page_text, running)

    findings = length_findings(settings, briefing, running, figures)
    findings += reading_findings(settings, briefing, figures, has_sentences)
    findings += [Finding(WARNING, "abbreviation", slug, message, where, hint)
                 for message, where, hint in _abbreviations(project, briefing, page_text, pieces)]
    findings += [Finding(WARNING, "link-text", slug, message, where, hint)
                 for message, where, hint in _link_texts(briefing)]
    findings += layout_findings(project, document, figures)
    findings += review_date_findings(settings, briefing, today)
    findings += staleness_findings(briefing, page_text, today)
    findings += [Finding(ERROR, "example-value", slug, message, where, hint)
                 for message, where, hint in example_values(project, page_html)]
    findings += pdf_findings(document, page_text)
    return figures, findings


def page_figures(document: Document, page_text: str, running: list[Prose]) -> tuple[PageFigures, bool]:
    """The page's figures for the table, and whether its running text has any sentences."""
    sentence_lengths = [len(plain.words(s)) for p in running for s in plain.sentences(p.text)]
    running_text = " ".join(p.text for p in running)
    figures = PageFigures(
        page=document.briefing.slug, words=len(plain.words(page_text)), sentences=len(sentence_lengths),
        average=round(sum(sentence_lengths) / len(sentence_lengths), 1) if sentence_lengths else 0.0,
        longest=max(sentence_lengths, default=0),
        reading_ease=round(plain.reading_ease(running_text), 1),
        reading_age=round(plain.reading_age(running_text), 1),
        body_size=document.body_size, fill=_fill(document))
    return figures, bool(sentence_lengths)


def length_findings(settings, briefing: Briefing, running: list[Prose], figures: PageFigures) -> list[Finding]:
    """Sentences, paragraphs and lists, each with the file and line to change."""
    slug = briefing.slug
    findings: list[Finding] = []
    for piece in running:
        for sentence in plain.sentences(piece.text):
            count = len(plain.words(sentence))
            if count > settings.max_sentence_words:
                findings.append(Finding(WARNING, "sentence-length", slug,
                    f"A sentence of {count} words in {piece.label} (at most {settings.max_sentence_words}): "
                    f"\u201c{_clip(sentence)}\u201d", piece.where, "Split it in two, or cut words."))
        for paragraph in re.split(r"\n\s*\n", piece.text):
            if MD_LIST_ITEM.match(paragraph):
                continue
            count = len(plain.sentences(paragraph))
            if count > settings.max_paragraph_sentences:
                findings.append(Finding(WARNING, "paragraph-length", slug,
                    f"A paragraph of {count} sentences in {piece.label} (at most "
                    f"{settings.max_paragraph_sentences}): \u201c{_clip(paragraph)}\u201d", piece.where,
                    "Cut a sentence, or start a new paragraph with a blank line."))
        items = len(MD_LIST_ITEM.findall(piece.text))
        if items > settings.max_list_items:
            findings.append(Finding(WARNING, "list-length", slug,
                f"A list of {items} items in {piece.label} (at most "
                f"{settings.max_list_items}).", piece.where, "Keep the strongest items."))
    if figures.average > settings.max_average_sentence_words:
        findings.append(Finding(WARNING, "sentence-length", slug,
            f"Sentences average {figures.average:.1f} words (at most "
            f"{settings.max_average_sentence_words:g}).", briefing.audience.where(),
            "Split the longest sentences."))
    for name, count, where in _lists(briefing):
        if count > settings.max_list_items:
            findings.append(Finding(WARNING, "list-length", slug,
                                    f"{count} {name} on the page (at most {settings.max_list_items}).",
                                    where, "Keep the strongest ones."))
    return findings


def reading_findings(settings, briefing: Briefing, figures: PageFigures, has_sentences: bool) -> list[Finding]:
    """Reading ease and age of the running text."""
    findings: list[Finding] = []
    if has_sentences and figures.reading_ease < settings.min_reading_ease:
        findings.append(Finding(WARNING, "reading-ease", briefing.slug,
            f"Flesch reading ease {figures.reading_ease:.0f}, below "
            f"{settings.min_reading_ease:g}.", briefing.audience.where(),
            "Use shorter sentences and shorter words."))
    if has_sentences and figures.reading_age > settings.max_reading_age:
        findings.append(Finding(WARNING, "reading-age", briefing.slug,
            f"Reading age {figures.reading_age:.0f}, above "
            f"{settings.max_reading_age:g}.", briefing.audience.where(),
            "Use shorter sentences and shorter words."))
    return findings


def layout_findings(project: Project, document: Document, figures: PageFigures) -> list[Finding]:
    """Body size and page fill, as the fit stage left them."""
    settings = project.settings.check
    briefing = document.briefing
    findings: list[Finding] = []
    if document.body_size is not None and document.body_size < settings.min_body_size:
        findings.append(Finding(WARNING, "body-size", briefing.slug,
            f"Body text is {document.body_size:g}pt after fitting, below "
            f"{settings.min_body_size:g}pt.", briefing.audience.where(),
            "Cut words until the page fits at 12pt (see `makecase explain` for what is on it)."))
    min_fill = project.settings.layout.min_fill / 100  # one threshold for build and check
    if figures.fill is not None and figures.fill < min_fill:
        findings.append(Finding(WARNING, "page-fill", briefing.slug,
            f"The page is {figures.fill * 100:.0f}% full (layout.min_fill is "
            f"{min_fill * 100:.0f}%).", briefing.audience.where(),
            f"It could take about {getattr(document, 'room_words', 0)} more words: add an evidence "
            "item, an action or a story."))
    return findings


def review_date_findings(settings, briefing: Briefing, today: dt.date) -> list[Finding]:
    """Evidence past its review date."""
    limit_days = settings.max_evidence_age_years * 365.25
    dated: list[tuple[str, Item, dt.date]] = [(f"evidence item '{c.item.id}'", c.item, c.item.reviewed)
                                              for c in briefing.cases]
    if briefing.story:
        dated.append((f"story '{briefing.story.id}'", briefing.story, briefing.story.reviewed))
    findings: list[Finding] = []
    for label, item, reviewed in dated:
        if (today - reviewed).days > limit_days:
            findings.append(Finding(WARNING, "review-date", briefing.slug,
                f"The {label} was last reviewed on {reviewed.isoformat()}, more "
                f"than {settings.max_evidence_age_years:g} years ago.", item.where("reviewed"),
                "Check it against its sources, update it, and set 'reviewed' to today's date."))
    return findings


def pdf_findings(document: Document, page_text: str) -> list[Finding]:
    """The PDF, read back."""
    from makecase.check.pdf import check_pdf

    findings: list[Finding] = []
    pdf = document.files.get("pdf")
    if pdf is not None:
        for problem in check_pdf(pdf, page_text):
            level = NOTE if problem.known_limitation else ERROR
            findings.append(Finding(level, problem.check, document.briefing.slug,
                                    problem.message + (" (a WeasyPrint limitation: see docs/accessibility.md)"
                                                       if problem.known_limitation else ""),
                                    None, problem.hint))
    return findings


# --- what is on a page, with where it was written -------------------------------------------------


@dataclass(frozen=True)
class Prose:
    """A piece of text on the page, where it was written, and what kind of text it is."""

    label: str
    text: str
    where: Location | None
    running: bool = True  # read as sentences (not a heading or a label)
    verbatim: bool = False  # a quote: words are the speaker's, not ours to change


def prose(briefing: Briefing) -> Iterator[Prose]:
    audience = briefing.audience
    yield Prose(f"audience {audience.id} › key_message", briefing.key_message, audience.where("key_message"))
    yield Prose(f"audience {audience.id} › why", briefing.why, audience.where("why"))
    for case in briefing.cases:
        item = case.item
        yield Prose(f"evidence {item.id} › headline", item.headline, item.where("headline"), running=False)
        yield Prose(f"evidence {item.id} › body", item.body, item.where("body"))
        if item.figure:
            yield Prose(f"evidence {item.id} › figure", item.figure.label, item.where("figure"), running=False)
    for i, action in enumerate(briefing.actions):
        yield Prose(f"audience {audience.id} › actions › {i}", action, audience.where("actions", i))
    if briefing.story:
        story = briefing.story
        yield Prose(f"story {story.id} › title", story.title, story.where("title"), running=False)
        yield Prose(f"story {story.id} › did", story.did, story.where("did"))
        yield Prose(f"story {story.id} › helped", story.helped, story.where("helped"))
    if briefing.quote:
        quote = briefing.quote
        yield Prose(f"quote {quote.id} › text", quote.text, quote.where("text"), verbatim=True)
    if briefing.note:
        yield Prose(f"audience {audience.id} › note", briefing.note, audience.where("note"))
    if briefing.place:
        for i, figure in enumerate(briefing.local_figures):
            yield Prose(f"place {briefing.place.id} › figures › {i}", figure.label,
                        briefing.place.where("figures", i), running=False)


def _lists(briefing: Briefing) -> Iterator[tuple[str, int, Location | None]]:
    audience = briefing.audience
    yield "actions", len(briefing.actions), audience.where("actions")
    yield "signposts", len(briefing.signposts), audience.where("signposts")
    yield "evidence items", len(briefing.cases), audience.where("evidence")


def _abbreviations(project: Project, briefing: Briefing, page_text: str,
                   pieces: list[Prose]) -> Iterator[tuple[str, Location | None, str]]:
    """Each glossary abbreviation written out in full the first time the page uses it."""
    well_known = set(project.settings.check.well_known)
    terms = {t.abbreviation: t for t in project.glossary.values() if t.abbreviation}
    for abbreviation, term in terms.items():
        if abbreviation in well_known:
            continue
        first = re.search(rf"\b{re.escape(abbreviation)}s?\b", page_text)
        if first is None:
            continue
        lead = page_text[:first.start()].lower().rstrip()
        full = term.term.lower()
        if lead.endswith((f"{full} (", f"{full}s (")):
            continue
        where = next((p.where for p in pieces if re.search(rf"\b{re.escape(abbreviation)}s?\b", p.text)), None)
        yield (f"'{abbreviation}' is not written out the first time the page uses it "
               f"(\u2026{_clip(page_text[max(0, first.start() - 50):first.end()], 70)}).", where,
               f"Write \u201c{term.term} ({abbreviation})\u201d there, the first time it appears on the page.")
    # Capitals the glossary does not know: an abbreviation a reader cannot look up.
    known = well_known | set(terms)
    reported: set[str] = set()
    for piece in pieces:
        for found in CAPITALS.findall(piece.text):
            stem = found[:-1] if found.endswith("s") and found[:-1] in known else found
            if stem in known or stem in reported or piece.verbatim:
                continue
            reported.add(stem)
            yield (f"'{stem}' in {piece.label} is an abbreviation the glossary does not write out.",
                   piece.where, "Write it out, or add a glossary term with 'abbreviation: "
                   f"{stem}' and write it out on first use.")


def _link_texts(briefing: Briefing) -> Iterator[tuple[str, Location | None, str]]:
    """Link text that makes sense on its own: not "click here", not a bare address."""
    links: list[tuple[str, str, Location | None]] = []
    audience = briefing.audience
    for i, link in enumerate(briefing.signposts):
        links.append((link.text, f"audience {audience.id} › signposts › {i}", audience.where("signposts", i, "text")
                      or audience.where("signposts", i)))
    if briefing.story:
        for i, link in enumerate(briefing.story.links):
            links.append((link.text, f"story {briefing.story.id} › links › {i}",
                          briefing.story.where("links", i, "text") or briefing.story.where("links", i)))
    for piece in prose(briefing):
        for text, _url in MD_LINK.findall(piece.text):
            links.append((text, piece.label, piece.where))
    for text, label, where in links:
        clean = " ".join(text.lower().strip(" .:!").split())
        if clean in VAGUE_LINK_TEXT:
            yield (f"Link text \u201c{text}\u201d in {label} does not say where it goes.", where,
                   "Use the name of the page or document, e.g. \u201cNICE guideline PH44\u201d.")
        elif ADDRESS.search(text.strip()):
            yield (f"Link text \u201c{text}\u201d in {label} is a bare address.", where,
                   "Use the name of the page or document; the address is in the link.")


def _fill(document: Document) -> float | None:
    """How full the page is, 0 to 1, where the fit stage measures it."""
    fill = getattr(document, "fill", None)
    if fill is None:
        return None
    fill = float(fill)
    return fill / 100 if fill > 1 else fill


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rstrip() + "\u2026"
