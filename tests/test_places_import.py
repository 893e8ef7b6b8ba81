"""`makecase places import`: official figures into places.yaml, read back as a person meets them:
the file written, the page built, the warning or error with file and line, the exit code."""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
import urllib.error
from pathlib import Path

import pytest
import yaml

import makecase
from conftest import invoke, pdf_text, squash
from makecase.errors import MakecaseError
from makecase.load.fetch_fingertips import export_url, fetch_export
from makecase.load.loader import load_project
from makecase.load.places_import import stale_figures

DATA = Path(__file__).parent / "fingertips"
OLDER = DATA / "physical-activity-2024-11-20.csv"  # 2023/24 and 2022/23, every awkward row
NEWER = DATA / "physical-activity-2025-11-18.csv"  # 2024/25
NEXT_JSON = DATA / "next-93015-2025-11-18.json"


def places_of(root: Path) -> dict[str, dict]:
    data = yaml.safe_load((root / "content" / "places.yaml").read_text(encoding="utf-8"))
    return {p["id"]: p for p in data["places"]}


def figure(place: dict, indicator: str) -> dict:
    return next(f for f in place["figures"] if f["source"].get("indicator") == indicator)


def copy_with(tmp_path: Path, name: str, edit) -> Path:
    """A copy of the older export, changed by `edit(lines) -> lines`."""
    lines = OLDER.read_text(encoding="utf-8-sig").splitlines()
    target = tmp_path / name
    target.write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")
    return target


# --- the file written -----------------------------------------------------------------------


def test_one_command_writes_a_place_per_area_with_sourced_figures(tmp_path):
    code, output = invoke("-C", tmp_path, "places", "import", OLDER)
    assert code == 0, output
    places = places_of(tmp_path)
    assert list(places) == ["calderdale", "kirklees", "bristol-city-of"]
    calderdale = places["calderdale"]
    assert calderdale["code"] == "E08000033" and calderdale["name"] == "Calderdale"
    inactive = figure(calderdale, "93015")
    assert inactive["value"] == "26.1%" and inactive["percent"] == 26.1
    assert inactive["label"] == "of adults in Calderdale are physically inactive (England 22.6%), 2023/24"
    assert inactive["period"] == "2023/24" and inactive["england"] == "22.6%"
    assert inactive["ci"] == {"lower": 22.9, "upper": 29.3, "level": 95}
    source = inactive["source"]
    assert source["publisher"] == "Office for Health Improvement and Disparities"
    assert source["title"] == "Percentage of physically inactive adults"
    assert source["url"] == "https://fingertips.phe.org.uk/search/93015"
    assert source["retrieved"] == dt.date(2024, 11, 20)  # from the file's name
    assert "Wrote content/places.yaml: 9 changes." in output
    assert "calderdale: added physically inactive adults, 26.1% (2023/24)" in output
    # A name with a comma, in quotes in the CSV, is one name.
    assert places["bristol-city-of"]["name"] == "Bristol, City of"
    load_project(tmp_path)  # what was written is valid content


def test_the_page_shows_the_figure_with_england_period_and_source(tmp_path):
    invoke("-C", tmp_path, "places", "import", "--indicators", "93015", "--areas", "E08000033", OLDER)
    makecase.build(tmp_path, audiences=["gps"], places=["calderdale"], out=tmp_path / "output")
    text = squash(pdf_text(tmp_path / "output" / "calderdale" / "gps.pdf"))
    # The figure, its bar's words ("26.1 in every 100") and the sentence written by rule.
    assert "26.1% 26.1 in every 100 of adults in Calderdale are physically inactive (England 22.6%), 2023/24" in text
    assert "Source: Office for Health Improvement and Disparities, 2024, Fingertips 93015" in text
    html = (tmp_path / "output" / "calderdale" / "gps.html").read_text(encoding="utf-8")
    assert 'href="https://fingertips.phe.org.uk/search/93015"' in html


def test_check_strict_passes_on_pages_with_imported_figures(tmp_path):
    (tmp_path / "makecase.yaml").write_text("audiences: [gps]\n", encoding="utf-8")
    (tmp_path / "content").mkdir()
    # The packaged pages are full; a partnership makes room for its local figures.
    (tmp_path / "content" / "audiences.yaml").write_text(textwrap.dedent("""\
        audiences:
          - id: gps
            actions:
              - Ask adults about activity; give brief advice and follow it up.
              - Refer patients to social prescribing and community activity.
        """), encoding="utf-8")
    assert invoke("-C", tmp_path, "places", "import", OLDER, "--retrieved", "2026-11-20")[0] == 0
    code, output = invoke("-C", tmp_path, "check", "--strict", "--as-of", "2026-12-06")
    assert code == 0, output
    # A year on, the same figures are named for refreshing, and --strict fails on them.
    code, output = invoke("-C", tmp_path, "check", "--strict", "--as-of", "2027-12-06")
    assert code == 2 and "[place-figure-age]" in output and "retrieved on 2026-11-20" in output


