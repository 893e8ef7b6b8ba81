"""Pack stage: many documents in one build: select, compose, render, fit, then write all or nothing.

Nothing is written until every document of the build has been laid out on one page, so a
failed build leaves the output folder as it was. Files are written to a temporary folder
beside the output and moved into place.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from . import __version__
from .compose import Briefing, briefings_for
from .errors import Location, MakecaseError, Problem
from .fit import DoesNotFit, PageFitter
from .load import Project, _did_you_mean, load_project
from .render import Renderer

FORMATS = ("pdf", "html")


@dataclass
class Document:
    """One built briefing: its files and what the fit stage measured."""

    briefing: Briefing
    files: dict[str, bytes] = field(default_factory=dict)
    body_size: float | None = None
    layouts: int = 0
    seconds: float = 0.0

    @property
    def slug(self) -> str:
        return self.briefing.slug


@dataclass
class BuildReport:
    """What a build wrote, for the CLI to print and for scripts and tests to check."""

    out_dir: Path
    documents: list[Document]
    written: list[Path]
    warnings: list[Problem]
    seconds: float


def build(project_dir: Path | str = ".", *, audiences: Iterable[str] | None = None,
          places: Iterable[str] | None = None, formats: Iterable[str] | None = None,
          out: Path | str | None = None, strict: bool = False) -> BuildReport:
    """Build briefings for a project folder. Raises MakecaseError for anything a person can fix."""
    started = time.perf_counter()
    project = load_project(project_dir)
    if strict and project.warnings:
        raise MakecaseError(project.warnings, summary=f"--strict: {len(project.warnings)} warning(s) to fix:")

    audience_ids = _checked_ids(list(audiences or []), project.audiences, "audience")
    place_ids = _checked_ids(list(places or []), project.places, "place")
    chosen_formats = tuple(formats or project.settings.output.formats)
    out_dir = Path(out) if out is not None else project.root / project.settings.output.dir

    check_brand_files(project)
    briefings = briefings_for(project, audience_ids or None, place_ids or None)
    renderer = Renderer(project)
    documents = make_documents(project, briefings, chosen_formats, renderer)
    written = write_documents(project, documents, out_dir, renderer)
    return BuildReport(out_dir, documents, written, project.warnings, time.perf_counter() - started)


def make_documents(project: Project, briefings: list[Briefing], formats: tuple[str, ...],
                   renderer: Renderer) -> list[Document]:
    """Render and fit every briefing; raise every overflow together, having written nothing."""
    fitter = PageFitter(project.allowed_dirs) if "pdf" in formats else None
    documents: list[Document] = []
    problems: list[Problem] = []
    for briefing in briefings:
        started = time.perf_counter()
        document = Document(briefing)
        if "html" in formats:
            pdf_href = f"{briefing.audience.id}.pdf" if "pdf" in formats else None
            document.files["html"] = renderer.render_html(briefing, "screen", pdf_href).encode("utf-8")
        if fitter is not None:
            try:
                fitted = fitter.fit(renderer.render_html(briefing, "print"), project.root,
                                    project.settings.layout, briefing.slug)
            except DoesNotFit as exc:
                problems.append(Problem(exc.problem.message, briefing.audience.where(),
                                        key=f"audience {briefing.slug}", hint=exc.problem.hint))
                continue
            document.files["pdf"] = fitted.write_pdf()
            document.body_size = fitted.body_size
            document.layouts = fitted.layouts
        document.seconds = time.perf_counter() - started
        documents.append(document)
    if problems:
        raise MakecaseError(problems, summary=f"{len(problems)} briefing(s) do not fit on one page; "
                                              "nothing was written:")
    return documents


def write_documents(project: Project, documents: list[Document], out_dir: Path,
                    renderer: Renderer) -> list[Path]:
    """Write files, a manifest and an index page: all into a temporary folder, then moved into place."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MakecaseError.single(f"Cannot create the output folder: {exc.strerror}.", Location(out_dir),
                                   hint="Choose another folder with --out.") from None
    staging = Path(tempfile.mkdtemp(prefix=".makecase-", dir=out_dir))
    try:
        relative: list[Path] = []
        for document in documents:
            for fmt, data in document.files.items():
                rel = Path(f"{document.slug}.{fmt}")
                (staging / rel).parent.mkdir(parents=True, exist_ok=True)
                (staging / rel).write_bytes(data)
                relative.append(rel)
        manifest = _manifest(project, documents)
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        relative.append(Path("manifest.json"))
        if any("html" in d.files for d in documents):
            (staging / "index.html").write_text(renderer.env.get_template("index.html").render(
                documents=documents, project=project, version=__version__), encoding="utf-8")
            relative.append(Path("index.html"))
        stale = _previous_outputs(out_dir) - {rel.as_posix() for rel in relative}
        written = []
        for rel in relative:
            target = out_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / rel, target)
            written.append(target)
        for rel in stale:  # pages an earlier build wrote that this build no longer makes
            (out_dir / rel).unlink(missing_ok=True)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _previous_outputs(out_dir: Path) -> set[str]:
    """Files the last build listed in its manifest: only those may be removed as stale."""
    try:
        manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
        paths = {f["path"] for d in manifest["documents"] for f in d["files"].values()}
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    return {p for p in paths if isinstance(p, str) and ".." not in Path(p).parts and not Path(p).is_absolute()}


def _manifest(project: Project, documents: list[Document]) -> dict:
    return {
        "generator": f"makecase {__version__}",
        "partnership": project.settings.partnership.name if project.settings.partnership else None,
        "documents": [
            {
                "audience": d.briefing.audience.id,
                "place": d.briefing.place.id if d.briefing.place else None,
                "title": d.briefing.title,
                "reviewed": d.briefing.reviewed.isoformat(),
                "levers": [lever.id for lever in d.briefing.levers],
                "evidence": [c.item.id for c in d.briefing.cases],
                "body_size_pt": d.body_size,
                "files": {fmt: {"path": f"{d.slug}.{fmt}", "sha256": hashlib.sha256(data).hexdigest(),
                                "bytes": len(data)} for fmt, data in d.files.items()},
            }
            for d in documents
        ],
    }


def _checked_ids(requested: list[str], known: dict, kind: str) -> list[str]:
    problems = [Problem(f"Unknown {kind} '{r}'.", None, hint=_did_you_mean(r, list(known), f"Known {kind}s: ")
                        or f"This project has no {kind}s.")
                for r in requested if r not in known]
    if problems:
        raise MakecaseError(problems)
    return requested


def check_brand_files(project: Project) -> None:
    """Files named in makecase.yaml must exist inside the project folder."""
    brand = project.settings.brand
    named = [("brand.logo.file", brand.logo.file if brand.logo else None),
             ("brand.extra_css", brand.extra_css)] + [
        (f"brand.{k}", getattr(brand, k)) for k in ("font_regular", "font_bold", "font_italic", "font_bold_italic")]
    problems = []
    for key, value in named:
        if not value:
            continue
        path = (project.root / value).resolve()
        where = project.settings_where.get(key, Location(project.root / "makecase.yaml"))
        if not path.is_relative_to(project.root):
            problems.append(Problem(f"'{value}' is outside the project folder.", where, key=key,
                                    hint="Copy the file into the project's assets/ folder and name it from there."))
        elif not path.is_file():
            problems.append(Problem(f"File '{value}' not found.", where, key=key,
                                    hint="Check the name; paths are relative to the folder holding makecase.yaml."))
    if problems:
        raise MakecaseError(problems)
