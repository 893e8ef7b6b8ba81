"""The guide is a test: docs/customise.md followed step by step, in order, on a fresh `makecase init`
project. Every fenced block of the guide is a step here (a command run, a file written, or output
compared with what the tool prints), so the guide cannot drift from the tool unnoticed.

Output shown in the guide is compared line by line with what the tool prints: every line the
guide shows (but "...") must be printed, with spaces folded.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import invoke

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "customise.md"
FINGERTIPS = Path(__file__).resolve().parent / "fingertips"
LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60"><rect width="200" height="60" fill="#6A1B9A"/></svg>'


def blocks() -> list[tuple[str, str]]:
    """Every fenced block of the guide, in order: (language, text)."""
    return re.findall(r"^```(\w*)\n(.*?)^```", GUIDE.read_text(encoding="utf-8"), re.S | re.M)


def folded(text: str) -> str:
    """Spaces folded, and curly quotes straight (the guide is typed; the tool prints curly ones)."""
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", text).strip()


def shown_in(expected: str, printed: str, any_line: bool = False) -> list[str]:
    """The parts of the guide's block (split at its `...` lines, less its `$ ` command line)
    that the tool did not print, with spaces folded (the guide may wrap a long line).
    A line of the user's own content files may differ (it depends on how they laid the file
    out: the guide shows one way), and with any_line a line of their makecase.yaml too; the
    packaged content's lines are compared as they are."""
    def same(text: str) -> str:
        text = folded(text)
        text = re.sub(r"(?<!packaged )content/(\w+)\.yaml:\d+", r"content/\1.yaml:N", text)
        return re.sub(r"makecase\.yaml:\d+:\d+", "makecase.yaml:N", text) if any_line else text

    out = same(printed)
    parts = re.split(r"^\s*\.\.\.\s*$", "\n".join(
        line for line in expected.splitlines() if not line.startswith("$ ")), flags=re.M)
    return [part for part in parts if part.strip() and same(part) not in out]


class Guide:
    """The guide's blocks, taken in order: each step takes the next and says what it is."""

    def __init__(self, root: Path) -> None:
        self.blocks = blocks()
        self.next = 0
        self.root = root

    def take(self, language: str, starts: str = "") -> str:
        found, text = self.blocks[self.next]
        assert found == language and text.startswith(starts), \
            f"block {self.next + 1} of the guide is now a {found} block starting {text[:40]!r}: update test_guide.py"
        self.next += 1
        return text

    def run(self, *args: str) -> str:
        code, out = invoke("--project", str(self.root), *args)
        assert code == 0, out
        return out

    def command(self, language: str = "sh") -> None:
        """A block of commands: each run (comments after # dropped)."""
        for line in self.take(language).splitlines():
            line = line.split("#")[0].strip()
            if line:
                self.run(*line.split()[1:])

    def output(self, *args: str) -> str:
        """A `$ makecase ...` block: the command runs and prints what the guide shows."""
        expected = self.take("text", "$ makecase " + " ".join(args))
        printed = self.run(*args)
        assert not shown_in(expected, printed), f"the guide shows lines the tool does not print:\n{printed}"
        return printed

    def write_yaml(self, name: str, merge: bool = False) -> None:
        """A YAML block written to the file the guide names (merged into makecase.yaml)."""
        text = self.take("yaml")
        path = self.root / name
        if merge:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            data.update(yaml.safe_load(text))
            text = yaml.safe_dump(data, sort_keys=False)
        path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def followed(tmp_path_factory):
    """The guide followed to the end; returns what each checked step printed."""
    base = tmp_path_factory.mktemp("guide")
    code, out = invoke("init", str(base / "move-more"))
    assert code == 0, out
    guide = Guide(base / "move-more")
    guide.take("sh", "makecase init move-more")
    guide.run("build")
    tree = guide.take("text", "move-more/")
    for name in re.findall(r"^  (\S+)", tree, re.M):
        assert (guide.root / name).exists(), name
    guide.take("sh", "makecase serve")  # a server: the preview's own tests run it
    return guide, steps_2_to_7(guide)


def steps_2_to_7(guide: Guide) -> dict:
    printed: dict = {}
    (guide.root / "assets" / "logo.svg").write_text(LOGO, encoding="utf-8")
    guide.write_yaml("makecase.yaml", merge=True)
    failing = guide.take("text", "makecase.yaml:")  # a brand colour that fails contrast
    colour = re.search(r"brand\.primary (#\w{6})", failing).group(1)
    settings = (guide.root / "makecase.yaml").read_text(encoding="utf-8")
    (guide.root / "makecase.yaml").write_text(settings.replace("#6A1B9A", colour), encoding="utf-8")
    code, out = invoke("--project", str(guide.root), "validate")
    assert code == 2 and not shown_in(failing, out, any_line=True), out
    (guide.root / "makecase.yaml").write_text(settings, encoding="utf-8")
    printed["list"] = guide.output("list", "evidence")
    guide.write_yaml("content/evidence.yaml")
    guide.write_yaml("content/audiences.yaml")
    printed["explain"] = guide.output("explain", "trust-executives")
    guide.write_yaml("content/stories.yaml")
    printed["sources"] = guide.output("explain", "trust-executives", "--sources")
    (guide.root / "content" / "places.example.yaml").rename(guide.root / "content" / "places.yaml")
    guide.write_yaml("content/places.yaml")
    printed["import"] = places_import(guide)  # run by its own test, below
    guide.command()  # template copy, template list
    (guide.root / "assets" / "extra.css").write_text(".quote { font-style: italic; }\n", encoding="utf-8")
    guide.write_yaml("makecase.yaml", merge=True)  # brand: extra_css
    guide.write_yaml("makecase.yaml", merge=True)  # layout: min_fill
    printed["validate"] = guide.run("validate", "--strict")
    guide.take("sh", "makecase validate --strict")
    return printed


def places_import(guide: Guide) -> tuple[Path, list[str], str]:
    """The import is the other way to give a place figures: it runs in a copy of the project as
    it stands, from the export the guide names (kept in tests/fingertips), in its own test."""
    command = guide.take("sh", "makecase places import")
    expected = guide.take("text")
    copy = guide.root.parent / "import"
    shutil.copytree(guide.root, copy)
    (copy / "content" / "places.yaml").unlink()
    args = command.replace("\\\n", " ").split()[1:]
    return copy, [str(FINGERTIPS / Path(a).name) if a.startswith("~/") else a for a in args], expected


def test_the_places_import_prints_what_the_guide_shows(followed):
    _, printed = followed
    copy, args, expected = printed["import"]
    code, out = invoke("--project", str(copy), *args)
    assert code == 0 and not shown_in(expected, out), out


def test_every_block_of_the_guide_is_a_step_of_this_test(followed):
    guide, _ = followed
    assert guide.next == len(guide.blocks)


def test_the_guides_project_is_valid_with_no_warnings(followed):
    _, printed = followed
    assert "Content is valid, with no warnings" in printed["validate"]


def test_the_guide_says_levers_can_be_switched_off_and_what_branding_costs():
    text = folded(GUIDE.read_text(encoding="utf-8"))
    assert "levers:" in text and "enabled: false" in text
    assert "min_items" in text and "leaves out" in text
