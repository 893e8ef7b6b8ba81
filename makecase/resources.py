"""Where the packaged templates and default content live, installed or in a checkout."""

from __future__ import annotations

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
    path = Path(file).resolve()
    base = content_dir().resolve()
    if not path.is_relative_to(base):
        return None
    return f"packaged content/{path.relative_to(base).as_posix()}" + (f":{line}" if line else "")
