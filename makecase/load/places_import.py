"""Places import: official statistics to content/places.yaml, keeping what people wrote.

`import_places` chooses, from the rows fingertips.py read, one value per area and indicator (all
persons, the indicator's standard age, no category, the latest period with a value), writes each
as a sourced figure with its England comparison and a sentence written by rule, and lays those
figures over the places already in places.yaml: hand-written places, fields and figures are
kept, and only figures that carry an indicator id are replaced. The file is written whole or not
at all. `stale_figures` is the freshness check that `makecase check` runs.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from makecase.errors import Location, MakecaseError, Problem, shown
from makecase.load.fingertips import ENGLAND, DataRow, read_data
from makecase.load.model import Place
from makecase.load.yamlsource import read_yaml

PUBLISHER = "Office for Health Improvement and Disparities"
PLACES_FILE = Path("content") / "places.yaml"
REFRESH = "makecase places import FILE (a newer Fingertips export), or --fetch"
MAX_FIGURES = 3  # what a place may show (model.Place)


@dataclass(frozen=True)
class Indicator:
    """An indicator makecase can write a sentence for."""

    id: str
    says: str  # completes "26.1% of adults in Calderdale ..."
    age: str | None  # the standard age; None: the only age the file holds
    short: str  # for the change report


# Sentences are written by rule from these, never typed. Active Lives' adults are 19 and over for
# 93014/93015 (OHID's statistical commentary); the ages of 93439/93440 are taken from the file.
INDICATORS = {i.id: i for i in [
    Indicator("93015", "are physically inactive", "19+ yrs", "physically inactive adults"),
    Indicator("93014", "are physically active", "19+ yrs", "physically active adults"),
    Indicator("93439", "walk for travel at least three days a week", None, "adults walking for travel"),
    Indicator("93440", "cycle for travel at least three days a week", None, "adults cycling for travel"),
]}

# What kind of area an ONS code names, in the words a page uses ({place.kind}).
KINDS = {"E54": "integrated care board", "E06": "unitary authority", "E07": "district",
         "E08": "metropolitan borough", "E09": "London borough", "E10": "county",
         "E12": "region", "E38": "sub-integrated care board location"}


def indicator_link(indicator_id: str) -> str:
    """The indicator on the Fingertips site: its search page finds an indicator by id."""
    return f"https://fingertips.phe.org.uk/search/{indicator_id}"


@dataclass
class ImportReport:
    """What an import did: the file written, each change, and every row skipped."""

    written: Path
    changes: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    unchanged: int = 0

    def summary(self, base: Path | None = None) -> str:
        changed = len(self.changes)
        written = self.written
        if base is not None and written.is_relative_to(base):
            written = written.relative_to(base)
        return (f"Wrote {written}: {changed} change{'s' if changed != 1 else ''}"
                f"{f', {self.unchanged} figure(s) unchanged' if self.unchanged else ''}.")


def _percent(value: float) -> str:
    return f"{value:.1f}%"


def place_id(name: str) -> str:
    """An id from an area's name: 'St. Helens' -> 'st-helens', at most 60 characters."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", plain.replace("&", " and "))
    text = ""
    for word in words:
        if len(text) + len(word) + (1 if text else 0) > 60:
            break
        text = f"{text}-{word}" if text else word
    return text or "area"


# --- choosing rows ---------------------------------------------------------------------------


def _grouped_warning(rows: list[DataRow], message: str, hint: str | None = None) -> Problem:
    """One warning for many rows like it: it names the first and counts the rest."""
    first = rows[0]
    more = f" (and {len(rows) - 1} more row{'s' if len(rows) > 2 else ''} like it)" if len(rows) > 1 else ""
    return Problem(message + more, first.where, key=first.path, hint=hint)


