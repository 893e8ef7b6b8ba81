"""Editors explain every key: each property of every schema `makecase schema` writes has help."""

from __future__ import annotations

import json

from click.testing import CliRunner

from makecase.cli.commands import cli
from makecase.cli.schema import schemas


def undescribed(node, path: str = "") -> list[str]:
    missing: list[str] = []
    if isinstance(node, dict):
        for key, value in (node.get("properties") or {}).items():
            if not isinstance(value, dict) or not value.get("description"):
                missing.append(f"{path}/{key}")
        for key, value in node.items():
            missing += undescribed(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            missing += undescribed(value, f"{path}/{index}")
    return missing


def test_every_key_in_every_schema_has_a_description():
    missing = [f"{name}{where}" for name, schema in schemas().items() for where in undescribed(schema)]
    assert missing == [], "Give each model field a docstring (model.py, settings.py): " + ", ".join(missing)


def test_the_schema_command_writes_the_help_an_editor_shows(tmp_path):
    result = CliRunner().invoke(cli, ["-C", str(tmp_path), "schema", "--out", "schemas"])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (tmp_path / "schemas").iterdir())
    assert written == sorted(schemas())
    settings = json.loads((tmp_path / "schemas" / "makecase.schema.json").read_text())
    layout = settings["$defs"]["Layout"]["properties"]["min_body_size"]
    assert "smallest body text size" in layout["description"]
