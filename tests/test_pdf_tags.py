"""The PDF's tags read back with pikepdf, as a screen reader, reflow or braille display gets them:
the words, with their spaces, in reading order; links named for their purpose; figures with
alternative text on the page. And the product's PDF check catches each fault when it is there."""

from __future__ import annotations

import io
import re
from collections import Counter
import subprocess
import sys

import pikepdf
import pytest
from click.testing import CliRunner

from conftest import AUDIENCE_IDS, squash
from makecase.text import plain_english as plain
from makecase.cli.commands import cli
from makecase.check.pdf import check_pdf
from makecase.check.pdftags import read
from makecase.check import validators
from makecase.check.run import check_validator

LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60">'
        '<rect width="200" height="60" fill="#6A1B9A"/></svg>')


def page_blocks(default_pack, audience):
    html = (default_pack.out_dir / f"{audience}.html").read_text(encoding="utf-8")
    # The web page's own navigation (links back to the index and to the PDF) is not on paper.
    screen_only = ("Download this briefing", "All briefings", "Download the one-page PDF")
    return [squash(b) for b in plain.visible_text_blocks(html) if not any(t in b for t in screen_only)]


@pytest.mark.parametrize("audience", AUDIENCE_IDS)
def test_tag_text_has_every_block_of_the_page_in_reading_order(default_pack, audience):
    tagged = squash(read((default_pack.out_dir / f"{audience}.pdf").read_bytes()).text())
    position = 0
    for block in page_blocks(default_pack, audience):
        found = tagged.find(block, position)
        assert found >= 0, f"not in the tags (or out of order): {block!r}\n…{tagged[position:position + 200]}"
        position = found + len(block)


@pytest.mark.parametrize("audience", AUDIENCE_IDS)
def test_the_product_check_finds_nothing_wrong_with_the_default_pdfs(default_pack, audience):
    html = (default_pack.out_dir / f"{audience}.html").read_text(encoding="utf-8")
    problems = check_pdf((default_pack.out_dir / f"{audience}.pdf").read_bytes(),
                         " ".join(plain.visible_text_blocks(html)))
    assert problems == []


def test_words_at_line_ends_and_between_inline_elements_keep_their_spaces(default_pack):
    """The phrases an independent reader of the tags found run together."""
    text = squash(read((default_pack.out_dir / "gps.pdf").read_bytes()).text())
    assert "your whole practice" in text and "national guidance recommends it" in text
    assert "Health and Care Excellence (NICE)" in text
    assert "primary care nice.org.uk" in text  # a signpost's link, then its address
    assert not re.search(r"[a-z][A-Z][a-z]", text.replace("NHS", "").replace("PCNs", "")), text


def test_hidden_heading_is_one_span_read_before_the_evidence_and_bullets_before_their_items(default_pack):
    tagged = read((default_pack.out_dir / "gps.pdf").read_bytes())
    [heading] = [e for e in tagged.elements() if e.type == "/H2" and e.all_text().strip() == "The case"]
    assert len(heading.children) == 1
    text = squash(tagged.text())
    assert text.index("The case") < text.index("One adult in four did under 30 minutes")
    assert "• Ask adults about activity" in text
    order = tagged.paint_order
    assert order == sorted(order), "content is painted in tag order"


def test_link_descriptions_say_where_the_link_goes_not_its_address(default_pack):
    tagged = read((default_pack.out_dir / "gps.pdf").read_bytes())
    links = [e for e in tagged.elements() if e.type == "/Link"]
    assert len(links) >= 8
    for link in links:
        for annotation in link.annotations:
            # A link over two lines is two Link elements; each is described by the whole link.
            assert " ".join(link.all_text().split()) in str(annotation.Contents)
            assert not str(annotation.Contents).startswith("https://")


def test_index_page_names_each_pdf_link_with_its_audience_and_acronyms_intact(default_pack):
    html = (default_pack.out_dir / "index.html").read_text(encoding="utf-8")
    assert "Download the PDF<span class=\"visually-hidden\"> for GPs</span>" in html
    assert " for ICS leads</span>" in html and " for commissioners</span>" in html


