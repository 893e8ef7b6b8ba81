"""The command line: click commands only. Each parses options, calls the library and prints what
terminal.py says (errors, warnings, progress, reports and tables)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from makecase.errors import MakecaseError, raise_if_strict
from makecase.cli.completion import complete_listed_id, completer
from makecase.cli.terminal import (build_progress, fail, file_error, internal_error, next_steps, show_build_report,
                       show_nothing_changed,
                       template_lines, two_columns, valid_summary, warn)
from makecase.version import __version__

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
CODE_QUALITY = click.option(
    "--code-quality", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
    help="Also write the errors and warnings as a GitLab code-quality report (JSON) to FILE.")


class CliContext:
    """What every command needs: the project folder and whether to show tracebacks."""

    def __init__(self, project_dir: Path, debug: bool) -> None:
        self.project_dir = project_dir
        self.debug = debug


class MakecaseGroup(click.Group):
    """Turns a person's mistake into a clear message and exit code 2; a bug shows a traceback with --debug."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except MakecaseError as error:
            settings = ctx.find_object(CliContext)
            fail(error, settings.project_dir if settings else Path.cwd())
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except BrokenPipeError:  # output piped into `head` or a pager that closed: not a bug
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except OSError as exc:  # a folder that cannot be written, a full disk: not a bug
            settings = ctx.find_object(CliContext)
            if settings and settings.debug:
                raise
            fail(file_error(exc), settings.project_dir if settings else Path.cwd())
        except Exception:  # a bug: say so, and how to report it
            settings = ctx.find_object(CliContext)
            if settings and settings.debug:
                raise
            internal_error()


@click.group(cls=MakecaseGroup, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="makecase")
@click.option("-C", "--project", "project_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), show_default=True, help="Project folder to work on.")
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
@click.pass_context
def cli(ctx: click.Context, project_dir: Path, debug: bool) -> None:
    """Make one-page briefings that make the case for physical activity to NHS leaders.

    Works on a project folder (the current folder, or -C DIR). Its makecase.yaml and content/
    files are used where present, over the packaged default content.
    """
    ctx.obj = CliContext(project_dir, debug)


@cli.command()
@click.option("-a", "--audience", "audiences", multiple=True, metavar="ID", shell_complete=completer("audiences"),
              help="Build only this audience (repeatable). See `makecase list audiences`.")
@click.option("-p", "--place", "places", multiple=True, metavar="ID", shell_complete=completer("places"),
              help="Build only this place from places.yaml (repeatable).")
@click.option("-f", "--format", "fmt", type=click.Choice(["pdf", "html", "all"]), default=None,
              help="What to write. Default: the project's output.formats (PDF and HTML).")
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder. Default: output/ in the project folder.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors (for CI).")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, metavar="N",
              help="Lay out N pages at once in N processes. Default: the number of CPUs.")
@click.option("--force", is_flag=True, help="Make every chosen page again, even if nothing it is made from changed.")
@click.option("--shard", metavar="K/N", default=None,
              help="Build only shard K of N: every Nth chosen page, for `makecase merge` (CI runners).")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors and the summary line.")
@click.option("-v", "--verbose", is_flag=True, help="Also print each page's layouts and time, and the pages kept.")
@click.option("--json", "as_json", is_flag=True, help="Print the build report as JSON (for scripts and CI).")
@CODE_QUALITY
@click.pass_obj
def build(obj: CliContext, audiences: tuple[str, ...], places: tuple[str, ...], fmt: str | None,
          out: Path | None, strict: bool, jobs: int | None, force: bool, shard: str | None, quiet: bool,
          verbose: bool, as_json: bool, code_quality: Path | None) -> None:
    """Build a one-page PDF and an HTML page for every audience.

    With -a, -p or --format only those pages are made; the rest of the previous pack in the
    output folder is kept. A page whose content, templates, fonts and settings have not changed
    since the last build is not made again (--force makes it). Each page is printed as it is done."""
    from makecase.cli.ci_report import CiReport
    from makecase.pack.fingerprint import nothing_changed

    ci = CiReport(obj.project_dir, "build", code_quality, annotate=not as_json)
    if not (audiences or places or fmt or force or shard or as_json):
        # A whole build: when nothing changed since the last one, say so before loading anything.
        started = time.perf_counter()
        done = nothing_changed(obj.project_dir, out)
        if done is not None:
            show_nothing_changed(done, time.perf_counter() - started, quiet=quiet, verbose=verbose)
            ci.nothing_changed(len(done.slugs))
            return
    from makecase.pack.build import build as run_build
    from makecase.pack.workers import default_jobs

    formats = None if fmt is None else (("pdf", "html") if fmt == "all" else (fmt,))
    progress = build_progress(quiet or as_json, verbose)
    with ci.watching():
        report = run_build(obj.project_dir, audiences=audiences, places=places, formats=formats,
                           out=out, strict=strict, force=force, jobs=jobs or default_jobs(), progress=progress,
                           shard=shard)
        show_build_report(report, obj.project_dir, as_json=as_json, quiet=quiet, verbose=verbose)
        ci.built(report)


