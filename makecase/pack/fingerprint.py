"""Pack stage, before anything is loaded: a whole build with nothing changed ends at once.

A project's fingerprint is a hash of the bytes of every file a build could read: every file in
the project folder and makecase's packaged content and templates, with the versions of makecase
and of what lays pages out (tool_versions.py). A whole build that warned of nothing records it
in manifest.json. The next whole build (no -a, -p, --format, --shard or --force) whose
fingerprint is the same, whose files are all still as makecase wrote them and whose pages pass
the live-markup check (standalone.py), has nothing to make: it says so without loading the
content, the templates or WeasyPrint.

What is left out of the fingerprint is decided by makecase, never by what a folder holds (a
project can plant a manifest.json, a pyvenv.cfg or a `.cache` folder anywhere): in the output
folder this build writes (--out, or output.dir), the files its manifest lists (each one's bytes
are checked against that manifest before the quick path is taken) and the manifest itself;
the project's `.git` folder; and the Python environment makecase
runs from, when it is inside the project. Everything else, wherever it is and whatever it is
called, is read.

It is coarse on purpose: any change to any file in the project folder means the ordinary
build runs, which then remakes only the pages whose own inputs changed (cache.py). Anything
unusual (a link, a very large folder, a manifest that is not ours, a publish left unfinished)
also means the ordinary build: this path can only ever skip work, never change what a build
writes.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Iterable

from makecase import resources
from makecase.output.folder import INDEX, JOURNAL, MANIFEST, file_entry, read_if_ours, read_manifest
from makecase.tool_versions import tool_versions

PROJECT_FILE = "makecase.yaml"
# Past these the project folder is not one makecase keeps: take the ordinary path.
MAX_FILES = 5000
MAX_BYTES = 64 * 1024 * 1024
MAX_PROJECT_FILE = 1024 * 1024


class Unusual(Exception):
    """Something the quick path does not judge: the ordinary build will."""


@dataclass
class NothingChanged:
    """A whole build with nothing to make: the previous build's folder and its pages."""

    out_dir: Path
    slugs: list[str]


def fingerprint(project_dir: Path, out_dir: Path | None = None, shard_dirs: Iterable[Path] = ()) -> str | None:
    """The hash of everything a whole build reads, or None when the folder is unusual.

    out_dir: the output folder the build writes (--out); without it, the one makecase.yaml
    names, as the ordinary build names it. shard_dirs: the shards' folders a merge was given
    (on its command line), left out whole, so a merge records what a whole build would."""
    project_dir = Path(project_dir)
    digest = hashlib.sha256()
    counted = [0, 0]
    try:
        left_out = _left_out(project_dir, out_dir if out_dir is not None else default_out(project_dir), shard_dirs)
        _add_folder(digest, project_dir, "project", left_out, counted)
        for name, folder in (("templates", resources.templates_dir()), ("content", resources.content_dir())):
            _add_folder(digest, folder, f"packaged/{name}", set(), counted)
    except (Unusual, OSError):
        return None
    # Every page carries the review date of its evidence (an audience has at least one item),
    # never the day it was built, so the date is not an input.
    digest.update(json.dumps(tool_versions(), sort_keys=True).encode("utf-8"))
    return digest.hexdigest()


def _left_out(project_dir: Path, out_dir: Path | None, shard_dirs: Iterable[Path]) -> set[str]:
    """What the fingerprint leaves out, as paths relative to the project folder: the files the
    output folder's manifest lists and the manifest itself (rewritten by every build), the
    shards' folders a merge reads, the project's .git, and the Python environment makecase
    runs from."""
    root = project_dir.resolve()
    left_out = {".git"}
    for folder in (Path(sys.prefix), *map(Path, shard_dirs)):
        if root in folder.resolve().parents:
            left_out.add(folder.resolve().relative_to(root).as_posix())
    if out_dir is not None:
        out = out_dir.resolve()
        if out == root or root in out.parents:
            base = "" if out == root else out.relative_to(root).as_posix() + "/"
            manifest = read_manifest(out)
            left_out.update(base + rel for rel in (MANIFEST, *listed_files(manifest)))
    return left_out


def _add_folder(digest, folder: Path, name: str, left_out: set[str], counted: list[int]) -> None:
    """Every file under folder, in a fixed order, as its path and its bytes' hash. Walked with
    a list of folders still to read, never by recursion: a folder nested thousands deep is read
    like any other."""
    waiting = [""]
    while waiting:
        here = waiting.pop()
        with os.scandir(folder / here if here else folder) as found:
            entries = sorted(found, key=lambda entry: entry.name)
        folders = []
        for entry in entries:
            rel = f"{here}/{entry.name}" if here else entry.name
            if rel in left_out:
                continue
            info = entry.stat(follow_symlinks=False)
            counted[0] += 1
            if counted[0] > MAX_FILES:
                raise Unusual(folder)
            if stat.S_ISDIR(info.st_mode):
                folders.append(rel)
                continue
            if not stat.S_ISREG(info.st_mode):  # a link, a pipe, a device: the ordinary build judges it
                raise Unusual(entry.path)
            counted[1] += info.st_size
            if counted[1] > MAX_BYTES:
                raise Unusual(folder)
            digest.update(f"{name}/{rel}\0".encode("utf-8", "surrogateescape"))
            with open(entry.path, "rb") as handle:
                digest.update(hashlib.sha256(handle.read()).digest())
        waiting.extend(reversed(folders))


