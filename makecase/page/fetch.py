"""Fit stage helper: the only way WeasyPrint may read a file during a build.

Content is untrusted. A build reads files from the project folder and the package's own
folders, and nothing else: no network, no other files on the machine.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from makecase.contain import read_contained
from makecase.errors import MakecaseError
from makecase.limits import DEFAULT as DEFAULT_LIMITS


class ProjectOnlyFetcher(URLFetcher):
    """Serves file: URLs under the allowed folders and data: URLs; refuses everything else."""

    def __init__(self, allowed_dirs: list[Path], max_bytes: int = DEFAULT_LIMITS.asset_bytes) -> None:
        super().__init__(allowed_protocols={"file", "data"})
        self.allowed_dirs = [d.resolve() for d in allowed_dirs]
        self.max_bytes = max_bytes
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None):  # noqa: D401 - WeasyPrint's signature
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme != "file":
            self.refused.append(url)
            raise ValueError(f"makecase does not load {parts.scheme or 'relative'} URLs during a build: {url}")
        path = Path(os.fsdecode(unquote_to_bytes(parts.path)))
        try:  # inside the allowed folders (contain.py is the one home of that test), an ordinary
            # file (not a FIFO or a device), and not huge
            data = read_contained(path, self.allowed_dirs, max_bytes=self.max_bytes)
        except MakecaseError as exc:
            self.refused.append(url)
            raise ValueError(exc.problems[0].message) from None
        return URLFetcherResponse(url, data)
