"""The CI recipes in examples/ are what `makecase init --ci` writes, are valid YAML, run only real makecase commands and options, split
the pack into as many shards as they merge, and their commands, run here in order as the runners
would run them, make the whole pack. (GitHub and GitLab themselves cannot run here.)"""

from __future__ import annotations

import fnmatch
import glob
import json
import re
import shlex
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import REPO
from makecase.cli.commands import cli
from makecase.pack.shard import parse_shard

GITHUB = REPO / "examples" / "github-actions" / "build-pack.yml"
GITLAB = REPO / "examples" / "gitlab-ci" / ".gitlab-ci.yml"


def filled(text: str, values: dict[str, str]) -> str:
    """Text with the CI's variables filled in (a variable the test does not know is a failure:
    the recipe uses something unchecked)."""
    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}|\$(\w+)", lambda m: values[m.group(1) or m.group(2)], text)


def makecase_commands(scripts: list[str], values: dict[str, str]) -> list[list[str]]:
    """Each `makecase ...` line of the scripts as arguments, variables filled in."""
    lines = (line.strip() for script in scripts for line in script.splitlines())
    return [shlex.split(filled(line, values))[1:] for line in lines if line.startswith("makecase ")]


def assert_real_options(args: list[str]) -> None:
    """click parses every option before it answers --help: an unknown command, option or value
    of a choice fails here, as it would on the runner."""
    result = CliRunner().invoke(cli, [*args, "--help"])
    assert result.exit_code == 0 and "Usage: " in result.output, (args, result.output)
    if "--shard" in args:
        parse_shard(args[args.index("--shard") + 1])


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def github_jobs() -> dict:
    return yaml.safe_load(GITHUB.read_text(encoding="utf-8"))["jobs"]


def github_commands(job: dict, shard: int, total: int) -> list[list[str]]:
    values = {"matrix.shard": str(shard), "strategy.job-total": str(total)}
    return makecase_commands([step["run"] for step in job["steps"] if "run" in step], values)


