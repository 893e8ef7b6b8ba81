"""Plain-English checks (NHS content style): sentence length, paragraph length, words on a page.

Used by `makecase validate` (as warnings; --strict makes them errors) and by the content tests.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

MAX_SENTENCE_WORDS = 25
MAX_PARAGRAPH_SENTENCES = 3
WORD = re.compile(r"[A-Za-z0-9£%][A-Za-z0-9'’.,£%-]*")
# A sentence ends at . ! or ? followed by a space and a capital (or the end of the text).
SENTENCE_END = re.compile(r"(?<=[.!?])[”\"’']?\s+(?=[A-Z£0-9“\"‘(])")


def words(text: str) -> list[str]:
    return WORD.findall(text)


def sentences(text: str) -> list[str]:
    text = " ".join(text.split())
    return [s for s in SENTENCE_END.split(text) if words(s)]


class _TextBlocks(HTMLParser):
    """Visible text of an HTML page, block by block, in reading order (skips <style> and <head>)."""

    BLOCKS = {"p", "li", "h1", "h2", "h3", "figcaption", "blockquote", "div", "section", "article",
              "header", "footer", "aside", "nav", "ul", "main", "figure", "br"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._current: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "head", "script", "title"):
            self._skip += 1
        elif tag in self.BLOCKS:
            self._flush()

    def handle_endtag(self, tag):
        if tag in ("style", "head", "script", "title"):
            self._skip -= 1
        elif tag in self.BLOCKS:
            self._flush()

    def handle_data(self, data):
        if not self._skip:
            self._current.append(data)

    def _flush(self):
        text = " ".join("".join(self._current).split())
        if text:
            self.blocks.append(text)
        self._current = []


def visible_text_blocks(html: str) -> list[str]:
    parser = _TextBlocks()
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser.blocks
