"""Everything findable: every id with its title and where it is written, ids completing in the
shell, and templates to copy, as a partnership meets them on the command line."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from conftest import invoke
from makecase.cli.commands import cli
from makecase.cli.scaffold import init_project


@pytest.fixture
def partnership(tmp_path):
    root = tmp_path / "move-more"
    init_project(root)
    (root / "content" / "evidence.yaml").write_text(
        "evidence:\n  - id: falls-admissions\n    headline: Falls fill beds in our hospitals too\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("kind, an_id, title", [
    ("audiences", "gps", "GPs"),
    ("evidence", "nice-brief-advice", "NICE recommends brief advice"),
    ("levers", "active-travel", "Active travel"),
    ("stories", "kirklees", "Kirklees: partners acting together"),
    ("quotes", "l3-brief-advice", "L3"),
])
def test_list_shows_the_ids_the_guide_uses_with_titles_and_where_they_are_written(partnership, kind, an_id, title):
    code, out = invoke("-C", partnership, "list", kind)
    assert code == 0, out
    line = next(line for line in out.splitlines() if line.startswith(an_id + " "))
    assert title in line and f"packaged content/{'stories' if kind == 'stories' else 'audiences' if kind == 'audiences' else 'evidence'}.yaml:" in line


def test_list_points_to_the_projects_own_file_for_an_item_it_rewords(partnership):
    code, out = invoke("-C", partnership, "list", "evidence", "falls-admissions")
    assert code == 0, out
    assert out.split() [:1] == ["falls-admissions"] and "in our hospitals too" in out and "content/evidence.yaml:2" in out
    assert "packaged" not in out


def test_a_line_of_the_packaged_content_is_named_one_way_everywhere(partnership):
    """list, explain and check's findings (text and JSON) name a packaged line alike."""
    from makecase import resources
    from makecase.errors import Location
    from makecase.check.findings import WARNING, Finding

    _, listed = invoke("-C", partnership, "list", "levers", "active-travel")
    _, explained = invoke("-C", partnership, "explain", "ics-leads")
    lever_line = next(line for line in explained.splitlines() if "lever active-travel" in line)
    where = lever_line.split("active-travel", 1)[1].strip()
    assert where.startswith("packaged content/evidence.yaml:") and where in listed
    line = int(where.rsplit(":", 1)[1])
    finding = Finding(WARNING, "sentence-length", "gps", "A long sentence.",
                      Location(resources.content_dir() / "evidence.yaml", line, 7), "Split it.")
    assert f"gps: {where}: A long sentence." in finding.render(partnership)
    assert "In your own content/ file of the same name" in finding.render(partnership)
    assert finding.as_json(partnership)["where"] == {"file": "packaged content/evidence.yaml", "line": line,
                                                     "column": 7}


def test_list_of_everything_and_an_unknown_id(partnership):
    code, out = invoke("-C", partnership, "list")
    assert code == 0
    for heading in ("Audiences:", "Evidence:", "Levers:", "Stories:", "Quotes:"):
        assert heading in out
    code, out = invoke("-C", partnership, "list", "evidence", "falls-admission")
    assert code == 2 and "Unknown evidence item id 'falls-admission'" in out and "Did you mean 'falls-admissions'?" in out


def complete(words: str, cwd, monkeypatch) -> list[str]:
    """What the shell offers on Tab, through click's own bash completion protocol."""
    monkeypatch.chdir(cwd)
    env = {"_MAKECASE_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split(" ")) - 1)}
    result = CliRunner().invoke(cli, [], env=env, prog_name="makecase")
    assert result.exit_code == 0, result.output
    return [line.split(",", 1)[1] for line in result.output.splitlines() if line]


def test_ids_complete_in_the_shell_and_completion_never_fails_outside_a_project(partnership, tmp_path, monkeypatch):
    assert complete("makecase build -a g", partnership, monkeypatch) == ["gps"]
    assert complete(f"makecase -C {partnership} explain c", tmp_path, monkeypatch) == ["commissioners"]
    assert complete("makecase list evidence falls", partnership, monkeypatch) == ["falls-admissions"]
    assert complete("makecase list stor", partnership, monkeypatch) == ["stories"]
    assert complete("makecase template copy partials/q", partnership, monkeypatch) == ["partials/quote.html"]
    assert complete("makecase -C nowhere build -a g", tmp_path, monkeypatch) == []
    (tmp_path / "makecase.yaml").write_text("brand: [unclosed\n", encoding="utf-8")
    assert complete("makecase build -a g", tmp_path, monkeypatch) == []


def test_copy_a_template_see_it_overridden_and_used(partnership):
    code, out = invoke("-C", partnership, "template", "copy", "quote.html")
    assert code == 0, out
    copied = partnership / "templates" / "partials" / "quote.html"
    assert copied.is_file()
    code, out = invoke("-C", partnership, "template", "list")
    assert code == 0 and "partials/quote.html    overridden by templates/partials/quote.html" in out
    assert "partials/story.html    packaged" in out
    code, out = invoke("-C", partnership, "template", "copy", "partials/quote.html")
    assert code == 2 and "never overwrites" in out
    code, out = invoke("-C", partnership, "template", "copy", "qoute.html")
    assert code == 2 and "Did you mean 'partials/quote.html'?" in out


def test_a_template_in_the_wrong_folder_is_a_warning_naming_the_closest(partnership):
    (partnership / "templates" / "quote.html").write_text("<p>ours</p>", encoding="utf-8")
    (partnership / "templates" / "partials").mkdir()
    (partnership / "templates" / "partials" / "stroy.html").write_text("<p>ours</p>", encoding="utf-8")
    code, out = invoke("-C", partnership, "validate", "--strict")
    assert code == 2
    assert "templates/quote.html: This template override matches no packaged template" in out
    assert "Did you mean 'templates/partials/quote.html'?" in out
    assert "Did you mean 'templates/partials/story.html'?" in out


def test_a_new_partial_used_by_an_override_is_not_a_warning(partnership):
    (partnership / "templates" / "partials").mkdir()
    (partnership / "templates" / "partials" / "story.html").write_text(
        '{% include "partials/our-panel.html" %}', encoding="utf-8")
    (partnership / "templates" / "partials" / "our-panel.html").write_text("<p>ours</p>", encoding="utf-8")
    code, out = invoke("-C", partnership, "validate")
    assert code == 0 and "our-panel" not in out, out


def test_font_files_beside_the_templates_are_not_called_unused_overrides(partnership):
    """Building from a checkout of makecase itself: its templates/ has fonts/ too."""
    fonts = partnership / "templates" / "fonts"
    fonts.mkdir(parents=True)
    (fonts / "LiberationSans-Regular.ttf").write_bytes(b"\0font")
    (fonts / "LICENSE.txt").write_text("OFL", encoding="utf-8")
    code, out = invoke("-C", partnership, "validate")
    assert code == 0 and "matches no packaged template" not in out, out


def test_template_copy_never_writes_through_a_link(partnership, tmp_path):
    outside = tmp_path / "outside.html"
    (partnership / "templates" / "partials").mkdir(parents=True)
    (partnership / "templates" / "partials" / "quote.html").symlink_to(outside)  # dangling
    code, out = invoke("-C", partnership, "template", "copy", "partials/quote.html")
    assert code == 2 and "symbolic link" in out and not outside.exists()
