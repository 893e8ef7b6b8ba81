"""Load stage helper: a project's template overrides, laid over the packaged templates by name.

`makecase template copy NAME` starts an override from the packaged file; `template list` shows
which are overridden; an override whose name matches no packaged template is never used, so
loading warns about it and names the closest packaged one (a partial put in the wrong folder).
"""

from __future__ import annotations

import difflib
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from makecase import resources
from makecase.contain import read_text_contained
from makecase.errors import Location, MakecaseError, Problem

TEMPLATES_DIR = "templates"
# Fonts are data, not templates: a project names its own in makecase.yaml (brand.font_*).
NOT_TEMPLATES = ("fonts/",)


def packaged_templates() -> list[str]:
    """Names of the packaged templates, relative to templates/ ("partials/quote.html")."""
    base = resources.templates_dir()
    names = [p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file()]
    return sorted(n for n in names if not n.startswith(NOT_TEMPLATES) and not _hidden(n))


def _hidden(name: str) -> bool:
    return any(part.startswith(".") or part == "__pycache__" for part in PurePosixPath(name).parts)


def own_templates(root: Path) -> list[str]:
    own = root / TEMPLATES_DIR
    if not own.is_dir() or own.resolve() == resources.templates_dir().resolve():
        return []
    names = [p.relative_to(own).as_posix() for p in own.rglob("*") if p.is_file()]
    # fonts/ holds font files, not templates (brand fonts are named in makecase.yaml).
    return sorted(n for n in names if not n.startswith(NOT_TEMPLATES) and not _hidden(n))


@dataclass(frozen=True)
class TemplateRow:
    name: str
    overridden: bool


def template_rows(root: Path) -> list[TemplateRow]:
    own = set(own_templates(root))
    return [TemplateRow(name, name in own) for name in packaged_templates()]


def closest(name: str, packaged: list[str]) -> str | None:
    """The packaged template a mistyped or misplaced name most likely means."""
    base = PurePosixPath(name).name
    same_file = [p for p in packaged if PurePosixPath(p).name == base]
    if same_file:
        return same_file[0]
    match = difflib.get_close_matches(name, packaged, n=1, cutoff=0.6) or difflib.get_close_matches(
        base, [PurePosixPath(p).name for p in packaged], n=1, cutoff=0.6)
    if not match:
        return None
    return next((p for p in packaged if p == match[0] or PurePosixPath(p).name == match[0]), None)


def unknown_overrides(root: Path) -> list[Problem]:
    """Warnings for files in templates/ that replace nothing and that no override includes."""
    packaged = packaged_templates()
    own = own_templates(root)
    unknown = [n for n in own if n not in packaged]
    if not unknown:
        return []
    # A new partial is fine when one of the project's own templates uses it.
    texts = []
    for name in own:
        try:  # an ordinary file inside the project only, of a template's size (contain.py)
            texts.append(read_text_contained(root / TEMPLATES_DIR / name, [root], max_bytes=512 * 1024,
                                             what="template"))
        except (OSError, UnicodeDecodeError, MakecaseError):
            continue
    problems = []
    for name in unknown:
        if any(name in text for text in texts):
            continue
        near = closest(name, packaged)
        hint = (f"Did you mean '{TEMPLATES_DIR}/{near}'? Move or rename the file to that name."
                if near else "`makecase template list` shows the names you can override.")
        problems.append(Problem(
            "This template override matches no packaged template, so it is not used.",
            Location(root / TEMPLATES_DIR / name), hint=hint))
    return problems


def copy_template(root: Path, name: str) -> Path:
    """Copy a packaged template into the project's templates/ folder to start an override."""
    packaged = packaged_templates()
    wanted = name.removeprefix(f"{TEMPLATES_DIR}/")
    if wanted not in packaged:
        by_file = [p for p in packaged if PurePosixPath(p).name == wanted]
        if len(by_file) != 1:
            near = closest(wanted, packaged)
            raise MakecaseError.single(
                f"There is no packaged template '{name}'.",
                hint=(f"Did you mean '{near}'? " if near else "")
                + "`makecase template list` shows every template you can copy.")
        wanted = by_file[0]
    target = root / TEMPLATES_DIR / wanted
    if target.is_symlink() or any(p.is_symlink() for p in target.parents if p.is_relative_to(root)):
        raise MakecaseError.single(
            f"'{TEMPLATES_DIR}/{wanted}' or a folder on its way is a symbolic link; makecase does not "
            "write through links.", Location(target), hint="Remove the link, then copy again.")
    if target.exists():
        raise MakecaseError.single(
            f"'{TEMPLATES_DIR}/{wanted}' already exists; makecase never overwrites your files.",
            Location(target), hint="Edit it, or delete it first to start again from the packaged one.")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(resources.templates_dir() / wanted, target)
    return target