@cli.command()
@click.argument("shards", nargs=-1, required=True, metavar="SHARD_DIR...",
                type=click.Path(file_okay=False, path_type=Path))
@click.option("-o", "--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the whole pack.")
@CODE_QUALITY
@click.pass_obj
def merge(obj: CliContext, shards: tuple[Path, ...], out: Path, code_quality: Path | None) -> None:
    """Join the folders of `makecase build --shard K/N` (K = 1 to N) into one pack in --out:
    the pages' files, checked, and the index and manifest a whole build makes. Lays nothing out."""
    from makecase.cli.ci_report import CiReport
    from makecase.pack.merge import merge as run_merge

    with CiReport(obj.project_dir, "merge", code_quality).watching() as ci:
        report = run_merge(obj.project_dir, shards, out)
        warn(report.warnings, obj.project_dir)
        click.echo(report.summary())
        ci.findings("warning", "merge", report.warnings)


@cli.command("list")
@click.argument("kind", required=False, metavar="[KIND]", type=click.Choice(["audiences", "evidence", "levers", "stories",
                                                           "quotes", "places"]))
@click.argument("ids", nargs=-1, metavar="[ID]...", shell_complete=complete_listed_id)
@click.pass_obj
def list_(obj: CliContext, kind: str | None, ids: tuple[str, ...]) -> None:
    """List ids, titles and where each is written: one KIND, or everything.

    KIND is audiences, evidence, levers, stories, quotes or places.
    The ids are what content files use: an audience's `evidence: [...]`, `story:` and
    `quote:`, and `-a`/`-p` on the command line. Give IDs to see only those.
    """
    from makecase.cli.catalogue import listing
    from makecase.load.loader import load_project

    if ids and kind is None:
        raise click.UsageError("Name the KIND before the IDs, e.g. `makecase list evidence falls-admissions`.")
    project = load_project(obj.project_dir)
    if kind is not None:
        click.echo("\n".join(listing(project, kind, ids)))
        return
    for line in listing(project, None):
        click.echo(line)


@cli.command()
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@CODE_QUALITY
@click.pass_obj
def validate(obj: CliContext, strict: bool, code_quality: Path | None) -> None:
    """Check the content and settings; print every problem with file and line."""
    from makecase.cli.ci_report import CiReport
    from makecase.load.loader import load_project

    from makecase.check.run import validate_more

    with CiReport(obj.project_dir, "validate", code_quality).watching() as ci:
        project = load_project(obj.project_dir)
        warnings = validate_more(project)  # raises for missing brand files
        raise_if_strict(warnings, strict)  # printed once, in the error
        warn(warnings, obj.project_dir)
        click.echo(valid_summary(project, len(warnings)))
        ci.findings("warning", "validate", warnings)


@cli.command("check")
@click.option("-a", "--audience", "audiences", multiple=True, metavar="ID",
              help="Check only this audience (repeatable).")
@click.option("-p", "--place", "places", multiple=True, metavar="ID",
              help="Check only this place (repeatable).")
@click.option("--strict", is_flag=True, help="Fail on warnings too (for CI).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (for CI).")
@click.option("--links", is_flag=True, help="Also fetch every link online and report bad ones.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
              help="Check dates as if today were this day: what will need re-checking by then.")
@CODE_QUALITY
@click.pass_obj
def check_(obj: CliContext, audiences: tuple[str, ...], places: tuple[str, ...], strict: bool,
           as_json: bool, links: bool, as_of, code_quality: Path | None) -> None:
    """Build the pack in memory and check every page: plain English, accessibility (PDF tags
    and axe-core), review dates and values left from `makecase init`. Writes nothing."""
    import json

    from makecase.check.run import check, print_report
    from makecase.cli.ci_report import CiReport

    with CiReport(obj.project_dir, "check", code_quality, annotate=not as_json).watching() as ci:
        report = check(obj.project_dir, audiences=audiences, places=places, links=links,
                       today=as_of.date() if as_of else None)
        if as_json:
            click.echo(json.dumps(report.as_json(), indent=2))
        else:
            click.echo(print_report(report, strict))
        ci.checked(report, strict)
    sys.exit(2 if report.failed(strict) else 0)


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--ci", type=click.Choice(["github", "gitlab"]), default=None,
              help="Also write a CI workflow that builds, checks and keeps the pack, and a requirements.txt "
                   "pinning this makecase.")
def init(folder: Path, ci: str | None) -> None:
    """Start a partnership project in FOLDER (refuses to overwrite anything)."""
    from makecase.cli.scaffold import init_project

    written = init_project(folder, ci)
    click.echo(next_steps(folder, written))


@cli.command()
@click.argument("audience", shell_complete=completer("audiences"))
@click.option("-p", "--place", default=None, metavar="ID", shell_complete=completer("places"),
              help="Explain the page for this place.")
@click.option("--sources", is_flag=True,
              help="Show each claim on the page beside its source: passage, section, link, checked date.")
