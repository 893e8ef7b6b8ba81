"""Load stage: YAML files (packaged defaults, then the project's own) to one validated Project.

Read in this order: settings (makecase.yaml) and brand files; each content file, packaged then
the project's own (layers.py lays them over each other by id); then the checks that need the
whole project (checks.py). Every problem found on the way is reported together, in one error.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import ValidationError

from makecase.load import crosschecks as checks

from makecase import resources
from makecase.load.brand_files import load_brand
from makecase.errors import Location, MakecaseError, Problem, ProblemList
from makecase.load.layers import check_top_level, load_extra, merge_collection, read_packaged, rename_keys
from makecase.limits import Limits
from makecase.load.messages import problem_from_error, validation_errors
from makecase.load.model import Contact, Item
from makecase.load.settings import Settings
from makecase.load.overrides import unknown_overrides
from makecase.load.project import COLLECTIONS, CONTENT_DIR, CONTENT_FILES, SETTINGS_FILE, Project
from makecase.load.yamlsource import YamlSource, read_yaml

__all__ = ["load_project"]


def load_project(root: Path | str = ".") -> Project:
    """Read and validate a project folder, raising one MakecaseError with every problem found."""
    root = Path(root)
    if not root.is_dir():
        raise MakecaseError.single(
            f"The project folder '{root}' does not exist.",
            hint="Pass an existing folder with -C, or run `makecase init FOLDER` to make one.")
    root = root.resolve()
    problems = ProblemList()
    renamed: list[Problem] = []

    settings, settings_where = _load_settings(root, problems, renamed)
    limits = limits_for(settings)
    brand_files, brand_problems = load_brand(root, settings.brand, settings_where, limits)
    problems.extend(brand_problems)

    sources = _read_content(root, limits, problems, renamed)
    merged: dict[str, dict[str, Item]] = {}
    switched_off: set[str] = set()
    invalid: set[str] = set()
    for collection in COLLECTIONS:
        merged[collection.name], off, failed = merge_collection(
            collection, sources[collection.file], problems, renamed)
        switched_off |= {f"{collection.name}:{i}" for i in off}
        invalid |= {f"{collection.name}:{i}" for i in failed}

    project = Project(
        root=root, settings=settings, settings_where=settings_where,
        default_contact=load_extra(sources["audiences.yaml"], "contact", Contact, problems),
        switched_off=switched_off, invalid=invalid, template_dirs=_template_dirs(root),
        allowed_dirs=[root, resources.package_dir(), resources.templates_dir(), resources.content_dir()],
        limits=limits, brand_files=brand_files,
        **merged,  # type: ignore[arg-type]
    )
    checks.check_project(project, problems)
    problems.raise_if_any()
    project.warnings = renamed + checks.content_warnings(project) + unknown_overrides(root)
    return project


def _read_content(root: Path, limits: Limits, problems: ProblemList,
                  renamed: list[Problem]) -> dict[str, list[YamlSource]]:
    """Each content file's layers, packaged first: {file name: [sources]}."""
    packaged = resources.content_dir()
    layers = [(packaged, [packaged.resolve()])]
    own_content = root / CONTENT_DIR
    if own_content.is_dir() and own_content.resolve() != packaged.resolve():
        layers.append((own_content, [root]))
    sources: dict[str, list[YamlSource]] = {}
    for name in CONTENT_FILES:
        sources[name] = []
        for layer, roots in layers:
            path = layer / name
            if not os.path.lexists(path):
                continue
            try:
                source = (read_packaged(path, limits) if layer == packaged else read_yaml(path, roots, limits))
            except MakecaseError as exc:
                problems.extend(exc.problems)
                continue
            check_top_level(source, name, problems, renamed)
            sources[name].append(source)
    return sources


def _template_dirs(root: Path) -> list[Path]:
    own = root / "templates"
    dirs = [own] if own.is_dir() and own.resolve() != resources.templates_dir().resolve() else []
    return dirs + [resources.templates_dir()]


def limits_for(settings: Settings) -> Limits:
    own = settings.limits
    return Limits(file_kb=own.file_kb, field_chars=own.field_chars, depth=own.depth,
                  layout_seconds=own.layout_seconds)


def _load_settings(root: Path, problems: ProblemList,
                   renamed: list[Problem]) -> tuple[Settings, dict[str, Location]]:
    path = root / SETTINGS_FILE
    if not os.path.lexists(path):
        return Settings(), {}
    try:
        source = read_yaml(path, [root])
    except MakecaseError as exc:
        problems.extend(exc.problems)
        return Settings(), {}
    data = source.data if source.data is not None else {}
    if not isinstance(data, dict):
        problems.add("makecase.yaml should be a block of 'key: value' settings.", source.where(()),
                     hint="Start from the file that `makecase init` writes.")
        return Settings(), {}
    moved = rename_keys(data, "Settings", source, (), problems, renamed)
    # Keyed by the names the models use, so a renamed setting's errors still find its line.
    where = {".".join(str(p) for p in (moved.get(k[0], k[0]), *k[1:])): source.where(k)
             for k in source.value_marks if k}
    try:
        return Settings.model_validate(data), where
    except ValidationError as exc:
        for error in validation_errors(exc):
            problems.items.append(problem_from_error(error, source, (), Settings, "setting"))
        return Settings(), where
