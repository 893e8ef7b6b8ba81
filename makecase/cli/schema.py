"""JSON Schema for every YAML file, so editors autocomplete and flag mistakes as people type."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, create_model

from makecase.errors import Location, MakecaseError, shown
from makecase.load.project import COLLECTIONS, EXTRA_TOP_KEYS
from makecase.load.settings import Settings

SETTINGS_SCHEMA = "makecase.schema.json"


def schema_name(content_file: str) -> str:
    return content_file.replace(".yaml", ".schema.json")


def _file_model(file: str) -> type[BaseModel]:
    fields: dict[str, Any] = {
        c.key: (list[c.model] | None, Field(None, description=f"The {c.name}: a list, one {c.singular} "
                                                                f"per entry starting with '- id:'."))
        for c in COLLECTIONS if c.file == file}
    fields.update({k: (m | None, Field(None, description=(m.__doc__ or k).split("\n")[0]))
                   for k, m in EXTRA_TOP_KEYS.get(file, {}).items()})
    return create_model(file.replace(".yaml", "").title() + "File", **fields)


def _relax(schema: dict) -> dict:
    """A project's file may override a packaged item by naming only the keys it changes,
    so in collection items only `id` is required."""
    for definition in schema.get("$defs", {}).values():
        props = definition.get("properties", {})
        if "id" in props and "enabled" in props:
            definition["required"] = ["id"]
    return schema


def schemas() -> dict[str, dict]:
    """File name -> JSON Schema, for makecase.yaml and each content file."""
    result = {SETTINGS_SCHEMA: Settings.model_json_schema()}
    for file in dict.fromkeys(c.file for c in COLLECTIONS):
        result[schema_name(file)] = _relax(_file_model(file).model_json_schema())
    for name, schema in result.items():
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema.setdefault("title", name)
    return result


def write_schemas(out_dir: Path) -> list[Path]:
    """Write every schema into out_dir, which must be a real folder (or not exist yet): a
    project's schema/ folder may come with a pull request as a symbolic link to somewhere else,
    and makecase never writes through one."""
    if out_dir.is_symlink():
        raise MakecaseError.single(
            f"'{shown(out_dir, 200)}' is a symbolic link; makecase writes schemas only into a real folder.",
            Location(out_dir), hint="Delete the link, or name another folder with -o.")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schemas().items():
        path = out_dir / name
        if path.is_symlink():  # never write through a link (the folder may be a project's)
            path.unlink()
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        written.append(path)
    return written
