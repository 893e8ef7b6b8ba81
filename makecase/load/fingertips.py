"""Places import, reading: Fingertips CSV exports and FingertipsNext JSON to typed data rows.

Two formats behind one function, `read_data`: the CSV that Fingertips' API (`all_data/csv/...`)
and its "Export table" download write, and the JSON of FingertipsNext's `/indicators/{id}/data`
saved to a file. Both become `DataRow`s with the file and line (or JSON path) each came from, so
the import can name the row it skips. Nothing here chooses rows; places_import.py does.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from makecase.errors import Location, MakecaseError, Problem, shown

ENGLAND = "E92000001"
# A Fingertips export of every area and indicator of a profile runs to tens of megabytes.
MAX_BYTES = 200 * 1024 * 1024

# The columns the import reads. An export has more (99.8% limits, trends, comparisons) and
# Fingertips has added columns before ("Time period range"): those are ignored, not refused.
COLUMNS = ("Indicator ID", "Indicator Name", "Area Code", "Area Name", "Area Type", "Sex", "Age",
           "Category Type", "Category", "Time period", "Value", "Lower CI 95.0 limit",
           "Upper CI 95.0 limit", "Value note", "Time period Sortable")


@dataclass(frozen=True)
class DataRow:
    """One published value: an indicator for an area, a sex, an age, a category and a period."""

    indicator_id: str
    indicator_name: str
    area_code: str
    area_name: str
    area_type: str  # as the publisher names it; "" when the format does not say (FingertipsNext)
    sex: str
    age: str
    category_type: str  # "" for the whole population
    category: str
    period: str  # as published, e.g. "2023/24"
    sortable: int  # orders periods: the latest is the largest
    value: float | None  # None when missing or suppressed
    lower: float | None  # 95% confidence interval
    upper: float | None
    note: str
    where: Location
    path: str | None = None  # where in a JSON file (JSON has no lines to name)

    @property
    def shown_where(self) -> str:
        return f"{self.where}" + (f" ({self.path})" if self.path else "")


@dataclass
class DataFile:
    """The rows of one file, and what was skipped while reading it."""

    file: Path
    rows: list[DataRow] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def read_data(file: Path) -> DataFile:
    """Read a Fingertips CSV export or a saved FingertipsNext JSON response, whichever it is."""
    text = _read_text(file)
    start = text.lstrip("\ufeff \t\r\n")[:1]
    if start in ("{", "["):
        return read_next_json(file, text)
    return read_csv_export(file, text)


def _read_text(file: Path) -> str:
    try:
        with open(file, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise MakecaseError.single(f"File '{shown(file, 200)}' not found.", Location(file),
                                   hint="Check the path to the file you downloaded.") from None
    except IsADirectoryError:
        raise MakecaseError.single(f"'{shown(file, 200)}' is a folder, not a file.", Location(file)) from None
    except OSError as exc:
        raise MakecaseError.single(f"Cannot read '{shown(file, 200)}': {exc.strerror}.", Location(file)) from None
    if len(data) > MAX_BYTES:
        raise MakecaseError.single(
            f"This file is larger than {MAX_BYTES // (1024 * 1024)} MB: too large for a Fingertips export "
            "of one profile.", Location(file),
            hint="Export only the indicators and area type you need (`--fetch` does).")
    try:
        return data.decode("utf-8-sig")  # Excel and Fingertips may start the file with a BOM
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise MakecaseError.single(
            "This file is not UTF-8 text, so it is not a Fingertips export as downloaded "
            "(was it saved again from a spreadsheet?).", Location(file, line),
            hint="Use the file as Fingertips gave it, or save it as 'CSV UTF-8'.") from None


def _number(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _sortable(period: str, given: str) -> int:
    """The order of a period: Fingertips' own sortable key, else the first year in the period."""
    if given.strip().isdigit():
        return int(given.strip())
    match = re.search(r"(19|20)\d\d", period)
    return int(match.group(0)) * 10000 if match else 0


