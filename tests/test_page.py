"""The page looked at as a picture: full, one page, figures with sources, a QR code a phone reads.

Every default page, and a branded page (long partnership name, wide logo, a place, one brand
colour), is drawn to PNG by pdfium as a PDF viewer would, and read back: the QR code is decoded
with zxing-cpp as a phone would, and every character is checked to sit inside the page box.
"""

from __future__ import annotations

import json
import re
import textwrap

import pypdf
import pypdfium2
import pytest
import zxingcpp

import makecase
from conftest import AUDIENCE_IDS, pdf_text, squash
from makecase.load.contrast import ratio
from makecase.load.loader import load_project

DPI = 200
MM_PER_PX = 25.4 / DPI
DEFAULT_CONTACT_URL = "https://www.activepartnerships.org/about-us"
SITE = "https://briefings.example.org/move-more"
PARTNERSHIP = "Move More Calderdale, Kirklees and Wakefield Active Partnership Trust"
# A logo four times as wide as it is tall.
WIDE_LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="100">'
             '<rect width="400" height="100" fill="#6A1B9A"/></svg>')


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


@pytest.fixture(scope="session")
def branded(tmp_path_factory):
    """A partnership's page for one place: one brand colour, long name, wide logo, site_url."""
    root = tmp_path_factory.mktemp("branded")
    write(root / "assets" / "logo.svg", WIDE_LOGO)
    write(root / "makecase.yaml", f"""
        partnership:
          name: {PARTNERSHIP}
          url: https://www.example.org/move-more
        site_url: {SITE}
        brand:
          primary: "#6A1B9A"
          logo:
            file: assets/logo.svg
            alt: {PARTNERSHIP} logo
        """)
    write(root / "content" / "places.yaml", """
        places:
          - id: kirklees
            name: Kirklees
            population: 440000
            figures:
              - value: "440,000"
                label: people live in Kirklees
                source:
                  title: Population estimates
                  publisher: Office for National Statistics
                  year: 2024
                  url: https://www.ons.gov.uk/
                  section: Mid-year estimates
                  checked: 2026-11-20
              - value: "25%"
                label: of adults in Kirklees are inactive
                percent: 25
                source:
                  title: Active Lives
                  publisher: Sport England
                  year: 2025
                  url: https://www.sportengland.org/
                  section: Active Lives
                  checked: 2026-11-20
        """)
    return makecase.build(root, audiences=["gps"], out=root / "output")


class Page:
    """One built PDF page, drawn as a picture and read back."""

    def __init__(self, path):
        self.path = path
        self.pdf = pypdfium2.PdfDocument(path)
        self.page = self.pdf[0]
        self.width_pt, self.height_pt = self.page.get_size()
        self.image = self.page.render(scale=DPI / 72).to_pil()

    def qr_codes(self):
        return zxingcpp.read_barcodes(self.image, formats=zxingcpp.BarcodeFormat.QRCode)

    def blank_at_foot_mm(self) -> float:
        """Blank paper below the lowest ink (anything darker than mid grey)."""
        ink = self.image.convert("L").point(lambda v: 255 if v < 128 else 0)
        return (self.image.height - ink.getbbox()[3]) * MM_PER_PX

    def chars_outside(self) -> list[str]:
        text = self.page.get_textpage()
        outside = []
        for i in range(text.count_chars()):
            left, bottom, right, top = text.get_charbox(i)
            if left < 0 or bottom < 0 or right > self.width_pt or top > self.height_pt:
                outside.append(text.get_text_range(i, 1))
        return outside


def _symbol_width_mm(code) -> float:
    p = code.position
    return max(abs(p.top_right.x - p.top_left.x), abs(p.bottom_right.x - p.bottom_left.x)) * MM_PER_PX


@pytest.fixture(scope="session")
def default_pages(default_pack):
    return {a: Page(default_pack.out_dir / f"{a}.pdf") for a in AUDIENCE_IDS}


@pytest.fixture(scope="session")
def manifest(default_pack):
    return json.loads((default_pack.out_dir / "manifest.json").read_text())


@pytest.mark.parametrize("audience", AUDIENCE_IDS)
def test_default_page_is_one_full_page_with_nothing_outside_it(default_pages, manifest, audience):
    page = default_pages[audience]
    assert len(page.pdf) == 1
    fill = {d["audience"]: d["fill_percent"] for d in manifest["documents"]}[audience]
    assert fill >= 90, f"{audience} is only {fill}% full"
    assert not page.chars_outside()


