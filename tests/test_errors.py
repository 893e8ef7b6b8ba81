"""A person's mistakes: a clear message with file, line and a hint, exit code 2, no traceback,
and nothing half-written on disk."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from makecase.cli.commands import cli

GOOD_EVIDENCE = """
    evidence:
      - id: local-walks
        lever: active-travel
        headline: Local walking groups
        body: Walking groups meet every week.
        sources:
          - title: Walking for health
            publisher: Ramblers
            year: 2024
            url: https://www.walkingforhealth.org.uk/
            section: About us
            checked: 2026-11-01
        reviewed: 2026-11-01
"""


def run(project_root, *args):
    result = CliRunner().invoke(cli, ["-C", str(project_root), *args])
    return result.exit_code, result.output  # click 8.2+ puts stderr in output too


def assert_clear_error(code, output, where, *phrases):
    assert code == 2, output
    assert "Traceback" not in output
    assert where in output, output
    for phrase in phrases:
        assert phrase in output, output


def test_yaml_syntax_error_names_file_line_and_column(project):
    project.write("content/audiences.yaml", """
        audiences:
          - id: gps
            title: GPs: the case
    """)
    code, out = run(project.root, "validate")
    assert_clear_error(code, out, "content/audiences.yaml:3:", "YAML syntax error", "how to fix:", "quotes")


def test_wrong_type_names_the_key_and_line(project):
    project.write("content/evidence.yaml", GOOD_EVIDENCE.replace("year: 2024", "year: last year"))
    code, out = run(project.root, "validate")
    assert_clear_error(code, out, "content/evidence.yaml:9:", "'year' should be a whole number",
                       "evidence › local-walks › sources › 0 › year")


def test_unknown_key_suggests_the_right_one(project):
    project.write("content/evidence.yaml", GOOD_EVIDENCE.replace("headline:", "hedline:"))
    code, out = run(project.root, "validate")
    assert_clear_error(code, out, "content/evidence.yaml:4:", "Unknown key 'hedline'", "Did you mean 'headline'?")


def test_unknown_id_suggests_the_closest_ids(project):
    project.write("content/audiences.yaml", """
        audiences:
          - id: gps
            evidence:
              - nice-brief-advice
              - falls-admission
    """)
    code, out = run(project.root, "validate")
    assert_clear_error(code, out, "content/audiences.yaml:5:", "Unknown evidence id 'falls-admission'", "'falls-admissions'")


def test_duplicate_id_points_at_the_second_and_names_the_first(project):
    second = GOOD_EVIDENCE.replace("    evidence:\n", "", 1).replace("year: 2024", "year: 2025")
    project.write("content/evidence.yaml", GOOD_EVIDENCE + second)
    code, out = run(project.root, "validate")
    assert_clear_error(code, out, "content/evidence.yaml:15:", "Duplicate evidence item id 'local-walks'",
                       "first used on line 2")


def test_duplicate_key_is_an_error_not_silently_the_last(project):
    project.write("content/evidence.yaml", GOOD_EVIDENCE.replace("        body:", "        body: First.\n        body:"))
    code, out = run(project.root, "validate")
    assert_clear_error(code, out, "content/evidence.yaml:6:", "appears twice")


def test_missing_required_key(project):
    project.write("content/evidence.yaml", GOOD_EVIDENCE.replace("        headline: Local walking groups\n", ""))
    code, out = run(project.root, "validate")
    assert_clear_error(code, out, "content/evidence.yaml:2:", "Required key 'headline' is missing")


def test_missing_logo_file(project):
    project.write("makecase.yaml", """
        brand:
          logo:
            file: assets/logo.png
            alt: Our logo
    """)
    code, out = run(project.root, "build", "--out", str(project.root / "out"))
    assert_clear_error(code, out, "makecase.yaml:3:", "File 'assets/logo.png' not found")
    assert not (project.root / "out").exists()


def test_missing_project_folder(tmp_path):
    code, out = run(tmp_path / "nowhere", "build")
    assert code == 2 and "Traceback" not in out
    assert "nowhere" in out


def test_all_problems_are_reported_together(project):
    project.write("content/evidence.yaml", GOOD_EVIDENCE.replace("headline:", "hedline:").replace("year: 2024", "year: soon"))
    project.write("content/audiences.yaml", """
        audiences:
          - id: gps
            story: dorsett-primary-care
    """)
    code, out = run(project.root, "validate")
    assert code == 2
    # The misspelt key is unknown, and leaves 'headline' missing: both are said.
    assert "4 problems" in out
    assert "Unknown key 'hedline'" in out and "Required key 'headline' is missing" in out
    assert "content/evidence.yaml:4:" in out and "content/evidence.yaml:9:" in out
    assert "content/audiences.yaml:3:" in out and "'dorset-primary-care'" in out


def test_unknown_audience_on_the_command_line(project):
    code, out = run(project.root, "build", "--audience", "gp")
    assert code == 2 and "Unknown audience 'gp'" in out and "'gps'" in out


def test_overflowing_page_fails_saying_by_how_much_and_writes_nothing(project):
    long_body = " ".join(["Walking groups meet every week in every park across the county."] * 30)
    project.write("content/evidence.yaml", GOOD_EVIDENCE.replace("Walking groups meet every week.", long_body))
    project.write("content/audiences.yaml", """
        audiences:
          - id: gps
            evidence: [local-walks, nice-brief-advice, clinical-champions]
    """)
    out_dir = project.root / "out"
    out_dir.mkdir()
    (out_dir / "keep.txt").write_text("from an earlier build")
    code, out = run(project.root, "build", "--out", str(out_dir))
    assert code == 2 and "Traceback" not in out
    assert "Does not fit on one page" in out and "mm too long" in out and "Cut about" in out
    assert "content/audiences.yaml:2:" in out
    assert sorted(p.name for p in out_dir.iterdir()) == ["keep.txt"]


def test_python_tags_in_yaml_are_refused(project, tmp_path):
    marker = tmp_path / "pwned"
    project.write("content/evidence.yaml", f"""
        levers: !!python/object/apply:os.system ["touch {marker}"]
    """)
    code, out = run(project.root, "validate")
    assert code == 2 and "Traceback" not in out
    assert not marker.exists()


def test_debug_flag_shows_traceback_for_internal_errors(project, monkeypatch):
    import makecase.load.crosschecks

    def boom(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(makecase.load.crosschecks, "check_references", boom)
    code, out = run(project.root, "validate")
    assert code == 70 and "internal error" in out and "Traceback" not in out
    result = CliRunner().invoke(cli, ["-C", str(project.root), "--debug", "validate"])
    assert isinstance(result.exception, RuntimeError)


def test_real_subprocess_exit_code_and_message(project):
    project.write("content/audiences.yaml", "audiences:\n  - id: gps\n    evidence: [no-such-item]\n")
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "makecase", "-C", str(project.root), "validate"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2
    assert "content/audiences.yaml:3:" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_broken_item_is_reported_once_not_again_as_unknown_where_it_is_used(project):
    project.write("content/evidence.yaml", "evidence:\n  - id: falls-admissions\n    reviewed: last week\n")
    code, out = run(project.root, "validate")
    assert_clear_error(code, out, "content/evidence.yaml:3:", "'reviewed' should be a date")
    assert "1 problem" in out and "Unknown evidence id" not in out
