"""Render stage check: a screen page is standalone: it runs nothing and loads nothing from elsewhere.

Content is escaped and Markdown is sanitised, but a project's own templates are files from pull
requests: the sandbox stops them running Python, not writing <script> or <img src="https://...">
into the page. So each built page is read back and refused if it holds any of that.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Iterable

import tinycss2

# Elements that run code or load something by themselves.
ACTIVE = {"script", "iframe", "frame", "object", "embed", "applet", "link", "base", "form", "portal",
          "audio", "video", "source", "track"}
# SVG elements whose href loads a file (a link's href only navigates when clicked).
SVG_LOADING = {"image", "use", "feimage", "script"}
LOADING_ATTRIBUTES = {"src", "srcset", "data", "poster", "background", "action", "formaction", "xlink:href"}


class _Reader(HTMLParser):
    def __init__(self, own_pictures: frozenset[str] = frozenset()) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_style = False
        self.own_pictures = own_pictures

    def handle_starttag(self, tag, attrs):
        if _inline_icon(tag, attrs):
            return  # the brand's favicon, drawn inline: it loads nothing and runs nothing
        if tag in ACTIVE:
            self.found.append(f"a <{tag}> element")
        if tag == "meta" and any(n == "http-equiv" for n, _ in attrs):
            self.found.append("a <meta http-equiv> element")
        for name, value in attrs:
            value = (value or "").strip()
            # Browsers ignore tabs, newlines and control characters inside a URL's scheme
            # ("java&#9;script:"), so compare without them.
            bare = "".join(c for c in value if ord(c) > 0x20).lower()
            if name.startswith("on"):
                self.found.append(f"an event handler ({name}=) on <{tag}>")
            elif tag == "img" and name == "src" and value in self.own_pictures:
                continue  # a picture the pack itself wrote beside this page (the index's thumbnails)
            elif name in LOADING_ATTRIBUTES and not bare.startswith("data:"):
                self.found.append(f"<{tag} {name}=\"{value[:60]}\">, which loads a file")
            elif name in ("href", "xlink:href") and tag in SVG_LOADING and not bare.startswith(("data:", "#")):
                self.found.append(f"<{tag} {name}=\"{value[:60]}\">, which loads a file")
            elif name == "href" and bare.startswith(("javascript:", "data:", "vbscript:", "file:")):
                self.found.append(f"a link to {value[:30]}")
            elif name == "style" and ("url(" in bare or "expression(" in bare or "\\" in value):
                # A CSS escape (u\72l) can hide url( from a plain search: refused too.
                self.found.append(f"a style attribute that loads a file on <{tag}>")
        self.in_style = tag == "style"

    def handle_endtag(self, tag):
        self.in_style = False

    def handle_data(self, data):
        if self.in_style and _remote_url(data):
            self.found.append("a stylesheet that loads a file")


def _inline_icon(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    """<link rel="icon" href="data:image/..."> and nothing more: a picture carried in the page."""
    values = {name: (value or "").strip().lower() for name, value in attrs}
    return (tag == "link" and set(values) == {"rel", "href"} and values["rel"] == "icon"
            and values["href"].startswith("data:image/"))


def _remote_url(css: str) -> bool:
    """True if a stylesheet has an @import or a url() that is not data: (parsed, so text in
    comments and strings does not count)."""
    return _loads(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))


def _loads(nodes) -> bool:
    for node in nodes or ():
        kind = getattr(node, "type", None)
        if kind == "at-rule" and node.lower_at_keyword in ("import", "namespace"):
            return True
        if kind == "at-keyword" and node.lower_value in ("import", "namespace"):
            return True
        if kind == "url" and not node.value.strip().lower().startswith("data:"):
            return True
        if kind == "function" and node.lower_name in ("url", "src", "image-set", "image"):
            strings = [t for t in node.arguments if getattr(t, "type", None) == "string"]
            if not (len(strings) == 1 and strings[0].value.strip().lower().startswith("data:")):
                return True
        if any(_loads(getattr(node, name, None)) for name in ("prelude", "content", "arguments")):
            return True
    return False


def active_parts(html: str, own_pictures: Iterable[str] = ()) -> list[str]:
    """What in a page would run or load something, in words (empty for a standalone page).

    own_pictures: relative paths of pictures the pack writes itself, which an <img src> may
    name exactly (the index's thumbnails); anything else, and anything remote, is refused."""
    reader = _Reader(frozenset(own_pictures))
    reader.feed(html)
    reader.close()
    return list(dict.fromkeys(reader.found))