@pytest.mark.parametrize("audience", AUDIENCE_IDS)
def test_default_page_leaves_no_band_of_blank_paper_at_its_foot(default_pages, audience):
    """Looked at as a picture: the last ink (the colophon) is within 15 mm of the page's edge
    (9 mm margin plus a hair), so the footer sits at the foot."""
    assert default_pages[audience].blank_at_foot_mm() < 15


@pytest.mark.parametrize("audience", AUDIENCE_IDS)
def test_default_page_qr_code_decodes_to_the_contact_link_and_is_at_least_2_cm(default_pages, audience):
    codes = default_pages[audience].qr_codes()
    assert [c.text for c in codes] == [DEFAULT_CONTACT_URL]
    assert _symbol_width_mm(codes[0]) >= 20
    # The address is printed beside the code, for those who type rather than scan.
    # (It may wrap after "/", "." or "-", as an address does.)
    assert "activepartnerships.org/about-us" in re.sub(r"([/.-]) ", r"\1", squash(pdf_text(default_pages[audience].path)))


def _structure(node, found):
    node = node.get_object()
    if isinstance(node, pypdf.generic.DictionaryObject):
        if "/S" in node:
            found.append((str(node["/S"]), str(node.get("/Alt", ""))))
        kids = node.get("/K")
        if kids is not None:
            kids = kids.get_object()
            for kid in kids if isinstance(kids, pypdf.generic.ArrayObject) else [kids]:
                _structure(kid, found)
    return found


def test_qr_code_is_a_tagged_figure_with_alternative_text(default_pack):
    reader = pypdf.PdfReader(default_pack.out_dir / "gps.pdf")
    figures = [alt for tag, alt in _structure(reader.trailer["/Root"]["/StructTreeRoot"], []) if tag == "/Figure"]
    assert any(alt.startswith("QR code") and "activepartnerships.org/about-us" in alt for alt in figures)


def test_every_figure_shown_has_its_source_beside_it(default_pack):
    shown = 0
    for audience in AUDIENCE_IDS:
        html = (default_pack.out_dir / f"{audience}.html").read_text(encoding="utf-8")
        for figure in re.findall(r'<li class="figure">(.*?)</li>', html, re.S):
            shown += 1
            # Linked, or the report itself (cited without a link, as in the case sources).
            assert re.search(r'class="figure-source">Source: (<a href="https://[^"]+">\S|the report, 2020)',
                             figure), figure
    assert shown


def test_headings_never_end_with_one_word_alone_nor_break_at_a_hyphen(default_pack, tmp_path):
    content = load_project(tmp_path)
    wrapped = 0
    for audience in AUDIENCE_IDS:
        lines = [line.strip() for line in pdf_text(default_pack.out_dir / f"{audience}.pdf").splitlines()]
        spec = content.audiences[audience]
        headings = [spec.key_message] + [content.evidence[e].headline for e in spec.evidence]
        for heading in headings:
            words = heading.split()
            for start in range(len(lines)):
                if not lines[start].startswith(words[0]):
                    continue
                joined, end = lines[start], start
                while len(joined) < len(heading) and end + 1 < len(lines):
                    end += 1
                    joined += " " + lines[end]
                if squash(joined) == squash(heading) and end > start:
                    wrapped += 1
                    assert len(lines[end].split()) >= 2, f"{audience}: '{words[-1]}' alone in '{heading}'"
                    assert not any(line.endswith("-") for line in lines[start:end]), heading
    assert wrapped >= 6  # every key message runs to two lines, so the check has something to check


def test_a_lever_label_is_not_repeated_on_adjacent_items(default_pack, tmp_path):
    content = load_project(tmp_path)
    for audience in AUDIENCE_IDS:
        html = (default_pack.out_dir / f"{audience}.html").read_text(encoding="utf-8")
        labels = re.findall(r'<p class="lever">(.*?)</p>', html)
        assert all(a != b for a, b in zip(labels, labels[1:]))
        levers = [content.levers[content.evidence[e].lever].name for e in content.audiences[audience].evidence]
        runs = [lever for i, lever in enumerate(levers) if i == 0 or levers[i - 1] != lever]
        assert [label.replace("&amp;", "&") for label in labels] == runs


@pytest.mark.parametrize("audience", AUDIENCE_IDS)
def test_signpost_addresses_never_wrap_onto_a_line_of_their_own(default_pack, audience, tmp_path):
    lines = [line.strip() for line in pdf_text(default_pack.out_dir / f"{audience}.pdf").splitlines()]
    hosts = {re.sub(r"^www\.", "", link.url.split("/")[2])
             for link in load_project(tmp_path).audiences[audience].signposts}
    assert not [line for line in lines if line in hosts]


