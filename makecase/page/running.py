"""Page stage helper: the parts of a page that run on every page of a pack, and how a PDF says so.

A briefing marks its running parts in its HTML with `data-running`: the logo (a header) and,
in the footer, the contact, the QR code with its address and the colophon. On its own page
each is content like any other. In pack.pdf they recur on every page, so a screen reader
would read the same contact and licence line out on each one (outloud's PAG-001; PDF/UA-1
7.8 asks for running heads and footers as artifacts): pack/running.py keeps the first and
turns each repeat into an Artifact.

The mark reaches the PDF as the structure element's /ID (weasypatch, patch 7):
`running-header-<hash>` or `running-footer-<hash>`, the hash taken from all the part's words,
its links' and pictures' included. Two pages' parts with the same ID say the same words, so a
part that says anything of its own (a place's web address under the QR code) is never
hidden. A link inside a repeat stays a tagged, clickable Link (its words become its /Alt).
"""

from __future__ import annotations

import hashlib

PREFIX = "running-"
KINDS = ("header", "footer")
MIN_PAGES = 3  # a part on fewer pages than this (or than the pack has) is read out each time


def running_id(element) -> str | None:
    """The /ID for an HTML element marked `data-running="header|footer"`, or None."""
    kind = (element.get("data-running") or "").strip().lower()
    if kind not in KINDS:
        return None
    text = "".join(element.itertext()) + " " + (element.get("alt") or "")  # an image's words: its alt
    words = " ".join(text.replace("\u200b", "").split())
    return f"{PREFIX}{kind}-{hashlib.sha256(words.encode('utf-8')).hexdigest()[:16]}"


def kind_of(identifier: str) -> str | None:
    """"header" or "footer" for a running part's /ID; None for any other ID."""
    if not identifier.startswith(PREFIX):
        return None
    kind = identifier[len(PREFIX):].split("-", 1)[0]
    return kind if kind in KINDS else None