def _choose_rows(rows: list[DataRow], chosen: Sequence[str], warnings: list[Problem]) -> list[DataRow]:
    """Rows for the whole population (persons, the standard age, no category); others skipped."""
    skipped: dict[tuple, list[DataRow]] = {}
    kept: list[DataRow] = []
    ages: dict[str, set[str]] = {}
    for row in rows:
        if row.indicator_id not in chosen:
            continue
        if row.sex.lower() != "persons":
            skipped.setdefault(("sex", row.indicator_id, row.sex), []).append(row)
        elif row.category_type:
            skipped.setdefault(("category", row.indicator_id, row.category_type), []).append(row)
        else:
            kept.append(row)
            ages.setdefault(row.indicator_id, set()).add(row.age)
    for (what, indicator, name), group in skipped.items():
        if what == "sex":
            warnings.append(_grouped_warning(
                group, f"Skipped indicator {indicator} for sex '{shown(name)}': makecase uses Persons."))
        else:
            warnings.append(_grouped_warning(
                group, f"Skipped indicator {indicator} by '{shown(name)}': makecase uses the whole "
                       "population (no category)."))
    standard: dict[str, str] = {}
    for indicator, found in ages.items():
        want = INDICATORS[indicator].age
        if want is not None and want in found:
            standard[indicator] = want
        elif len(found) == 1:
            standard[indicator] = next(iter(found))
        else:
            first = next(r for r in kept if r.indicator_id == indicator)
            raise MakecaseError.single(
                f"Indicator {indicator} has rows for several ages ({', '.join(sorted(shown(a) for a in found))}) "
                "and makecase does not know which is its standard age.", first.where, key=first.path,
                hint="Export only the indicator's standard age from Fingertips.")
    result = []
    other_ages: dict[tuple, list[DataRow]] = {}
    for row in kept:
        if row.age == standard[row.indicator_id]:
            result.append(row)
        else:
            other_ages.setdefault((row.indicator_id, row.age), []).append(row)
    for (indicator, age), group in other_ages.items():
        warnings.append(_grouped_warning(
            group, f"Skipped indicator {indicator} for age '{shown(age)}': makecase uses "
                   f"'{shown(standard[indicator])}', the indicator's standard age."))
    return result


def _deduplicated(rows: list[DataRow], warnings: list[Problem]) -> dict[tuple, DataRow]:
    """One row per indicator, area and period. The same area under two area types (a unitary
    authority is both a county and a district) is not a duplicate; a row repeated is skipped
    with a warning; two different values for the same thing are refused."""
    seen: dict[tuple, DataRow] = {}
    for row in rows:
        key = (row.indicator_id, row.area_code, row.sortable, row.period)
        first = seen.get(key)
        if first is None:
            seen[key] = row
            continue
        if (first.value, first.lower, first.upper) != (row.value, row.lower, row.upper):
            if first.value is None:  # a value beats a suppressed copy
                seen[key] = row
                continue
            if row.value is None:
                continue
            raise MakecaseError([
                Problem(f"Two different values for indicator {row.indicator_id}, "
                        f"{shown(row.area_name)} ({row.area_code}), {shown(row.period)}: "
                        f"{row.value:g} here and {first.value:g} at {first.shown_where}.", row.where, key=row.path,
                        hint="The files hold different releases of the data: import only the newer one.")])
        if first.area_type == row.area_type and first.where.file == row.where.file:
            again = f"line {first.where.line}" if first.where.line else first.shown_where
            warnings.append(Problem(f"Skipped: this row repeats {again}.", row.where, key=row.path))
    return seen


# --- the import ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewFigure:
    indicator: str
    place_code: str
    data: dict[str, Any]

    def describe(self) -> str:
        return f"{self.data['value']} ({self.data['period']})"


def _retrieved_date(file: Path, given: dt.date | None) -> dt.date:
    """When the data was downloaded: as given, else a date in the file's name (what --fetch
    saves), else the day the file was last written."""
    if given is not None:
        return given
    match = re.search(r"(20\d\d-\d\d-\d\d)", file.name)
    if match:
        try:
            return dt.date.fromisoformat(match.group(1))
        except ValueError:
            pass
    return dt.date.fromtimestamp(file.stat().st_mtime)


