"""`makecase init --ci github|gitlab`: the workflow and requirements.txt it writes validate against
the CI's own schemas, pin every action to a commit and makecase to the running version, run only
real makecase commands, and (GitHub) run here, command by command, against a wheel built from this
repository: install, validate, build each shard, merge, check. (GitHub itself cannot run here;
its runners would also install Pango with apt, which this machine has.)"""

from __future__ import annotations

import fnmatch
import glob
import json
import os
import re
import shlex
import subprocess
import sys
import venv
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from packaging.requirements import Requirement

from conftest import REPO
from makecase.cli.commands import cli
from makecase.version import __version__

SCHEMAS = resources.files("check_jsonschema.builtin_schemas.vendor")  # schemastore's, as vendored
RECIPE = {"github": ".github/workflows/build-pack.yml", "gitlab": ".gitlab-ci.yml"}
SCHEMA = {"github": "github-workflows.json", "gitlab": "gitlab-ci.json"}
PINNED = re.compile(r"uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40})  # v\d+\.\d+\.\d+$")


def load_ci_yaml(text: str) -> dict:
    """As the CI reads it: YAML 1.2, where `on:` is a key, not true."""
    document = yaml.safe_load(text)
    if True in document:
        document["on"] = document.pop(True)
    return document


def assert_valid(document: dict, schema_name: str) -> None:
    schema = json.loads((SCHEMAS / schema_name).read_text(encoding="utf-8"))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in
              jsonschema.validators.validator_for(schema)(schema).iter_errors(document)]
    assert errors == []


def initialised(tmp_path: Path, ci: str) -> Path:
    project = tmp_path / "partnership"
    result = CliRunner().invoke(cli, ["init", str(project), "--ci", ci])
    assert result.exit_code == 0, result.output
    return project


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_init_writes_a_workflow_that_validates_and_a_pinned_requirement(tmp_path, ci):
    project = initialised(tmp_path, ci)
    text = (project / RECIPE[ci]).read_text(encoding="utf-8")
    assert_valid(load_ci_yaml(text), SCHEMA[ci])
    uses = [line.strip().removeprefix("- ") for line in text.splitlines() if "uses:" in line]
    assert all(PINNED.fullmatch(u) for u in uses), uses  # a commit, with its release in a comment
    if ci == "github":
        assert {PINNED.fullmatch(u).group(1) for u in uses} == {
            "actions/checkout", "actions/setup-python", "actions/upload-artifact", "actions/download-artifact",
            "actions/cache"}
    [line] = [l for l in (project / "requirements.txt").read_text().splitlines() if l and not l.startswith("#")]
    requirement = Requirement(line)
    assert requirement.name == "makecase" and (requirement.specifier == f"=={__version__}" or requirement.url)


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_every_makecase_command_init_writes_is_a_real_one(tmp_path, ci):
    project = initialised(tmp_path, ci)
    commands = [args for _, args in commands_of(project, ci, shard=2, total=4) if args[0] == "makecase"]
    assert {a[1] for a in commands} == {"validate", "build", "merge", "check"}
    for args in commands:
        result = CliRunner().invoke(cli, [*args[1:], "--help"])
        assert result.exit_code == 0 and "Usage: " in result.output, (args, result.output)


def init_without_github_repo_files(project: Path) -> None:
    # A later `init` refuses a folder that is not empty; the example contact is replaced as a
    # partnership would, or the workflow's `check --strict` rightly fails on it.
    settings = project / "makecase.yaml"
    settings.write_text(settings.read_text(encoding="utf-8")
                        .replace("hello@example.org", "active@ourpartnership.org.uk")
                        .replace("audiences: all", "audiences: [gps, pcn-leads]"), encoding="utf-8")


def fill(text: str, values: dict[str, str]) -> str:
    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}|\$(\w+)", lambda m: values[m.group(1) or m.group(2)], text)


