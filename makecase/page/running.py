"""Page stage helper: the parts of a page that run on every page of a pack, and how a PDF says so.

A briefing marks its running parts in its HTML with `data-running`: the logo (a header) and,
in the footer, the contact, the QR code with its address and the credits (the colophon but
for an audience's note, which is never one). On its own page each is content like any
other. In pack.pdf they recur on every page, so a screen reader
would read the same contact and licence line out on each one (outloud's PAG-001; PDF/UA-1
7.8 asks for running heads and footers as artifacts): pack/running.py keeps the first and
turns each repeat into an Artifact.

The mark reaches the PDF as the structure element's /ID (weasypatch, patch 7):
`running-header-<hash>` or `running-footer-<hash>`, the hash taken from everything the part
says: its words and, in it and every element inside it, the alternative text, label, title
and picture source. Two pages' parts with the same ID say the same, so a part that says
anything of its own (a place's web address under the QR code) is never hidden; a part that
says nothing at all gets no ID. A link's address is left out of the hash: a link inside a
repeat stays a tagged, clickable Link to its own address (its words become its /Alt).
"""

from __future__ import annotations

import hashlib

PREFIX = "running-"
KINDS = ("header", "footer")
MIN_PAGES = 3  # a part on fewer pages than this (or than the pack has) is read out each time
SAID_BY_ATTRIBUTES = ("alt", "aria-label", "title", "src")


def is_running(pages_with_it: int, pages: int) -> bool:
    """Whether a part on this many of a pack's pages is running: on MIN_PAGES of them, or on
    every page of a shorter pack (and on more than one)."""
    return pages_with_it >= 2 and pages_with_it >= min(MIN_PAGES, pages)


def element_words(element) -> str:
    """An HTML element's words as a reader gets them: its text, spaces collapsed, without the
    zero-width spaces makecase puts in long addresses as break points."""
    return " ".join("".join(element.itertext()).replace("\u200b", "").split())


def running_id(element) -> str | None:
    """The /ID for an HTML element marked `data-running="header|footer"`, or None."""
    kind = (element.get("data-running") or "").strip().lower()
    if kind not in KINDS:
        return None
    said = [element_words(element)]
    for inner in element.iter():
        said += [f"{name}={inner.get(name)}" for name in SAID_BY_ATTRIBUTES if inner.get(name)]
    if not any(said):
        return None
    return f"{PREFIX}{kind}-{hashlib.sha256(chr(0).join(said).encode('utf-8')).hexdigest()[:16]}"


def kind_of(identifier: str) -> str | None:
    """"header" or "footer" for a running part's /ID; None for any other ID."""
    if not identifier.startswith(PREFIX):
        return None
    kind = identifier[len(PREFIX):].split("-", 1)[0]
    return kind if kind in KINDS else None