def split_ids(values: Iterable[str]) -> list[str]:
    """--areas A,B --areas C -> [A, B, C]."""
    return [v.strip() for value in values for v in value.replace(" ", ",").split(",") if v.strip()]


def import_places(project_dir: Path | str, files: Sequence[Path | str], *, area_type: str | None = None,
                  areas: Iterable[str] = (), indicators: Iterable[str] = (),
                  retrieved: dt.date | None = None) -> ImportReport:
    """Read Fingertips files and write or update content/places.yaml; raise MakecaseError for
    data it cannot use, before anything is written."""
    if not files:
        raise MakecaseError.single("Name at least one file to import (or use --fetch).",
                                   hint="makecase places import physical-activity.csv")
    warnings: list[Problem] = []
    rows, dates = _read_files(files, retrieved, warnings)
    chosen = _chosen_indicators(rows, split_ids(indicators), Path(files[0]), warnings)
    rows = _choose_rows(rows, chosen, warnings)
    # An area may be listed under several area types (a metropolitan borough is a county and a
    # district): it has each of them, though its rows are kept once.
    types: dict[str, set[str]] = {}
    for row in rows:
        types.setdefault(row.area_code, set()).add(row.area_type)
    table = _deduplicated(rows, warnings)
    area_rows = _chosen_areas([r for r in table.values() if r.area_code != ENGLAND], types,
                              area_type, split_ids(areas))
    latest = _latest_with_values(area_rows, warnings)
    england = {(r.indicator_id, r.sortable): r for r in table.values()
               if r.area_code == ENGLAND and r.value is not None}
    figures: dict[str, list[NewFigure]] = {}
    names: dict[str, DataRow] = {}
    for (indicator, code), row in latest.items():
        if row.note:
            warnings.append(Problem(f"Indicator {indicator} for {shown(row.area_name)}, {shown(row.period)}: "
                                    f"kept, with the value note '{shown(row.note, 80)}'; check it before you "
                                    "publish.", row.where, key=row.path))
        names.setdefault(code, row)
        figures.setdefault(code, []).append(_figure(row, england.get((indicator, row.sortable)),
                                                    dates[row.where.file], warnings))
    order = {i: n for n, i in enumerate(chosen)}
    for code in figures:
        figures[code].sort(key=lambda f: order[f.indicator])
    return _write(Path(project_dir), figures, names, warnings)


def _read_files(files: Sequence[Path | str], retrieved: dt.date | None,
                warnings: list[Problem]) -> tuple[list[DataRow], dict[Path, dt.date]]:
    """Every row of every file, and each file's retrieval date."""
    rows: list[DataRow] = []
    dates: dict[Path, dt.date] = {}
    for name in files:
        data = read_data(Path(name))
        warnings += data.warnings
        rows += data.rows
        dates[Path(name)] = _retrieved_date(Path(name), retrieved)
    return rows, dates


def _chosen_indicators(rows: list[DataRow], wanted: list[str], first_file: Path,
                       warnings: list[Problem]) -> list[str]:
    """The indicators to import: those asked for, else every one in the files makecase can
    write a sentence for; the others are skipped with a warning."""
    in_files = {r.indicator_id for r in rows}
    unknown = [i for i in wanted if i not in INDICATORS]
    if unknown:
        raise MakecaseError.single(
            f"makecase cannot write a sentence for indicator {', '.join(shown(u) for u in unknown)}.",
            hint="Indicators it knows: " + ", ".join(f"{i.id} ({i.short})" for i in INDICATORS.values()) + ".")
    absent = [i for i in wanted if i not in in_files]
    if absent:
        raise MakecaseError.single(f"Indicator {', '.join(absent)} is not in the files.",
                                   hint="Indicators in the files: " + ", ".join(sorted(in_files)) + ".")
    for indicator in sorted(in_files - set(INDICATORS)):
        group = [r for r in rows if r.indicator_id == indicator]
        warnings.append(_grouped_warning(
            group, f"Skipped indicator {indicator} ('{shown(group[0].indicator_name)}'): makecase has no "
                   "rule to write its sentence.",
            hint="Known: " + ", ".join(INDICATORS) + ". Add a figure by hand for others."))
    chosen = wanted or [i for i in INDICATORS if i in in_files]
    if not chosen:
        raise MakecaseError.single("None of the indicators in the files is one makecase can use.",
                                   Location(first_file),
                                   hint="Indicators it knows: " + ", ".join(INDICATORS) + ".")
    return chosen


