"""Check stage: plain-English, accessibility and freshness checks over the documents a build makes.

`makecase check` builds the pack in memory (nothing is written), then holds every page to the
thresholds in makecase.yaml's `check:` block. Content findings name the file and line to change
(each model knows where its keys were written); page findings name the page. Accessibility is
checked in the product, over the bytes the build produced: the PDF's tags read back with pikepdf
(pdfcheck.py) and the HTML run through axe-core in headless Chromium (axecheck.py).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Iterator

from . import plain, resources
from .version import __version__
from .compose import Briefing, briefings_for
from .errors import Location, Problem
from .load import load_project
from .project import Project
from .model import EXAMPLE_HOSTS, EXAMPLE_TITLES, Item
from .messages import checked_ids
from .pack import Document, index_page, make_documents
from .render import Renderer

ERROR, WARNING, NOTE = "error", "warning", "note"

# Link text that says nothing out of context (WCAG 2.4.4, GOV.UK and NHS content style).
VAGUE_LINK_TEXT = {"click here", "here", "read more", "more", "this link", "link", "this page",
                   "learn more", "find out more", "more information", "more info", "website",
                   "click", "download", "go"}
ADDRESS = re.compile(r"^(https?://|www\.)|^[\w.-]+\.(org|uk|com|net|gov|nhs|io|info)(/\S*)?$", re.I)
EXAMPLE_ADDRESS = re.compile(r"[\w.+-]*@?(?:www\.)?example\.(?:org|com|net)\b[^\s\"'<>)]*", re.I)
CAPITALS = re.compile(r"\b[A-Z]{2,}s?\b")
MD_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
MD_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.M)


@dataclass
class Finding:
    """One thing a check found: on which page, what, where to change it and how."""

    level: str
    check: str
    page: str | None
    message: str
    location: Location | None = None
    hint: str | None = None

    def render(self, base: Path | None = None) -> str:
        location, hint = self.location, self.hint
        packaged = _packaged(location)
        if packaged:  # a packaged file is not the user's to edit: name it, and say how to override
            location = None
            hint = (f"{hint} " if hint else "") + ("In your own content/ file of the same name, "
                                                   "give the item's id and the key to change.")
        problem = Problem(self.message, location, None, hint)
        head = f"{self.level}: [{self.check}]" + (f" {self.page}:" if self.page else "")
        return f"{head} {packaged + ': ' if packaged else ''}{problem.render(base)}"

    def as_json(self, base: Path | None = None) -> dict:
        where = None
        if self.location is not None:
            file = self.location.file
            if _packaged(self.location):
                file = "packaged content/" + Path(file).name
            elif base is not None:
                try:
                    file = Path(file).resolve().relative_to(Path(base).resolve())
                except ValueError:
                    pass
            where = {"file": str(file), "line": self.location.line, "column": self.location.column}
        return {"level": self.level, "check": self.check, "page": self.page, "message": self.message,
                "where": where, "hint": self.hint}


@dataclass
class PageFigures:
    """The plain-English figures of one page, for the table."""

    page: str
    words: int
    sentences: int
    average: float
    longest: int
    reading_ease: float
    reading_age: float
    body_size: float | None
    fill: float | None


@dataclass
class CheckReport:
    root: Path
    pages: list[PageFigures]
    findings: list[Finding]
    axe: str  # what happened to the HTML check, in a sentence
    seconds: float = 0.0
    links_checked: int | None = None

    def count(self, level: str) -> int:
        return sum(1 for f in self.findings if f.level == level)

    def failed(self, strict: bool = False) -> bool:
        return self.count(ERROR) > 0 or (strict and self.count(WARNING) > 0)

    def table(self) -> str:
        head = ["page", "words", "sentences", "average", "longest", "reading ease", "reading age",
                "body", "fill", "errors", "warnings"]
        rows = [head]
        for p in self.pages:
            mine = [f for f in self.findings if f.page == p.page]
            rows.append([p.page, str(p.words), str(p.sentences), f"{p.average:.1f}", str(p.longest),
                         f"{p.reading_ease:.0f}", f"{p.reading_age:.0f}",
                         f"{p.body_size:g}pt" if p.body_size else "-",
                         f"{p.fill * 100:.0f}%" if p.fill is not None else "-",
                         str(sum(f.level == ERROR for f in mine)), str(sum(f.level == WARNING for f in mine))])
        widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
        lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
                 for r in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)

    def as_json(self) -> dict:
        return {"generator": f"makecase {__version__}", "pages": [asdict(p) for p in self.pages],
                "findings": [f.as_json(self.root) for f in self.findings], "html_check": self.axe,
                "links_checked": self.links_checked,
                "errors": self.count(ERROR), "warnings": self.count(WARNING), "notes": self.count(NOTE)}


# --- the command -------------------------------------------------------------------------------


def check(project_dir: Path | str = ".", *, audiences: Iterable[str] | None = None,
          places: Iterable[str] | None = None, links: bool = False, html: bool = True,
          today: dt.date | None = None) -> CheckReport:
    """Build the pack in memory and check every page. Raises MakecaseError if it cannot build."""
    started = time.perf_counter()
    project = load_project(project_dir)
    audience_ids = checked_ids(list(audiences or []), project.audiences, "audience")
    place_ids = checked_ids(list(places or []), project.places, "place")
    briefings = briefings_for(project, audience_ids or None, place_ids or None)
    renderer = Renderer(project)
    documents = make_documents(project, briefings, ("pdf", "html"), renderer)
    today = today or dt.date.today()

    findings: list[Finding] = [Finding(WARNING, "validate", None, w.message, w.location, w.hint)
                               for w in project.warnings]
    pages: list[PageFigures] = []
    for document in documents:
        page_html = renderer.render_html(document.briefing, "print")
        figures, found = check_page(project, document, page_html, today)
        pages.append(figures)
        findings += found
    # validate's sentence and paragraph warnings say again what the page checks say, by page.
    said = {(f.location, f.check) for f in findings if f.check in ("sentence-length", "paragraph-length")}
    findings = [f for f in findings if f.check != "validate" or not (
        (f.location, "sentence-length") in said and "A sentence of" in f.message
        or (f.location, "paragraph-length") in said and "in one paragraph" in f.message)]
    index_html = index_page(project, documents, renderer)
    axe_status = "not asked for"
    if html:
        axe_status, found = check_html(project, documents, index_html)
        findings += found
    links_checked = None
    if links:
        from .links import check_links

        links_checked, found = check_links(project, briefings)
        findings += found
    return CheckReport(project.root, pages, findings, axe_status, time.perf_counter() - started,
                       links_checked)


def check_page(project: Project, document: Document, page_html: str,
               today: dt.date) -> tuple[PageFigures, list[Finding]]:
    """The plain-English figures of one page and everything found wrong with it."""
    briefing = document.briefing
    settings = project.settings.check
    slug = briefing.slug
    findings: list[Finding] = []

    def add(level: str, name: str, message: str, location: Location | None = None,
            hint: str | None = None) -> None:
        findings.append(Finding(level, name, slug, message, location, hint))

    blocks = plain.visible_text_blocks(page_html)
    page_text = " ".join(blocks)
    pieces = list(prose(briefing))
    # The figures are of our own running text: headings and labels are not sentences, and a
    # verbatim quote is the speaker's (its words still count in `words`).
    running = [p for p in pieces if p.running and not p.verbatim]
    sentence_lengths = [len(plain.words(s)) for p in running for s in plain.sentences(p.text)]
    running_text = " ".join(p.text for p in running)
    figures = PageFigures(
        page=slug, words=len(plain.words(page_text)), sentences=len(sentence_lengths),
        average=round(sum(sentence_lengths) / len(sentence_lengths), 1) if sentence_lengths else 0.0,
        longest=max(sentence_lengths, default=0),
        reading_ease=round(plain.reading_ease(running_text), 1),
        reading_age=round(plain.reading_age(running_text), 1),
        body_size=document.body_size, fill=_fill(document))

    # Sentences, paragraphs and lists, each with the file and line to change.
    for piece in running:
        for sentence in plain.sentences(piece.text):
            count = len(plain.words(sentence))
            if count > settings.max_sentence_words:
                add(WARNING, "sentence-length",
                    f"A sentence of {count} words in {piece.label} (at most {settings.max_sentence_words}): "
                    f"\u201c{_clip(sentence)}\u201d", piece.where, "Split it in two, or cut words.")
        for paragraph in re.split(r"\n\s*\n", piece.text):
            if MD_LIST_ITEM.match(paragraph):
                continue
            count = len(plain.sentences(paragraph))
            if count > settings.max_paragraph_sentences:
                add(WARNING, "paragraph-length",
                    f"A paragraph of {count} sentences in {piece.label} (at most "
                    f"{settings.max_paragraph_sentences}): \u201c{_clip(paragraph)}\u201d", piece.where,
                    "Cut a sentence, or start a new paragraph with a blank line.")
        items = len(MD_LIST_ITEM.findall(piece.text))
        if items > settings.max_list_items:
            add(WARNING, "list-length", f"A list of {items} items in {piece.label} (at most "
                f"{settings.max_list_items}).", piece.where, "Keep the strongest items.")
    if figures.average > settings.max_average_sentence_words:
        add(WARNING, "sentence-length", f"Sentences average {figures.average:.1f} words (at most "
            f"{settings.max_average_sentence_words:g}).", briefing.audience.where(),
            "Split the longest sentences.")
    for name, count, where in _lists(briefing):
        if count > settings.max_list_items:
            add(WARNING, "list-length", f"{count} {name} on the page (at most {settings.max_list_items}).",
                where, "Keep the strongest ones.")

    # Reading ease and age of the running text.
    if sentence_lengths and figures.reading_ease < settings.min_reading_ease:
        add(WARNING, "reading-ease", f"Flesch reading ease {figures.reading_ease:.0f}, below "
            f"{settings.min_reading_ease:g}.", briefing.audience.where(),
            "Use shorter sentences and shorter words.")
    if sentence_lengths and figures.reading_age > settings.max_reading_age:
        add(WARNING, "reading-age", f"Reading age {figures.reading_age:.0f}, above "
            f"{settings.max_reading_age:g}.", briefing.audience.where(),
            "Use shorter sentences and shorter words.")

    findings += [Finding(WARNING, "abbreviation", slug, message, where, hint)
                 for message, where, hint in _abbreviations(project, briefing, page_text, pieces)]
    findings += [Finding(WARNING, "link-text", slug, message, where, hint)
                 for message, where, hint in _link_texts(briefing)]

    # Body size and page fill, as the fit stage left them.
    if document.body_size is not None and document.body_size < settings.min_body_size:
        add(WARNING, "body-size", f"Body text is {document.body_size:g}pt after fitting, below "
            f"{settings.min_body_size:g}pt.", briefing.audience.where(),
            "Cut words until the page fits at 12pt (see `makecase explain` for what is on it).")
    min_fill = project.settings.layout.min_fill / 100  # one threshold for build and check
    if figures.fill is not None and figures.fill < min_fill:
        add(WARNING, "page-fill", f"The page is {figures.fill * 100:.0f}% full (layout.min_fill is "
            f"{min_fill * 100:.0f}%).", briefing.audience.where(),
            f"It could take about {getattr(document, 'room_words', 0)} more words: add an evidence "
            "item, an action or a story.")

    # Evidence past its review date.
    limit_days = settings.max_evidence_age_years * 365.25
    dated: list[tuple[str, Item, dt.date]] = [(f"evidence item '{c.item.id}'", c.item, c.item.reviewed)
                                              for c in briefing.cases]
    if briefing.story:
        dated.append((f"story '{briefing.story.id}'", briefing.story, briefing.story.reviewed))
    for label, item, reviewed in dated:
        if (today - reviewed).days > limit_days:
            add(WARNING, "review-date", f"The {label} was last reviewed on {reviewed.isoformat()}, more "
                f"than {settings.max_evidence_age_years:g} years ago.", item.where("reviewed"),
                "Check it against its sources, update it, and set 'reviewed' to today's date.")

    findings += [Finding(ERROR, "example-value", slug, message, where, hint)
                 for message, where, hint in example_values(project, page_html)]

    # The PDF, read back.
    from .pdfcheck import check_pdf

    pdf = document.files.get("pdf")
    if pdf is not None:
        for problem in check_pdf(pdf, page_text):
            findings.append(Finding(NOTE if problem.known_limitation else ERROR, problem.check, slug,
                                    problem.message + (" (a WeasyPrint limitation: see docs/accessibility.md)"
                                                       if problem.known_limitation else ""),
                                    None, problem.hint))
    return figures, findings


def check_html(project: Project, documents: list[Document], index_html: str) -> tuple[str, list[Finding]]:
    """axe-core over every HTML page and the index, when Chromium is installed."""
    from .axecheck import AxeRunner, AxeUnavailable

    pages = [(d.slug, d.files["html"].decode("utf-8")) for d in documents if "html" in d.files]
    pages.append(("index", index_html))
    findings: list[Finding] = []
    try:
        with AxeRunner() as axe:
            for slug, html in pages:
                for violation in axe.run(html):
                    findings.append(Finding(ERROR, "axe", slug, violation.message(), None,
                                            f"See {violation.url}" if violation.url else None))
            version = axe.version
    except AxeUnavailable as exc:
        return f"skipped: {exc}", [Finding(NOTE, "axe", None, f"The HTML accessibility check was skipped: {exc}.")]
    return f"axe-core {version} in Chromium on {len(pages)} HTML pages", findings


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


def example_values(project: Project, page_html: str) -> Iterator[tuple[str, Location | None, str]]:
    """Values left from `makecase init` (example.org addresses, "The source's title") on a page,
    each with the line of the project's files that put it there."""
    seen: set[str] = set()
    if page_html:
        for match in EXAMPLE_ADDRESS.finditer(page_html):
            value = match.group(0).removeprefix("mailto:")
            host = value.split("@")[-1].split("/")[0].lower()
            if host not in EXAMPLE_HOSTS or value in seen:
                continue
            seen.add(value)
            yield (f"The example address {value} from `makecase init` is on the page.",
                   find_in_files(project, value),
                   "Put your partnership's real contact, link or source there.")
        text = " ".join(plain.visible_text_blocks(page_html)).lower()
        for title in EXAMPLE_TITLES:
            if title in text and title not in seen:
                seen.add(title)
                yield (f"The example text \u201c{title}\u201d from `makecase init` is on the page.",
                       find_in_files(project, title), "Write the real title of the source.")


