"""Command line, in CI: findings where reviewers look. Under GitHub Actions each error and warning
is also printed as a workflow command (`::error file=...,line=...::`), which GitHub shows on the
pull request's diff, and build and check add a short summary to the job's page
($GITHUB_STEP_SUMMARY). With --code-quality FILE (GitLab CI), the findings are also written as a
GitLab code-quality report, which GitLab shows on the merge request. A plain terminal is unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
from contextlib import contextmanager
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Iterator, Mapping

import click

from makecase import resources
from makecase.errors import MakecaseError, Problem, clean

if TYPE_CHECKING:
    from makecase.check.run import CheckReport
    from makecase.pack.report import BuildReport

# GitLab's severities for ours (its report format: docs.gitlab.com, "Code Quality report format").
SEVERITY = {"error": "major", "warning": "minor", "note": "info"}


def on_github(env: Mapping[str, str] = os.environ) -> bool:
    return env.get("GITHUB_ACTIONS") == "true"


def escape_data(text: str) -> str:
    """A workflow command's message: %, CR and LF escaped, so a message stays one command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (file=, title=): also : and , escaped."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def repo_path(file: Path, base: Path, env: Mapping[str, str] = os.environ) -> str | None:
    """The file as the repository names it (from GITHUB_WORKSPACE or CI_PROJECT_DIR, else from the
    project folder), with forward slashes on every platform; None for makecase's packaged files,
    which are not in the repository."""
    if resources.packaged_place(file):
        return None
    root = Path(env.get("GITHUB_WORKSPACE") or env.get("CI_PROJECT_DIR") or base)
    for resolve in (os.path.abspath, os.path.realpath):
        try:
            return PurePath(os.path.relpath(resolve(base / file), resolve(root))).as_posix()
        except ValueError:  # another drive on Windows
            continue
    return PurePath(file).as_posix()


def workflow_command(level: str, problem: Problem, base: Path, env: Mapping[str, str] = os.environ) -> str:
    """One `::error ...::message` (or ::warning, ::notice) line for GitHub."""
    command = {"error": "error", "warning": "warning"}.get(level, "notice")
    properties = ["title=" + escape_property("makecase")]
    where = problem.location
    path = repo_path(where.file, base, env) if where else None
    if path is not None:
        properties.insert(0, "file=" + escape_property(path))
        if where.line is not None:
            properties.append(f"line={where.line}")
            if where.column is not None:
                properties.append(f"col={where.column}")
    message = clean(problem.message) + (f" How to fix: {clean(problem.hint)}" if problem.hint else "")
    if where and path is None:  # packaged content: named as the package's, as the terminal does
        message = f"{resources.packaged_place(where.file, where.line)}: {message}"
    return f"::{command} {','.join(properties)}::{escape_data(message)}"


def quality_issue(level: str, check: str, problem: Problem, base: Path, env: Mapping[str, str]) -> dict:
    """One issue of a GitLab code-quality report."""
    where = problem.location
    path = (repo_path(where.file, base, env) if where else None) or "makecase.yaml"
    line = (where.line if where else None) or 1
    fingerprint = hashlib.sha256(f"{check}\0{path}\0{line}\0{problem.message}".encode()).hexdigest()
    return {"description": clean(problem.message, 500), "check_name": f"makecase/{check}",
            "fingerprint": fingerprint, "severity": SEVERITY.get(level, "info"),
            "location": {"path": path, "lines": {"begin": line}}}


class CiReport:
    """What one command shows for CI, beside what it prints for people."""

    def __init__(self, base: Path, command: str, code_quality: Path | None = None, *, annotate: bool = True,
                 env: Mapping[str, str] = os.environ) -> None:
        self.base, self.command, self.code_quality, self.env = base, command, code_quality, env
        self.github = on_github(env)
        self.annotate = annotate and self.github  # not under --json: stdout is the JSON then
        self.issues: list[dict] = []

    def findings(self, level: str, check: str, problems: list[Problem]) -> None:
        for problem in problems:
            if self.annotate:
                click.echo(workflow_command(level, problem, self.base, self.env))
            if self.code_quality is not None:  # a plain terminal builds no report it will not write
                self.issues.append(quality_issue(level, check, problem, self.base, self.env))

    @contextmanager
    def watching(self) -> Iterator[CiReport]:
        """Run a command; if it stops with a person's mistake, report its problems as errors
        (the caller's error handling then prints them as usual), and write the reports."""
        try:
            yield self
        except MakecaseError as error:
            self.findings("error", self.command, error.problems)
            self.summary([f"**makecase {self.command} failed**: {len(error.problems)} problem(s) to fix; "
                          "see the annotations and the log."])
            raise
        finally:
            self.write_code_quality()

    def summary(self, lines: list[str]) -> None:
        """Append Markdown to the job's summary page (GitHub only)."""
        path = self.env.get("GITHUB_STEP_SUMMARY") if self.github else None
        if path:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write("\n".join(lines) + "\n\n")

    def write_code_quality(self) -> None:
        if self.code_quality is not None:
            target = self.code_quality if self.code_quality.is_absolute() else self.base / self.code_quality
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(self.issues, indent=2) + "\n", encoding="utf-8")

    def built(self, report: BuildReport) -> None:
        self.findings("warning", "build", report.warnings)
        self.summary(build_summary(report))

    def nothing_changed(self, pages: int) -> None:
        """A whole build that found nothing to do (fingerprint.py): no findings, a one-line summary."""
        self.summary(["### makecase build", "", f"Nothing changed since the last build: {pages} page(s), "
                      "no warnings (a build that warned records no fingerprint)."])
        self.write_code_quality()

    def checked(self, report: CheckReport, strict: bool) -> None:
        for finding in report.findings:
            self.findings(finding.level, finding.check,
                          [Problem(f"{finding.page}: {finding.message}" if finding.page else finding.message,
                                   finding.location, None, finding.hint)])
        self.summary(check_summary(report, strict))


def cell(text: object) -> str:
    return clean(str(text)).replace("|", "\\|")


def build_summary(report: BuildReport) -> list[str]:
    """The build in a few lines: what it wrote, each page's fill, and the warnings."""
    made = {d.slug for d in report.documents}
    lines = [f"### makecase build{' (shard ' + report.shard + ')' if report.shard else ''}", "",
             cell(report.summary()), "", "| page | made now | body | fill |", "| --- | --- | --- | --- |"]
    for d in report.pack:
        lines.append(f"| {cell(d.slug)} | {'yes' if d.slug in made else 'no'} | "
                     f"{f'{d.body_size:g}pt' if d.body_size else '-'} | {f'{d.fill:.0f}%' if d.fill is not None else '-'} |")
    lines += ["", f"**Warnings: {len(report.warnings)}**"]
    lines += [f"- {cell(w.render())}" for w in report.warnings[:20]]
    return lines


def check_summary(report: CheckReport, strict: bool) -> list[str]:
    """The check's verdict and counts, and each page's figures."""
    verdict = "failed" if report.failed(strict) else "passed"
    counts = {level: sum(f.level == level for f in report.findings) for level in ("error", "warning", "note")}
    lines = [f"### makecase check: {verdict}", "",
             f"{len(report.pages)} page(s); {counts['error']} error(s), {counts['warning']} warning(s), "
             f"{counts['note']} note(s){' (--strict)' if strict else ''}.", "",
             "| page | words | reading age | fill |", "| --- | --- | --- | --- |"]
    lines += [f"| {cell(p.page)} | {p.words} | {p.reading_age:g} | {f'{p.fill * 100:.0f}%' if p.fill is not None else '-'} |"
              for p in report.pages]
    return lines
