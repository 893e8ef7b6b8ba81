"""A whole build with nothing changed since the last ends at once, and never when anything did.

Each build here is a new `makecase` process, as in CI: the quick path's point is that it loads
neither the content (pydantic), the templates (Jinja2) nor WeasyPrint. What the process
imported is read back from `sys.modules` at its end.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

# Runs the CLI as `makecase` would, then says which heavy libraries the process loaded.
RUN = textwrap.dedent("""
    import sys
    from makecase.cli.commands import cli
    try:
        cli(sys.argv[1:], prog_name="makecase")
    except SystemExit as done:
        code = done.code or 0
    loaded = sorted(m for m in ("pydantic", "jinja2", "weasyprint") if m in sys.modules)
    print("LOADED", ",".join(loaded))
    sys.exit(code)
""")


def makecase(*args: str) -> tuple[int, str, list[str]]:
    result = subprocess.run([sys.executable, "-c", RUN, *args], capture_output=True, text=True, timeout=600)
    lines = result.stdout.splitlines()
    loaded = lines[-1].removeprefix("LOADED ").split(",") if lines and lines[-1].startswith("LOADED") else []
    return result.returncode, "\n".join(lines[:-1]) + result.stderr, [m for m in loaded if m]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A project of two audiences, built once as a whole (PDF and web page)."""
    root = tmp_path_factory.mktemp("fingerprint")
    (root / "makecase.yaml").write_text("audiences: [gps, pcn-leads]\n", encoding="utf-8")
    code, output, _ = makecase("-C", str(root), "build", "-q")
    assert code == 0, output
    return root


def test_a_second_whole_build_with_nothing_changed_loads_nothing_and_says_so(built):
    before = {p: p.read_bytes() for p in (built / "output").rglob("*") if p.is_file()}
    code, output, loaded = makecase("-C", str(built), "build")
    assert code == 0, output
    assert "Wrote 0 briefing(s)" in output and "2 unchanged" in output
    assert loaded == []  # no content models, no templates, no WeasyPrint
    assert {p: p.read_bytes() for p in (built / "output").rglob("*") if p.is_file()} == before


def test_any_change_in_the_project_folder_takes_the_ordinary_build(built):
    extra = built / "content" / "notes.txt"
    extra.parent.mkdir(exist_ok=True)
    extra.write_text("a note", encoding="utf-8")
    try:
        code, output, loaded = makecase("-C", str(built), "build")
        assert code == 0, output
        assert "pydantic" in loaded and "2 unchanged" in output  # checked page by page: none changed
    finally:
        extra.unlink()
    # The ordinary build recorded the folder as it then was (with the note): changed again now.
    code, output, loaded = makecase("-C", str(built), "build")
    assert "pydantic" in loaded
    code, output, loaded = makecase("-C", str(built), "build")
    assert loaded == []


def test_a_changed_page_file_is_made_again(built):
    page = built / "output" / "gps.html"
    page.write_text("edited by hand", encoding="utf-8")
    code, output, loaded = makecase("-C", str(built), "build")
    assert code == 0 and "jinja2" in loaded, output
    assert "Making the case" in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("options", [["-a", "gps"], ["--format", "pdf"], ["--force"], ["--json"]])
def test_a_chosen_or_forced_build_never_takes_the_quick_path(built, options):
    code, output, loaded = makecase("-C", str(built), "build", "-q", *options)
    assert code == 0, output
    assert "pydantic" in loaded


def test_a_build_that_warned_records_no_fingerprint(project, tmp_path):
    project.write("makecase.yaml", "audiences: [gps]\nlayout:\n  min_fill: 100\n")
    code, output, _ = makecase("-C", str(project.root), "build", "-q", "--format", "html")
    code, output, _ = makecase("-C", str(project.root), "build")
    assert code == 0, output
    assert "warning" in output  # the page is under min_fill
    assert json.loads((project.root / "output" / "manifest.json").read_text())["fingerprint"] is None
    code, output, loaded = makecase("-C", str(project.root), "build")
    assert "warning" in output and "pydantic" in loaded  # warned again, not skipped silently


def test_a_hand_edited_manifest_is_never_taken_as_built(built):
    manifest_path = built / "output" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["documents"] = manifest["documents"][:1]  # one page dropped by hand
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    code, output, loaded = makecase("-C", str(built), "build")
    assert code == 0 and "pydantic" in loaded, output
    assert len(json.loads(manifest_path.read_text())["documents"]) == 2  # written whole again