def _chosen_areas(area_rows: list[DataRow], types: dict[str, set[str]], area_type: str | None,
                  codes: list[str]) -> list[DataRow]:
    """The rows of the areas to import: of the area type asked for (`--area-type`), and of the
    codes asked for (`--areas`); England is only the comparison."""
    if area_type:
        wanted_type = area_type.lower()
        typed = {t for code, kinds in types.items() if code != ENGLAND for t in kinds if t}
        matching = {t for t in typed if t.lower() == wanted_type or t.lower().startswith(wanted_type)}
        if typed and not matching:
            raise MakecaseError.single(f"No area in the files has the area type '{shown(area_type)}'.",
                                       hint="Area types in the files: " + "; ".join(shown(k) for k in sorted(typed)) + ".")
        # FingertipsNext JSON names no area type: its areas are chosen with --areas instead.
        area_rows = [r for r in area_rows if types[r.area_code] & matching or types[r.area_code] == {""}]
    if codes:
        present = {r.area_code for r in area_rows}
        missing = [c for c in codes if c not in present]
        if missing:
            raise MakecaseError.single(
                f"Area{'s' if len(missing) > 1 else ''} {', '.join(shown(c) for c in missing)} "
                f"{'are' if len(missing) > 1 else 'is'} not in the files{' for that area type' if area_type else ''}.",
                hint="ICB codes change when boards merge (NHS England's procedure names April 2026 and "
                     "April 2027 for mergers): check the codes in the export.")
        area_rows = [r for r in area_rows if r.area_code in codes]
    if not area_rows:
        raise MakecaseError.single("The files hold no area to import (England is used only for comparison).",
                                   hint="Export an area type such as counties and unitary authorities.")
    return area_rows


def _latest_with_values(area_rows: list[DataRow], warnings: list[Problem]) -> dict[tuple[str, str], DataRow]:
    """For each indicator and area, the latest period that has a value; a later period without
    one (suppressed, or a value note) is named in a warning."""
    latest: dict[tuple[str, str], DataRow] = {}
    newest: dict[tuple[str, str], DataRow] = {}
    for row in area_rows:
        key = (row.indicator_id, row.area_code)
        if key not in newest or row.sortable > newest[key].sortable:
            newest[key] = row
        if row.value is not None and (key not in latest or row.sortable > latest[key].sortable):
            latest[key] = row
    for key, row in sorted(newest.items()):
        chosen_row = latest.get(key)
        if chosen_row is row:
            continue
        why = f"value note '{shown(row.note, 80)}'" if row.note else "no value"
        if chosen_row is None:
            warnings.append(Problem(
                f"Skipped indicator {row.indicator_id} for {shown(row.area_name)}: {shown(row.period)} has {why}, "
                "and no earlier period has a value.", row.where, key=row.path))
        else:
            warnings.append(Problem(
                f"Indicator {row.indicator_id} for {shown(row.area_name)}: {shown(row.period)} has {why}; "
                f"the figure is from {shown(chosen_row.period)} instead.", row.where, key=row.path))
    return latest


