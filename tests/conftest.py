"""Shared fixtures: the default pack built once per test session, and small broken projects."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner

import makecase
from makecase.pack.report import BuildReport

REPO = Path(__file__).resolve().parents[1]
AUDIENCE_IDS = ["ics-leads", "commissioners", "trust-executives", "senior-clinicians", "gps", "pcn-leads"]


def invoke(*args) -> tuple[int, str]:
    """Run `makecase ARGS` as a person would; exit code and everything printed (click 8.2+ puts
    stderr in the output too)."""
    from makecase.cli.commands import cli

    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.output


@pytest.fixture(scope="session")
def default_pack(tmp_path_factory) -> BuildReport:
    """The packaged default content, built from an empty folder as a new user would."""
    empty = tmp_path_factory.mktemp("empty-project")
    return makecase.build(empty, out=empty / "output")


@pytest.fixture
def project(tmp_path):
    """A project folder; write(name, text) adds a file with dedented YAML."""

    class Project:
        root = tmp_path

        def write(self, name: str, text: str) -> Path:
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
            return path

    return Project()


def pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(path)
    return "\n".join(page.extract_text() for page in reader.pages)


def squash(text: str) -> str:
    """Text as a reader sees it: whitespace and line-end hyphenation folded, curly quotes straight."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip()


def link_uris(path: Path) -> list[str]:
    uris = []
    for page in pypdf.PdfReader(path).pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            action = annot.get("/A")
            if annot.get("/Subtype") == "/Link" and action and "/URI" in action:
                uris.append(str(action["/URI"]))
    return uris