def test_build_output_and_manifest_report_how_full_each_page_is(default_pack, manifest):
    assert all(d.fill is not None for d in default_pack.documents)
    assert [d["fill_percent"] for d in manifest["documents"]] == [d.fill for d in default_pack.documents]


def test_branded_place_page_is_one_full_page_with_a_qr_code_to_its_own_web_page(branded):
    out = branded.out_dir
    page = Page(out / "kirklees" / "gps.pdf")
    assert len(page.pdf) == 1
    assert branded.documents[0].fill >= 90
    assert not page.chars_outside()
    codes = page.qr_codes()
    assert [c.text for c in codes] == [f"{SITE}/kirklees/gps.html"]
    assert _symbol_width_mm(codes[0]) >= 20
    text = squash(pdf_text(out / "kirklees" / "gps.pdf"))
    assert PARTNERSHIP in text and "440,000" in text and "Office for National Statistics, 2024" in text


def test_a_figure_given_as_a_percentage_gets_a_small_chart_read_as_its_words(branded):
    """The bar is decoration beside its words: an Artifact in the PDF and aria-hidden on the web,
    so a screen reader hears "25 in every 100" once, as text, and no figure whose alternative
    text repeats it (outloud's FIG-012 called "25 in every 100" alt text that is not language)."""
    pdf = branded.out_dir / "kirklees" / "gps.pdf"
    reader = pypdf.PdfReader(pdf)
    figures = [alt for tag, alt in _structure(reader.trailer["/Root"]["/StructTreeRoot"], []) if tag == "/Figure"]
    assert not any("every 100" in (alt or "") for alt in figures)
    assert "25% 25 in every 100 of adults" in squash(pdf_text(pdf))
    html = (branded.out_dir / "kirklees" / "gps.html").read_text(encoding="utf-8")
    chart = html.split('<svg class="figure-chart"')[1].split(">")[0]
    assert 'aria-hidden="true"' in chart
    assert '<span class="figure-bar-text">25 in every 100</span>' in html


def test_branded_html_page_links_back_and_previews_with_its_own_picture(branded):
    html = (branded.out_dir / "kirklees" / "gps.html").read_text(encoding="utf-8")
    nav = html.split('<nav class="page-nav"')[1].split("</nav>")[0]
    assert 'href="../index.html"' in nav and 'href="gps.pdf"' in nav
    assert f'<meta property="og:image" content="{SITE}/kirklees/gps.png">' in html
    assert f'<meta property="og:url" content="{SITE}/kirklees/gps.html">' in html
    assert '<link rel="icon" href="data:image/svg+xml,' in html
    assert (branded.out_dir / "kirklees" / "gps.png").read_bytes().startswith(b"\x89PNG")
    # "What you can do" comes before the figures and the case on a phone, within the first screen.
    assert "What you can do" in html


def test_a_one_colour_brand_shows_no_default_colour_and_its_derived_colours_pass(branded):
    project = load_project(branded.out_dir.parent)
    assert not project.warnings
    html = (branded.out_dir / "kirklees" / "gps.html").read_text(encoding="utf-8")
    colours = dict(re.findall(r"--(\w+): (#[0-9A-Fa-f]{6});", html))
    assert colours["primary"] == "#6A1B9A"
    assert not {"#003087", "#007F3B", "#E8EDEE", "#005EB8"} & {c.upper() for c in colours.values()}
    assert ratio(colours["dark"], "#FFFFFF") >= 7
    assert ratio(colours["accent"], "#FFFFFF") >= 4.5
    assert ratio(colours["text"], colours["tint"]) >= 4.5 and ratio(colours["dark"], colours["tint"]) >= 4.5


def test_an_under_filled_page_warns_how_many_words_it_could_take(project, tmp_path):
    project.write("makecase.yaml", "layout:\n  min_fill: 95\n")
    project.write("content/audiences.yaml", """
        audiences:
          - id: gps
            evidence: [nice-brief-advice]
            actions: [Give brief advice.]
        """)
    report = makecase.build(project.root, audiences=["gps"], formats=["pdf"], out=tmp_path / "o")
    [warning] = [w for w in report.warnings if "full" in w.message]
    assert "gps" in warning.message and "min_fill is 95%" in warning.message
    words = int(re.search(r"about (\d+) more words", warning.hint).group(1))
    assert words >= 50
    # Still one page, and the footer is pinned to the foot of it.
    page = Page(tmp_path / "o" / "gps.pdf")
    assert len(page.pdf) == 1
    assert page.blank_at_foot_mm() < 15
    # --strict (for CI) fails the build on it, having written nothing.
    with pytest.raises(makecase.MakecaseError) as failure:
        makecase.build(project.root, audiences=["gps"], formats=["pdf"], out=tmp_path / "strict", strict=True)
    assert any("full" in problem.message for problem in failure.value.problems)
    assert not (tmp_path / "strict").exists()


