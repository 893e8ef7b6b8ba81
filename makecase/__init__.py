"""makecase: one-page 'making the case' briefings on physical activity for NHS leaders."""

__version__ = "0.1.0"

from .errors import MakecaseError  # noqa: E402
from .load import load_project  # noqa: E402
from .pack import build  # noqa: E402

__all__ = ["MakecaseError", "build", "load_project", "__version__"]
