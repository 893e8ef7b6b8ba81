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
from makecase.contrast import ratio
from makecase.load import load_project

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
    assert "activepartnerships.org/about-us" in squash(pdf_text(default_pages[audience].path)).replace("/ ", "/")


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


def test_a_figure_given_as_a_percentage_gets_a_small_chart_with_alternative_text(branded):
    reader = pypdf.PdfReader(branded.out_dir / "kirklees" / "gps.pdf")
    figures = [alt for tag, alt in _structure(reader.trailer["/Root"]["/StructTreeRoot"], []) if tag == "/Figure"]
    assert "25 in every 100" in figures
    html = (branded.out_dir / "kirklees" / "gps.html").read_text(encoding="utf-8")
    assert 'aria-label="25 in every 100"' in html


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
