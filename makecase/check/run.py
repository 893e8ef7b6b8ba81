"""Check stage: plain-English, accessibility and freshness checks over the documents a build makes.

`makecase check` builds the pack in memory (nothing is written), then holds every page to the
thresholds in makecase.yaml's `check:` block. Content findings name the file and line to change
(each model knows where its keys were written); page findings name the page. Accessibility is
checked in the product, over the bytes the build produced: the PDF's tags read back with pikepdf
(pdfcheck.py) and the HTML run through axe-core in headless Chromium (axecheck.py).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable

from makecase.text import plain_english as plain
from makecase.version import __version__
from makecase.page.compose import briefings_for
from makecase.errors import Problem
from makecase.load.places_import import stale_figures
from makecase.check.staleness import glossary_findings
from makecase.check.findings import ERROR, NOTE, WARNING, Finding, PageFigures
from makecase.load.loader import load_project
from makecase.load.project import Project
from makecase.load.messages import checked_ids
from makecase.page.document import Document
from makecase.pack.build import make_documents
from makecase.pack.manifest import file_record
from makecase.pack.outputs import index_page, pack_info, pack_pages
from makecase.check.example_values import project_example_values
from makecase.check.page_checks import check_page
from makecase.page.render import Renderer


@dataclass
class CheckReport:
    root: Path
    pages: list[PageFigures]
    findings: list[Finding]
    axe: str  # what happened to the HTML check, in a sentence
    seconds: float = 0.0
    links_checked: int | None = None
    pack_pdf: str = "not checked"  # what happened to the pack.pdf check, in a sentence
    validator: str = "not run"  # what happened to the independent PDF/UA validator, in a sentence

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
                "pack_pdf_check": self.pack_pdf, "pdf_validator": self.validator,
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
    findings += [Finding(WARNING, "place-figure-age", None, w.message, w.location, w.hint)
                 for w in stale_figures(project.places.values(), today=today)]
    findings += glossary_findings(project.glossary.values(), today)
    pages: list[PageFigures] = []
    page_texts: list[str] = []
    for document in documents:
        page_html = renderer.render_html(document.briefing, "print")
        figures, found = check_page(project, document, page_html, today)
        pages.append(figures)
        page_texts.append(plain.page_text(page_html))
        findings += found
    pack_status, found, pack_record, pack_data = check_pack(project, documents, page_texts)
    findings += found
    pdfs = [(d.briefing.slug, d.files["pdf"]) for d in documents if "pdf" in d.files]
    if pack_data is not None:
        pdfs.append(("pack", pack_data))
    validator_status, found = check_validator(pdfs)
    findings += found
    # validate's sentence and paragraph warnings say again what the page checks say, by page.
    said = {(f.location, f.check) for f in findings if f.check in ("sentence-length", "paragraph-length")}
    findings = [f for f in findings if f.check != "validate" or not (
        (f.location, "sentence-length") in said and "A sentence of" in f.message
        or (f.location, "paragraph-length") in said and "in one paragraph" in f.message)]
    index_html = index_page(project, documents, renderer, pack_record)
    axe_status = "not asked for"
    if html:
        axe_status, found = check_html(project, documents, index_html)
        findings += found
    links_checked = None
    if links:
        from makecase.check.links import check_links

        links_checked, found = check_links(project, briefings)
        findings += found
    return CheckReport(project.root, pages, findings, axe_status, time.perf_counter() - started,
                       links_checked, pack_status, validator_status)


def check_pack(project: Project, documents: list[Document], page_texts: list[str]
               ) -> tuple[str, list[Finding], dict | None, bytes | None]:
    """pack.pdf, made in memory from the pages as a build makes it, read back with the same tag
    checks as each page (a WeasyPrint limitation already noted on a page is not noted again);
    its manifest record, for the index page that offers it; and its bytes, for the validator."""
    from makecase.pack.combine import combine
    from makecase.check.pdf import check_pack_pdf

    pages = pack_pages(documents)
    if not pages:
        return "not made (no PDFs)", [], None, None
    data = combine(pages, pack_info(project))
    findings = [Finding(ERROR, p.check, "pack", p.message, None, p.hint)
                for p in check_pack_pdf(data, page_texts) if not p.known_limitation]
    return (f"pack.pdf ({len(pages)} pages) read back with the page checks", findings,
            file_record("pack.pdf", data, pages=len(pages)), data)


def check_validator(pdfs: list[tuple[str, bytes]]) -> tuple[str, list[Finding]]:
    """Every PDF (each page's, and pack.pdf as "pack") through the independent PDF/UA-1
    validator; each rule broken is an error on that page."""
    from makecase.check import validators

    try:
        version = validators.version()
    except validators.ValidatorMissing as exc:
        return f"skipped: {exc}", [Finding(NOTE, "pdf-validator", None, f"The PDF/UA validator was skipped: {exc}.")]
    findings: list[Finding] = []
    failing = 0
    for page, data in pdfs:
        failures = validators.validate(data)
        failing += bool(failures)
        findings += [Finding(ERROR, "pdf-validator", page, f"{validators.NAME} (PDF/UA-1): {f.sentence()}", None,
                             "See docs/accessibility.md: how the tags are made, and how to run the validator.")
                     for f in failures]
    return (f"{validators.NAME} {version}, PDF/UA-1: {len(pdfs) - failing} of {len(pdfs)} PDF(s) compliant",
            findings)


def check_html(project: Project, documents: list[Document], index_html: str) -> tuple[str, list[Finding]]:
    """axe-core over every HTML page and the index, when Chromium is installed."""
    from makecase.check.axe import AxeRunner, AxeUnavailable

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


def print_report(report: CheckReport, strict: bool = False) -> str:
    """The report as people read it: the table, each finding, and a verdict."""
    lines = [report.table(), ""]
    for finding in sorted(report.findings, key=lambda f: (LEVELS.index(f.level), f.page or "")):
        lines.append(finding.render(report.root))
    lines.append(f"HTML accessibility: {report.axe}.")
    lines.append(f"Pack PDF: {report.pack_pdf}.")
    lines.append(f"PDF/UA validator: {report.validator}.")
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