def test_output_dir_in_makecase_yaml_however_written_is_where_the_quick_path_looks(project):
    project.write("makecase.yaml", 'audiences: [gps]\noutput: {"dir" : elsewhere}\nlayout:\n  min_fill: 0\n')
    code, output, _ = makecase("-C", str(project.root), "build", "-q", "--out", str(project.root / "output"))
    code, output, loaded = makecase("-C", str(project.root), "build")
    assert code == 0 and "pydantic" in loaded, output  # nothing built in elsewhere/ yet
    assert (project.root / "elsewhere" / "gps.pdf").exists()
    code, output, loaded = makecase("-C", str(project.root), "build")
    assert loaded == [] and "elsewhere" in output


def test_a_named_pipe_in_the_project_does_not_stop_a_build(project):
    import os

    project.write("makecase.yaml", "audiences: [gps]\n")
    os.mkfifo(project.root / "notes")  # reading it would wait for a writer for ever
    code, output, _ = makecase("-C", str(project.root), "build", "-q", "--format", "html")
    assert code == 0, output
    code, output, loaded = makecase("-C", str(project.root), "build", "-q", "--format", "html")
    assert code == 0 and "pydantic" in loaded, output


def test_a_folder_dressed_as_an_output_or_a_virtual_environment_is_still_read(project):
    """Only a real output folder (its manifest lists pages) or a real virtual environment is
    left out; content/ is always read, so an edit there is always seen."""
    project.write("makecase.yaml", "audiences: [gps]\n")
    project.write("content/manifest.json", '{"generator": "makecase 0.2.0"}')
    project.write(".brand/pyvenv.cfg", "")
    code, output, _ = makecase("-C", str(project.root), "build", "-q", "--format", "html")
    code, output, loaded = makecase("-C", str(project.root), "build", "-q", "--format", "html")
    project.write(".brand/note.txt", "changed")
    code, output, loaded = makecase("-C", str(project.root), "build")
    assert code == 0 and "pydantic" in loaded, output
    code, output, loaded = makecase("-C", str(project.root), "build")
    assert loaded == [], output
    project.write("content/notes.txt", "changed")
    code, output, loaded = makecase("-C", str(project.root), "build")
    assert "pydantic" in loaded, output
    assert makecase("-C", str(project.root), "build")[2] == []
    project.write(".brand/note.txt", "changed again")
    assert "pydantic" in makecase("-C", str(project.root), "build")[2]


def test_a_publish_left_unfinished_never_takes_the_quick_path(built):
    """While a journal is there the folder is not a finished set: the ordinary build finishes it."""
    from makecase.output.journal import JOURNAL

    (built / "output" / JOURNAL).write_text("{}")
    code, output, loaded = makecase("-C", str(built), "build")
    assert code == 0 and "pydantic" in loaded, output
    assert not (built / "output" / JOURNAL).exists()
    assert makecase("-C", str(built), "build")[2] == []


def test_the_live_markup_check_remembers_a_page_that_passed_by_its_bytes_and_writes_nothing(tmp_path, monkeypatch):
    """A page's verdict depends on its bytes alone: one that passed is not parsed again in the
    same process, one that failed always is; the verdicts are kept in memory only, so a build
    writes nothing outside the project (no cache in the home folder) and no project can plant one."""
    import makecase.page.standalone
    from makecase.pack import fingerprint

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    fingerprint._verdicts.cache_clear()
    parsed = []
    real = makecase.page.standalone.active_parts
    monkeypatch.setattr(makecase.page.standalone, "active_parts", lambda *a: parsed.append(a) or real(*a))
    good, bad = b"<p>A page.</p>", b"<p>A page.</p><script>x()</script>"
    assert fingerprint.live_parts("gps.html", good) == [] and fingerprint.live_parts("gps.html", good) == []
    assert fingerprint.live_parts("gps.html", bad) == fingerprint.live_parts("gps.html", bad) != []
    assert len(parsed) == 3
    assert fingerprint.live_parts("index.html", good, ["gps.thumb.png"]) == [] and len(parsed) == 4
    assert not (tmp_path / "cache").exists() and not (tmp_path / "home").exists()
    fingerprint._verdicts.cache_clear()
