"""Draw the default pack's pages as small PNG pictures for the README's gallery (docs/gallery/).

Run from the repository: python docs/make_gallery.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import makecase
from makecase.page.pictures import page_png

GALLERY = Path(__file__).resolve().parent / "gallery"
DPI = 80  # about 660 x 935 pixels: readable headings, small files


def main() -> None:
    GALLERY.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as empty:
        report = makecase.build(empty, formats=["pdf"], out=Path(empty) / "output")
        for document in report.documents:
            target = GALLERY / f"{document.slug}.png"
            target.write_bytes(page_png(document.files["pdf"], dpi=DPI))
            print(f"{target.relative_to(GALLERY.parent.parent)}  {document.fill:.0f}% full  "
                  f"{target.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
