"""`makecase init` writes a project that loads whatever its folder is called, and whose every
commented example builds when uncommented as its comment says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import makecase
from conftest import pdf_text, squash
from makecase.cli.scaffold import init_project

LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60"><rect width="200" height="60"/></svg>'
INTRO_END = re.compile(r"below\)?\.$")


def uncomment_next_example(path: Path) -> str | None:
    """Do what a person does with an example: select its lines and toggle the comment ("# ").

    An example starts with a comment line '# Example...' whose last line ends 'below.' or
    'below).'; its lines are the comment lines right after that, at the same indentation.
    Returns the example's first line, or None when no commented example is left.
    """
    lines = path.read_text(encoding="utf-8").split("\n")
    for i, line in enumerate(lines):
        match = re.match(r"^(\s*)# Example", line)
        if not match:
            continue
        indent, j = match.group(1), i
        while not INTRO_END.search(lines[j]):
            j += 1
        start = end = j + 1
        while end < len(lines) and lines[end].startswith(indent + "#"):
            end += 1
        if start == end:
            continue
        for k in range(start, end):
            lines[k] = indent + lines[k][len(indent):].removeprefix("# ").removeprefix("#")
        lines[i] = lines[i].replace("# Example", "# Done", 1)
        path.write_text("\n".join(lines), encoding="utf-8")
        return lines[start].strip()
    return None


def test_every_commented_example_validates_and_builds_when_uncommented(tmp_path):
    root = tmp_path / "move-more"
    init_project(root)
    (root / "assets" / "logo.svg").write_text(LOGO, encoding="utf-8")  # "put the file in assets/ first"
    done = []
    # In the order the comments ask: evidence and stories before the audience that uses them.
    for name in ("makecase.yaml", "content/evidence.yaml", "content/stories.yaml",
                 "content/audiences.yaml", "content/places.yaml"):
        if name == "content/places.yaml":  # "rename this file to places.yaml"
            (root / "content" / "places.example.yaml").rename(root / name)
        while (first := uncomment_next_example(root / name)) is not None:
            project = makecase.load_project(root)  # raises, with file and line, if it does not validate
            done.append((name, first))
    assert len(done) == 10, done
    assert "logo" in (root / "makecase.yaml").read_text() and project.settings.brand.logo is not None
    assert project.places["our-area"].figures and project.audiences["gps"].story == "our-story"

    report = makecase.build(root, audiences=["gps"])
    assert [d.slug for d in report.documents] == ["our-area/gps"]
    gps = squash(pdf_text(root / "output" / "our-area" / "gps.pdf"))
    assert "Walking groups reach people who are least active" in gps
    assert "Our town: what we did together" in gps and "12,345" in gps
    assert project.audiences["ics-leads"].key_message == "Make physical activity part of how our system plans for health."


@pytest.mark.parametrize("folder", ["2025", "yes", "a: b", "*x", "#1 team", "null", "'quoted'", "on"])
def test_any_folder_name_gives_a_project_that_loads(tmp_path, folder):
    root = tmp_path / folder
    init_project(root)
    project = makecase.load_project(root)
    name = folder.replace("-", " ").title()
    assert project.settings.partnership.name == name
    assert project.settings.contact.name == name