def test_logo_is_a_figure_with_its_alt_text_and_a_box_on_the_page(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "logo.svg").write_text(LOGO)
    (tmp_path / "makecase.yaml").write_text("partnership:\n  name: Testshire Active\n"
                                            "brand:\n  logo:\n    file: assets/logo.svg\n"
                                            "    alt: Testshire Active logo\n")
    result = CliRunner().invoke(cli, ["-C", str(tmp_path), "build", "-a", "gps", "-f", "pdf"])
    assert result.exit_code == 0, result.output
    tagged = read((tmp_path / "output" / "gps.pdf").read_bytes())
    [figure] = [e for e in tagged.elements() if e.type == "/Figure" and e.alt == "Testshire Active logo"]
    x1, y1, x2, y2 = figure.bbox
    assert 0 <= x1 < x2 <= tagged.page_width and 0 <= y1 < y2 <= tagged.page_height
    assert y2 > tagged.page_height * 0.85, "the logo is in the masthead, at the top of the page"


# --- the product's PDF check on PDFs made to fail it ------------------------------------------


def changed(default_pack, change, audience: str = "gps") -> bytes:
    pdf = pikepdf.open(default_pack.out_dir / f"{audience}.pdf")
    change(pdf)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def broken(default_pack, change, audience: str = "gps") -> list[str]:
    html = (default_pack.out_dir / f"{audience}.html").read_text(encoding="utf-8")
    return [p.message for p in check_pdf(changed(default_pack, change, audience),
                                         " ".join(plain.visible_text_blocks(html)))]


def _elements(pdf, kind):
    found = []

    def walk(node):
        if node.get("/S") == kind:
            found.append(node)
        kids = node.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                walk(kid)

    for kid in pdf.Root.StructTreeRoot.K if isinstance(pdf.Root.StructTreeRoot.K, pikepdf.Array) else [pdf.Root.StructTreeRoot.K]:
        walk(kid)
    return found


def test_check_names_a_missing_language_title_preference_and_pdfua_mark(default_pack):
    def change(pdf):
        del pdf.Root["/Lang"]
        del pdf.Root["/ViewerPreferences"]
        del pdf.Root["/MarkInfo"]
        with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
            del xmp["pdfuaid:part"]
        del pdf.docinfo["/Title"]  # after: closing the metadata copies dc:title back

    messages = " ".join(broken(default_pack, change))
    for phrase in ("no document language", "DisplayDocTitle", "MarkInfo", "pdfuaid:part 1", "has no title"):
        assert phrase in messages


def test_check_names_skipped_heading_levels(default_pack):
    def change(pdf):
        _elements(pdf, "/H3")[0].S = pikepdf.Name("/H5")

    assert any("skip from H2 to H5" in m for m in broken(default_pack, change))


def test_check_names_a_link_described_by_its_raw_address(default_pack):
    def change(pdf):
        annotation = pdf.pages[0].Annots[0]
        annotation.Contents = annotation.A.URI

    assert any("raw address" in m for m in broken(default_pack, change))


def test_check_names_a_figure_without_alt_text(default_pack):
    def change(pdf):
        parent = _elements(pdf, "/Art")[0]
        figure = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Figure,
                                                      P=parent, K=pikepdf.Array()))
        parent.K.append(figure)

    assert any("figure (image) has no alternative text" in m for m in broken(default_pack, change))


def test_check_names_content_painted_out_of_reading_order(default_pack):
    def change(pdf):
        document = pdf.Root.StructTreeRoot.K[0] if isinstance(pdf.Root.StructTreeRoot.K, pikepdf.Array) \
            else pdf.Root.StructTreeRoot.K
        first = document.K[0]
        del document.K[0]
        document.K.append(first)  # the masthead now comes last in the tags, but is painted first

    assert any("painted out of the order the tags read them in" in m and "Making the case" in m
               for m in broken(default_pack, change))


def _without_line_end_spaces(pdf):
    """The old text: each line's last word with no space after it (the cancelled space glyph
    weasypatch draws at a line end taken out again)."""
    page = pdf.pages[0]
    data = page.Contents.read_bytes() if not isinstance(page.Contents, pikepdf.Array) else b"".join(
        c.read_bytes() for c in page.Contents)
    page.Contents = pdf.make_stream(re.sub(rb"<[0-9a-f]{4}>[1-9][0-9]*\] TJ", b"] TJ", data))


