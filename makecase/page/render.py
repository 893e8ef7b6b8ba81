"""Render stage: a Briefing to an HTML string, for print (PDF) or for screen (standalone HTML).

Both come from one template structure (templates/briefing.html and its partials); only the
stylesheets differ. A project overrides a template by putting a file of the same name in its
own templates/ folder, as MkDocs's custom_dir does.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import quote, urlsplit

from markupsafe import Markup, escape

from makecase import resources
from makecase.load.brand_files import check_css
from makecase.version import __version__
from makecase.page.compose import Briefing
from makecase.errors import MakecaseError
from makecase.load.project import Project
from makecase.text.markdown_html import markdown_to_html
from makecase.page.qr import qr_svg
from makecase.page.template_data import plain_data
from makecase.page.templating import make_environment, render_bounded, template_errors

Medium = Literal["print", "screen"]

FONT_FACES = (("font_regular", "normal", "normal", "LiberationSans-Regular.ttf"),
              ("font_bold", "bold", "normal", "LiberationSans-Bold.ttf"),
              ("font_italic", "normal", "italic", "LiberationSans-Italic.ttf"),
              ("font_bold_italic", "bold", "italic", "LiberationSans-BoldItalic.ttf"))


def file_uri(path: Path) -> str:
    """A file: URL for any path, also one whose name is not UTF-8 (Path.as_uri fails on those)."""
    return "file://" + quote(os.fsencode(path))


def short_url(url: str) -> str:
    """A web address as a reader would type it: no scheme, no 'www.', no trailing slash."""
    if url.startswith("mailto:"):
        return url[len("mailto:"):]
    parts = urlsplit(url)
    host = parts.netloc.removeprefix("www.")
    path = parts.path.rstrip("/")
    return host + path


def heading(text: str) -> Markup:
    """A heading that never ends with one word on its own line, nor breaks at a hyphen.

    The last two words are joined by a no-break space; a hyphenated word is kept whole.
    """
    words = str(escape(text)).split()
    words = [f'<span class="nobr">{w}</span>' if re.search(r"\w-\w", w) else w for w in words]
    if len(words) >= 2:
        words[-2:] = [words[-2] + "\u00a0" + words[-1]]
    return Markup(" ".join(words))


# Where a long address may wrap, as a reader expects it to: after a slash, an @ or a dot (a
# hyphen is a break point of its own).
URL_BREAKS = re.compile(r"(?<=[/@.])(?=[^/@.])")


def breakable_url(url: str) -> Markup:
    """A short address (or e-mail address) that may wrap after '/', '@' or '.', so a long one
    stays in its box instead of pushing the QR code off the page."""
    # A zero-width space at each break: <wbr> or spans inside a link leave it out of the PDF's
    # tag tree (WeasyPrint 70). plain.py, `check` and the link's description drop the mark again.
    return Markup("\u200b".join(str(escape(part)) for part in URL_BREAKS.split(short_url(url))))


# The logo's box in the masthead (rem): the logo is scaled to fit it, whatever its shape.
LOGO_BOX_REM = (9.0, 2.6)


def logo_size(ratio: float | None) -> tuple[float, float] | None:
    """The logo's width and height in rem: as large as fits LOGO_BOX_REM at its own shape."""
    if not ratio or ratio <= 0:
        return None
    box_w, box_h = LOGO_BOX_REM
    width, height = (box_w, box_w / ratio) if ratio > box_w / box_h else (box_h * ratio, box_h)
    return round(width, 3), round(height, 3)


# The QR caption's line ("Scan or go to <address>", under the QR code) in em of its own type:
# the contact column (39.2% of the 184 mm text width, less the 1.1rem gutter) at 12pt body text
# and 0.75rem caption type (print.css, style.css): 191pt, as laid out. Smaller body text gives
# a wider line in em, so 12pt is the narrowest case; 5% is kept for the ragged ends of lines.
CAPTION_LINE_EM = (0.392 * 184 / 25.4 * 72 - 1.1 * 12) / (0.75 * 12) * 0.95
CAPTION_LEAD = "Scan or go to "


def qr_caption(briefing: dict, font: Path) -> str:
    """The address printed beside the QR code: the shortest that works and fits two lines.

    The page's own address when it fits; else the site's (its index lists every briefing);
    else the host alone. A reader who would rather type than scan needs a short one."""
    cta = briefing["call_to_action"]["url"]
    candidates = [cta]
    page_url, file_name = briefing.get("page_url"), briefing.get("file_names", {}).get("html", "")
    if page_url and cta == page_url and file_name and page_url.endswith(file_name):
        candidates.append(page_url[: -len(file_name)])
    candidates.append(short_url(cta).split("/")[0])
    for url in candidates:
        if _caption_lines(CAPTION_LEAD + short_url(url), font) <= 2:
            return url
    return candidates[-1]


def _caption_lines(text: str, font: Path) -> int:
    """Lines the caption takes, wrapped greedily at spaces and at the address's break points."""
    pieces = re.split(r"(?<=[ /@.\-])", text)
    lines, width = 1, 0.0
    for piece in pieces:
        size = _text_em(piece.rstrip(" "), font)
        if width and width + size > CAPTION_LINE_EM:
            lines, width = lines + 1, 0.0
        width += _text_em(piece, font)
    return lines


