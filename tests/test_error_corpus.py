"""The golden error corpus: each folder in tests/errors/ is a broken project and what a person sees.

A case folder holds the project's files (makecase.yaml, content/...), optionally `command.txt`
(the arguments after `makecase -C FOLDER`, where PROJECT stands for FOLDER, e.g. the shard
folders a `merge` case names; `validate` if absent) and `expected.txt`: the whole
output, word for word, with paths relative to the project as a person sees them. To add a case,
make its folder, run `MAKECASE_UPDATE_GOLDEN=1 pytest tests/test_error_corpus.py`, and read the
expected.txt it writes before committing it.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from makecase.cli.commands import cli

CORPUS = Path(__file__).parent / "errors"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
META = {"expected.txt", "command.txt"}
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def run_case(case: Path, tmp_path: Path) -> tuple[int, str]:
    root = tmp_path / "project"
    root.mkdir()
    for path in case.rglob("*"):
        if path.is_file() and path.relative_to(case).as_posix() not in META:
            target = root / path.relative_to(case)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    command = (case / "command.txt").read_text().split() if (case / "command.txt").exists() else ["validate"]
    # Run from inside the project, with the paths a person types there (PROJECT/shard-1 is
    # shard-1), so a message never depends on how long the temporary folder's name is.
    command = [arg.replace("PROJECT/", "").replace("PROJECT", ".") for arg in command]
    here = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(cli, ["-C", str(root), *command])
    finally:
        os.chdir(here)
    return result.exit_code, result.output.replace(str(root), "PROJECT")


@pytest.mark.parametrize("name", CASES)
def test_error_case_says_what_it_always_said(name, tmp_path):
    case = CORPUS / name
    code, out = run_case(case, tmp_path)
    assert code == 2 and "Traceback" not in out and "internal error" not in out, out
    assert not UNSAFE.search(out.replace("\n", "")), repr(out)
    expected = case / "expected.txt"
    if os.environ.get("MAKECASE_UPDATE_GOLDEN"):
        expected.write_text(out, encoding="utf-8")
    assert expected.exists(), f"{name} has no expected.txt: see this module's docstring"
    assert out == expected.read_text(encoding="utf-8")


def test_the_corpus_covers_the_plain_english_table():
    assert len(CASES) >= 20