def test_check_names_words_run_together_in_the_tag_text(default_pack):
    assert any("run together in the tag text" in m for m in broken(default_pack, _without_line_end_spaces))


def test_check_names_a_font_that_is_not_embedded(default_pack):
    def change(pdf):
        font = next(iter(pdf.pages[0].Resources.Font.values()))
        descriptor = font.DescendantFonts[0].FontDescriptor
        for key in ("/FontFile", "/FontFile2", "/FontFile3"):
            if key in descriptor:
                del descriptor[key]

    assert any("is not embedded" in m for m in broken(default_pack, change))


def test_check_names_a_figure_box_off_the_page(default_pack):
    def change(pdf):
        parent = _elements(pdf, "/Art")[0]
        figure = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.StructElem, S=pikepdf.Name.Figure, P=parent, K=pikepdf.Array(),
            Alt=pikepdf.String("Logo"), A=pikepdf.Dictionary(O=pikepdf.Name.Layout,
                                                            BBox=pikepdf.Array([600, 40, 760, 1100]))))
        parent.K.append(figure)

    assert any("runs past the edge of the page" in m and "Logo" in m for m in broken(default_pack, change))


def test_a_link_wrapped_over_two_lines_is_one_link_holding_both_annotations(default_pack):
    tagged = read((default_pack.out_dir / "gps.pdf").read_bytes())
    [link] = [e for e in tagged.elements() if e.type == "/Link" and "Clinical Champions programme" in e.all_text()]
    assert len(link.annotations) == 2
    assert " ".join(link.all_text().split()) == "Physical Activity Clinical Champions programme secures further funding"
    pdf = tagged.pdf
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    owners = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    assert owners[int(link.annotations[0].StructParent)].objgen == owners[int(link.annotations[1].StructParent)].objgen


def test_check_notes_a_link_tagged_as_two_links(default_pack):
    def change(pdf):
        link = next(e for e in _elements(pdf, "/Link")
                    if sum(isinstance(k, pikepdf.Dictionary) and "/Obj" in k for k in e.K) == 2)
        second = [k for k in link.K if isinstance(k, pikepdf.Dictionary) and "/Obj" in k][-1]
        link.K = pikepdf.Array([k for k in link.K if not (isinstance(k, pikepdf.Dictionary) and k.objgen == second.objgen)])
        parent = link.P
        split = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Link,
                                                     P=parent, K=pikepdf.Array([second])))
        kids = list(parent.K)
        at = next(i for i, k in enumerate(kids) if isinstance(k, pikepdf.Dictionary) and k.objgen == link.objgen)
        parent.K = pikepdf.Array(kids[:at + 1] + [split] + kids[at + 1:])

    assert any("tagged as two links" in m for m in broken(default_pack, change))


# --- what independent readers get: a PDF/UA validator, and other tools' text ------------------


def test_an_independent_validator_finds_every_pdf_and_the_pack_pdf_compliant(default_pack):
    pdfs = [f"{a}.pdf" for a in AUDIENCE_IDS] + ["pack.pdf"]
    assert {name: validators.validate((default_pack.out_dir / name).read_bytes()) for name in pdfs} \
        == {name: [] for name in pdfs}


def _run_together(text: str, words: set[str]) -> list[str]:
    """Tokens that are not words of the page but two of them glued ("yourwhole")."""
    glued = []
    for token in re.findall(r"[A-Za-z£][A-Za-z'’£0-9-]*", text):
        if token.lower() in words or len(token) < 4:
            continue
        if any(token[:cut].lower() in words and token[cut:].lower() in words for cut in range(1, len(token))):
            glued.append(token)
    return glued


def _struct_text(path) -> str:
    """poppler's reading of the tags (pdfinfo -struct-text): inline spans run on, blocks apart."""
    out = subprocess.run(["pdfinfo", "-struct-text", str(path)], capture_output=True, text=True, check=True).stdout
    parts = []
    for line in out.splitlines():
        quoted = re.match(r'\s*"(.*)"\s*$', line)
        parts.append(quoted.group(1) if quoted else ("" if line.rstrip().endswith("(inline)") else "\n"))
    return "".join(parts)