@click.pass_obj
def explain(obj: CliContext, audience: str, place: str | None, sources: bool) -> None:
    """Show where each thing on AUDIENCE's page comes from (file and line), or with --sources
    the evidence for each claim, to check a page against its sources."""
    from makecase.cli.explain import claims, laid_out, render_claims
    from makecase.cli.explain import explain as run_explain
    from makecase.load.loader import load_project
    from makecase.load.messages import checked_ids

    project = load_project(obj.project_dir)
    checked_ids([audience], project.audiences, "audience")
    if place:
        checked_ids([place], project.places, "place")
    page = laid_out(project, audience, place)
    if sources:
        click.echo(render_claims(claims(project, audience, place, page[0])), nl=False)
        return
    for line in two_columns(run_explain(project, audience, place, page)):
        click.echo(line)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. The default is this machine only; 0.0.0.0 shares the preview "
                   "with your network.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0 picks a free one).")
@click.pass_obj
def serve(obj: CliContext, host: str, port: int) -> None:
    """Preview every briefing in the browser, rebuilt as you edit (Ctrl-C to stop)."""
    from makecase.preview.server import serve as run_serve

    try:
        run_serve(obj.project_dir, host=host, port=port, echo=lambda text: click.echo(text))
    except OSError as exc:
        raise MakecaseError.single(f"Cannot listen on {host}:{port}: {exc.strerror}.",
                                   hint="Another program may use that port: try --port 8001, or --port 0.") from None


@cli.command()
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("schema"),
              show_default=True, help="Folder for the .schema.json files.")
@click.pass_obj
def schema(obj: CliContext, out: Path) -> None:
    """Write JSON Schema for makecase.yaml and each content file, for editors."""
    from makecase.cli.schema import write_schemas

    target = out if out.is_absolute() else obj.project_dir / out
    for path in write_schemas(target):
        click.echo(f"  {path}")


@cli.group()
def places() -> None:
    """Local places: import their figures from official statistics (Fingertips)."""


@places.command("import")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--area-type", metavar="T", help="Only areas of this Fingertips area type (its name, or how it begins).")
@click.option("--areas", multiple=True, metavar="CODE,...", help="Only these areas, by ONS code (repeatable).")
@click.option("--indicators", multiple=True, metavar="ID,...", help="Only these indicators, e.g. 93015 (repeatable).")
@click.option("--retrieved", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The date you downloaded the files (default: the date in the file name, else its date).")
@click.option("--fetch", is_flag=True, help="Download the export from the Fingertips API first, into data/.")
@click.option("--area-type-id", type=click.IntRange(1), default=None, metavar="N",
              help="With --fetch: Fingertips' number for the area type (see its api/area_types).")
@click.pass_obj
def places_import(obj: CliContext, files: tuple[Path, ...], area_type: str | None, areas: tuple[str, ...],
                  indicators: tuple[str, ...], retrieved, fetch: bool, area_type_id: int | None) -> None:
    """Write or update content/places.yaml from Fingertips CSV exports (or FingertipsNext JSON
    saved to a file): each area's figures with England, period and source. Keeps what you wrote."""
    from makecase.load.places_import import import_places, split_ids

    if fetch:
        from makecase.load.fetch_fingertips import fetch_export

        if area_type_id is None:
            raise click.UsageError("--fetch needs --area-type-id N (e.g. 502, counties and unitary authorities).")
        files = files + (fetch_export(obj.project_dir, split_ids(indicators), area_type_id),)
        click.echo(f"Saved {files[-1]}; import it again offline with `makecase places import {files[-1]}`.")
    report = import_places(obj.project_dir, files, area_type=area_type, areas=areas, indicators=indicators,
                           retrieved=retrieved.date() if retrieved else None)
    warn(report.warnings, obj.project_dir)
    for change in report.changes:
        click.echo(f"  {change}")
    click.echo(report.summary(obj.project_dir))


@cli.group()
def template() -> None:
    """Copy a packaged template into templates/ to change the design; see which you override."""


@template.command("list")
@click.pass_obj
def template_list(obj: CliContext) -> None:
    """The packaged templates, and which of them your project overrides."""
    from makecase.load.overrides import template_rows, unknown_overrides

    for line in template_lines(template_rows(obj.project_dir)):
        click.echo(line)
    warn(unknown_overrides(obj.project_dir), obj.project_dir)


def _complete_template(ctx: click.Context, param: click.Parameter, incomplete: str):
    from makecase.load.overrides import packaged_templates

    return [n for n in packaged_templates() if n.startswith(incomplete) or n.split("/")[-1].startswith(incomplete)]


@template.command("copy")
@click.argument("name", shell_complete=_complete_template)
@click.pass_obj
def template_copy(obj: CliContext, name: str) -> None:
    """Copy the packaged template NAME (e.g. partials/quote.html) into templates/ to edit it."""
    from makecase.load.overrides import copy_template

    target = copy_template(obj.project_dir, name)
    click.echo(f"Copied to {target}. Edit it: your copy is used instead of the packaged one "
               "(delete it to go back).")


def main() -> None:
    cli(prog_name="makecase")
