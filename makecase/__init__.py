"""makecase: one-page 'making the case' briefings on physical activity for NHS leaders.

The package's face is `makecase.build` and `makecase.load_project`. They are imported when first
used (PEP 562), so `import makecase` and `makecase --help` do not load WeasyPrint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import MakecaseError
from .version import __version__

if TYPE_CHECKING:
    from .load import load_project
    from .pack import build

__all__ = ["MakecaseError", "build", "load_project", "__version__"]


def __getattr__(name: str) -> Any:
    if name == "build":
        from .pack import build
        return build
    if name == "load_project":
        from .load import load_project
        return load_project
    raise AttributeError(f"module 'makecase' has no attribute {name!r}")