def _text_em(text: str, font: Path) -> float:
    cmap, advances, units = _font_metrics(str(font))
    default = advances.get(cmap.get(ord("n")), units / 2)
    return sum(advances.get(cmap.get(ord(c)), default) for c in text) / units


@lru_cache(maxsize=8)
def _font_metrics(path: str) -> tuple[dict, dict, int]:
    """A font's character map, glyph advances and units per em (fontTools, WeasyPrint's own)."""
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        advances = {name: metric[0] for name, metric in font["hmtx"].metrics.items()}
        return dict(font.getBestCmap()), advances, font["head"].unitsPerEm


def favicon(colour: str) -> str:
    """The brand's icon as an SVG data URL: a rounded square of the primary colour with a white bar."""
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" '
           f'fill="{colour}"/><rect x="7" y="9" width="18" height="4" fill="#fff"/>'
           f'<rect x="7" y="17" width="12" height="4" fill="#fff"/></svg>')
    return "data:image/svg+xml," + quote(svg)


class Renderer:
    """One Jinja2 environment per project, reused for every page of a build."""

    def __init__(self, project: Project) -> None:
        self.project = project
        # Sandboxed, reading only regular files inside the project or the package (templating.py).
        self.env = make_environment(project.template_dirs, project.allowed_dirs, project.limits)
        self.env.filters["md"] = markdown_to_html
        self.env.filters["md_inline"] = lambda text: markdown_to_html(text, inline=True)
        self.env.filters["short_url"] = short_url
        self.env.filters["host"] = lambda url: short_url(url).split("/")[0]
        self.env.filters["thousands"] = lambda n: f"{n:,}"
        self.env.filters["heading"] = heading
        self.env.filters["breakable_url"] = breakable_url
        self.env.filters["qr_caption"] = lambda b: qr_caption(b, self._caption_font())
        self.env.filters["qr"] = qr_svg
        self.env.filters["favicon"] = favicon
        self.env.filters["month_year"] = month_year

    def _css(self, name: str) -> str:
        with template_errors(name):
            source, filename, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
        if filename and not Path(filename).resolve().is_relative_to(resources.templates_dir().resolve()):
            problems = check_css(source, Path(filename))  # a project's own stylesheet: untrusted
            if problems:
                raise MakecaseError(problems)
        return source

    @cached_property
    def _stylesheets(self) -> dict[Medium, str]:
        extra = self.project.brand_files.extra_css  # checked at load (assets.check_css)
        common = self._css("style.css")
        return {
            "print": "\n".join([self._font_faces(), common, self._css("print.css"), extra]),
            "screen": "\n".join([common, self._css("screen.css"), extra]),
        }

    def _font_faces(self) -> str:
        """@font-face rules for the PDF: the bundled Liberation Sans, or the brand's own fonts."""
        own_fonts = self.project.brand_files.fonts or {}
        rules = []
        for key, weight, style, bundled in FONT_FACES:
            path = own_fonts[key].path if key in own_fonts else (resources.fonts_dir() / bundled)
            rules.append(
                "@font-face { font-family: 'makecase body'; "
                f"src: url('{file_uri(path.resolve())}'); font-weight: {weight}; font-style: {style}; }}")
        return "\n".join(rules)

    def _caption_font(self) -> Path:
        own_fonts = self.project.brand_files.fonts or {}
        return own_fonts["font_regular"].path if "font_regular" in own_fonts else resources.fonts_dir() / FONT_FACES[0][3]

    def _logo(self, medium: Medium) -> str | None:
        logo = self.project.brand_files.logo  # checked at load (assets.load_logo)
        if logo is None:
            return None
        # The same checked bytes for print and screen, so the PDF and the HTML show the same logo.
        return f"data:{logo.mime};base64,{base64.b64encode(logo.data).decode('ascii')}"

    def render_html(self, briefing: Briefing, medium: Medium, pdf_href: str | None = None) -> str:
        """The page as HTML. pdf_href links the screen version to its PDF, when one is built."""
        with template_errors("briefing.html"):
            template = self.env.get_template("briefing.html")
            return render_bounded(template, dict(
                b=briefing_data(briefing),
                medium=medium,
                pdf_href=pdf_href,
                css=Markup(self._stylesheets[medium]),
                logo_src=self._logo(medium),
                logo_size=self._logo_size(),
                version=__version__,
            ))

    def _logo_size(self) -> tuple[float, float] | None:
        logo = self.project.brand_files.logo
        return logo_size(getattr(logo, "ratio", None)) if logo is not None else None

    def render_index(self, **values) -> str:
        """The page listing every briefing of a build. values: plain data only (template_data)."""
        with template_errors("index.html"):
            return render_bounded(self.env.get_template("index.html"),
                                  dict(version=__version__, logo_src=self._logo("screen"), **values))


def briefing_data(briefing: Briefing) -> dict:
    """The Briefing as a template sees it: plain data, with the names of its files."""
    data = plain_data(briefing)
    data["file_names"] = {fmt: briefing.file_name(fmt) for fmt in ("pdf", "html", "png", "thumb")}
    return data


def month_year(iso_date: str) -> str:
    """'2026-11-28' as 'November 2026' (templates get dates as ISO text)."""
    return dt.date.fromisoformat(str(iso_date)).strftime("%B %Y")
