"""Commands a person runs on a project with places: build --place, build --strict, list, explain."""

from __future__ import annotations

import textwrap

import pytest

from conftest import invoke

PLACES = """
places:
  - id: kirklees
    name: Kirklees
    contact:
      name: Kirklees Move More team
      email: movemore@kirklees.example.net
  - id: calderdale
    name: Calderdale
"""


@pytest.fixture
def root(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "places.yaml").write_text(textwrap.dedent(PLACES).lstrip(), encoding="utf-8")
    return tmp_path


def test_build_one_audience_for_one_place_writes_only_that_page(root):
    code, out = invoke("-C", root, "build", "-a", "gps", "--place", "kirklees", "-f", "html")
    assert code == 0, out
    assert "kirklees/gps.html" in out and "calderdale" not in out
    pages = sorted(p.relative_to(root / "output").as_posix() for p in (root / "output").rglob("*.html"))
    assert pages == ["index.html", "kirklees/gps.html"]
    assert "Kirklees" in (root / "output" / "kirklees" / "gps.html").read_text(encoding="utf-8")


def test_an_unknown_place_names_the_known_ones(root):
    code, out = invoke("-C", root, "build", "--place", "kirklee")
    assert code == 2 and "Unknown place 'kirklee'" in out and "Did you mean 'kirklees'?" in out


def test_an_unknown_place_in_a_project_without_places(tmp_path):
    code, out = invoke("-C", tmp_path, "explain", "gps", "--place", "leeds")
    assert code == 2 and "Unknown place 'leeds'" in out and "This project has no places." in out


def test_list_places_shows_each_with_where_it_is_written(root):
    code, out = invoke("-C", root, "list", "places")
    assert code == 0, out
    assert any(line.startswith("kirklees ") and "content/places.yaml:2" in line for line in out.splitlines())
    code, out = invoke("-C", root, "list")
    assert code == 0 and "Places:" in out


def test_explain_says_whose_contact_a_page_shows(root):
    code, out = invoke("-C", root, "explain", "gps", "--place", "kirklees")
    assert code == 0, out
    assert "contact (place kirklees)" in out and "content/places.yaml:5" in out
    code, out = invoke("-C", root, "explain", "gps", "--place", "calderdale")
    assert code == 0 and "contact (packaged default)" in out
    (root / "makecase.yaml").write_text("contact:\n  name: Jo\n  email: jo@ours.example.net\n")
    code, out = invoke("-C", root, "explain", "gps")
    assert code == 0 and "contact (the project's)" in out and "makecase.yaml:2" in out


def test_build_strict_fails_on_a_warning_and_writes_nothing(root):
    (root / "content" / "audiences.yaml").write_text(textwrap.dedent("""
        audiences:
          - id: gps
            signposts:
              - text: NICE guidance on brief advice
                url: https://www.nice.org.uk/guidance/ph44
    """).lstrip(), encoding="utf-8")
    code, out = invoke("-C", root, "build", "-a", "gps", "-f", "html", "--strict")
    assert code == 2 and "--strict: 1 warning(s) to fix; nothing was written" in out
    assert "has no 'checked' date" in out and "content/audiences.yaml:4" in out
    assert not (root / "output").exists()
    code, out = invoke("-C", root, "validate", "--strict")
    assert code == 2 and "--strict: 1 warning(s) to fix:" in out
    code, out = invoke("-C", root, "build", "-a", "gps", "-f", "html")
    assert code == 0 and "has no 'checked' date" in out and (root / "output" / "kirklees" / "gps.html").exists()