def commands_of(project: Path, ci: str, shard: int, total: int) -> list[tuple[str, list[str]]]:
    """(job, command) for every command line the recipe runs, variables filled in."""
    document = load_ci_yaml((project / RECIPE[ci]).read_text(encoding="utf-8"))
    if ci == "github":
        values = {"matrix.shard": str(shard), "strategy.job-total": str(total)}
        runs = [(name, step["run"]) for name, job in document["jobs"].items() for step in job["steps"] if "run" in step]
    else:
        values = {"CI_NODE_INDEX": str(shard), "CI_NODE_TOTAL": str(total)}
        runs = [(name, line) for name in ("build-shard", "merge")
                for line in document["default"]["before_script"] + document[name]["script"]]
    return [(job, shlex.split(fill(part, values))) for job, run in runs for part in run.split(" && ")]


def executable(env_dir: Path, name: str) -> str:
    return str(env_dir / ("Scripts" if os.name == "nt" else "bin") / name)


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """A wheel and sdist of this repository, built as the project's CI builds them."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(REPO)], check=True,
                   capture_output=True, timeout=600)
    subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *map(str, out.iterdir())], check=True,
                   capture_output=True, timeout=120)
    return out


def test_the_github_workflow_runs_here_against_a_wheel_and_makes_the_checked_pack(tmp_path, dist):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    [wheel] = dist.glob("makecase-*.whl")
    environ = {**os.environ, "PIP_FIND_LINKS": " ".join(filter(None, [str(dist), os.environ.get("PIP_FIND_LINKS")]))}
    environ["PATH"] = str(Path(executable(env_dir, "python")).parent) + os.pathsep + environ["PATH"]
    environ.pop("GITHUB_ACTIONS", None)

    def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
        result = subprocess.run(args, cwd=cwd, env=environ, capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-2000:])
        return result

    run([executable(env_dir, "pip"), "install", "-q", str(wheel)], tmp_path)
    run([executable(env_dir, "makecase"), "init", "partnership", "--ci", "github"], tmp_path)
    project = tmp_path / "partnership"
    init_without_github_repo_files(project)
    document = load_ci_yaml((project / RECIPE["github"]).read_text(encoding="utf-8"))
    total = len(document["jobs"]["shard"]["strategy"]["matrix"]["shard"])
    for shard in range(1, total + 1):  # each runner of the matrix, then the merge job
        jobs = [("shard", args) for job, args in commands_of(project, "github", shard, total) if job == "shard"]
        jobs += [("merge", args) for job, args in commands_of(project, "github", shard, total)
                 if job == "merge" and shard == total]
        for _, args in jobs:
            if args[:2] == ["sudo", "apt-get"]:
                continue  # Pango: installed on this machine already
            expanded = [m for a in args for m in (sorted(glob.glob(a, root_dir=project)) if "*" in a else [a])]
            if expanded[0] in ("pip", "makecase"):
                expanded[0] = executable(env_dir, expanded[0])
            run(expanded, project)
    # The artifact the merge job uploads: the whole pack, from the wheel's makecase, checked.
    manifest = json.loads((project / "pack" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["generator"] == f"makecase {__version__}"
    assert sorted(d["audience"] for d in manifest["documents"]) == ["gps", "pcn-leads"]
    assert {"index.html", "pack.pdf", "gps.pdf", "pcn-leads.html"} <= {p.name for p in (project / "pack").iterdir()}
    shown = run([executable(env_dir, "python"), "-c", "import makecase, sys; print(makecase.__file__)"], project)
    assert "site-packages" in shown.stdout  # the wheel's makecase, not this checkout's
    assert fnmatch.fnmatch(wheel.name, f"makecase-{__version__}-py3-none-any.whl")


@pytest.mark.parametrize("workflow", sorted((REPO / ".github" / "workflows").glob("*.yml")), ids=lambda p: p.name)
def test_the_projects_own_workflows_validate_and_pin_every_action(workflow):
    text = workflow.read_text(encoding="utf-8")
    assert_valid(load_ci_yaml(text), SCHEMA["github"])
    uses = [line.strip().removeprefix("- ") for line in text.splitlines() if "uses:" in line]
    assert uses and all(PINNED.fullmatch(u) for u in uses), uses
