"""Pack stage helper: in pack.pdf, a running part that repeats an earlier page's is an Artifact.

Each page marks its logo, contact and colophon as running parts (page/running.py): a
structure element whose /ID says what kind it is and hashes its words. The first page that
shows a part keeps it as content. A later page whose part has the same ID says the same
words again; when the part is on at least three pages (or on every page of a shorter pack)
it is running, and there it becomes what PDF/UA-1 (7.8) asks running heads and footers to be:
its marked content is painted as `/Artifact <</Type /Pagination /Subtype /Footer>>` (or
/Header), its structure element leaves the tree and the ParentTree, and its ID leaves the
IDTree. A link inside it stays: a Link element holding only its annotation, its words as
/Alt, so a reader still finds and follows each page's own address.

A part whose words differ from every earlier page's (another contact, another note) stays
content: nothing only one page says is hidden. Nor is a part two pages of a long pack share
(the same audience's note in two places): it is repeated content, not a running footer.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from makecase.page import running

if TYPE_CHECKING:
    import pikepdf


@dataclass
class _Page:
    page: pikepdf.Page
    key: int | None  # the page's StructParents in the pack's ParentTree
    id_prefix: str  # what combine puts before the page's IDs in the pack's IDTree
    parts: dict[str, pikepdf.Dictionary]  # running ID -> its structure element


@dataclass
class RunningParts:
    """The pack's running parts, page by page; `hide_repeats` once every page is in."""

    pages: list[_Page] = field(default_factory=list)
    count: Counter = field(default_factory=Counter)  # running ID -> pages it is on

    def add(self, page: pikepdf.Page, tree: pikepdf.Dictionary, key: int | None, id_prefix: str) -> None:
        """Note the running parts of a page just copied in (`tree`: its copied StructTreeRoot)."""
        from pikepdf import NameTree

        parts = {}
        if "/IDTree" in tree:
            parts = {name: element for name, element in NameTree(tree.IDTree).items()
                     if running.kind_of(name) is not None}
        self.count.update(parts.keys())
        self.pages.append(_Page(page, key, id_prefix, parts))

    def hide_repeats(self, out: pikepdf.Pdf, parent_tree: pikepdf.NumberTree,
                     ids: pikepdf.NameTree | None) -> int:
        """Every repeat of a part on at least MIN_PAGES pages (or on every page of a shorter
        pack) becomes an Artifact; the first stays. The number of repeats turned."""
        enough = min(running.MIN_PAGES, len(self.pages))
        seen: set[str] = set()
        turned = 0
        for entry in self.pages:
            hidden: dict[int, str] = {}
            for name, element in entry.parts.items():
                if name not in seen or self.count[name] < enough:
                    seen.add(name)
                    continue
                links: list[pikepdf.Dictionary] = []
                for mcid in _marked_content(element, links):
                    hidden[mcid] = running.kind_of(name)
                _replace_with_links(element, links)
                if ids is not None and entry.id_prefix + name in ids:
                    del ids[entry.id_prefix + name]
                turned += 1
            if hidden:
                _paint_as_artifacts(out, entry.page, hidden)
                if entry.key is not None:
                    _forget(parent_tree, entry.key, hidden)
        return turned


def _marked_content(element: pikepdf.Dictionary, links: list) -> list[int]:
    """Every MCID under `element`; its Link elements, emptied of their MCIDs, into `links`."""
    import pikepdf

    found: list[int] = []
    kept: list = []
    for kid in kids(element):
        if isinstance(kid, int):
            found.append(kid)
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == pikepdf.Name.MCR:
            found.append(int(kid.MCID))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == pikepdf.Name.OBJR:
            kept.append(kid)
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            found += _marked_content(kid, links)
    if element.get("/S") == pikepdf.Name.Link and kept:
        element.K = pikepdf.Array(kept)
        words = _link_words(kept)
        if words and "/Alt" not in element:
            element.Alt = pikepdf.String(words)
        links.append(element)
    return found


def _link_words(objrs: list) -> str:
    for objr in objrs:
        contents = objr.Obj.get("/Contents")
        if contents is not None and str(contents).strip():
            return str(contents).strip()
    return ""


def _replace_with_links(element: pikepdf.Dictionary, links: list) -> None:
    """Take `element` out of its parent's kids; its links take its place."""
    import pikepdf

    parent = element.get("/P")
    if not isinstance(parent, pikepdf.Dictionary):
        return
    siblings = kids(parent)
    for index, kid in enumerate(siblings):
        if isinstance(kid, pikepdf.Dictionary) and kid.objgen == element.objgen:
            for link in links:
                link.P = parent
            siblings[index:index + 1] = links
            break
    parent.K = pikepdf.Array(siblings)


def _paint_as_artifacts(out: pikepdf.Pdf, page: pikepdf.Page, hidden: dict[int, str]) -> None:
    """Rewrite the page's content: each hidden MCID's marked content becomes a pagination Artifact."""
    import pikepdf
    from pikepdf import Dictionary, Name, Operator

    instructions = []
    for instruction in pikepdf.parse_content_stream(page):
        operands = instruction.operands if hasattr(instruction, "operands") else ()
        if instruction.operator == Operator("BDC") and len(operands) == 2 \
                and isinstance(operands[1], Dictionary) and "/MCID" in operands[1] \
                and int(operands[1].MCID) in hidden:
            kind = hidden[int(operands[1].MCID)]
            properties = Dictionary(Type=Name.Pagination, Subtype=Name("/" + kind.capitalize()))
            instruction = pikepdf.ContentStreamInstruction([Name.Artifact, properties], Operator("BDC"))
        instructions.append(instruction)
    page.obj.Contents = out.make_stream(pikepdf.unparse_content_stream(instructions))


def _forget(tree: pikepdf.NumberTree, key: int, hidden: dict[int, str]) -> None:
    """The page's ParentTree entry no longer maps a hidden MCID to an element."""
    if key not in tree:
        return
    entries = tree[key]
    for mcid in hidden:
        if 0 <= mcid < len(entries):
            entries[mcid] = None  # PDF null
    tree[key] = entries


def kids(node: pikepdf.Object) -> list:
    """A structure node's /K as a list (it may be one kid, an array, or none)."""
    import pikepdf

    found = node.get("/K")
    if found is None:
        return []
    return list(found) if isinstance(found, pikepdf.Array) else [found]