@pytest.mark.parametrize("audience", AUDIENCE_IDS)
def test_no_words_run_together_in_any_reader_of_the_pdf(default_pack, audience):
    """poppler's tag text and its pdftotext, and PDFium's text (Chrome's viewer), each get the
    words apart: a real space ends each line in the text itself, not only in /ActualText."""
    path = default_pack.out_dir / f"{audience}.pdf"
    html = (default_pack.out_dir / f"{audience}.html").read_text(encoding="utf-8")
    words = {w.lower() for w in re.findall(r"[A-Za-z£][A-Za-z'’£0-9-]*", " ".join(plain.visible_text_blocks(html)))}
    pdfium = pdfium_text(path)
    pdftotext = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    found = {reader: _run_together(text, words) for reader, text in
             [("pdfinfo -struct-text", _struct_text(path)), ("pdftotext", pdftotext), ("PDFium", pdfium)]}
    assert found == {reader: [] for reader in found}
    assert "your whole practice" in " ".join(_struct_text(default_pack.out_dir / "gps.pdf").split())


def pdfium_text(path) -> str:
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def test_the_old_run_together_text_is_found_by_the_same_measure(default_pack):
    """The measure above is not vacuous: the old PDF (no space at line ends) fails it."""
    html = (default_pack.out_dir / "gps.html").read_text(encoding="utf-8")
    words = {w.lower() for w in re.findall(r"[A-Za-z£][A-Za-z'’£0-9-]*", " ".join(plain.visible_text_blocks(html)))}
    tagged = read(changed(default_pack, _without_line_end_spaces))
    assert len(_run_together(tagged.text(), words)) >= 10


def test_the_drawn_spaces_do_not_move_the_page(default_pack, tmp_path):
    """The space glyph's advance is cancelled: the page is drawn the same with or without it."""
    import pypdfium2

    old = tmp_path / "old.pdf"
    old.write_bytes(changed(default_pack, _without_line_end_spaces))
    pictures = []
    for path in (default_pack.out_dir / "gps.pdf", old):
        document = pypdfium2.PdfDocument(str(path))
        pictures.append(document[0].render(scale=1).to_pil().tobytes())
        document.close()
    assert pictures[0] == pictures[1]


# --- the old tag faults, made again: makecase check fails on each -----------------------------


def _first(pdf, kind):
    return _elements(pdf, kind)[0]


def _li_outside_a_list(pdf):
    _first(pdf, "/L").S = pikepdf.Name.NonStruct  # the LIs now sit in NonStruct, as once in the figures


def _li_without_body(pdf):
    for body in _elements(pdf, "/LBody"):  # the "What you can do" items' old shape: Lbl, then Spans
        item = body.P
        kids = []
        for kid in item.K:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/S") == "/LBody":
                kids += list(body.K)
            else:
                kids.append(kid)
        item.K = pikepdf.Array(kids)


def _list_in_a_list(pdf):
    inner = _first(pdf, "/L")
    parent = inner.P
    outer = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.L, P=parent,
                                                 K=pikepdf.Array([inner])))
    parent.K = pikepdf.Array([outer if isinstance(k, pikepdf.Dictionary) and k.objgen == inner.objgen else k
                              for k in parent.K])
    inner.P = outer


def _links_not_printable(pdf):
    for annotation in pdf.pages[0].Annots:
        del annotation["/F"]


def _caption_outside_its_quote(pdf):
    _first(pdf, "/BlockQuote").S = pikepdf.Name.NonStruct


OLD_FAULTS = {
    "li-outside-a-list": (_li_outside_a_list, "gps", "not in a list (L)", True),
    "li-without-body": (_li_without_body, "gps", "more than its label (Lbl) and body (LBody)", True),
    "list-in-a-list": (_list_in_a_list, "gps", "holds only another list", False),
    "links-not-printable": (_links_not_printable, "gps", "not printable", False),
    "caption-outside-its-quote": (_caption_outside_its_quote, "commissioners", "not in what it captions", False),
    "run-together": (_without_line_end_spaces, "gps", "run together", False),
}


