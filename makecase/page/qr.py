"""Render stage helper: a QR code as inline vector SVG, so a paper copy's main link can be followed.

Drawn by segno as one SVG path (sharp at any print size, no raster image); the quiet zone of
four modules is kept inside the drawing so no layout can crop it. role="img" with a <title>
and aria-label gives it alternative text, which WeasyPrint tags as a Figure with /Alt.
"""

from __future__ import annotations

import segno
from markupsafe import Markup, escape


def qr_svg(url: str, alt: str) -> Markup:
    """A QR code for `url` as an inline <svg>, sized by CSS (class "qr")."""
    code = segno.make(url, error="m", micro=False)
    if code.version < 2:
        # At least 25 modules across, so that at the printed size (27 mm with the quiet zone)
        # the code itself is over 2 cm wide even for a very short address.
        code = segno.make(url, error="m", micro=False, version=2)
    svg = code.svg_inline(scale=1, border=4, omitsize=True, svgclass=None, lineclass=None,
                          dark="#000", light="#fff")
    # segno writes <svg viewBox=...><path .../></svg>; add the class, role and alternative text.
    head, rest = svg.split(">", 1)
    label = escape(alt)
    return Markup(f'{head} class="qr" role="img" aria-label="{label}" preserveAspectRatio="xMidYMid meet">'
                  f"<title>{label}</title>{rest}")
