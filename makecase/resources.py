"""Where the packaged templates and default content live, installed or in a checkout."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def package_dir() -> Path:
    return _PACKAGE


@cache
def _data_dir(name: str) -> Path:
    # A wheel carries templates/ and content/ inside the package (pyproject's force-include);
    # a source checkout or editable install keeps them at the top of the repository.
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise RuntimeError(f"makecase is installed without its {name}/ folder; reinstall the package.")


def templates_dir() -> Path:
    return _data_dir("templates")


def content_dir() -> Path:
    return _data_dir("content")


def fonts_dir() -> Path:
    return templates_dir() / "fonts"


def packaged_place(file: Path | str, line: int | None = None) -> str | None:
    """How a person is told of a line of the packaged content: 'packaged content/audiences.yaml:281'
    (the one home of that form: messages, `explain`, `list`, `check`); None for any other file.

    A packaged file is not theirs to edit, so it is named as the package's, not by its path.
    """
    # os.path.realpath, not Path.resolve: a symlink loop is a file to name, not an error here.
    path = Path(os.path.realpath(file))
    base = Path(os.path.realpath(content_dir()))
    if not path.is_relative_to(base):
        return None
    return f"packaged content/{path.relative_to(base).as_posix()}" + (f":{line}" if line else "")


def shown_path(file: Path | str, base: Path | str | None = None) -> str:
    """A file as a person is told of it: the one home of that form, used by the terminal, --json,
    check, explain and the preview.

    The packaged content and templates are named as the package's ('packaged content/gps.yaml'),
    never by a path into site-packages the person must not edit; a file in the project folder
    is shown relative to it (a symlink named, not followed); anything else as given. Always with
    '/' between folders, so the terminal and --json name a file alike on every system.
    """
    path = Path(file)
    for name, folder in (("packaged content", content_dir), ("packaged templates", templates_dir)):
        try:
            inside = Path(os.path.realpath(path)).relative_to(os.path.realpath(folder()))
        except (ValueError, RuntimeError):
            continue
        return f"{name}/{inside.as_posix()}"
    if base is not None:
        for resolve in (os.path.abspath, os.path.realpath):
            try:
                return Path(resolve(path)).relative_to(resolve(base)).as_posix()
            except ValueError:
                continue
    return path.as_posix()