@pytest.mark.parametrize("fault", OLD_FAULTS)
def test_makecase_check_fails_on_each_old_tag_fault(default_pack, fault):
    change, audience, message, validator_sees_it = OLD_FAULTS[fault]
    html = (default_pack.out_dir / f"{audience}.html").read_text(encoding="utf-8")
    data = changed(default_pack, change, audience)
    problems = check_pdf(data, " ".join(plain.visible_text_blocks(html)))
    assert any(message in p.message and not p.known_limitation for p in problems), problems
    status, findings = check_validator([(audience, data)])
    assert status.endswith(f"{0 if validator_sees_it else 1} of 1 PDF(s) compliant")
    if validator_sees_it:
        assert {(f.level, f.page) for f in findings} == {("error", audience)}
        assert all("page-validation (PDF/UA-1)" in f.message and "[PDFUA1-LI-" in f.message for f in findings)


def test_the_validator_names_pack_pdf_as_the_pack(default_pack):
    broken_pack = pikepdf.open(default_pack.out_dir / "pack.pdf")
    _li_outside_a_list(broken_pack)
    out = io.BytesIO()
    broken_pack.save(out)
    _status, findings = check_validator([("pack", out.getvalue())])
    assert findings and {f.page for f in findings} == {"pack"}
    assert "pack:" in findings[0].render()


# --- the WeasyPrint the tag fixes are written for ---------------------------------------------


