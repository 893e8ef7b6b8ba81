"""Load stage helper: the limits that keep one build small, whatever a project folder holds.

A project folder is untrusted (packs are built in CI from pull requests), so every input is
bounded: the size of each file, the length of each text, how deep YAML and Markdown may nest,
and how long one document may take to lay out. Each limit, when hit, is a clear error naming
the file and line; a project may raise the first four in makecase.yaml's `limits:` block, up to
the ceilings below (so a hostile project cannot switch them off).
"""

from __future__ import annotations

from dataclasses import dataclass

KB = 1024


@dataclass(frozen=True)
class Limits:
    """How much one build may read and do. Defaults suit the largest real pack many times over."""

    file_kb: int = 512          # one content, settings, template or CSS file
    asset_kb: int = 4 * 1024    # one logo or font file
    field_chars: int = 4000     # one text in YAML (a whole evidence body is about 600)
    depth: int = 24             # YAML nesting (real content nests 5 deep)
    markdown_brackets: int = 200  # '[' in one text: Markdown's link parser is quadratic in them
    markdown_depth: int = 12    # nested lists or quotes in one text
    layout_seconds: int = 60    # laying out one document, all its shrink steps included
    image_pixels: int = 25_000_000  # a logo's width × height (5000 × 5000)

    @property
    def file_bytes(self) -> int:
        return self.file_kb * KB

    @property
    def asset_bytes(self) -> int:
        return self.asset_kb * KB


DEFAULT = Limits()
