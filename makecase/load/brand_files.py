"""Render stage helper: the brand's own files (extra CSS, logo, fonts), read once and checked.

Each is an ordinary file inside the project (contain.py). Then:

- extra_css is parsed with tinycss2 (WeasyPrint's own CSS parser) and refused if it would load
  anything (@import, a url() that is not data:), could close the <style> element it is pasted
  into, or does not parse;
- a logo must be a PNG, JPEG, GIF or SVG that can be read, not too many pixels, and an SVG
  without a DTD (entities) or scripts;
- a font must be a TrueType, OpenType or WOFF font.

So an unusable file is an error at load, the same for PDF and HTML, instead of being silently
dropped from the PDF and kept in the HTML.
"""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import tinycss2

from makecase.contain import read_contained, read_text_contained
from makecase.errors import Location, MakecaseError, Problem, shown
from makecase.limits import Limits

_CLOSES_STYLE = re.compile(r"</?\s*style|<!--|-->|<\s*/|<\s*script", re.IGNORECASE)


def check_css(text: str, file: Path) -> list[Problem]:
    """Problems that make extra CSS unsafe or broken, each with its line and column."""
    problems: list[Problem] = []
    for match in _CLOSES_STYLE.finditer(text):
        line, column = _line_col(text, match.start())
        problems.append(Problem(
            f"The CSS holds '{shown(match.group(0))}', which could end the <style> element it is placed in.",
            Location(file, line, column), hint="Remove it: CSS never needs HTML tags or comments."))
        break
    rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
    _walk_css(rules, file, problems)
    # The CSS is pasted before other rules' end: it must close everything it opens, or it would
    # swallow what follows. A sentinel rule after it must parse as a rule of its own.
    sentinel = tinycss2.parse_stylesheet(text + "\nmakecase-end {}", skip_comments=True, skip_whitespace=True)
    last = sentinel[-1] if sentinel else None
    if not (getattr(last, "type", None) == "qualified-rule"
            and tinycss2.serialize(last.prelude).strip() == "makecase-end"):
        line, column = _line_col(text, len(text))
        problems.append(Problem("The CSS leaves a comment, bracket or quote open at its end.",
                                Location(file, line, column),
                                hint="Close every /* with */, every { with } and every quote."))
    return problems


def _walk_css(nodes, file: Path, problems: list[Problem]) -> None:
    for node in nodes:
        kind = getattr(node, "type", None)
        where = Location(file, getattr(node, "source_line", None), getattr(node, "source_column", None))
        if kind == "error":
            problems.append(Problem(f"CSS syntax error: {shown(node.message, 120).rstrip('.')}.", where,
                                    hint="Check the brackets, quotes and semicolons here."))
            continue
        if kind == "at-keyword" and node.lower_value in ("import", "namespace"):
            # Nested in a block, where tinycss2 does not parse rules: still refused (found by fuzzing).
            problems.append(Problem(f"@{node.value} is not allowed in a project's CSS: a page loads nothing from elsewhere.",
                                    where, hint="Paste the rules you need into this file instead."))
            continue
        if kind == "at-rule" and node.lower_at_keyword in ("import", "namespace"):
            problems.append(Problem(f"@{node.at_keyword} is not allowed in a project's CSS: a page loads nothing from elsewhere.",
                                    where, hint="Paste the rules you need into this file instead."))
            continue
        if kind == "url" or (kind == "function" and node.lower_name in ("url", "src", "image-set", "image")):
            target = _url_value(node)
            if target is None or not target.strip().lower().startswith("data:"):
                problems.append(Problem(
                    f"url({shown(target or '', 80)}) is not allowed in a project's CSS: a page loads nothing from elsewhere.",
                    where, hint="Use brand.logo and brand.font_* in makecase.yaml for images and fonts, "
                                "or embed a small image as a data: URL."))
                continue
        for child_list in (getattr(node, "prelude", None), getattr(node, "content", None),
                           getattr(node, "arguments", None)):
            if child_list:
                _walk_css(child_list, file, problems)


def _url_value(node) -> str | None:
    if node.type == "url":
        return node.value
    strings = [t for t in node.arguments if getattr(t, "type", None) == "string"]
    others = [t for t in node.arguments if getattr(t, "type", None) not in ("string", "whitespace", "comment")]
    return strings[0].value if len(strings) == 1 and not others else None


