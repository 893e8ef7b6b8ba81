"""Pack stage: many documents in one build: select, compose, render, fit, then write all or nothing.

Nothing is written until every document of the build has been laid out on one page, so a
failed build leaves the output folder as it was. The new set of files then replaces the old
one as a whole (publish.py: staged, journaled, locked).

A partial build (`-a`, `-p`, `--format`) remakes only the chosen documents' files and keeps
the rest of the previous pack as it is: every file the previous manifest lists whose document
is still in the content and whose bytes are still as makecase wrote them. The index and the
manifest always list the whole pack, kept and remade (manifest.py keeps that bookkeeping).
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from makecase.text import plain_english as plain

from makecase import resources
from makecase.pack.report import BuildReport, pack_warnings
from makecase.page.compose import Briefing, briefings_for
from makecase.contain import contained_dir
from makecase.page.document import FORMATS, Document, NotMade, files_to_write, too_long
from makecase.errors import Location, MakecaseError, Problem, raise_if_strict, shown
from makecase.pack.fingerprint import default_out, fingerprint, live_parts, staged_live_parts
from makecase.load.loader import Project, load_project
from makecase.pack.manifest import PreviousPack, only_formats, previous_documents, unchanged_documents, whole_pack
from makecase.load.messages import checked_ids
from makecase.output.folder import read_manifest
from makecase.pack.outputs import pack_outputs
from makecase.page.pictures import page_png, page_thumbnail, pdf_pages
from makecase.output.publish import check_can_write, finish_interrupted, publish
from makecase.page.render import Renderer, file_uri
from makecase.pack.shard import Shard, parse_shard, selection_of, write_shard
from makecase.page.standalone import first_live_line
from makecase.page.layout_watch import TimeLimit, time_limit, weasyprint_warnings, without_packaged

if TYPE_CHECKING:  # fit.py imports WeasyPrint: loaded only when a page is laid out
    from makecase.page.fit import PageFitter

@dataclass
class Choice:
    """What a build makes and where: the chosen briefings and formats, the output folder, and
    whether it is partial (keeps the rest of the previous pack) or one shard of it."""

    briefings: list[Briefing]
    formats: tuple[str, ...]
    out_dir: Path
    partial: bool
    shard: Shard | None
    selection: dict


def build(project_dir: Path | str = ".", *, audiences: Iterable[str] | None = None,
          places: Iterable[str] | None = None, formats: Iterable[str] | None = None,
          out: Path | str | None = None, strict: bool = False,
          progress: Callable[[Document, int, int], None] | None = None, force: bool = False,
          jobs: int = 1, shard: str | None = None) -> BuildReport:
    """Build briefings for a project folder. Raises MakecaseError for anything a person can fix.

    progress, if given, is called as soon as each document is made, with the document, how many
    are made so far and how many this build makes (before anything is written: a later
    failure still writes nothing). A chosen document whose inputs are
    unchanged since the previous build, with its files still in place, is not made again
    unless force is given. jobs > 1 lays pages out in that many processes, with the same bytes.
    shard "K/N" builds only that shard of the chosen documents, for `merge` (shard.py)."""
    started = time.perf_counter()
    chosen_shard = parse_shard(shard) if shard is not None else None
    # A publish a kill interrupted is finished (or dropped, if this tool did not stage it) before
    # anything can fail, the content included: the folder is whole again whatever happens next.
    early_out = Path(out) if out is not None else default_out(Path(project_dir))
    if early_out is not None:
        finish_interrupted(early_out, staged_live_parts)
    # Taken before the content is read, so an edit made during the build is never recorded as built.
    stamp = fingerprint(Path(project_dir), early_out) if not chosen_shard else None
    project = load_project(project_dir)
    choice = choose(project, audiences, places, formats, out, chosen_shard)
    finish_interrupted(choice.out_dir, staged_live_parts)
    check_can_write(choice.out_dir)  # --out /proc: said now, not after every page is laid out
    previous = previous_documents(project, choice.out_dir)
    renderer = Renderer(project)
    kept = {slug: frozenset(d.files) for slug, d in previous.documents.items()} if choice.partial else {}
    # A partial build also makes again the kept documents whose files may not be kept (changed
    # since, or a web page that would run or load something); a whole build makes them anyway.
    again = _made_again(choice, previous) if choice.partial else {}
    redone = {b.slug for group in again.values() for b in group}
    plans = [(choice.formats, *unchanged_documents(project, renderer,
                                                   [b for b in choice.briefings if b.slug not in redone],
                                                   choice.formats, previous.documents, force))]
    plans += [(group_formats, *unchanged_documents(project, renderer, group, group_formats, previous.documents, True))
              for group_formats, group in again.items()]
    made = _counted(progress, sum(len(plan[1]) for plan in plans))
    documents: list[Document] = []
    inputs: dict[str, str] = {}
    for plan_formats, to_make, _, plan_inputs in plans:
        documents += make_documents(project, to_make, plan_formats, renderer, kept, made, jobs)
        inputs.update(plan_inputs)
    unchanged = plans[0][2]
    for document in documents:
        document.inputs = inputs[document.slug]
    # Content warnings, under-filled pages and WeasyPrint's warnings together (an unchanged
    # page's as recorded when it was made), so --strict lists everything at once.
    warnings = pack_warnings(project, documents + unchanged)
    raise_if_strict(warnings, strict, "; nothing was written")
    pack = whole_pack(project, documents,
                      previous.documents if choice.partial else only_formats(unchanged, choice.formats))
    if choice.shard is None:
        written = write_documents(project, pack, choice.out_dir, renderer,
                                  _still_whole(choice, stamp, warnings))
    else:
        written = write_shard(project, pack, choice.out_dir, choice.shard, choice.selection)
    return BuildReport(choice.out_dir, documents, written, warnings, time.perf_counter() - started, pack,
                       unchanged, shard=str(choice.shard) if choice.shard else None)


def _made_again(choice: Choice, previous: PreviousPack) -> dict[tuple[str, ...], list[Briefing]]:
    """A partial build's documents of the previous pack with a file that may not be kept, by the
    formats to make them in: those files' (and the chosen formats, for a chosen document)."""
    chosen = {b.slug for b in choice.briefings}
    groups: dict[tuple[str, ...], list[Briefing]] = {}
    for slug, (briefing, damaged) in previous.damaged.items():
        formats = tuple(f for f in FORMATS if f in damaged or (slug in chosen and f in choice.formats))
        groups.setdefault(formats, []).append(briefing)
    return groups