def project_example_values(project: Project) -> list[Problem]:
    """Example values from `makecase init` in the project's own YAML (not in comments):
    `validate` warns about them without laying anything out."""
    problems: list[Problem] = []
    for path in _own_yaml(project):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split(" #", 1)[0] if not line.lstrip().startswith("#") else ""
            for match in EXAMPLE_ADDRESS.finditer(code):
                host = match.group(0).split("@")[-1].split("/")[0].lower()
                if host in EXAMPLE_HOSTS:
                    problems.append(Problem(
                        f"{match.group(0)} is the example from `makecase init`; it would go out on "
                        "every page that uses it.", Location(path, number, match.start() + 1),
                        hint="Put your partnership's real email address or link."))
            for title in EXAMPLE_TITLES:
                if title in code.lower():
                    problems.append(Problem(
                        f"\u201c{title}\u201d is the example from `makecase init`.", Location(path, number),
                        hint="Write the real title of the source."))
    return problems


def _own_yaml(project: Project) -> list[Path]:
    files = [project.root / "makecase.yaml"] + sorted((project.root / "content").glob("*.yaml"))
    return [f for f in files if f.is_file() and not f.name.endswith(".example.yaml")]


def find_in_files(project: Project, needle: str) -> Location | None:
    """The first line of the project's own YAML (then the packaged content) that holds a value."""
    lowered = needle.lower()
    for path in _own_yaml(project) + sorted(resources.content_dir().glob("*.yaml")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith("#"):
                continue
            column = line.lower().find(lowered)
            if column >= 0:
                return Location(path, number, column + 1)
    return None


def _packaged(location: Location | None) -> str | None:
    """'packaged audiences.yaml:281' for a line of the packaged content, else None."""
    if location is None:
        return None
    path = Path(location.file).resolve()
    base = resources.content_dir().resolve()
    if not path.is_relative_to(base):
        return None
    return f"packaged {path.relative_to(base).as_posix()}" + (f":{location.line}" if location.line else "")


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


def print_report(report: CheckReport, strict: bool = False) -> str:
    """The report as people read it: the table, each finding, and a verdict."""
    lines = [report.table(), ""]
    for finding in sorted(report.findings, key=lambda f: (LEVELS.index(f.level), f.page or "")):
        lines.append(finding.render(report.root))
    lines.append(f"HTML accessibility: {report.axe}.")
    if report.links_checked is not None:
        lines.append(f"Links: {report.links_checked} checked online.")
    errors, warnings, notes = report.count(ERROR), report.count(WARNING), report.count(NOTE)
    verdict = "FAILED" if report.failed(strict) else "passed"
    lines.append(f"Check {verdict}: {len(report.pages)} page(s), {errors} error(s), {warnings} warning(s)"
                 + (f", {notes} note(s)" if notes else "")
                 + (" (--strict: warnings fail)" if strict and warnings else "") + f", {report.seconds:.1f} s.")
    return "\n".join(lines)


LEVELS = (ERROR, WARNING, NOTE)


def validate_more(project: Project) -> list[Problem]:
    """What `validate` checks beyond loading, without laying anything out: no example values
    from `makecase init` are left (brand files are checked as the project loads)."""
    return list(project.warnings) + project_example_values(project)
