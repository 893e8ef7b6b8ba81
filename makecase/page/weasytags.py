"""Fit stage helper: WeasyPrint 70's tag tree, fixed as it is built (weasypatch.py applies these).

Numbered as in weasypatch.py, whose checks of WeasyPrint's version and insides come first:

3. A figure's /BBox is in CSS pixels from the top of the page; PDF wants points from the
   bottom. We convert it after tagging.
4. A link that wraps onto a second line is tagged as two Link elements, so readers announce it
   twice. We merge them into one Link holding both annotations, as PDF/UA allows.
5. Anonymous boxes (a list laid out as a table has a table, a row group and a row box, all of
   the <ul>) each become a structure element: L inside L inside L, LI under NonStruct. An
   anonymous box adds no structure: its children join its element's. A list item's content
   is its LBody (a marker inside the text left Spans beside the Lbl), and a <figure> holding a
   <blockquote> is one BlockQuote with its Caption.
6. An image or SVG marked aria-hidden="true" is decoration, as it is to a screen reader on the
   web page: WeasyPrint tags every image as a Figure (which then needs alternative text that
   repeats the words beside it); we paint it as an Artifact with no structure element.
7. A part the page marks `data-running` (logo, contact, credits: page/running.py) gets its
   running ID as its structure element's /ID, listed in the tree's IDTree, so pack.pdf can
   tell a repeat of it on a later page and make that an Artifact.

And the other half of weasypatch's patch 2: a link around a picture only (a project's logo
linked to its site) has no words, so its Link element takes the picture's alternative text.
"""

from __future__ import annotations

import importlib

import pydyf

from makecase.page import running

PX_TO_PT = 0.75
_building: list = []  # boxes whose tags are being built, innermost last


def apply() -> None:
    """Patch WeasyPrint's tagging (weasypatch.apply calls this once, after its checks)."""
    _collapse_anonymous_boxes()
    _decoration_as_artifacts()
    _fix_tags_after_tagging()


def _collapse_anonymous_boxes() -> None:
    """Patch 5: a box WeasyPrint made for layout (the same element and tag as the box it is
    in) adds no structure element: its children join the element's own. And a figure that
    holds a blockquote is the BlockQuote (its caption inside it)."""
    tags = importlib.import_module("weasyprint.pdf.tags")
    original = tags._build_box_tree

    def build_box_tree(box, parent, pdf, *args, **kwargs):
        if _is_decoration(box):
            return  # painted as an Artifact (patch 6): no element, and nothing marked to map
        outer = _building[-1] if _building else None
        _building.append(box)
        try:
            elements = list(original(box, parent, pdf, *args, **kwargs))
        finally:
            _building.pop()
        if _adds_no_structure(box, outer):
            elements = [kid for element in elements for kid in _unwrap(element, parent, pdf)]
        elif getattr(box, "element_tag", None) == "figure" and _holds_quote(box):
            for element in elements:
                element["S"] = "/BlockQuote"
        _mark_running(box, outer, elements)
        yield from elements

    tags._build_box_tree = build_box_tree


def _is_decoration(box) -> bool:
    element = getattr(box, "element", None)
    boxes = importlib.import_module("weasyprint.formatting_structure.boxes")
    return isinstance(box, boxes.ReplacedBox) and element is not None \
        and (element.get("aria-hidden") or "").strip().lower() == "true"


def _decoration_as_artifacts() -> None:
    """Patch 6: an aria-hidden image is painted as an Artifact, not marked as a Figure."""
    stream_module = importlib.import_module("weasyprint.pdf.stream")
    original = stream_module.Stream.marked

    def marked(self, box, tag, *args, **kwargs):
        if tag == "Figure" and _is_decoration(box):
            return self.artifact()
        return original(self, box, tag, *args, **kwargs)

    stream_module.Stream.marked = marked