def choose(project: Project, audiences: Iterable[str] | None, places: Iterable[str] | None,
           formats: Iterable[str] | None, out: Path | str | None, shard: Shard | None) -> Choice:
    """The build's choice from its options: unknown ids are errors with the closest ids."""
    audience_ids = checked_ids(list(audiences or []), project.audiences, "audience")
    place_ids = checked_ids(list(places or []), project.places, "place")
    chosen_formats = tuple(formats or project.settings.output.formats)
    # --out may point anywhere (the person typed it); output.dir comes from the project's own
    # file, which is untrusted, so it must stay inside the project.
    out_dir = Path(out) if out is not None else contained_dir(
        project.root, project.settings.output.dir,
        project.settings_where.get("output.dir", Location(project.root / "makecase.yaml")), "output.dir")
    briefings = briefings_for(project, audience_ids or None, place_ids or None)
    if shard is not None:
        briefings = shard.select(project, briefings)
    # A partial build (-a, -p or --format) keeps the rest of the previous pack; a full build is
    # exactly what the project asks for now: its pages made or unchanged, in its formats.
    # A shard's folder holds exactly its documents, never the rest of an earlier pack.
    partial = bool(audience_ids or place_ids or formats) and shard is None
    return Choice(briefings, chosen_formats, out_dir, partial, shard,
                  selection_of(project, audience_ids, place_ids, chosen_formats))


def _still_whole(choice: Choice, stamp: str | None, warnings: list[Problem]) -> str | None:
    """The fingerprint to record (fingerprint.py): a whole build's, when it warned of nothing; a
    partial build's only if the project is as the last whole build recorded it (the pages it
    keeps are then still current)."""
    if not choice.partial:
        return None if warnings else stamp
    recorded = read_manifest(choice.out_dir).get("fingerprint")
    return stamp if stamp is not None and isinstance(recorded, dict) and recorded.get("project") == stamp else None


def _counted(progress: Callable[[Document, int, int], None] | None, total: int) -> Callable[[Document], None]:
    """progress, told how many documents are made so far of how many."""
    made_so_far = 0

    def made(document: Document) -> None:
        nonlocal made_so_far
        made_so_far += 1
        if progress is not None:
            progress(document, made_so_far, total)

    return made