def test_the_github_workflow_builds_every_shard_and_merges_them_all():
    jobs = github_jobs()
    matrix = jobs["shard"]["strategy"]["matrix"]
    total = len(matrix["shard"])
    # The matrix is the shards 1 to N and nothing else, so strategy.job-total is N.
    assert list(matrix) == ["shard"] and matrix["shard"] == list(range(1, total + 1)) and total > 1
    upload = next(s for s in jobs["shard"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact"))
    uploads = []
    for shard in matrix["shard"]:
        values = {"matrix.shard": str(shard), "strategy.job-total": str(total)}
        [build] = [c for c in github_commands(jobs["shard"], shard, total) if c[0] == "build"]
        assert parse_shard(option(build, "--shard")) == parse_shard(f"{shard}/{total}")
        assert filled(upload["with"]["path"], values).rstrip("/") == option(build, "--out")
        uploads.append(filled(upload["with"]["name"], values))
    assert len(set(uploads)) == total
    merge = jobs["merge"]
    assert merge["needs"] == "shard"
    download = next(s for s in merge["steps"] if s.get("uses", "").startswith("actions/download-artifact"))
    assert all(fnmatch.fnmatch(name, download["with"]["pattern"]) for name in uploads)
    downloaded = [f"{download['with']['path']}/{name}" for name in uploads]  # one folder per artifact
    [merged] = [c for c in github_commands(merge, 1, total) if c[0] == "merge"]
    assert [c for c in github_commands(merge, 1, total) if c[0] == "check"] == [["check", "--strict"]]
    inputs = [a for a in merged[1:] if a not in ("--out", option(merged, "--out"))]
    assert sorted(p for p in downloaded if any(fnmatch.fnmatch(p, i) for i in inputs)) == sorted(downloaded)
    pack = next(s for s in merge["steps"] if s.get("with", {}).get("name") == "pack")
    assert pack["with"]["path"].rstrip("/") == option(merged, "--out")


def test_the_gitlab_pipeline_builds_every_shard_and_merges_them_all():
    pipeline = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    build, merge = pipeline["build-shard"], pipeline["merge"]
    total = build["parallel"]
    assert isinstance(total, int) and total > 1 and merge["needs"] == ["build-shard"]
    assert pipeline["stages"].index(build["stage"]) < pipeline["stages"].index(merge["stage"])
    folders = []
    for index in range(1, total + 1):
        values = {"CI_NODE_INDEX": str(index), "CI_NODE_TOTAL": str(total)}
        [command] = [c for c in makecase_commands(build["script"], values) if c[0] == "build"]
        assert parse_shard(option(command, "--shard")) == parse_shard(f"{index}/{total}")
        folder = option(command, "--out")
        assert any(folder.startswith(p.rstrip("/") + "/") for p in build["artifacts"]["paths"])
        folders.append(folder)
    assert len(set(folders)) == total  # each job's artifact unpacks beside the others
    [merged, checked] = makecase_commands(merge["script"], {})
    assert checked[0] == "check" and "--strict" in checked  # the merged pack is checked
    inputs = [a for a in merged[1:] if a not in ("--out", option(merged, "--out"))]
    assert sorted(f for f in folders if any(fnmatch.fnmatch(f, i) for i in inputs)) == sorted(folders)
    assert option(merged, "--out") + "/" in merge["artifacts"]["paths"]


@pytest.mark.parametrize("recipe", ["github", "gitlab"])
def test_every_makecase_command_in_the_recipes_is_a_real_one(recipe):
    if recipe == "github":
        jobs = github_jobs()
        commands = github_commands(jobs["shard"], 2, 4) + github_commands(jobs["merge"], 1, 4)
    else:
        pipeline = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
        commands = [c for job in ("build-shard", "merge") for c in makecase_commands(
            pipeline["default"]["before_script"] + pipeline[job]["script"], {"CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "4"})]
    assert {c[0] for c in commands} == {"validate", "build", "merge", "check"}
    for args in commands:
        assert_real_options(args)


def test_the_gitlab_commands_run_in_order_make_the_whole_pack(tmp_path, monkeypatch):
    """Each runner's commands, then the merge's, in one folder as the artifacts would meet."""
    (tmp_path / "makecase.yaml").write_text("audiences: [gps, pcn-leads]\n", encoding="utf-8")
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "places.yaml").write_text(
        # Names short enough that every page fits at 12pt: the recipe's `check --strict` fails a
        # page that had to shrink (with Calderdale, the PCN leads' page does).
        "places:\n  - id: york\n    name: York\n  - id: leeds\n    name: Leeds\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    pipeline = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    total = pipeline["build-shard"]["parallel"]
    runs = [makecase_commands(pipeline["build-shard"]["script"], {"CI_NODE_INDEX": str(k), "CI_NODE_TOTAL": str(total)})
            for k in range(1, total + 1)] + [makecase_commands(pipeline["merge"]["script"], {})]
    for run in runs:
        for args in run:
            expanded = [m for a in args for m in (sorted(glob.glob(a)) if "*" in a else [a])]
            result = CliRunner().invoke(cli, expanded)
            assert result.exit_code == 0, (expanded, result.output)
        # Each job runs in a fresh checkout; only its artifacts reach the next. Its code-quality
        # report would change the project's fingerprint in the shared folder here.
        assert json.loads(Path("quality", "check.json" if "merge" in run[0] else "build.json").read_text()) == []
        shutil.rmtree("quality")
    assert CliRunner().invoke(cli, ["build", "-q", "--out", "whole"]).exit_code == 0
    whole, public = ({p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
                     for folder in (Path("whole"), Path("public")))
    assert sorted(public) == sorted(whole) and Path("pack.pdf") in public
    assert sum(p.suffix == ".pdf" and p.name != "pack.pdf" for p in public) == 4
    # The fingerprint each manifest records hashes the project folder as it then is, and the
    # whole build's folder also holds public/, which the merge wrote (fingerprint.py reads every
    # folder but the one being written). Every other byte is the same.
    bare = [{k: v for k, v in json.loads(files.pop(Path("manifest.json"))).items() if k != "fingerprint"}
            for files in (whole, public)]
    assert bare[0] == bare[1]
    assert [name for name in whole if whole[name] != public[name]] == []


@pytest.mark.parametrize("ci, recipe", [("github", GITHUB), ("gitlab", GITLAB)])
def test_the_examples_are_what_init_writes(ci, recipe):
    """So the examples are tested wherever init's recipes are (tests/test_init_ci.py runs them)."""
    from makecase.cli.ci_recipes import ci_files

    written = ci_files(ci)
    assert recipe.read_text(encoding="utf-8") == next(text for path, text in written.items()
                                                      if path != "requirements.txt")
    assert (REPO / "examples" / "requirements.txt").read_text(encoding="utf-8") == written["requirements.txt"]