def _link_rects(path):
    """Each web link on the page: its address and its rectangle (PDF points, origin bottom left)."""
    reader = pypdf.PdfReader(path)
    found = []
    for annotation in reader.pages[0].get("/Annots", []):
        annotation = annotation.get_object()
        action = annotation.get("/A")
        if annotation.get("/Subtype") == "/Link" and action is not None and "/URI" in action:
            found.append((str(action["/URI"]), [float(v) for v in annotation["/Rect"]]))
    return found


@pytest.mark.parametrize("audience", AUDIENCE_IDS)
def test_every_link_sits_on_its_own_words_after_the_page_is_spaced_out(default_pages, audience, tmp_path):
    """The fit stage moves blocks apart after layout: a link's clickable area must move with its
    text, or a reader clicking "Find out more" would open nothing, or the wrong page."""
    page = default_pages[audience]
    text = page.page.get_textpage()
    signposts = {link.url: link.text for link in load_project(tmp_path).audiences[audience].signposts}
    covered: dict[str, list[str]] = {}
    for url, (left, bottom, right, top) in _link_rects(page.path):
        words = squash(text.get_text_bounded(left, bottom, right, top))
        assert words, f"{audience}: the link to {url} covers no text"
        covered.setdefault(url, []).append(words)
    for url, link_text in signposts.items():
        # The same address can also be a source's link; a wrapped link has a rectangle a line.
        assert any(words in squash(link_text) or squash(link_text).startswith(words)
                   or words.startswith(squash(link_text)) for words in covered.get(url, [])), \
            (url, link_text, covered.get(url))


def _ink_rows(image, x0, x1, y0, y1):
    grey = image.convert("L").crop((x0, y0, x1, y1))
    ink = grey.point(lambda v: 255 if v < 128 else 0)
    return ink.getbbox()


@pytest.mark.parametrize("audience", AUDIENCE_IDS)
def test_both_columns_run_down_to_the_footer(default_pages, audience):
    """Looked at as a picture: below the figures, the case column and the side column both end
    close above the footer's rule, so no half-column of blank paper is left."""
    page = default_pages[audience]
    image = page.image.convert("L")
    width, height = image.size
    pixels = image.load()
    # The footer's rule: the first row in the lower half inked across most of the page.
    rule = next(y for y in range(height // 2, height)
                if sum(pixels[x, y] < 200 for x in range(0, width, 4)) > 0.7 * width / 4)
    ends = []
    for x0, x1 in ((0.06, 0.60), (0.63, 0.94)):  # the case column, the side column
        box = _ink_rows(image, int(width * x0), int(width * x1), height // 4, rule - 4)
        ends.append((rule - (height // 4 + box[3])) * MM_PER_PX)
    assert min(ends) < 9, f"{audience}: neither column reaches the footer ({ends} mm above it)"
    assert max(ends) < 18, f"{audience}: one column stops {max(ends):.0f} mm above the footer"


def test_a_template_with_a_page_number_a_grid_and_columns_still_gets_a_full_page(project, tmp_path):
    """The fit stage spaces out only blocks that stack: a grid, a multi-column block and the
    page's margin boxes (a page number) are left as laid out, and do not count as content."""
    project.write("makecase.yaml", "audiences: [gps]\nbrand:\n  extra_css: extra.css\n")
    project.write("extra.css", """
        @page { @bottom-center { content: "Page " counter(page); font-size: 8pt; } }
        .story-did { columns: 2; }
        .figures ul { display: grid; grid-template-columns: 1fr 1fr; }
        """)
    report = makecase.build(project.root, out=tmp_path / "o", formats=["pdf"])
    [document] = report.documents
    assert 90 <= document.fill <= 100
    page = Page(tmp_path / "o" / "gps.pdf")
    assert len(page.pdf) == 1 and not page.chars_outside()
    assert "Page 1" in pdf_text(tmp_path / "o" / "gps.pdf")