@cache
def _packaged_css() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(resources.templates_dir().glob("*.css")))


def make_documents(project: Project, briefings: list[Briefing], formats: tuple[str, ...],
                   renderer: Renderer, kept: dict[str, frozenset[str]] | None = None,
                   progress: Callable[[Document], None] | None = None, jobs: int = 1) -> list[Document]:
    """Render and fit every briefing; raise every problem together, having written nothing.

    jobs > 1 lays pages out in that many worker processes (workers.py); the documents come
    back in the order of the briefings, with the same bytes."""
    if jobs > 1 and len(briefings) > 1:
        return _make_in_parallel(project, briefings, formats, kept or {}, progress, jobs)
    fitter = None
    if "pdf" in formats and briefings:
        from makecase.page.fit import PageFitter  # WeasyPrint: loaded only when a page is to be laid out

        fitter = PageFitter(project.allowed_dirs)
    documents: list[Document] = []
    problems: list[Problem] = []
    seconds = project.limits.layout_seconds
    for briefing in briefings:
        started = time.perf_counter()
        try:
            with time_limit(seconds):  # rendering (project templates) and layout together
                document = make_document(project, briefing, formats, renderer, fitter,
                                         (kept or {}).get(briefing.slug, frozenset()))
        except NotMade as exc:
            problems.append(exc.problem)
            continue
        except TimeLimit as stopped:
            problems.append(too_long(project, briefing, stopped))
            continue
        document.seconds = time.perf_counter() - started
        documents.append(document)
        if progress is not None:
            progress(document)
    if problems:
        raise MakecaseError(problems, summary=f"{len(problems)} briefing(s) could not be made; "
                                              "nothing was written:")
    return documents


def _make_in_parallel(project: Project, briefings: list[Briefing], formats: tuple[str, ...],
                      kept: dict[str, frozenset[str]], progress: Callable[[Document], None] | None,
                      jobs: int) -> list[Document]:
    from makecase.pack.workers import make_in_parallel

    if "pdf" in formats:
        # Load WeasyPrint here, once: forked workers share it instead of each importing it.
        from makecase.page import fit  # noqa: F401
    made: dict[int, Document] = {}
    problems: dict[int, list[Problem]] = {}
    errors: list[MakecaseError] = []

    def done(index: int, briefing: Briefing, result: tuple) -> None:
        if result[0] == "made":
            fields = dict(result[1])
            laid_out = briefing.shortening(fields.pop("shortened")).taking(fields.pop("items"))
            document = Document(laid_out.without_quote(fields.pop("quote_left_out")), **fields)
            made[index] = document
            if progress is not None:
                progress(document)
        elif result[0] == "problem":
            problems[index] = [result[1]]
        else:
            errors.append(MakecaseError(result[1], summary=result[2]))

    make_in_parallel(project, briefings, formats, kept, jobs, done, make_document)
    if errors:
        raise errors[0]
    if problems:
        found = [p for i in sorted(problems) for p in problems[i]]
        raise MakecaseError(found, summary=f"{len(found)} briefing(s) could not be made; "
                                           "nothing was written:")
    return [made[i] for i in sorted(made)]


def make_document(project: Project, briefing: Briefing, formats: tuple[str, ...], renderer: Renderer,
                  fitter: PageFitter | None, kept: frozenset[str] = frozenset()) -> Document:
    """One briefing's HTML and PDF, checked: a standalone page, one A4 page, WeasyPrint's warnings kept.

    The PDF is laid out first: it decides how many of the audience's evidence items the page
    takes (fit.py), and the web page shows the same ones. kept: formats whose files stay from
    the previous build (a partial build), so the web page links to a kept PDF, and a new PDF
    redraws a kept web page's picture.
    """
    pdf_href = briefing.sibling_name("pdf") if "pdf" in formats or "pdf" in kept else None
    document = Document(briefing)
    if fitter is not None:
        add_pdf(project, document, renderer, fitter, with_picture="html" in formats or "html" in kept)
    # The page as printed, with the items it took: the words a reader meets (manifest.json).
    document.words = plain.page_words(renderer.render_html(document.briefing, "print"))
    if "html" in formats:
        html = renderer.render_html(document.briefing, "screen", pdf_href)
        _standalone(project, document.briefing, html)  # the very page written is the one checked
        document.files["html"] = html.encode("utf-8")
    return document