def _line_col(text: str, index: int) -> tuple[int, int]:
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


# --- images and fonts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Asset:
    """A checked file: its bytes, its MIME type and its resolved path (for WeasyPrint)."""

    path: Path
    data: bytes
    mime: str
    ratio: float | None = None  # an image's width over its height, when it says (to fit its box)


def load_logo(path: Path, roots: list[Path], limits: Limits, where: Location | None, key: str) -> Asset:
    data = read_contained(path, roots, max_bytes=limits.asset_bytes, what="logo", where=where, key=key)
    name = shown(path.name)

    def refuse(message: str, hint: str) -> MakecaseError:
        return MakecaseError.single(f"The logo '{name}' {message}.", where, key=key, hint=hint)

    head = data[:512].lstrip()
    if head.startswith(b"<") or path.suffix.lower() == ".svg":
        text = data.decode("utf-8", errors="replace")
        if re.search(r"<!DOCTYPE|<!ENTITY", text, re.IGNORECASE):
            raise refuse("has a DTD (<!DOCTYPE or <!ENTITY)", "Save the SVG without a DOCTYPE; "
                         "most editors have a 'plain SVG' or 'optimised SVG' option.")
        if re.search(r"<script|\son[a-z]+\s*=|<foreignObject", text, re.IGNORECASE):
            raise refuse("holds a script or embedded HTML", "Save it as a plain SVG drawing.")
        import xml.etree.ElementTree as ET  # safe here: no DTD, so no entities to expand

        try:
            root = ET.fromstring(data)
        except ET.ParseError as exc:
            raise refuse(f"is not a readable SVG ({exc})", "Export it again as SVG or PNG.") from None
        if not root.tag.endswith("svg"):
            raise refuse("is not an SVG image", "Use an SVG, PNG or JPEG file.")
        return Asset(path, data, "image/svg+xml", svg_ratio(root))

    from PIL import Image, ImageFile, UnidentifiedImageError  # WeasyPrint's own image library

    # WeasyPrint sets this when it is imported; set it here too, so a logo is checked the same
    # way whether or not WeasyPrint is loaded (a build with nothing to lay out never loads it).
    ImageFile.LOAD_TRUNCATED_IMAGES = True

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            width, height = image.size
            if kind not in ("PNG", "JPEG", "GIF", "WEBP"):
                raise refuse(f"is a {kind} image, which pages cannot show", "Use an SVG, PNG or JPEG file.")
            if width * height > limits.image_pixels:
                raise refuse(f"is {width} × {height} pixels, too large for a page",
                             "Save a smaller copy: 600 pixels wide is plenty for a logo.")
            damage = png_damage(data) if kind == "PNG" else None
            if damage:
                raise refuse(f"cannot be read as an image: {damage}",
                             "Export the logo again as PNG or SVG: the file is damaged.")
            image.load()
    except MakecaseError:
        raise
    except UnidentifiedImageError:
        raise refuse("is not a PNG, JPEG, GIF, WebP or SVG image",
                     "Export the logo as SVG or PNG.") from None
    except Exception as exc:  # Pillow raises many kinds for unknown or damaged files
        raise refuse(f"cannot be read as an image ({shown(exc, 80)})",
                     "Use an SVG, PNG or JPEG file, exported again if it is damaged.") from None
    return Asset(path, data, Image.MIME.get(kind, "application/octet-stream"), width / height if height else None)


