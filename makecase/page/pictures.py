"""Pack stage helper: pictures of a built page, drawn from its PDF by pdfium as a PDF viewer would.

Two sizes: the page at 96 dpi (`<slug>.png`, the web page's Open Graph image for link previews),
and a small thumbnail (`<slug>.thumb.png`, 240 pixels wide, about 13 KB) for the pack's index.
The index could show the full picture scaled down, but at about 90 KB each a pack of 500 places
(3000 pages) would ask a reader's browser for over 250 MB as they scroll; the thumbnails are
under a sixth of that, and sharp on a high-density screen at the size the index shows them.
"""

from __future__ import annotations

import io
import struct

THUMBNAIL_WIDTH = 240  # pixels: the index shows it about 120 CSS pixels wide, sharp at 2x


def page_png(pdf: bytes, dpi: int = 96) -> bytes:
    """The first page of a PDF as a PNG picture."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        # 64 colours are plenty for text and a brand's few colours, at a quarter of the size;
        # the fast octree quantiser (method 2) keeps this to a few tens of milliseconds.
        return _png(document[0].render(scale=dpi / 72).to_pil(), colours=64)
    finally:
        document.close()


def page_thumbnail(pdf: bytes, width: int = THUMBNAIL_WIDTH) -> bytes:
    """The first page of a PDF as a small PNG, `width` pixels wide."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        # 32 colours: a thumbnail shows the page's shape and colours, not its words.
        return _png(page.render(scale=width / page.get_width()).to_pil(), colours=32)
    finally:
        document.close()


def pdf_pages(pdf: bytes) -> int:
    """How many pages a PDF has."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def png_size(png: bytes) -> tuple[int, int]:
    """A PNG's width and height in pixels, from its header (for <img width height>)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _png(image, colours: int) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").quantize(colors=colours, method=2).save(buffer, format="PNG")
    return buffer.getvalue()