def _standalone(project: Project, briefing: Briefing, html: str) -> None:
    """A web page runs and loads nothing from elsewhere: NotMade when a project template adds
    it, naming that template and line when its own text does."""
    found = live_parts(briefing.file_name("html"), html.encode("utf-8"))  # remembered when it passes
    if found:
        where = live_template_line(project)
        raise NotMade(Problem(
            f"The web page would run or load something: {', '.join(found[:3])}.", where,
            key=f"document {briefing.slug}.html",
            hint=("This project template adds it" if where else "A project template in templates/ adds it")
            + ": pages are standalone, with nothing run or loaded from elsewhere. Remove it from the template."))


def live_template_line(project: Project) -> Location | None:
    """The project template, and its line, whose own text writes something live into a page
    (standalone.first_live_line); None when no template's text does (an expression builds it).
    The index's own template is left out: it makes no briefing."""
    packaged = resources.templates_dir().resolve()
    for folder in project.template_dirs:
        if folder.resolve() == packaged:
            continue
        try:
            for path in _own_templates(folder, project.limits.file_kb * 1024):
                line = first_live_line(path.read_text(encoding="utf-8", errors="replace"))
                if line is not None:
                    return Location(path, line)
        except (OSError, RecursionError):
            return None
    return None


def _own_templates(folder: Path, most_bytes: int) -> list[Path]:
    """The project's page templates: ordinary .html files under folder (no link followed, none
    larger than a template may be), in name order, without index.html."""
    found = []
    for here, folders, files in os.walk(folder):
        folders.sort()
        for name in sorted(files):
            path = Path(here) / name
            info = path.lstat()
            if (name.endswith(".html") and stat.S_ISREG(info.st_mode) and info.st_size <= most_bytes
                    and path != folder / "index.html"):
                found.append(path)
    return found


def add_pdf(project: Project, document: Document, renderer: Renderer, fitter: PageFitter,
            with_picture: bool) -> None:
    """Lay the page out on one A4 page, taking as many evidence items as fit, and add its PDF,
    its thumbnail and (with_picture, for the web page's link previews) its picture, with what
    the fit stage measured."""
    from makecase.page.fit import DoesNotFit

    briefing = document.briefing
    try:
        with weasyprint_warnings() as warnings:
            # A URL, not a path: WeasyPrint cannot turn a path that is not UTF-8 into one.
            fitted = fitter.fit(
                lambda count, level, no_quote: renderer.render_html(
                    briefing.shortening(level).taking(count).without_quote(no_quote), "print"),
                file_uri(project.root) + "/", project.settings.layout, briefing.slug,
                items=len(briefing.cases), side_steps=briefing.side_steps, quote=briefing.quote is not None)
            document.files["pdf"] = fitted.write_pdf()
    except DoesNotFit as exc:
        raise NotMade(Problem(exc.problem.message, briefing.audience.where(),
                               key=f"audience {briefing.slug}", hint=exc.problem.hint)) from None
    except RecursionError:
        raise NotMade(Problem(
            "This page is nested too deeply to lay out.", briefing.audience.where(),
            key=f"audience {shown(briefing.slug)}",
            hint="Look for deeply nested lists in this audience's texts or project templates.")) from None
    document.briefing = briefing.shortening(fitted.shortened).taking(fitted.items).without_quote(fitted.quote_left_out)
    document.warnings = without_packaged(warnings, _packaged_css())
    document.pages = pdf_pages(document.files["pdf"])
    document.files["thumb"] = page_thumbnail(document.files["pdf"])  # for the index
    if with_picture:
        document.files["png"] = page_png(document.files["pdf"])
    document.body_size = fitted.body_size
    document.layouts = fitted.layouts
    document.fill = fitted.fill
    document.room_words = fitted.room_words


def write_documents(project: Project, documents: list[Document], out_dir: Path,
                    renderer: Renderer, fingerprint: str | None = None) -> list[Path]:
    """Every file of the whole pack (each document's, then the index, pack.pdf and the manifest,
    pack_outputs.py), replacing the previous set whole; files kept from the previous build stay
    as they are. Everything is made from the documents' bytes, so it serves any list of
    documents: made now, kept, or gathered from elsewhere (merge.py). fingerprint: the
    project's, recorded for the next build when this one is whole and warned of nothing."""
    files, keep = files_to_write(documents)
    outputs = pack_outputs(project, documents, out_dir, renderer, fingerprint)
    files.update(outputs.files)
    return publish(out_dir, files, keep | outputs.keep, check=staged_live_parts)
