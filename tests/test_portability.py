"""Windows and macOS, tested on Linux: `makecase build` runs where fcntl does not exist (Windows),
its workers work when started by spawn (the default on macOS and Windows), and the findings
shown to CI (GitHub annotations and job summary, GitLab code quality) are right."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import makecase
from makecase.cli.ci_report import escape_data, escape_property
from makecase.cli.commands import cli
from makecase.pack import workers

HIDE_FCNTL = """
import sys
sys.modules["fcntl"] = None  # `import fcntl` now fails, as on Windows
from makecase.cli.commands import main
sys.argv = ["makecase", *sys.argv[1:]]
main()
"""


def test_makecase_build_runs_where_fcntl_does_not_exist(tmp_path):
    (tmp_path / "makecase.yaml").write_text("audiences: [gps, pcn-leads]\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", HIDE_FCNTL, "-C", str(tmp_path), "build", "-j", "2"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Wrote 2 briefing(s)" in result.stdout
    assert {"gps.pdf", "pcn-leads.html", "pack.pdf"} <= {p.name for p in (tmp_path / "output").iterdir()}
    # No lock file is left in the pack.
    assert not [p for p in (tmp_path / "output").iterdir() if p.name.startswith(".")]


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def spawn(monkeypatch):
    """Workers started as macOS and Windows start them: a fresh interpreter that imports makecase
    and is sent the project by pickle."""
    monkeypatch.setattr(workers, "START_METHOD", "spawn")


def test_workers_started_by_spawn_make_the_same_files_as_one_process(tmp_path, spawn):
    # The output folders outside the project: the fingerprint a manifest records hashes every
    # folder in the project but the one being written, so one build's would see the other's.
    project = tmp_path / "project"
    (project / "content").mkdir(parents=True)
    (project / "makecase.yaml").write_text("audiences: [gps, pcn-leads]\n", encoding="utf-8")
    (project / "content" / "places.yaml").write_text(
        "places:\n  - id: york\n    name: York\n  - id: leeds\n    name: Leeds\n", encoding="utf-8")
    parallel = makecase.build(project, out=tmp_path / "parallel", jobs=2)
    single = makecase.build(project, out=tmp_path / "single", jobs=1)
    assert len(parallel.documents) == 4
    first, second = files(parallel.out_dir), files(single.out_dir)
    assert set(first) == set(second) and "york/gps.pdf" in first and "pack.pdf" in first
    assert [name for name in first if first[name] != second[name]] == []


def test_a_worker_started_by_spawn_reports_a_problem_page(tmp_path, spawn):
    """A page that cannot fit comes back from a spawned worker as the build's clear error."""
    (tmp_path / "makecase.yaml").write_text("audiences: [gps, pcn-leads]\nlayout: {min_body_size: 12}\n",
                                            encoding="utf-8")
    (tmp_path / "content").mkdir()
    long = "Walking more each day helps people stay well and out of hospital. " * 40
    (tmp_path / "content" / "audiences.yaml").write_text(
        f"audiences:\n  - id: gps\n    why_it_matters: {json.dumps(long)}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["-C", str(tmp_path), "build", "-j", "2", "-f", "pdf"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "gps" in result.output


def test_workflow_command_escaping_keeps_one_finding_on_one_line():
    assert escape_data("50% of\nadults") == "50%25 of%0Aadults"
    assert escape_property("content/a,b:c.yaml") == "content/a%2Cb%3Ac.yaml"


GITHUB_ENV = {"GITHUB_ACTIONS": "true", "CI": "true"}


def broken_project(root: Path) -> None:
    (root / "makecase.yaml").write_text("audiences: [gps]\nlayout:\n  body_size: 40\n", encoding="utf-8")


def test_under_github_actions_a_failed_build_annotates_the_file_and_line(tmp_path):
    broken_project(tmp_path)
    summary = tmp_path / "summary.md"
    env = {**GITHUB_ENV, "GITHUB_WORKSPACE": str(tmp_path), "GITHUB_STEP_SUMMARY": str(summary)}
    result = CliRunner(env=env).invoke(cli, ["-C", str(tmp_path), "build", "-f", "html"])
    assert result.exit_code == 2
    annotations = [line for line in result.output.splitlines() if line.startswith("::error ")]
    assert annotations and annotations[0].startswith("::error file=makecase.yaml,title=makecase,line=3,")
    assert "body_size" in annotations[0] or "body" in annotations[0]
    assert "makecase build failed" in summary.read_text(encoding="utf-8")
    # The same build on a plain terminal prints no workflow command and writes no summary.
    plain = CliRunner(env={"GITHUB_ACTIONS": None, "GITHUB_STEP_SUMMARY": None}).invoke(
        cli, ["-C", str(tmp_path), "build", "-f", "html"])
    assert plain.exit_code == 2 and "::error" not in plain.output


def test_under_github_actions_a_build_summarises_pages_fill_and_warnings(tmp_path):
    # min_fill above any real page's fill: every page is warned of as under-filled.
    (tmp_path / "makecase.yaml").write_text("audiences: [gps, pcn-leads]\nlayout: {min_fill: 100}\n",
                                            encoding="utf-8")
    summary = tmp_path / "summary.md"
    env = {**GITHUB_ENV, "GITHUB_WORKSPACE": str(tmp_path.parent), "GITHUB_STEP_SUMMARY": str(summary)}
    result = CliRunner(env=env).invoke(cli, ["-C", str(tmp_path), "build", "-j", "1"])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("::warning ")]
    # The fill warning points into makecase's packaged content, which is not in the repository:
    # no file= (GitHub would find none), the packaged place named in the message instead.
    assert any(w.startswith("::warning title=makecase::packaged content/audiences.yaml:") and "%25 full" in w
               for w in warnings), result.output
    text = summary.read_text(encoding="utf-8")
    assert "### makecase build" in text and "| gps | yes | 12pt |" in text and "| pcn-leads | yes |" in text
    assert f"**Warnings: {len(warnings)}**" in text
    # Under --json stdout is the JSON alone.
    again = CliRunner(env=env).invoke(cli, ["-C", str(tmp_path), "build", "--json", "--force", "-a", "gps",
                                            "-f", "html"])
    assert again.exit_code == 0 and json.loads(again.stdout)["made"] == 1


def test_under_github_actions_check_annotates_and_gives_its_verdict(tmp_path):
    CliRunner().invoke(cli, ["init", str(tmp_path / "p")])
    project = tmp_path / "p"
    (project / "makecase.yaml").write_text(
        (project / "makecase.yaml").read_text(encoding="utf-8").replace("audiences: all", "audiences: [gps]"),
        encoding="utf-8")
    summary = tmp_path / "summary.md"
    env = {**GITHUB_ENV, "GITHUB_WORKSPACE": str(tmp_path), "GITHUB_STEP_SUMMARY": str(summary)}
    result = CliRunner(env=env).invoke(cli, ["-C", str(project), "check", "--code-quality", "q.json"])
    assert result.exit_code == 2
    # The example address left by init: on makecase.yaml's contact line, named from the repository root.
    assert any(line.startswith("::error file=p/makecase.yaml,title=makecase,line=")
               and "example address" in line for line in result.output.splitlines()), result.output
    text = summary.read_text(encoding="utf-8")
    assert "### makecase check: failed" in text and "| gps |" in text
    [issue] = [i for i in json.loads((project / "q.json").read_text()) if i["check_name"] == "makecase/example-value"]
    assert issue["severity"] == "major" and issue["location"]["path"] == "p/makecase.yaml"
