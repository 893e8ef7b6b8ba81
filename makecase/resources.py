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
