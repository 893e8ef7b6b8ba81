"""Fit stage helper: the only way WeasyPrint may read a file during a build.

Content is untrusted. A build reads files from the project folder and the package's own
folders, and nothing else: no network, no other files on the machine.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse


class ProjectOnlyFetcher(URLFetcher):
    """Serves file: URLs under the allowed folders and data: URLs; refuses everything else."""

    def __init__(self, allowed_dirs: list[Path]) -> None:
        super().__init__(allowed_protocols={"file", "data"})
        self.allowed_dirs = [d.resolve() for d in allowed_dirs]
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None):  # noqa: D401 - WeasyPrint's signature
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme != "file":
            self.refused.append(url)
            raise ValueError(f"makecase does not load {parts.scheme or 'relative'} URLs during a build: {url}")
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(d) for d in self.allowed_dirs):
            self.refused.append(url)
            raise ValueError(f"makecase only reads files inside the project: {path}")
        return URLFetcherResponse(path.as_uri(), path.read_bytes())