def _figure(row: DataRow, england: DataRow | None, retrieved: dt.date, warnings: list[Problem]) -> NewFigure:
    """One figure as places.yaml holds it; its label is completed with the place's name later."""
    indicator = INDICATORS[row.indicator_id]
    assert row.value is not None
    data: dict[str, Any] = {"value": _percent(row.value), "label": None,
                            "percent": round(min(max(row.value, 0.0), 100.0), 1), "period": row.period}
    if england is not None:
        data["england"] = _percent(england.value)  # type: ignore[arg-type]
    else:
        warnings.append(Problem(f"No England value for indicator {row.indicator_id} in {shown(row.period)}: "
                                f"the figure for {shown(row.area_name)} is written without a comparison.",
                                row.where, key=row.path,
                                hint="Fingertips exports include England: export it with the areas."))
    if row.lower is not None and row.upper is not None:
        data["ci"] = {"lower": round(row.lower, 1), "upper": round(row.upper, 1), "level": 95}
    data["source"] = {
        "title": row.indicator_name or indicator.short.capitalize(),
        "publisher": PUBLISHER,
        "year": retrieved.year,
        "url": indicator_link(row.indicator_id),
        "section": f"Fingertips indicator {row.indicator_id}, {row.area_name} ({row.area_code}), "
                   f"{row.sex}, {row.age}, {row.period}",
        "indicator": row.indicator_id,
        "retrieved": retrieved,
        # The figure is the source's own number, read from its file on that day.
        "checked": retrieved,
    }
    return NewFigure(row.indicator_id, row.area_code, data)


def sentence_label(indicator: str, place_name: str, data: dict[str, Any]) -> str:
    """'of adults in Calderdale are physically inactive (England 22.6%), 2023/24'."""
    says = INDICATORS[indicator].says
    england = f" (England {data['england']})" if data.get("england") else ""
    return f"of adults in {place_name} {says}{england}, {data['period']}"


# --- places.yaml -----------------------------------------------------------------------------


def _existing(path: Path) -> tuple[dict[str, Any], str]:
    """The places file's data and its opening comment lines (kept when it is written again)."""
    if not path.exists():
        return {"places": []}, ""
    source = read_yaml(path, roots=[path.parent])
    data = source.data if source.data is not None else {"places": []}
    if not isinstance(data, dict) or not isinstance(data.get("places", []), list):
        raise MakecaseError.single("places.yaml must hold 'places:', a list of places.", Location(path, 1),
                                   hint="Start the file with 'places:' and list each place under it with '- id: ...'.")
    data.setdefault("places", [])
    if data["places"] is None:
        data["places"] = []
    text = path.read_text(encoding="utf-8")
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    return data, "\n".join(header) + ("\n" if header else "")


