"""Keys renamed in a later version still load, with a warning naming the new key and where."""

from __future__ import annotations

import pytest

import makecase.load.layers
from makecase.errors import MakecaseError
from makecase.load.loader import load_project


@pytest.fixture
def renamed(monkeypatch):
    """A test-only table: no real key has been renamed yet."""
    table = {"Audience": {"message": "key_message"}, "Settings": {"colours": "brand"},
             "evidence.yaml": {"claims": "evidence"}}
    monkeypatch.setattr(makecase.load.layers, "RENAMED_KEYS", table)
    return table


def test_an_old_item_key_loads_with_a_warning_naming_the_new_one(project, renamed):
    project.write("content/audiences.yaml", """
        audiences:
          - id: gps
            message: Walking groups cut GP visits.
    """)
    loaded = load_project(project.root)
    assert loaded.audiences["gps"].key_message == "Walking groups cut GP visits."
    found = [w for w in loaded.warnings if "'message' has been renamed 'key_message'" in w.message]
    assert len(found) == 1
    assert str(found[0].location).endswith("content/audiences.yaml:3:5")
    assert "key_message:" in found[0].hint


def test_an_old_setting_loads_and_its_errors_still_find_their_line(project, renamed):
    project.write("makecase.yaml", """
        colours:
          primary: "#00FF00"
    """)
    with pytest.raises(MakecaseError) as caught:
        load_project(project.root)
    # The new name's rules apply (bright green is too light for text) at the old key's line.
    rendered = "\n".join(p.render(project.root) for p in caught.value.problems)
    assert "brand.primary" in rendered and "makecase.yaml:2:" in rendered


def test_an_old_top_level_key_loads(project, renamed):
    some_id = next(iter(load_project(project.root).evidence))
    project.write("content/evidence.yaml", f"""
        claims:
          - id: {some_id}
            enabled: false
    """)
    loaded = load_project(project.root)
    # 'claims' was read as 'evidence': the packaged item it names is switched off.
    assert some_id not in loaded.evidence
    assert any("'claims' has been renamed 'evidence'" in w.message
               and str(w.location).endswith("content/evidence.yaml:1:1") for w in loaded.warnings)


def test_old_and_new_key_together_is_an_error(project, renamed):
    project.write("content/audiences.yaml", """
        audiences:
          - id: gps
            message: One.
            key_message: Two.
    """)
    with pytest.raises(MakecaseError) as caught:
        load_project(project.root)
    problem = caught.value.problems[0]
    assert "Both 'message' and its new name 'key_message'" in problem.message
    assert "keep only 'key_message'" in problem.hint