def read_csv_export(file: Path, text: str) -> DataFile:
    """A Fingertips CSV export: refused with the line when it is not one, rows otherwise."""
    result = DataFile(file)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise MakecaseError.single(f"The first line cannot be read as CSV: {exc}.", Location(file, 1)) from None
    if header is None:
        raise MakecaseError.single("This file is empty.", Location(file),
                                   hint="Download the export from Fingertips again.")
    header = [h.strip() for h in header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        found = ", ".join(shown(h, 30) for h in header[:6]) + (", …" if len(header) > 6 else "")
        raise MakecaseError.single(
            "This is not a Fingertips data export: its first line lacks the column"
            f"{'s' if len(missing) > 1 else ''} {', '.join(repr(c) for c in missing[:5])}"
            f"{', …' if len(missing) > 5 else ''} (it has {found}).", Location(file, 1),
            hint="Use the CSV from Fingertips' 'Export table' or its API (all_data/csv/...), as "
                 "downloaded, or a FingertipsNext JSON response saved to a file.")
    index = {name: header.index(name) for name in COLUMNS}
    end_of_last = 1
    while True:
        line = end_of_last + 1  # a quoted field may hold a line break: a row starts after the last
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise MakecaseError.single(f"This line cannot be read as CSV: {exc}.", Location(file, reader.line_num),
                                       hint="Download the export again; it may have been cut short "
                                            "or edited.") from None
        end_of_last = reader.line_num
        if not record or all(not cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            raise MakecaseError.single(
                f"This row has {len(record)} columns; the header has {len(header)}.", Location(file, line),
                hint="A name with a comma in it must be in double quotes, as Fingertips writes it. "
                     "Download the export again rather than editing it.")

        def cell(name: str) -> str:
            return record[index[name]].strip()

        where = Location(file, line)
        indicator = cell("Indicator ID")
        if not indicator.isdigit():
            raise MakecaseError.single(f"The indicator id '{shown(indicator)}' is not a number.", where,
                                       hint="A Fingertips indicator id is a number, like 93015.")
        value_text = cell("Value")
        value = _number(value_text)
        if value_text and value is None:
            raise MakecaseError.single(f"The value '{shown(value_text)}' is not a number.", where,
                                       hint="Download the export again rather than editing it.")
        period = cell("Time period")
        result.rows.append(DataRow(
            indicator_id=indicator, indicator_name=cell("Indicator Name"), area_code=cell("Area Code"),
            area_name=cell("Area Name"), area_type=cell("Area Type"), sex=cell("Sex"), age=cell("Age"),
            category_type=cell("Category Type"), category=cell("Category"), period=period,
            sortable=_sortable(period, cell("Time period Sortable")), value=value,
            lower=_number(cell("Lower CI 95.0 limit")), upper=_number(cell("Upper CI 95.0 limit")),
            note=cell("Value note"), where=where))
    if not result.rows:
        raise MakecaseError.single("This Fingertips export has a header but no rows of data.", Location(file, 1),
                                   hint="Download it again, choosing at least one indicator and area type.")
    return result


# --- FingertipsNext -------------------------------------------------------------------------


def _period_of(point: dict) -> tuple[str, int]:
    """'2023/24' for a period across two years (financial, Active Lives' November to November),
    '2023' for a calendar year; and its order."""
    period = point.get("datePeriod") or {}
    try:
        start = dt.date.fromisoformat(str(period.get("from")))
        end = dt.date.fromisoformat(str(period.get("to")))
    except ValueError:
        year = point.get("year")
        if not isinstance(year, int):
            raise ValueError("a data point has neither a year nor a datePeriod") from None
        return str(year), year * 10000
    label = str(start.year) if start.year == end.year else f"{start.year}/{end.year % 100:02d}"
    return label, int(start.strftime("%Y%m%d"))


def read_next_json(file: Path, text: str) -> DataFile:
    """A FingertipsNext `/indicators/{id}/data` response (one indicator, or a list of them)."""
    result = DataFile(file)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MakecaseError.single(f"This file is not valid JSON: {exc.msg}.", Location(file, exc.lineno, exc.colno),
                                   hint="Save the API's response as it came, without editing it.") from None
    indicators = data if isinstance(data, list) else [data]
    for n, indicator in enumerate(indicators):
        base = f"[{n}]" if isinstance(data, list) else ""
        if not isinstance(indicator, dict) or "areaHealthData" not in indicator or "indicatorId" not in indicator:
            raise MakecaseError.single(
                "This JSON is not a FingertipsNext indicator data response: it has no 'indicatorId' "
                "and 'areaHealthData'.", Location(file, 1), key=base or None,
                hint="Save the response of /indicators/{id}/data, or use a Fingertips CSV export.")
        indicator_id = str(indicator["indicatorId"])
        name = str(indicator.get("name") or "")
        for a, area in enumerate(indicator.get("areaHealthData") or []):
            if not isinstance(area, dict):
                continue
            code, area_name = str(area.get("areaCode") or ""), str(area.get("areaName") or "")
            points: list[tuple[str, dict]] = []
            for i, point in enumerate(area.get("healthData") or []):
                points.append((f"{base}.areaHealthData[{a}].healthData[{i}]", point))
            for s, segment in enumerate(area.get("indicatorSegments") or []):
                for i, point in enumerate((segment or {}).get("healthData") or []):
                    merged = {"sex": segment.get("sex"), "ageBand": segment.get("age"), **point}
                    points.append((f"{base}.areaHealthData[{a}].indicatorSegments[{s}].healthData[{i}]", merged))
            for path, point in points:
                path = path.lstrip(".")
                if not isinstance(point, dict):
                    continue
                try:
                    period, sortable = _period_of(point)
                except ValueError as exc:
                    result.warnings.append(Problem(f"Skipped: {exc}.", Location(file), key=path))
                    continue
                sex = point.get("sex") or {}
                age = point.get("ageBand") or {}
                deprivation = point.get("deprivation") or {}
                aggregate_sex = bool(sex.get("isAggregate")) if isinstance(sex, dict) else False
                in_category = isinstance(deprivation, dict) and deprivation and not deprivation.get("isAggregate", True)
                value = point.get("value")
                result.rows.append(DataRow(
                    indicator_id=indicator_id, indicator_name=name, area_code=code, area_name=area_name,
                    area_type="", sex="Persons" if aggregate_sex else str((sex or {}).get("value") or ""),
                    age=str((age or {}).get("value") or ""),
                    category_type=str(deprivation.get("type") or "") if in_category else "",
                    category=str(deprivation.get("value") or "") if in_category else "",
                    period=period, sortable=sortable,
                    value=float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None,
                    lower=point.get("lowerCi") if isinstance(point.get("lowerCi"), (int, float)) else None,
                    upper=point.get("upperCi") if isinstance(point.get("upperCi"), (int, float)) else None,
                    note="", where=Location(file), path=path))
    if not result.rows:
        raise MakecaseError.single("This FingertipsNext response holds no data points.", Location(file),
                                   hint="Check the indicator id and area type you asked for.")
    return result