def _mark_running(box, outer, elements) -> None:
    """Patch 7: the element's running ID as its /ID, on the element's outermost box only."""
    element = getattr(box, "element", None)
    if element is None or len(elements) != 1 or (outer is not None and outer.element is element):
        return
    identifier = running.running_id(element)
    if identifier is not None:
        elements[0]["ID"] = pydyf.String(identifier)


def _running_ids(pdf) -> None:
    """Patch 7: the IDTree listing each running part's element (a repeated ID is dropped)."""
    named: dict[str, bytes] = {}
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/StructElem" and "ID" in obj:
            identifier = obj["ID"].string if hasattr(obj["ID"], "string") else str(obj["ID"])
            if identifier in named:
                del obj["ID"]
            else:
                named[identifier] = obj.reference
    if not named:
        return
    names = pydyf.Array()
    for identifier in sorted(named):
        names.extend((pydyf.String(identifier), named[identifier]))
    tree = pydyf.Dictionary({"Names": names})
    pdf.add_object(tree)
    root = _resolved(pdf, pdf.catalog["StructTreeRoot"])
    root["IDTree"] = tree.reference


def _adds_no_structure(box, outer) -> bool:
    if outer is None or box is outer or getattr(box, "element", None) is None:
        return False
    if box.element_tag == "blockquote" and outer.element_tag == "figure":
        return True  # the figure is the BlockQuote
    return box.element is outer.element and box.element_tag == outer.element_tag


def _holds_quote(box) -> bool:
    return any(getattr(child, "element_tag", None) == "blockquote" for child in box.children)


def _unwrap(element, parent, pdf) -> list:
    """The structure elements under `element`, moved up to `parent`; `element` is emptied.
    One that holds content itself (marked content, a link annotation) is kept."""
    kids = [pdf.objects[int(ref.split()[0])] if isinstance(ref, bytes) else ref for ref in element["K"]]
    if not all(isinstance(kid, pydyf.Dictionary) and kid.get("Type") == "/StructElem" for kid in kids):
        return [element]
    if element["S"] == "/LI" and [kid["S"] for kid in kids] == ["/LBody"]:
        return _unwrap(kids[0], parent, pdf)  # the item WeasyPrint wrapped round this box
    for kid in kids:
        kid["P"] = parent.reference
    element.clear()
    return kids


def _fix_tags_after_tagging() -> None:
    """Patches 3 and 4, and list items' bodies, over the finished tag tree."""
    pdf_module = importlib.import_module("weasyprint.pdf")
    original = pdf_module.add_tags

    def add_tags(pdf, document, *args, **kwargs):
        result = original(pdf, document, *args, **kwargs)
        _merge_split_links(pdf)
        _name_picture_links(pdf)
        _list_bodies(pdf)
        _figure_boxes(pdf, document)
        _running_ids(pdf)
        return result

    pdf_module.add_tags = add_tags


def _list_bodies(pdf) -> None:
    """A list item holds its label (Lbl) and its body (LBody) only: whatever else it holds
    (the text after an inside marker) goes into one LBody, in order."""
    for item in list(pdf.objects):
        if not isinstance(item, pydyf.Dictionary) or item.get("S") != "/LI":
            continue
        kids, loose = item["K"], []
        resolved = [_resolved(pdf, ref) for ref in kids]
        if any(kid is None for kid in resolved):
            continue  # marked content directly in the item: left as WeasyPrint wrote it
        if all(kid.get("S") in ("/Lbl", "/LBody") for kid in resolved):
            continue
        kept = []
        for ref, kid in zip(kids, resolved):
            if kid.get("S") in ("/Lbl", "/LBody"):
                kept.append(ref)
            else:
                loose.append(kid)
                if len(loose) == 1:
                    body = pydyf.Dictionary({"Type": "/StructElem", "S": "/LBody", "K": pydyf.Array(),
                                             "P": item.reference})
                    if "Pg" in item:
                        body["Pg"] = item["Pg"]
                    pdf.add_object(body)
                    kept.append(body.reference)
                kid["P"] = body.reference
                body["K"].append(ref)
        item["K"] = pydyf.Array(kept)