def svg_ratio(root) -> float | None:
    """An SVG's width over its height, from its viewBox (or its width and height in plain
    numbers): the page sizes the logo's box from it, since a drawing with only a viewBox has
    no size of its own."""
    numbers = re.findall(r"[-+]?(?:\d+\.?\d*|\.\d+)", root.get("viewBox") or "")
    if len(numbers) == 4 and float(numbers[2]) > 0 and float(numbers[3]) > 0:
        return float(numbers[2]) / float(numbers[3])
    size = [re.fullmatch(r"\s*(\d+\.?\d*)\s*(px)?\s*", root.get(k) or "") for k in ("width", "height")]
    if all(size) and float(size[1].group(1)) > 0:
        return float(size[0].group(1)) / float(size[1].group(1))
    return None


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_damage(data: bytes) -> str | None:
    """What is damaged in a PNG, in words, or None: a chunk whose checksum is wrong, a file cut
    short, image data that does not decompress. Pillow, set up as WeasyPrint sets it up (it
    loads truncated images), skips the checksums of ancillary chunks and draws what it can of
    a broken image, so a damaged logo would be accepted silently and printed half-drawn."""
    if not data.startswith(PNG_SIGNATURE):
        return "it is not a PNG file"
    stream = zlib.decompressobj()
    position, first = len(PNG_SIGNATURE), True
    while position < len(data):
        if position + 12 > len(data):
            return "the file is cut short inside a chunk"
        length = int.from_bytes(data[position:position + 4], "big")
        kind = data[position + 4:position + 8]
        name = shown(kind.decode("latin-1"), 8)
        end = position + 12 + length
        if end > len(data):
            return f"the file is cut short inside its {name} chunk"
        body = data[position + 8:end - 4]
        if zlib.crc32(kind + body) != int.from_bytes(data[end - 4:end], "big"):
            return f"its {name} chunk is damaged (its checksum is wrong)"
        if first and kind != b"IHDR":
            return "it does not start with an IHDR chunk"
        if kind == b"IDAT":
            try:
                while body:  # decompressed only to check it: bounded pieces, thrown away
                    stream.decompress(body, 1 << 20)
                    body = stream.unconsumed_tail
            except zlib.error:
                return "its image data (IDAT) is damaged"
        if kind == b"IEND":
            return None if stream.eof else "its image data (IDAT) is cut short"
        position, first = end, False
    return "the file is cut short: it has no IEND chunk"


_FONT_MAGIC = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"wOFF", b"wOF2")


def load_font(path: Path, roots: list[Path], limits: Limits, where: Location | None, key: str) -> Asset:
    data = read_contained(path, roots, max_bytes=limits.asset_bytes, what="font", where=where, key=key)
    ok = data[:4] in _FONT_MAGIC
    if ok:
        try:
            from fontTools.ttLib import TTFont  # WeasyPrint's own font library

            font = TTFont(io.BytesIO(data), lazy=True)
            ok = "cmap" in font and "head" in font
        except Exception:
            ok = False
    if not ok:
        raise MakecaseError.single(
            f"The font '{shown(path.name)}' is not a TrueType, OpenType or WOFF font.", where, key=key,
            hint="Name a .ttf, .otf or .woff file.")
    return Asset(path, data, "font/ttf")


FONT_KEYS = ("font_regular", "font_bold", "font_italic", "font_bold_italic")


@dataclass
class BrandFiles:
    """The brand's files, checked at load: what the renderer embeds or links."""

    extra_css: str = ""
    logo: Asset | None = None
    fonts: dict[str, Asset] | None = None


def load_brand(root: Path, brand, where: dict[str, Location], limits: Limits) -> tuple[BrandFiles, list[Problem]]:
    """Read and check every file makecase.yaml's brand names; collect every problem."""
    files = BrandFiles(fonts={})
    problems: list[Problem] = []
    settings_file = Location(root / "makecase.yaml")

    def attempt(key: str, action):
        try:
            return action(where.get(key, settings_file))
        except MakecaseError as exc:
            problems.extend(exc.problems)
            return None

    if brand.extra_css:
        path = root / brand.extra_css

        def css(loc):
            text = read_text_contained(path, [root], max_bytes=limits.file_bytes, what="CSS file",
                                       where=loc, key="brand.extra_css")
            found = check_css(text, path)
            if found:
                raise MakecaseError(found)
            return text

        files.extra_css = attempt("brand.extra_css", css) or ""
    if brand.logo is not None:
        files.logo = attempt("brand.logo.file", lambda loc: load_logo(
            root / brand.logo.file, [root], limits, loc, "brand.logo.file"))
    for key in FONT_KEYS:
        value = getattr(brand, key)
        if value:
            font = attempt(f"brand.{key}", lambda loc, value=value, key=key: load_font(
                root / value, [root], limits, loc, f"brand.{key}"))
            if font is not None:
                files.fonts[key] = font
    return files, problems
