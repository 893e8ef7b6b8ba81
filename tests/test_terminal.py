"""What the command line shows while a build runs and after it: a bar for a person at a terminal,
a line a page in CI, the pages left as they were under -v."""

from __future__ import annotations

import sys

from conftest import invoke
from makecase.cli import terminal
from makecase.pack.report import document_line, progress_bar


def test_a_person_at_a_terminal_sees_a_bar_ci_a_line_a_page_and_quiet_nothing(default_pack, monkeypatch, capsys):
    page = default_pack.documents[0]
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    terminal.build_progress(quiet=False, verbose=False)(page, 1, 6)
    out = capsys.readouterr().out
    assert out == progress_bar(page, 1, 6)  # the bar is redrawn in place: no new line until the end
    terminal.build_progress(quiet=False, verbose=False)(page, 6, 6)
    assert capsys.readouterr().out.endswith("\n")
    monkeypatch.setenv("CI", "true")
    terminal.build_progress(quiet=False, verbose=False)(page, 1, 6)
    assert capsys.readouterr().out == document_line(page, False) + "\n"
    assert terminal.build_progress(quiet=True, verbose=False) is None


def test_build_v_names_the_pages_it_left_unchanged(tmp_path):
    code, out = invoke("-C", tmp_path, "build", "-a", "gps", "-f", "html")
    assert code == 0, out
    code, out = invoke("-C", tmp_path, "build", "-a", "gps", "-f", "html", "-v")
    assert code == 0, out
    assert "  unchanged gps" in out.splitlines() and "1 unchanged" in out.splitlines()[-1]