def _figure_boxes(pdf, document) -> None:
    """Patch 3: figures' /BBox in PDF points from the bottom of the page."""
    for obj in pdf.objects:
        if not isinstance(obj, pydyf.Dictionary) or obj.get("S") != "/Figure":
            continue
        attributes = obj.get("A")
        if not isinstance(attributes, pydyf.Dictionary) or "BBox" not in attributes:
            continue
        try:
            page_height = document.pages[pdf.page_references.index(obj["Pg"])].height * PX_TO_PT
        except (KeyError, ValueError):
            continue
        x1, y1, x2, y2 = (float(v) for v in attributes["BBox"])
        attributes["BBox"] = pydyf.Array((x1 * PX_TO_PT, page_height - y2 * PX_TO_PT,
                                          x2 * PX_TO_PT, page_height - y1 * PX_TO_PT))


def _resolved(pdf, reference):
    """The object a pydyf reference (b"12 0 R") points at, or None for anything else."""
    return pdf.objects[int(reference.split()[0])] if isinstance(reference, bytes) else None


def _name_picture_links(pdf) -> None:
    """Patch 2: a Link with no words of its own is named by the first picture inside it."""

    def picture_words(element) -> str | None:
        for kid in element.get("K", ()):
            inner = _resolved(pdf, kid)
            if isinstance(inner, pydyf.Dictionary) and inner.get("Type") == "/StructElem":
                alt = inner.get("Alt")
                if alt is not None and str(getattr(alt, "string", alt)).strip():
                    return str(getattr(alt, "string", alt)).strip()
                found = picture_words(inner)
                if found:
                    return found
        return None

    for obj in pdf.objects:
        if not isinstance(obj, pydyf.Dictionary) or obj.get("S") != "/Link" or "Alt" in obj:
            continue
        if any(isinstance(kid, int) for kid in obj.get("K", ())):
            continue  # it has words
        words = picture_words(obj)
        if words:
            obj["Alt"] = pydyf.String(words)


def _merge_split_links(pdf) -> None:
    """One Link element for a link that wraps: adjacent Links to the same place become one."""

    def target(link) -> bytes | None:
        for kid in link.get("K", ()):
            objr = _resolved(pdf, kid)
            if isinstance(objr, pydyf.Dictionary) and objr.get("Type") == "/OBJR":
                annotation = _resolved(pdf, objr["Obj"])
                action = annotation.get("A") if isinstance(annotation, pydyf.Dictionary) else None
                if isinstance(action, pydyf.Dictionary) and "URI" in action:
                    return action["URI"].data
                if isinstance(annotation, pydyf.Dictionary) and "Dest" in annotation:
                    return annotation["Dest"].data
        return None

    merged: dict[bytes, bytes] = {}
    for parent in list(pdf.objects):
        if not isinstance(parent, pydyf.Dictionary) or parent.get("Type") != "/StructElem":
            continue
        kids = parent.get("K")
        if not isinstance(kids, pydyf.Array):
            continue
        kept, previous = [], None
        for kid in kids:
            element = _resolved(pdf, kid)
            is_link = isinstance(element, pydyf.Dictionary) and element.get("S") == "/Link"
            if is_link and previous is not None and target(element) is not None \
                    and target(element) == target(previous):
                previous["K"].extend(element["K"])
                merged[kid] = previous.reference
                continue
            kept.append(kid)
            previous = element if is_link else None
        if len(kept) != len(kids):
            kids[:] = kept
    if not merged:
        return
    root = _resolved(pdf, pdf.catalog["StructTreeRoot"])
    nums = _resolved(pdf, root["ParentTree"])["Nums"]
    for index, entry in enumerate(nums):
        if isinstance(entry, pydyf.Array):
            entry[:] = [merged.get(ref, ref) for ref in entry]
        elif isinstance(entry, bytes) and entry in merged:
            nums[index] = merged[entry]
