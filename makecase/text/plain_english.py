"""Plain-English measures (NHS content style): words, sentences, syllables, reading ease and age.

Used by `makecase validate` (sentence and paragraph length, as warnings), by `makecase check`
(the per-page table) and by the content tests. Everything here works offline: syllables come
from pyphen's hyphenation dictionaries, not from a download.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser

MAX_SENTENCE_WORDS = 25
MAX_PARAGRAPH_SENTENCES = 3
WORD = re.compile(r"[A-Za-z0-9£%][A-Za-z0-9'’.,£%-]*")
# A sentence may end at . ! or ? followed by a space and a capital, a digit, £ or an opening
# quote or bracket (or the end of the text) ...
SENTENCE_END = re.compile(r"(?<=[.!?])([”\"’')]?)\s+(?=[A-Z£0-9“\"‘(])")
# ... but not after an abbreviation that ends in a full stop: "e.g. NICE", "Dr. Patel",
# "St. Helens", "etc. The" is ambiguous and read as one sentence (rarely wrong in short prose).
NO_END_AFTER = {"e.g", "i.e", "eg", "ie", "etc", "dr", "mr", "mrs", "ms", "prof", "st", "no", "vs",
                "cf", "approx", "fig", "vol", "p", "pp", "ed", "eds", "al", "jan", "feb", "mar",
                "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "inc", "ltd", "co"}
LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)\.[”\"’')]?$")


def words(text: str) -> list[str]:
    return WORD.findall(text)


def sentences(text: str) -> list[str]:
    """Split prose into sentences, keeping "e.g.", "Dr.", "etc." and decimals (2.5) inside them."""
    text = " ".join(text.split())
    pieces: list[str] = []
    start = 0
    for match in SENTENCE_END.finditer(text):
        before = text[start:match.start() + len(match.group(1))]
        last = LAST_WORD.search(before)
        if last and (last.group(1).lower() in NO_END_AFTER
                     or re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", last.group(1))):  # "U.K." style
            continue
        pieces.append(before)
        start = match.end()
    pieces.append(text[start:])
    return [s.strip() for s in pieces if words(s)]


# --- syllables, reading ease and reading age -------------------------------------------------


@lru_cache(maxsize=1)
def _hyphenator():
    import pyphen

    return pyphen.Pyphen(lang="en_GB")


VOWEL_GROUPS = re.compile(r"[aeiouy]+")


@lru_cache(maxsize=20000)
def syllables(word: str) -> int:
    """Syllables in a word: pyphen's hyphenation points, checked against vowel groups.

    Hyphenation dictionaries do not break short words or the ends of words ("table" is one
    hyphenation unit), so the count is the larger of the two estimates, at least one.
    """
    clean = re.sub(r"[^a-z]", "", word.lower())
    if not clean:
        return 1  # a figure such as 2024 or 45% is read as a word
    by_pyphen = len(_hyphenator().positions(clean)) + 1
    groups = len(VOWEL_GROUPS.findall(clean))
    if clean.endswith("e") and not clean.endswith(("le", "ee", "ye")) and groups > 1:
        groups -= 1  # a silent final e: "make", "measure"
    return max(1, by_pyphen, groups)


def reading_ease(text: str) -> float:
    """Flesch reading ease: 206.835 - 1.015 (words/sentences) - 84.6 (syllables/words).

    60 to 70 is plain English; GOV.UK aims for about 60 or higher for the public, lower is usual
    for specialist readers such as NHS leaders.
    """
    found = sentences(text)
    all_words = [w for s in found for w in words(s)]
    if not all_words:
        return 0.0
    return 206.835 - 1.015 * len(all_words) / len(found) - 84.6 * _syllables_per_word(all_words)


def reading_age(text: str) -> float:
    """Reading age in years: the Flesch-Kincaid grade level plus 5 (US grade 1 is age 6)."""
    found = sentences(text)
    all_words = [w for s in found for w in words(s)]
    if not all_words:
        return 0.0
    grade = 0.39 * len(all_words) / len(found) + 11.8 * _syllables_per_word(all_words) - 15.59
    return grade + 5


def _syllables_per_word(all_words: list[str]) -> float:
    return sum(syllables(w) for w in all_words) / len(all_words)


# --- text of an HTML page ---------------------------------------------------------------------


class _TextBlocks(HTMLParser):
    """Visible text of an HTML page, block by block, in reading order (skips <style> and <head>,
    and an element marked data-screen-only: words the web page shows in place of the printed
    ones, such as "Go to" where a phone hides the QR code)."""

    BLOCKS = {"p", "li", "h1", "h2", "h3", "figcaption", "blockquote", "div", "section", "article",
              "header", "footer", "aside", "nav", "ul", "main", "figure", "br"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._current: list[str] = []
        self._skip = 0
        self._screen_only: list[str] = []

    def handle_starttag(self, tag, attrs):
        if any(name == "data-screen-only" for name, _ in attrs):
            self._screen_only.append(tag)
            self._skip += 1
        elif tag in ("style", "head", "script", "title"):
            self._skip += 1
        elif tag in self.BLOCKS:
            self.flush()

    def handle_endtag(self, tag):
        if self._screen_only and tag == self._screen_only[-1]:
            self._screen_only.pop()
            self._skip -= 1
        elif tag in ("style", "head", "script", "title"):
            self._skip -= 1
        elif tag in self.BLOCKS:
            self.flush()

    def handle_data(self, data):
        if not self._skip:
            self._current.append(data.replace("\u200b", ""))  # break opportunities are not text

    def flush(self):
        """End the block being read (the last one has no closing tag to end it)."""
        text = " ".join("".join(self._current).split())
        if text:
            self.blocks.append(text)
        self._current = []


def visible_text_blocks(html: str) -> list[str]:
    parser = _TextBlocks()
    parser.feed(html)
    parser.close()
    parser.flush()
    return parser.blocks


def page_text(html: str) -> str:
    """A page's visible text, its blocks joined by spaces."""
    return " ".join(visible_text_blocks(html))


def page_words(html: str) -> int:
    """How many words a reader meets on a page (the figure `makecase check` shows for a page,
    and manifest.json records)."""
    return len(words(page_text(html)))
