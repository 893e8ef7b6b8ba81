"""Pack stage, its report: what a build wrote, as the CLI prints it and as JSON for scripts and CI."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from makecase.errors import Problem, clean
from makecase.resources import shown_path
from makecase.version import __version__

if TYPE_CHECKING:  # types only: a build with nothing to make prints its line without loading them
    from makecase.page.document import Document
    from makecase.load.project import Project


@dataclass
class BuildReport:
    """What a build wrote, for the CLI to print and for scripts and tests to check."""

    out_dir: Path
    documents: list[Document]
    written: list[Path]
    warnings: list[Problem]
    seconds: float
    # The whole pack the index and manifest list: the documents made now, merged with the
    # files kept from the previous build, in content order.
    pack: list[Document] = field(default_factory=list)
    # Documents this build chose whose inputs had not changed: their files stay, not laid out.
    unchanged: list[Document] = field(default_factory=list)
    shard: str | None = None  # "K/N" when the build made one shard of the pack (--shard)

    @property
    def kept(self) -> list[Document]:
        """Documents of the pack whose files all stay from the previous build."""
        made = {d.slug for d in self.documents} | {d.slug for d in self.unchanged}
        return [d for d in self.pack if d.slug not in made]

    def summary(self) -> str:
        """The one line a build ends with, also under -q."""
        return summary_line(self.out_dir, len(self.documents), len(self.unchanged), len(self.kept),
                            len(self.warnings), self.seconds, self.shard)

    def as_json(self, base: Path | None = None) -> dict:
        """The report for scripts and CI: every document of the pack, made now or kept."""
        made = {d.slug for d in self.documents}
        return {
            "generator": f"makecase {__version__}",
            "out_dir": str(self.out_dir),
            "shard": self.shard,
            "seconds": round(self.seconds, 3),
            "made": len(self.documents),
            "unchanged": len(self.unchanged),
            "kept": len(self.kept),
            "documents": [{
                "slug": d.slug,
                "audience": d.briefing.audience.id,
                "place": d.briefing.place.id if d.briefing.place else None,
                "made": d.slug in made,
                "files": {fmt: {"path": d.briefing.file_name(fmt), "bytes": len(data), "kept": fmt in d.kept}
                          for fmt, data in d.files.items()},
                "body_size_pt": d.body_size,
                "fill_percent": d.fill,
                "room_words": d.room_words if d.slug in made else None,
                "layouts": d.layouts if d.slug in made else None,
                "evidence": [c.item.id for c in d.briefing.cases],
                "left_out": [c.item.id for c in d.briefing.left_out],
                "shortened": d.briefing.shortened_parts,
                "seconds": round(d.seconds, 3) if d.slug in made else None,
            } for d in self.pack],
            "warnings": [{"message": w.message,
                          "where": ({"file": shown_path(w.location.file, base), "line": w.location.line,
                                     "column": w.location.column} if w.location else None),
                          "at": w.key, "hint": w.hint} for w in self.warnings],
        }


def summary_line(out_dir: Path, made: int, unchanged: int, kept: int, warnings: int, seconds: float,
                 shard: str | None = None) -> str:
    """The one line a build ends with: what it wrote, left unchanged and kept, and how long it took."""
    also = (f", {unchanged} unchanged" if unchanged else "") \
        + (f", kept {kept} from the previous build" if kept else "")
    warned = f", {warnings} warning(s)" if warnings else ""
    as_shard = f" as shard {shard}" if shard else ""
    return f"Wrote {made} briefing(s) to {clean(str(out_dir))}{as_shard}{also}{warned} in {seconds:.1f} s."


def progress_bar(document: Document, done: int, total: int, width: int = 24) -> str:
    """A terminal's one-line bar, redrawn in place as each page is done."""
    filled = round(width * done / max(total, 1))
    return f"\r\033[K  [{'#' * filled}{'-' * (width - filled)}] {done}/{total} {clean(document.slug, 40)}"


def document_line(document: Document, verbose: bool = False) -> str:
    """One line per document as it is done: its files, and how its page came out."""
    left_out = document.briefing.left_out
    items = f", {document.items} of {document.items + len(left_out)} evidence items" if left_out else ""
    if document.briefing.shortened:
        items += f", without {' and '.join(document.briefing.shortened_parts)}"
    detail = (f" (body {document.body_size:g}pt, page {document.fill:.0f}% full{items}"
              + (f", {document.layouts} layouts, {document.seconds:.2f} s" if verbose else "") + ")"
              if document.body_size else (f" ({document.seconds:.2f} s)" if verbose else ""))
    files = ", ".join(document.briefing.file_name(f) for f in document.files)
    return f"  {clean(files)}{detail}"


def pack_warnings(project: Project, documents: list[Document]) -> list[Problem]:
    """Everything a build warns of: the content's warnings, under-filled pages, WeasyPrint's."""
    return (list(project.warnings) + left_out_warnings(project, documents) + fill_warnings(project, documents)
            + document_warnings(documents))


def left_out_warnings(project: Project, documents: list[Document]) -> list[Problem]:
    """Each evidence item a page had no room for at full type size (fit.py) and that no other
    page of the pack shows, with how to show it or take it off the list (in the project's own
    audiences.yaml).

    An audience's list is in priority order and may end with spare items, taken when a page has
    room (a short place name, no logo): a spare left out but shown elsewhere is the list working
    as meant, said on the page's line ("4 of 5 evidence items") and by `explain`, not warned of,
    so --strict does not fail on it. An item left out of every page would never be read."""
    # Here, not at the top: a build with nothing to make prints its line without loading pydantic.
    from makecase.load.messages import own_file_problem

    shown = {c.item.id for d in documents for c in d.briefing.cases}
    found = []
    for d in documents:
        audience, taken = d.briefing.audience, [c.item.id for c in d.briefing.cases]
        for number, case in enumerate(d.briefing.left_out, len(taken) + 1):
            if case.item.id in shown:
                continue
            found.append(own_file_problem(
                project.root,
                f"Page '{d.slug}' leaves out evidence item '{case.item.id}' (number {number} on its "
                f"audience's list), and no other page shows it: the page is full with the {len(taken)} "
                f"above it at {d.body_size:g}pt.",
                audience.where("evidence"), f"audience {d.slug}",
                "The list is in priority order. To show it, move it up the list or shorten the "
                "items above it; to stop this warning, take it off the list.",
                audience, [f"evidence: [{', '.join(taken)}]"]))
    return found


def fill_warnings(project: Project, documents: list[Document]) -> list[Problem]:
    """A page using less of its height than layout.min_fill: say how much more it could hold."""
    minimum = project.settings.layout.min_fill
    return [Problem(f"Page '{d.slug}' is only {d.fill:.0f}% full (layout.min_fill is {minimum:g}%).",
                    d.briefing.audience.where(), key=f"audience {d.slug}",
                    hint=f"It could take about {d.room_words} more words: add an evidence item, an "
                         f"action or a signpost, or say more in 'why'.")
            for d in documents if d.fill is not None and d.fill + 1e-9 < minimum]


def document_warnings(documents: list[Document]) -> list[Problem]:
    """WeasyPrint's warnings, once per document, as problems a person can act on."""
    return [Problem(f"{d.slug}.pdf: WeasyPrint could not do this: {message}", None,
                    hint="Check the file or CSS it names; --strict makes this an error.")
            for d in documents for message in d.warnings]
