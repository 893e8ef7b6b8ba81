"""Command line, what it shows: errors, warnings, progress, reports and tables, as a person reads
them in a terminal.

cli.py parses options and calls the library; what the commands print is said here, once. Kept
light to import (click and errors.py only at the top), so `makecase --help` stays quick.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, NoReturn

import click

from makecase.errors import Location, MakecaseError, Problem, clean

if TYPE_CHECKING:  # types only: importing them loads the build
    from makecase.pack.report import BuildReport
    from makecase.page.document import Document
    from makecase.pack.fingerprint import NothingChanged
    from makecase.load.overrides import TemplateRow
    from makecase.load.project import Project


def fail(error: MakecaseError, base: Path) -> NoReturn:
    """A person's mistake: every problem, with file and line, and exit code 2."""
    click.echo(click.style("makecase: ", fg="red", bold=True) + error.render(base), err=True)
    sys.exit(2)


def file_error(exc: OSError) -> MakecaseError:
    """A file that cannot be read or written (a missing folder, a full disk): a person's problem."""
    where = Location(Path(exc.filename)) if isinstance(exc.filename, (str, Path)) else None
    return MakecaseError.single(f"Cannot read or write a file: {(exc.strerror or str(exc)).lower()}.",
                                where, hint="Check the folder exists and you may write to it, "
                                            "and that the disk is not full.")


def internal_error() -> NoReturn:
    """A bug (the exception being handled): say so and how to report it, and exit code 70."""
    exc_type, exc, _ = sys.exc_info()
    click.echo(f"makecase: internal error: {exc_type.__name__}: {clean(str(exc), 300)}\n"
               "This is a bug in makecase, not in your content. Run again with --debug "
               "to see the traceback, and report it.", err=True)
    sys.exit(70)


def warn(warnings: Iterable[Problem], base: Path) -> None:
    """Each warning on stderr, with its file and line relative to the project folder."""
    for warning in warnings:
        click.echo(click.style("warning: ", fg="yellow") + warning.render(base), err=True)


def build_progress(quiet: bool, verbose: bool) -> Callable[[Document, int, int], None] | None:
    """How a build shows each page as it is done: a bar on a person's terminal, one plain line
    per page in CI and logs, nothing when quiet."""
    from makecase.pack.report import document_line, progress_bar

    if quiet:
        return None
    if sys.stdout.isatty() and not os.environ.get("CI") and not verbose:
        return lambda d, done, total: click.echo(progress_bar(d, done, total), nl=done == total)
    return lambda d, done, total: click.echo(document_line(d, verbose))


def show_build_report(report: BuildReport, base: Path, *, as_json: bool, quiet: bool, verbose: bool) -> None:
    """After a build: the report as JSON; or the warnings, with -v the pages left as they were,
    and the summary line (only the summary under -q)."""
    if as_json:
        import json

        click.echo(json.dumps(report.as_json(base), indent=2))
        return
    if not quiet:
        warn(report.warnings, base)
        if verbose:
            for document in report.unchanged:
                click.echo(f"  unchanged {clean(document.slug)}")
            for document in report.kept:
                click.echo(f"  kept {clean(document.slug)}: " + ", ".join(sorted(document.files)))
    click.echo(report.summary())


def show_nothing_changed(done: NothingChanged, seconds: float, *, quiet: bool, verbose: bool) -> None:
    """A whole build that found nothing changed since the last (fingerprint.py): its pages with
    -v, and the summary line a build ends with."""
    from makecase.pack.report import summary_line

    if verbose and not quiet:
        for slug in done.slugs:
            click.echo(f"  unchanged {clean(slug)}")
    click.echo(summary_line(done.out_dir, 0, len(done.slugs), 0, 0, seconds))


def valid_summary(project: Project, warnings: int = 0) -> str:
    """What `validate` says when the content is valid: how many warnings, and how much of each
    kind it holds."""
    counted = "no warnings" if not warnings else f"{warnings} warning{'s' if warnings != 1 else ''}"
    return (f"Content is valid, with {counted}: {len(project.audiences)} audiences, {len(project.levers)} levers, "
            f"{len(project.evidence)} evidence items, {len(project.stories)} stories"
            + (f", {len(project.places)} places" if project.places else "") + ".")


def next_steps(folder: Path, written: list[Path]) -> str:
    """What `init` says it made, and what to do next."""
    return (f"Created {folder} with {len(written)} files. Next:\n"
            f"  cd {folder}\n  makecase build\n"
            "Then edit makecase.yaml (name, colours, logo, contact) and the files in content/.")


def two_columns(rows: list[tuple[str, str]], indent: str = "") -> list[str]:
    """Rows of (label, value) with the values lined up two spaces after the longest label."""
    width = max(len(label) for label, _ in rows) + 2
    return [f"{indent}{label:<{width}}{value}" for label, value in rows]


def template_lines(rows: list[TemplateRow]) -> list[str]:
    """`template list`: each packaged template, and whether the project overrides it."""
    return two_columns([(r.name, "overridden by templates/" + r.name if r.overridden else "packaged")
                        for r in rows], indent="  ")
