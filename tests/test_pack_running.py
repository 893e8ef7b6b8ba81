"""pack.pdf's running parts (pack/running.py) with a project's own templates: a logo inside a
link, a running part that is itself a link, one running part inside another. Whatever the
templates mark, the pack's tag tree stays whole (every element under its parent, every
ParentTree entry and ID leading into the tree), every link keeps a name, and outloud and
`makecase check` find nothing wrong."""

from __future__ import annotations

import pikepdf
import pytest

import makecase
from makecase import resources
from makecase.check.pdf import check_pack_pdf

LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60">'
        '<rect width="200" height="60" fill="#6A1B9A"/></svg>')
AUDIENCES = ["ics-leads", "commissioners", "gps"]


def tree_faults(path) -> list[str]:
    """What is broken in a PDF's tag tree, as a validator walking it would find it."""
    faults: list[str] = []
    with pikepdf.open(path) as pdf:
        root = pdf.Root.StructTreeRoot
        reachable: dict[tuple[int, int], pikepdf.Dictionary] = {}

        def walk(node, parent):
            if node.objgen in reachable:
                faults.append(f"element {node.objgen} is in the tree twice")
                return
            reachable[node.objgen] = node
            if parent is not None and node.get("/P") is not None and node.P.objgen != parent.objgen:
                faults.append(f"{node.get('/S')} {node.objgen}: /P is not the element holding it")
            kids = node.get("/K")
            for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    walk(kid, node)

        for kid in (root.K if isinstance(root.K, pikepdf.Array) else [root.K]):
            walk(kid, None)
        for key, value in pikepdf.NumberTree(root.ParentTree).items():
            values = value if isinstance(value, pikepdf.Array) else [value]
            for entry in values:
                if isinstance(entry, pikepdf.Dictionary) and entry.objgen not in reachable:
                    faults.append(f"ParentTree {key} leads to an element outside the tree")
        named = {}
        if "/IDTree" in root:
            for name, element in pikepdf.NameTree(root.IDTree).items():
                named[name] = element
                if element.objgen not in reachable:
                    faults.append(f"ID {name} leads to an element outside the tree")
        for element in reachable.values():
            if "/ID" in element and str(element.ID) not in named:
                faults.append(f"{element.get('/S')} has ID {element.ID}, which the IDTree does not list")
            if element.get("/S") == "/Link":
                kids = element.get("/K")
                has_text = any(isinstance(k, int) or (isinstance(k, pikepdf.Dictionary) and "/S" in k)
                               for k in (kids if isinstance(kids, pikepdf.Array) else [kids]))
                if not has_text and not str(element.get("/Alt", "")).strip():
                    faults.append("a Link with no words and no /Alt")
    return faults


def _project(tmp_path, header=None, footer=None):
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "logo.svg").write_text(LOGO)
    (tmp_path / "makecase.yaml").write_text(
        "partnership:\n  name: Testshire Active\n  url: https://testshire.example.net/\n"
        "contact:\n  name: Sam Lee\n  email: sam.lee@testshire.example.net\n"
        "brand:\n  logo:\n    file: assets/logo.svg\n    alt: Testshire Active logo\n"
        f"audiences: [{', '.join(AUDIENCES)}]\n")
    partials = resources.templates_dir() / "partials"
    for name, change in (("header.html", header), ("footer.html", footer)):
        if change is not None:
            (tmp_path / "templates" / "partials").mkdir(parents=True, exist_ok=True)
            (tmp_path / "templates" / "partials" / name).write_text(change((partials / name).read_text()))
    makecase.build(tmp_path, out=tmp_path / "output", formats=("pdf",))
    return tmp_path / "output" / "pack.pdf"


def _logo_in_a_link(text: str) -> str:
    start = text.index('<img class="logo"')
    end = text.index(">", start) + 1
    return text[:start] + '<a href="https://testshire.example.net/">' + text[start:end] + "</a>" + text[end:]


def _link_is_the_running_part(text: str) -> str:
    return text.replace('<a href="https://www.nationalarchives.gov.uk/',
                        '<a data-running="footer" href="https://www.nationalarchives.gov.uk/')


def _running_inside_running(text: str) -> str:
    return text.replace('<h2 id="contact-heading">', '<h2 id="contact-heading" data-running="footer">')


CASES = {
    "packaged templates": {},
    "logo inside a link": {"header": _logo_in_a_link},
    "a running part that is a link": {"footer": _link_is_the_running_part},
    "a running part inside another": {"footer": _running_inside_running},
}


@pytest.mark.parametrize("case", CASES)
def test_pack_pdf_tag_tree_stays_whole_and_passes_outloud_and_check(tmp_path, case):
    import outloud

    pack = _project(tmp_path, **CASES[case])
    assert tree_faults(pack) == []
    findings = [(f.rule, f.evidence) for f in outloud.check(str(pack)).findings if f.severity in ("error", "warning")]
    assert findings == []
    assert [p.message for p in check_pack_pdf(pack.read_bytes())] == []
    with pikepdf.open(pack) as pdf:  # the repeats really are artifacts after the first page
        assert all(page.Contents.read_bytes().count(b"/Pagination") for page in pdf.pages[1:])
        assert not pdf.pages[0].Contents.read_bytes().count(b"/Pagination")