def test_a_weasyprint_missing_an_internal_stops_makecase_at_start_naming_the_version(tmp_path):
    """A WeasyPrint whose insides moved is a clear error before anything is laid out, never a
    page quietly made without the fixes."""
    script = ("import sys, weasyprint.layout.inline as inline\n"
              "del inline.remove_last_whitespace\n"
              "from makecase.cli.commands import main\n"
              f"sys.argv = ['makecase', '-C', {str(tmp_path)!r}, 'build', '-a', 'gps', '-f', 'pdf']\n"
              "main()\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "weasyprint.layout.inline.remove_last_whitespace" in output
    assert 'pip install "weasyprint==70.0"' in output
    assert "Traceback" not in output and not (tmp_path / "output" / "gps.pdf").exists()


def test_another_major_weasyprint_is_refused_by_name(monkeypatch):
    import weasyprint

    from makecase.errors import MakecaseError
    from makecase.page import weasypatch

    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    with pytest.raises(MakecaseError) as caught:
        weasypatch.apply()
    assert "WeasyPrint 71.0 is installed" in caught.value.render()
    assert 'pip install "weasyprint==70.0"' in caught.value.render()


# --- independent readers: outloud, and pack.pdf's running parts --------------------------------


def outloud_findings(path) -> list[tuple[str, str, str]]:
    """outloud's errors and warnings for one PDF: (rule, severity, evidence)."""
    import outloud

    result = outloud.check(str(path))
    assert result.error is None, result.error
    return [(f.rule, f.severity, f.evidence or "") for f in result.findings if f.severity in ("error", "warning")]


def test_outloud_finds_nothing_in_any_pdf_of_the_default_pack(default_pack):
    """outloud (PDF/UA-1 and WCAG 2.2, a checker written by someone else): 0 errors and 0
    warnings on every page and on pack.pdf, where it once found running footers tagged as
    content on every page (PAG-001)."""
    pdfs = sorted(default_pack.out_dir.glob("*.pdf"))
    assert len(pdfs) == len(AUDIENCE_IDS) + 1
    assert {pdf.name: outloud_findings(pdf) for pdf in pdfs} == {pdf.name: [] for pdf in pdfs}


def _pack_tag_text(path) -> str:
    return squash(read(path.read_bytes()).text())


def test_pack_pdf_reads_each_running_part_out_once_and_prints_it_on_every_page(default_pack):
    pack = default_pack.out_dir / "pack.pdf"
    printed = subprocess.run(["pdftotext", str(pack), "-"], capture_output=True, text=True, check=True).stdout
    assert squash(printed).count("Crown copyright") == len(AUDIENCE_IDS)  # on paper, on every page
    # Read out once for each wording, where that wording is on three pages or more (credits
    # only two pages carry would be read on both: theirs, not a running line).
    credits = Counter(squash(re.sub(r"<[^>]+>", " ", html.split('<p class="colophon-credits"')[1].split("</p>")[0]))
                      for html in ((default_pack.out_dir / f"{a}.html").read_text(encoding="utf-8")
                                   for a in AUDIENCE_IDS))
    read_out = sum(1 if pages >= 3 else pages for pages in credits.values())
    assert read_out < len(AUDIENCE_IDS)
    assert _pack_tag_text(pack).count("Crown copyright") == read_out


def test_pack_pdf_reads_every_word_of_each_page_but_its_repeated_running_parts(default_pack):
    """Page by page, every word the page's own PDF reads out is read out in pack.pdf, but for
    the running parts (which are read on the first page): the audience's own note included."""
    parts = read((default_pack.out_dir / "pack.pdf").read_bytes()).parts()
    assert len(parts) == len(AUDIENCE_IDS)
    notes = 0
    for audience, part in zip(AUDIENCE_IDS, parts):
        own = read((default_pack.out_dir / f"{audience}.pdf").read_bytes())
        running = Counter()
        for element in own.elements():
            if (element.identifier or "").startswith("running-"):
                running.update(plain.words(element.all_text()))
        expected = Counter(plain.words(own.text())) - running
        missing = expected - Counter(plain.words(part.text()))
        assert not missing, f"{audience}: {missing}"
        html = (default_pack.out_dir / f"{audience}.html").read_text(encoding="utf-8")
        if '<p class="colophon-note">' in html:
            notes += 1
            note = re.sub(r"<[^>]+>", " ", html.split('<p class="colophon-note">')[1].split("</p>")[0])
            assert squash(note) in squash(part.text())
    assert notes  # the default pack has audience notes, and each is read on its page


def test_pack_pdf_keeps_every_link_tagged_and_named_after_its_running_part_is_an_artifact(default_pack):
    with pikepdf.open(default_pack.out_dir / "pack.pdf") as pdf:
        links = [e for e in _elements(pdf, "/Link")]
        annotations = [a for page in pdf.pages for a in page.obj.get("/Annots", []) if a.Subtype == "/Link"]
        tagged = {kid.Obj.objgen for link in links for kid in link.K
                  if isinstance(kid, pikepdf.Dictionary) and "/Obj" in kid}
        assert {a.objgen for a in annotations} == tagged
        for link in links:  # a link whose words are now an artifact says them as its /Alt
            has_words = any(isinstance(kid, int) for kid in link.K)
            assert has_words or str(link.get("/Alt", "")).strip()
        artifacts = sum(page.Contents.read_bytes().count(b"/Pagination") for page in pdf.pages[1:])
        assert artifacts > 0
        assert pdf.pages[0].Contents.read_bytes().count(b"/Pagination") == 0


def test_makecase_check_fails_on_a_pack_that_reads_its_footer_out_on_every_page(default_pack, monkeypatch, tmp_path):
    from makecase.pack import combine, running
    from makecase.check.pdf import check_pack_pdf

    monkeypatch.setattr(running.RunningParts, "hide_repeats", lambda *args, **kwargs: None)  # the old pack.pdf
    pages = [combine.PackPage((default_pack.out_dir / f"{a}.pdf").read_bytes(), a, None, a) for a in AUDIENCE_IDS]
    old = combine.combine(pages, combine.PackInfo("Pack", "Author", "en-GB"))
    problems = [p.message for p in check_pack_pdf(old)]
    assert any("tagged as content on 6 pages" in m for m in problems), problems
    (tmp_path / "old-pack.pdf").write_bytes(old)
    assert any(rule == "PAG-001" for rule, _, _ in outloud_findings(tmp_path / "old-pack.pdf"))
    assert not any("tagged as content on" in p.message
                   for p in check_pack_pdf((default_pack.out_dir / "pack.pdf").read_bytes()))


def test_makecase_check_fails_on_a_figure_whose_alternative_text_is_not_words(default_pack):
    """The percent bar's old alternative text ("25 in every 100"): outloud's FIG-012."""
    def change(pdf):
        parent = _elements(pdf, "/Art")[0]
        figure = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Figure,
                                                      P=parent, K=pikepdf.Array(),
                                                      Alt=pikepdf.String("25 in every 100")))
        parent.K.append(figure)

    assert any("“25 in every 100” does not read as words" in m for m in broken(default_pack, change))
