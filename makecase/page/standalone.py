"""Render stage check: a screen page is standalone: it runs nothing and loads nothing from elsewhere.

Content is escaped and Markdown is sanitised, but a project's own templates are files from pull
requests: the sandbox stops them running Python, not writing <script> or <img src="https://...">
into the page. So each built page is read back and refused if it holds any of that. The page is
parsed as a browser parses it (tinyhtml5, an HTML5 parser): <style> inside <svg> or <math>, odd
comments (<!--->) and the like then give the same elements here as in the browser.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

import tinycss2
import tinyhtml5

# Elements that run code or load something by themselves. <noscript> runs nothing, but pages run
# no script, and browsers with scripting on read its content as text, unlike this parser.
ACTIVE = {"script", "iframe", "frame", "object", "embed", "applet", "link", "base", "form", "portal",
          "audio", "video", "source", "track", "noscript"}
# SVG elements whose href loads a file (a link's href only navigates when clicked).
SVG_LOADING = {"image", "use", "feimage", "script"}
# SVG animation, which can set an attribute (a link's href) to a value a template chose.
ANIMATION = {"set", "animate", "animatemotion", "animatetransform", "discard"}
LOADING_ATTRIBUTES = {"src", "srcset", "data", "poster", "background", "action", "formaction", "xlink:href",
                      "manifest"}
# A style attribute with any of these (or a CSS escape, which could hide one) is refused.
CSS_LOADING = ("url(", "image-set(", "image(", "expression(", "@import", "src(")
PREFIXES = {"http://www.w3.org/1999/xlink": "xlink:", "http://www.w3.org/XML/1998/namespace": "xml:",
            "http://www.w3.org/2000/xmlns/": "xmlns:"}
SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:")
# In SVG and MathML, presentation attributes are CSS: fill="url(#gradient)" is fine, a file is not.
OUTSIDE_URL = re.compile(r"url\((?!['\"]?#)")


def _name(qualified: str) -> str:
    """'{http://www.w3.org/1999/xlink}href' -> 'xlink:href'; '{...xhtml}IMG' -> 'img'."""
    namespace, _, local = qualified.rpartition("}")
    return (PREFIXES.get(namespace[1:], "") + local).lower()


def _attribute(tag: str, name: str, value: str, own_pictures: frozenset[str], foreign: bool) -> str | None:
    """What one attribute would run or load, in words (None if nothing)."""
    # Browsers ignore tabs, newlines and control characters inside a URL's scheme
    # ("java&#9;script:"), so compare without them.
    bare = "".join(c for c in value if ord(c) > 0x20).lower()
    if name.startswith("on"):
        return f"an event handler ({name}=) on <{tag}>"
    if name == "ping":
        return f"a ping attribute on <{tag}>, which sends a request"
    if tag == "img" and name == "src" and value in own_pictures:
        return None  # a picture the pack itself wrote beside this page (the index's thumbnails)
    if name in ("href", "xlink:href") and bare.startswith(("javascript:", "data:", "vbscript:", "file:")):
        return f"a link to {value[:30]}"
    if name in LOADING_ATTRIBUTES and not bare.startswith("data:"):
        return f"<{tag} {name}=\"{value[:60]}\">, which loads a file"
    if name == "href" and tag in SVG_LOADING and not bare.startswith(("data:", "#")):
        return f"<{tag} {name}=\"{value[:60]}\">, which loads a file"
    if name == "style" and (any(word in bare for word in CSS_LOADING) or "\\" in value):
        return f"a style attribute that loads a file on <{tag}>"
    if tag in ANIMATION and _animates_something_active(name, bare):
        return f"an SVG <{tag}> that sets {name}=\"{value[:40]}\""
    if foreign and OUTSIDE_URL.search(bare):
        return f"<{tag} {name}=\"{value[:60]}\">, which loads a file"
    return None


def _animates_something_active(name: str, bare: str) -> bool:
    """An SVG animation that sets a link, a style or an event handler, or sets anything to a URL."""
    if name == "attributename":
        return bare in ("href", "xlink:href", "style") or bare.startswith("on")
    return name in ("values", "to", "from", "by") and bool(SCHEME.search(bare) or "url(" in bare)


def _element(element, own_pictures: frozenset[str]) -> list[str]:
    tag = _name(element.tag)
    attributes = {_name(name): (value or "").strip() for name, value in element.attrib.items()}
    if _inline_icon(tag, attributes):
        return []  # the brand's favicon, drawn inline: it loads nothing and runs nothing
    found = [f"a <{tag}> element"] if tag in ACTIVE else []
    if tag == "meta" and "http-equiv" in attributes:
        found.append("a <meta http-equiv> element")
    if tag == "style" and _remote_url("".join(element.itertext())):
        found.append("a stylesheet that loads a file")  # HTML, SVG or MathML <style> alike
    foreign = not element.tag.startswith("{http://www.w3.org/1999/xhtml}")  # SVG or MathML
    found += filter(None, (_attribute(tag, n, v, own_pictures, foreign) for n, v in attributes.items()))
    return found


def _inline_icon(tag: str, attributes: dict[str, str]) -> bool:
    """<link rel="icon" href="data:image/..."> and nothing more: a picture carried in the page."""
    values = {name: value.lower() for name, value in attributes.items()}
    return (tag == "link" and set(values) == {"rel", "href"} and values["rel"] == "icon"
            and values["href"].startswith("data:image/"))


@lru_cache(maxsize=32)  # every page of a pack inlines the same one or two stylesheets
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
        if kind == "function" and node.lower_name == "expression":
            return True
        if kind == "function" and node.lower_name in ("url", "src", "image-set", "-webkit-image-set", "image"):
            strings = [t for t in node.arguments if getattr(t, "type", None) == "string"]
            if not (len(strings) == 1 and strings[0].value.strip().lower().startswith("data:")):
                return True
        if any(_loads(getattr(node, name, None)) for name in ("prelude", "content", "arguments")):
            return True
    return False


def active_parts(html: str, own_pictures: Iterable[str] = ()) -> list[str]:
    """What in a page would run or load something, in words (empty for a standalone page).

    own_pictures: relative paths of pictures the pack writes itself, which an <img src> may
    name exactly (the index's thumbnails); anything else, and anything remote, is refused.
    Comments are dropped where a browser ends them, so nothing hides in one."""
    own = frozenset(own_pictures)
    found = [part for element in tinyhtml5.parse(html).iter() for part in _element(element, own)]
    return list(dict.fromkeys(found))


def first_live_line(source: str) -> int | None:
    """The line of a template's own text where something live first appears (a template that
    writes <script> itself), or None if its text holds nothing live (it may still build some
    through an expression, which only the page it makes shows). Found by parsing ever longer
    beginnings of the text: a tag counts once it is closed, so the shortest beginning that holds
    something live ends on the line that closes it."""
    if not active_parts(source):
        return None
    lines = source.splitlines(keepends=True)
    low, high = 1, len(lines)
    while low < high:
        middle = (low + high) // 2
        if active_parts("".join(lines[:middle])):
            high = middle
        else:
            low = middle + 1
    return low