def _write(project_dir: Path, figures: dict[str, list[NewFigure]], names: dict[str, DataRow],
           warnings: list[Problem]) -> ImportReport:
    path = project_dir / PLACES_FILE
    data, header = _existing(path)
    places: list[Any] = data["places"]
    report = ImportReport(path, warnings=warnings)
    by_code = {p.get("code"): p for p in places if isinstance(p, dict) and p.get("code")}
    by_id = {p.get("id"): p for p in places if isinstance(p, dict) and p.get("id")}
    taken = set(by_id)
    for code, new in figures.items():
        row = names[code]
        place = by_code.get(code)
        if place is None:
            candidate = place_id(row.area_name)
            same = by_id.get(candidate)
            if same is not None and not same.get("code"):
                place = same  # a place written by hand before its code was known
                place["code"] = code
                report.changes.append(f"{candidate}: code {code} added")
        if place is None:
            candidate = place_id(row.area_name)
            if candidate in taken:
                candidate = place_id(f"{row.area_name} {code}")
            place = {"id": candidate, "name": row.area_name, "code": code}
            if code[:3] in KINDS:
                place["kind"] = KINDS[code[:3]]
            places.append(place)
            taken.add(candidate)
            report.changes.append(f"{candidate}: new place, {row.area_name} ({code})")
        name = str(place.get("name") or row.area_name)
        current = place.get("figures") or []
        if not isinstance(current, list):
            raise MakecaseError.single(f"The place '{shown(place.get('id'))}' has 'figures' that are not a list.",
                                       Location(path), hint="List each figure under 'figures:' with '- value: ...'.")
        for figure in new:
            figure.data["label"] = sentence_label(figure.indicator, name, figure.data)
            index = next((i for i, f in enumerate(current) if isinstance(f, dict)
                          and str((f.get("source") or {}).get("indicator")) == figure.indicator), None)
            if index is None:
                current.append(figure.data)
                report.changes.append(f"{place['id']}: added {INDICATORS[figure.indicator].short}, {figure.describe()}")
                continue
            old = current[index]
            compared = ("value", "label", "percent", "period", "england", "ci")
            if all(old.get(k) == figure.data.get(k) for k in compared):
                report.unchanged += 1
                current[index] = {**figure.data, "source": {**figure.data["source"]}}
                continue
            was = f"{old.get('value')} ({old.get('period')})"
            report.changes.append(f"{place['id']}: {INDICATORS[figure.indicator].short} {was} -> {figure.describe()}")
            current[index] = figure.data
        if len(current) > MAX_FIGURES:
            raise MakecaseError.single(
                f"The place '{shown(place['id'])}' would have {len(current)} figures; a page shows at most "
                f"{MAX_FIGURES}.", Location(path) if path.exists() else None,
                hint="Choose fewer with --indicators (e.g. --indicators 93015), or remove a figure by hand.")
        place["figures"] = current
    for place in places:
        if isinstance(place, dict) and place.get("code") and place["code"] not in figures and any(
                isinstance(f, dict) and (f.get("source") or {}).get("indicator") for f in place.get("figures") or []):
            report.warnings.append(Problem(
                f"The place '{shown(place.get('id'))}' ({shown(place['code'])}) is not in the files: its figures "
                "were kept as they were.", Location(path),
                hint="If its area merged or was renamed (ICB codes change), remove it or set 'enabled: false'."))
    _validate(places, path)
    _write_atomically(path, header + yaml.dump(data, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True,
                                                width=100))
    return report


class _PlainDumper(yaml.SafeDumper):
    """Writes a shared value out in full each time: content files refuse anchors and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _validate(places: list[Any], path: Path) -> None:
    """Every place as a page will read it: a bug here must not leave a file the build refuses."""
    problems = []
    for place in places:
        try:
            Place.model_validate(place)
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(p) for p in error["loc"])
                problems.append(Problem(f"{error['msg']}", Location(path),
                                        key=f"places: {shown(place.get('id') if isinstance(place, dict) else place)}: {where}"))
    if problems:
        raise MakecaseError(problems, summary="places.yaml would not be valid after the import; nothing was written:")


def _write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside it, then rename: a reader sees the old file or the new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".places-", suffix=".yaml.tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        else:
            os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


# --- freshness -------------------------------------------------------------------------------


def stale_figures(places: Iterable[Place], today: dt.date | None = None, max_age_days: int = 365) -> list[Problem]:
    """Warnings for place figures retrieved more than a year ago (Active Lives is annual):
    `makecase check` adds these to its warnings."""
    today = today or dt.date.today()
    problems = []
    for place in places:
        for index, figure in enumerate(place.figures):
            retrieved = figure.source.retrieved
            if retrieved is None or (today - retrieved).days <= max_age_days:
                continue
            what = f"indicator {figure.source.indicator}" if figure.source.indicator else f"'{figure.value}'"
            problems.append(Problem(
                f"The figure for {place.name} ({what}) was retrieved on {retrieved.isoformat()}, more than "
                "a year ago: a newer release is likely.", place.where("figures", index),
                key=f"places: {place.id}: figures: {index}",
                hint=f"Refresh it: {REFRESH}."))
    return problems
