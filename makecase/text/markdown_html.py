"""Load and render stages: Markdown in content to sanitised HTML, converted once per text.

Content is untrusted. Only ALLOWED_TAGS survive (nh3's maintained allow-list, not our own
regexes), and Markdown's known slow and deep inputs are refused with a clear reason before
they cost minutes or a crash: Python-Markdown's link parser is quadratic in '[' characters, and
lists nested hundreds deep overflow the layout engine's recursion.
"""

from __future__ import annotations

import re
from functools import lru_cache

import markdown as markdown_lib
import nh3
from markupsafe import Markup

from makecase.limits import DEFAULT as DEFAULT_LIMITS

# What Markdown in content may produce. No images, no raw HTML beyond this, no scripts.
ALLOWED_TAGS = {"p", "em", "strong", "a", "ul", "ol", "li", "br", "abbr", "sup", "sub", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
_TAG = re.compile(r"<(/?)([a-z0-9]+)[^>]*?(/?)>")
_VOID = {"br"}


class MarkdownError(ValueError):
    """Text whose Markdown is too costly or too deep to convert; the loader adds where it is."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def check_cost(text: str, brackets: int = DEFAULT_LIMITS.markdown_brackets) -> None:
    """Refuse text that would take Markdown seconds to minutes to convert."""
    count = text.count("[")
    if count > brackets:
        raise MarkdownError(
            f"This text has {count:,} '[' characters; a text may have at most {brackets}.",
            "Markdown reads [ as the start of a link. Remove the extra brackets, or write them as \\[.")


@lru_cache(maxsize=4096)
def markdown_to_html(text: str, inline: bool = False) -> Markup:
    """Markdown to sanitised HTML: the content is untrusted, so only ALLOWED_TAGS survive.

    Cached: the print and screen pages of every document use the same texts, and the loader
    has already converted each Markdown field once to check it.
    """
    check_cost(text)
    try:
        html = markdown_lib.markdown(text, output_format="html")
    except RecursionError:
        raise MarkdownError("This text is nested too deeply for Markdown.",
                            "Use at most a few levels of lists or quotes.") from None
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes={"https", "mailto"}, link_rel=None)
    depth = nesting(clean)
    if depth > DEFAULT_LIMITS.markdown_depth:
        raise MarkdownError(
            f"This text's lists or quotes nest {depth} levels deep; a page shows at most "
            f"{DEFAULT_LIMITS.markdown_depth}.", "Flatten the list: use at most a few levels.")
    if inline and clean.startswith("<p>") and clean.endswith("</p>") and clean.count("<p>") == 1:
        clean = clean[3:-4]
    return Markup(clean)


def nesting(html: str) -> int:
    """How deep elements nest in sanitised HTML (well formed: nh3 wrote it)."""
    depth = deepest = 0
    for closing, name, self_closing in _TAG.findall(html):
        if name in _VOID or self_closing:
            continue
        depth += -1 if closing else 1
        deepest = max(deepest, depth)
    return deepest
