"""Cache stage: the inputs of each document and their hash, which tell a build what it may skip.

A document's inputs are everything its files are made from:

- its print and screen HTML: the composed Briefing rendered through the project's templates,
  CSS, brand and logo (all of which end up in the HTML), with the project's own folder written
  as a name, so a checkout in another folder hashes the same;
- the bytes of every local file those pages load by a file: URL (fonts, images);
- the layout settings the fit stage uses (body size, floor, fill);
- the versions of makecase and of what lays out and draws the page (WeasyPrint, pydyf, pdfium).

None of this needs WeasyPrint, so a build with nothing to remake never imports it. The hash is
stored in manifest.json; a document whose hash matches and whose files are still as makecase
wrote them is not laid out again (pack.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from urllib.parse import unquote_to_bytes

from makecase.page.compose import Briefing
from makecase.contain import read_contained
from makecase.errors import MakecaseError
from makecase.load.project import Project
from makecase.page.render import Renderer, file_uri
from makecase.tool_versions import tool_versions

# A file: URL in a rendered page (quoted in CSS or an attribute; file_uri quotes spaces).
FILE_URL = re.compile(r"file://([^'\")\s]+)")


class InputsHasher:
    """Hashes documents' inputs for one build; each file a page loads is read once."""

    def __init__(self, project: Project, renderer: Renderer) -> None:
        self.project = project
        self.renderer = renderer
        self._files: dict[str, str] = {}
        # Longest first, so the package's folder inside a project (or the reverse) is named right.
        folders = {file_uri(d): f"folder{i}:" for i, d in enumerate(project.allowed_dirs)}
        folders |= {file_uri(d.resolve()): f"folder{i}:" for i, d in enumerate(project.allowed_dirs)}
        self._folders = sorted(folders.items(), key=lambda item: -len(item[0]))

    def inputs(self, briefing: Briefing, formats: tuple[str, ...], kept: frozenset[str]) -> str:
        """The SHA-256 of everything this briefing's files in these formats are made from."""
        pages: dict[str, str] = {}
        if "pdf" in formats:
            pages["print"] = self.renderer.render_html(briefing, "print")
        if "html" in formats:
            pdf_href = briefing.sibling_name("pdf") if "pdf" in formats or "pdf" in kept else None
            pages["screen"] = self.renderer.render_html(briefing, "screen", pdf_href)
        loaded = sorted({url for page in pages.values() for url in FILE_URL.findall(page)})
        record = {
            "formats": sorted(formats),
            "picture": "html" in formats or "html" in kept,  # a PNG is drawn beside the web page
            "layout": self.project.settings.layout.model_dump(mode="json"),
            "versions": tool_versions(),
            "pages": {name: self._portable(page) for name, page in pages.items()},
            "files": {self._portable("file://" + url): self._file_hash(url) for url in loaded},
        }
        return hashlib.sha256(json.dumps(record, sort_keys=True).encode("utf-8")).hexdigest()

    def _portable(self, text: str) -> str:
        for uri, name in self._folders:
            text = text.replace(uri, name)
        return text

    def _file_hash(self, url: str) -> str:
        if url not in self._files:
            path = Path(os.fsdecode(unquote_to_bytes(url)))
            try:
                data = read_contained(path, self.project.allowed_dirs,
                                      max_bytes=self.project.limits.asset_bytes)
                self._files[url] = hashlib.sha256(data).hexdigest()
            except MakecaseError:
                # Outside the project, missing or too large: the fetcher will refuse it when
                # the page is laid out; its name is hashed with the page.
                self._files[url] = "unreadable"
        return self._files[url]