def test_reimporting_a_newer_export_updates_figures_and_keeps_what_people_wrote(tmp_path):
    invoke("-C", tmp_path, "places", "import", OLDER)
    path = tmp_path / "content" / "places.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    calderdale = data["places"][0]
    calderdale["name"] = "Calderdale Council area"
    calderdale["contact"] = {"name": "Active Calderdale", "email": "hello@calderdale.example.net"}
    calderdale["figures"] = [{"value": "40", "label": "walking groups meet each week",
                              "source": {"title": "Annual report", "publisher": "Calderdale Council",
                                         "year": 2025, "url": "https://www.example.net/report",
                                         "section": "page 3", "checked": "2026-01-05"}},
                             figure(calderdale, "93015")]
    path.write_text("# Our places: edit freely.\n" + yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    code, output = invoke("-C", tmp_path, "places", "import", "--indicators", "93015", NEWER)
    assert code == 0, output
    assert "calderdale: physically inactive adults 26.1% (2023/24) -> 24.9% (2024/25)" in output
    assert "kirklees: physically inactive adults 24.8% (2022/23) -> 23.7% (2024/25)" in output
    assert path.read_text(encoding="utf-8").startswith("# Our places: edit freely.\n")
    calderdale = places_of(tmp_path)["calderdale"]
    assert calderdale["name"] == "Calderdale Council area"
    assert calderdale["contact"]["name"] == "Active Calderdale"
    assert calderdale["figures"][0]["value"] == "40"  # the hand-written figure, where it was
    updated = calderdale["figures"][1]
    assert updated["label"] == "of adults in Calderdale Council area are physically inactive (England 22.0%), 2024/25"
    assert updated["source"]["retrieved"] == dt.date(2025, 11, 18)
    assert len(calderdale["figures"]) == 2

    # The same file again: nothing changes, and it says so.
    code, output = invoke("-C", tmp_path, "places", "import", "--indicators", "93015", NEWER)
    assert "0 changes, 3 figure(s) unchanged" in output


def test_fingertips_next_json_goes_through_the_same_import(tmp_path):
    code, output = invoke("-C", tmp_path, "places", "import", NEXT_JSON)
    assert code == 0, output
    places = places_of(tmp_path)
    inactive = figure(places["calderdale"], "93015")
    assert (inactive["value"], inactive["period"], inactive["england"]) == ("26.1%", "2023/24", "22.6%")
    # Kirklees's data is in the newer shape, by segment.
    assert figure(places["kirklees"], "93015")["value"] == "23.1%"
    assert "Skipped indicator 93015 for sex 'Female'" in output
    assert "areaHealthData[1].healthData[2]" in output  # JSON has no lines: the path names the point


def test_choosing_areas_by_type_and_code(tmp_path):
    code, output = invoke("-C", tmp_path, "places", "import", "--area-type", "districts", OLDER)
    assert code == 0, output
    assert list(places_of(tmp_path)) == ["calderdale"]  # the only area listed as a district too
    code, output = invoke("-C", tmp_path, "places", "import", "--area-type", "wards", OLDER)
    assert code == 2 and "No area in the files has the area type 'wards'" in output
    assert "Counties & UAs (from Apr 2023)" in output
    code, output = invoke("-C", tmp_path, "places", "import", "--areas", "E54000054", OLDER)
    assert code == 2 and "E54000054 is not in the files" in output and "ICB codes change when boards merge" in output


# --- awkward data: skipped with the row named -------------------------------------------------


def test_each_skipped_row_is_named_with_file_and_line(tmp_path):
    code, output = invoke("-C", tmp_path, "places", "import", OLDER)
    assert code == 0
    name = OLDER.name
    expected = {
        9: "Skipped indicator 93015 for sex 'Male': makecase uses Persons.",
        10: "Skipped indicator 93015 for sex 'Female'",
        11: "Skipped indicator 93015 by 'County & UA deprivation deciles",
        12: "Skipped indicator 93015 for age '16+ yrs': makecase uses '19+ yrs'",
        14: "Skipped: this row repeats line 13.",
        15: "Indicator 93015 for Kirklees: 2023/24 has value note 'Value suppressed for disclosure control "
            "due to small count'; the figure is from 2022/23 instead.",
        17: "Indicator 93015 for Bristol, City of, 2023/24: kept, with the value note 'Aggregated",
        19: "Skipped indicator 90366 ('Life expectancy at birth'): makecase has no rule to write its sentence.",
    }
    for line, message in expected.items():
        assert f"{name}:{line}: {message}" in squash(output), (line, output)
    assert "Traceback" not in output
    assert figure(places_of(tmp_path)["kirklees"], "93015")["period"] == "2022/23"


def test_the_bom_is_not_part_of_the_first_column(tmp_path):
    assert OLDER.read_bytes().startswith(b"\xef\xbb\xbf")
    assert invoke("-C", tmp_path, "places", "import", OLDER)[0] == 0


# --- refused with file and line, exit code 2 -------------------------------------------------


def refused(tmp_path: Path, *args) -> str:
    code, output = invoke("-C", tmp_path, "places", "import", *args)
    assert code == 2, output
    assert "Traceback" not in output
    assert not (tmp_path / "content" / "places.yaml").exists()
    return squash(output)


def test_a_file_that_is_not_a_fingertips_export(tmp_path):
    output = refused(tmp_path, DATA / "not-fingertips.csv")
    assert "not-fingertips.csv:1: This is not a Fingertips data export" in output
    assert "'Indicator ID'" in output


def test_a_row_with_an_unquoted_comma(tmp_path):
    def edit(lines):
        lines[16] = lines[16].replace('"Bristol, City of"', "Bristol, City of")
        return lines
    output = refused(tmp_path, copy_with(tmp_path, "broken.csv", edit))
    assert "broken.csv:17: This row has 27 columns; the header has 26." in output


def test_two_different_values_for_the_same_thing(tmp_path):
    def edit(lines):
        return lines + [lines[5].replace(",26.1,", ",27.0,")]
    output = refused(tmp_path, copy_with(tmp_path, "conflict.csv", edit))
    assert "conflict.csv:20: Two different values for indicator 93015, Calderdale (E08000033), 2023/24" in output


def test_an_unknown_indicator_asked_for(tmp_path):
    output = refused(tmp_path, "--indicators", "90366", OLDER)
    assert "makecase cannot write a sentence for indicator 90366" in output
    assert "93015 (physically inactive adults)" in output


def test_a_file_saved_again_in_another_encoding(tmp_path):
    target = tmp_path / "latin1.csv"
    target.write_bytes(OLDER.read_text(encoding="utf-8-sig").replace("Calderdale", "Caldérdale").encode("latin-1"))
    output = refused(tmp_path, target)
    assert "latin1.csv:5: This file is not UTF-8 text" in output


def test_json_that_is_not_a_fingertips_next_response(tmp_path):
    target = tmp_path / "other.json"
    target.write_text('{"data": []}', encoding="utf-8")
    assert "other.json:1: This JSON is not a FingertipsNext indicator data response" in refused(tmp_path, target)


def test_a_refused_import_leaves_places_yaml_as_it_was(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    before = textwrap.dedent("""\
        places:
          - id: calderdale
            name: Calderdale
            figures:
              - value: "1"
                label: one
                source: {title: A, publisher: B, year: 2025, url: "https://www.example.net/", section: s, checked: 2026-01-01}
              - value: "2"
                label: two
                source: {title: A, publisher: B, year: 2025, url: "https://www.example.net/", section: s, checked: 2026-01-01}
        """)
    (content / "places.yaml").write_text(before, encoding="utf-8")
    code, output = invoke("-C", tmp_path, "places", "import", OLDER)
    assert code == 2 and "would have 4 figures; a page shows at most 3" in output
    assert (content / "places.yaml").read_text(encoding="utf-8") == before
    assert sorted(p.name for p in content.iterdir()) == ["places.yaml"]  # no temporary file left


# --- freshness and fetching ------------------------------------------------------------------


def test_check_warns_when_a_figure_was_retrieved_over_a_year_ago(tmp_path):
    invoke("-C", tmp_path, "places", "import", "--areas", "E08000033", OLDER)
    project = load_project(tmp_path)
    assert stale_figures(project.places.values(), today=dt.date(2025, 11, 1)) == []
    warnings = stale_figures(project.places.values(), today=dt.date(2026, 1, 5))
    assert len(warnings) == 2
    text = warnings[0].render(tmp_path)
    assert text.startswith("content/places.yaml:")
    assert "The figure for Calderdale (indicator 93015) was retrieved on 2024-11-20, more than a year ago" in text
    assert "makecase places import" in text


def test_fetch_saves_the_export_with_its_date_then_imports_it(tmp_path):
    asked = []

    def fake_get(url: str) -> bytes:
        asked.append(url)
        return NEWER.read_bytes()

    saved = fetch_export(tmp_path, ["93015", "93014"], 502, today=dt.date(2026, 12, 1), get=fake_get)
    assert asked == [export_url(["93015", "93014"], 502)]
    assert asked[0].startswith("https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id?indicator_ids=93015%2C93014")
    assert saved == tmp_path / "data" / "fingertips-2026-12-01-93015-93014-502.csv"
    invoke("-C", tmp_path, "places", "import", saved)
    assert figure(places_of(tmp_path)["calderdale"], "93015")["source"]["retrieved"] == dt.date(2026, 12, 1)


def test_fetch_offline_is_a_clear_error(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError(OSError("Temporary failure in name resolution"))

    monkeypatch.setattr("urllib.request.OpenerDirector.open", offline)
    code, output = invoke("-C", tmp_path, "places", "import", "--fetch", "--indicators", "93015",
                          "--area-type-id", "502")
    assert code == 2 and "Could not fetch from Fingertips" in output and "Are you offline?" in output
    assert "Traceback" not in output


def test_fetch_never_uses_plain_http():
    from makecase.load.fetch_fingertips import _get

    with pytest.raises(MakecaseError, match="only https"):
        _get("http://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id")
