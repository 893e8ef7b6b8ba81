"""makecase: one-page 'making the case' briefings on physical activity for NHS leaders.

The package's face is `makecase.build` and `makecase.load_project`. They are imported when first
used (PEP 562), so `import makecase` and `makecase --help` do not load WeasyPrint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from makecase.errors import MakecaseError
from makecase.version import __version__

if TYPE_CHECKING:
    from makecase.load.loader import load_project
    from makecase.pack.build import build

__all__ = ["MakecaseError", "build", "load_project", "__version__"]


def __getattr__(name: str) -> Any:
    if name == "build":
        from makecase.pack.build import build
        return build
    if name == "load_project":
        from makecase.load.loader import load_project
        return load_project
    raise AttributeError(f"module 'makecase' has no attribute {name!r}")