def listed_files(manifest: dict) -> list[str]:
    """The paths of every file a manifest lists: each document's, index.html and pack.pdf."""
    pack = manifest.get("pack")
    entries = [entry for document in manifest.get("documents", []) for entry in document["files"].values()]
    entries += list(pack.values()) if isinstance(pack, dict) else []
    return [found[0] for entry in entries if (found := file_entry(entry)) is not None]


def thumbnails(manifest: dict) -> set[str]:
    """The thumbnails a manifest lists: the pictures the index page may show."""
    return {found[0] for document in manifest.get("documents", [])
            if (found := file_entry(document["files"].get("thumb"))) is not None}


def live_parts(rel: str, data: bytes, own_pictures: Iterable[str] = ()) -> list[str]:
    """What in one file of a pack would run or load something, in words: the live-markup check
    (standalone.py) every page passes, made now, kept, merged or recovered. The index may show
    the pack's own thumbnails (own_pictures); files other than pages pass.

    The verdict depends on the bytes alone, so a page that passed is remembered by its SHA-256
    for the rest of the process (_Verdicts), and is not parsed again."""
    if not rel.endswith(".html"):
        return []
    own = sorted(own_pictures) if rel == INDEX else []
    key = hashlib.sha256(data + "\0".join(["", *own]).encode("utf-8", "surrogateescape")).hexdigest()
    verdicts = _verdicts()
    if key in verdicts.passed:
        return []
    from makecase.page.standalone import active_parts  # parsed only when a page must be checked

    try:
        found = active_parts(data.decode("utf-8"), own)
    except UnicodeDecodeError:
        return ["bytes that are not UTF-8"]
    if not found:
        verdicts.remember(key)
    return found


class _Verdicts:
    """The SHA-256 of pages that passed the live-markup check in this process. Kept in memory
    only: a build writes nothing outside the project and its output folder (a verdict cache in
    the home folder would be), and one in the project could be planted to pass a page."""

    def __init__(self) -> None:
        self.passed: set[str] = set()

    def remember(self, key: str) -> None:
        self.passed.add(key)


@cache
def _verdicts() -> _Verdicts:
    return _Verdicts()


def staged_live_parts(staging: Path, rels: list[str]) -> list[str]:
    """The live-markup check for an interrupted publish (journal.recover): each page still in
    its staging folder, by its path and what it would run or load. The index may show the
    thumbnails the staged manifest lists (it is staged until the very last move)."""
    pictures = thumbnails(read_manifest(staging)) if MANIFEST in rels else set()
    refused = []
    for rel in rels:
        if rel.endswith(".html"):
            try:
                fd = os.open(staging / rel, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
                with os.fdopen(fd, "rb") as handle:
                    data = handle.read() if stat.S_ISREG(os.fstat(handle.fileno()).st_mode) else None
            except OSError:
                data = None
            found = ["a file that cannot be read"] if data is None else live_parts(rel, data, pictures)
            refused += [f"{rel}: {part}" for part in found[:1]]
    return refused


def nothing_changed(project_dir: Path, out: Path | None) -> NothingChanged | None:
    """The previous whole build, if this whole build would make nothing new; else None."""
    out_dir = out if out is not None else default_out(Path(project_dir))
    if out_dir is None or os.path.lexists(out_dir / JOURNAL):  # a publish to finish: the ordinary build does
        return None
    manifest = read_manifest(out_dir)
    recorded = manifest.get("fingerprint")
    if not isinstance(recorded, dict) or not manifest.get("documents") or manifest.get("shard"):
        return None
    if recorded.get("manifest") != manifest_digest(manifest):  # edited by hand since
        return None
    if fingerprint(Path(project_dir), out_dir) != recorded.get("project"):
        return None
    pack = manifest.get("pack")
    listed = [entry for document in manifest["documents"] for entry in document["files"].values()]
    listed += list(pack.values()) if isinstance(pack, dict) else []
    pictures = thumbnails(manifest)
    for entry in listed:
        found = file_entry(entry)
        data = read_if_ours(out_dir, *found) if found is not None else None
        if data is None or live_parts(found[0], data, pictures):
            return None
    slugs = ["/".join(str(d[key]) for key in ("place", "audience") if d.get(key)) for d in manifest["documents"]]
    return NothingChanged(out_dir, slugs)


def manifest_digest(manifest: dict) -> str:
    """The hash of a manifest as written, less its fingerprint's own record of this hash."""
    record = manifest.get("fingerprint")
    rest = dict(manifest, fingerprint={"project": record.get("project")} if isinstance(record, dict) else record)
    return hashlib.sha256(json.dumps(rest, indent=2).encode("utf-8")).hexdigest()


def default_out(project_dir: Path) -> Path | None:
    """The output folder makecase.yaml names (output/ when it names none), as the ordinary
    build names it; None when the file is not plainly readable or the folder not plainly inside."""
    import yaml  # only here: a build with nothing to make reads makecase.yaml for output.dir alone

    path = project_dir / PROJECT_FILE
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_PROJECT_FILE:
            return None
        settings = yaml.load(path.read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except FileNotFoundError:
        settings = {}
    except (OSError, yaml.YAMLError, RecursionError, ValueError):
        return None
    output = settings.get("output", {}) if isinstance(settings, dict) else None
    folder = output.get("dir", "output") if isinstance(output, dict) else None
    if not isinstance(folder, str) or not folder.strip():
        return None
    root = project_dir.resolve()
    out_dir = (root / folder).resolve()
    return out_dir if out_dir != root and root in out_dir.parents else None
