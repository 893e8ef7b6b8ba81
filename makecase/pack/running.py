"""Pack stage helper: in pack.pdf, a running part that repeats an earlier page's is an Artifact.

Each page marks its logo, contact and credits as running parts (page/running.py): a
structure element whose /ID says what kind it is and hashes its words. The first page that
shows a part keeps it as content. A later page whose part has the same ID says the same
words again; when the part is on at least three pages (or on every page of a shorter pack)
it is running, and there it becomes what PDF/UA-1 (7.8) asks running heads and footers to be:
its marked content is painted as `/Artifact <</Type /Pagination /Subtype /Footer>>` (or
/Header), its structure element leaves the tree and the ParentTree, and its ID leaves the
IDTree. A link inside it stays: a Link element holding only its annotation, its words as
/Alt, so a reader still finds and follows each page's own address.

A part that says anything different from every earlier page's (another contact, a page's
own address) stays content: nothing only one page says is hidden. Nor is a part only two
pages of a long pack share: that is repeated content, not a running footer.
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


class _Foreign(Exception):
    """A part's content is not all in its page's own content stream (a Form XObject's, or
    another page's): it is left as content rather than half hidden."""


@dataclass
class RunningParts:
    """The pack's running parts, page by page; `hide_repeats` once every page is in."""

    pages: list[_Page] = field(default_factory=list)
    count: Counter = field(default_factory=Counter)  # running ID -> pages it is on

    def add(self, page: pikepdf.Page, tree: pikepdf.Dictionary, key: int | None, id_prefix: str) -> None:
        """Note the running parts on a page just copied in (`tree`: its copied StructTreeRoot)."""
        from pikepdf import NameTree

        parts = {}
        if "/IDTree" in tree:
            parts = {name: element for name, element in NameTree(tree.IDTree).items()
                     if running.kind_of(name) is not None and _on(element, page)}
        self.count.update(parts.keys())
        self.pages.append(_Page(page, key, id_prefix, parts))

    def hide_repeats(self, out: pikepdf.Pdf, parent_tree: pikepdf.NumberTree,
                     ids: pikepdf.NameTree | None) -> None:
        """Every repeat of a part on at least MIN_PAGES pages (or on every page of a shorter
        pack) becomes an Artifact; the first stays. Parts are taken outermost first: one inside
        a part already hidden has only its ID to lose."""
        seen: set[str] = set()
        for entry in self.pages:
            hidden: dict[int, str] = {}
            gone: set[tuple[int, int]] = set()  # elements taken out of the tree on this page
            for name, element in sorted(entry.parts.items(), key=lambda part: _depth(part[1])):
                if name not in seen or not running.is_running(self.count[name], len(self.pages)):
                    seen.add(name)
                    continue
                if not _inside(element, gone):
                    try:
                        found = _hide(element, entry.page, running.kind_of(name))
                    except _Foreign:
                        continue
                    hidden.update(found)
                    gone.add(element.objgen)
                if "/ID" in element:
                    del element["/ID"]
                if ids is not None and entry.id_prefix + name in ids:
                    del ids[entry.id_prefix + name]
            if hidden:
                _paint_as_artifacts(out, entry.page, hidden)
                if entry.key is not None:
                    _forget(parent_tree, entry.key, hidden)


def _on(element: pikepdf.Dictionary, page: pikepdf.Page) -> bool:
    """Whether the element's content is on this page (the one its /Pg, or its parent's, names)."""
    import pikepdf

    node = element
    while isinstance(node, pikepdf.Dictionary):
        if "/Pg" in node:
            return node.Pg.objgen == page.obj.objgen
        node = node.get("/P")
    return True


def _depth(element: pikepdf.Dictionary) -> int:
    import pikepdf

    depth, node = 0, element.get("/P")
    while isinstance(node, pikepdf.Dictionary) and depth < 1000:
        depth, node = depth + 1, node.get("/P")
    return depth


def _inside(element: pikepdf.Dictionary, gone: set[tuple[int, int]]) -> bool:
    import pikepdf

    node, steps = element.get("/P"), 0
    while isinstance(node, pikepdf.Dictionary) and steps < 1000:
        if node.objgen in gone:
            return True
        node, steps = node.get("/P"), steps + 1
    return False


def _hide(element: pikepdf.Dictionary, page: pikepdf.Page, kind: str) -> dict[int, str]:
    """Take the part out of the tree (its links stay, in its place); its MCIDs, to paint as
    artifacts. Raises _Foreign, changing nothing, when its content is not all on the page."""
    links: list[pikepdf.Dictionary] = []
    mcids = _marked_content(element, page, links, dry_run=True)
    _marked_content(element, page, links, dry_run=False)
    for link in links:
        if "/ID" in link:
            del link["/ID"]
    _replace_with_links(element, links)
    return {mcid: kind for mcid in mcids}


def _marked_content(element: pikepdf.Dictionary, page: pikepdf.Page, links: list, dry_run: bool) -> list[int]:
    """Every MCID under `element`. Unless a dry run: its Link elements, emptied of their MCIDs
    and named by their words, into `links`."""
    import pikepdf

    found: list[int] = []
    kept: list = []
    for kid in kids(element):
        if isinstance(kid, int):
            found.append(kid)
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == pikepdf.Name.MCR:
            on = kid.get("/Pg")
            if "/Stm" in kid or (on is not None and on.objgen != page.obj.objgen):
                raise _Foreign
            found.append(int(kid.MCID))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == pikepdf.Name.OBJR:
            kept.append(kid)
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            found += _marked_content(kid, page, links, dry_run)
    if not dry_run and element.get("/S") == pikepdf.Name.Link and kept:
        words = _link_words(kept)
        element.K = pikepdf.Array(kept)
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
    """Take `element` out of its parent's kids; its links take its place. A Link it leaves
    with nothing to read (a logo inside a link) is named by the part's words, or, holding no
    annotation either, goes too."""
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
    if parent.get("/S") != pikepdf.Name.Link or str(parent.get("/Alt", "")).strip():
        return
    if any(isinstance(kid, int) or (isinstance(kid, pikepdf.Dictionary) and "/S" in kid) for kid in siblings):
        return  # it still has words of its own
    if siblings:  # its annotation: keep it tagged and named
        words = str(element.get("/Alt", "")).strip()
        if words:
            parent.Alt = pikepdf.String(words)
    else:
        _replace_with_links(parent, [])


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
