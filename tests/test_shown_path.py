"""One home for a path as shown to a person (issue 18): the terminal, --json, check, explain and
the preview name a file alike, and never by a path into the installed package."""

from __future__ import annotations

import os

from makecase.errors import Location, Problem
from makecase.check.findings import WARNING, Finding
from makecase.resources import content_dir, shown_path, templates_dir


def test_packaged_files_are_named_as_the_packages_never_by_their_install_path(tmp_path):
    assert shown_path(content_dir() / "evidence.yaml", tmp_path) == "packaged content/evidence.yaml"
    assert shown_path(templates_dir() / "partials" / "footer.html") == "packaged templates/partials/footer.html"


def test_project_files_are_shown_from_the_project_and_a_symlink_is_named_not_followed(tmp_path):
    (tmp_path / "content").mkdir()
    real = tmp_path / "content" / "evidence.yaml"
    real.write_text("evidence: []\n")
    os.symlink(real, tmp_path / "content" / "link.yaml")
    assert shown_path(real, tmp_path) == "content/evidence.yaml"
    assert shown_path(tmp_path / "content" / "link.yaml", tmp_path) == "content/link.yaml"
    assert shown_path("/elsewhere/x.yaml", tmp_path) == "/elsewhere/x.yaml"


def test_the_terminal_and_json_name_the_same_file(tmp_path):
    file = tmp_path / "content" / "audiences.yaml"
    finding = Finding(WARNING, "review-by", "gps", "Check it.", Location(file, 3, 5))
    assert "content/audiences.yaml:3:5" in finding.render(tmp_path)
    assert finding.as_json(tmp_path)["where"]["file"] == "content/audiences.yaml"
    problem = Problem("Broken.", Location(templates_dir() / "briefing.html", 64))
    assert problem.render(tmp_path).startswith("packaged templates/briefing.html:64: ")
