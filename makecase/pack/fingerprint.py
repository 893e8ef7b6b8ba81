"""Pack stage, before anything is loaded: a whole build with nothing changed ends at once.

A project's fingerprint is a hash of the bytes of every file a build could read: every file in
the project folder (output folders, `.git` and Python virtual environments left out) and
makecase's packaged content and templates, with the versions of makecase and of what lays
pages out (versions.py). A whole build that warned of nothing records it in manifest.json.
The next whole build (no -a, -p, --format, --shard or --force) whose fingerprint is the same,
and whose files are all still as makecase wrote them, has nothing to make: it says so without
loading the content, the templates or WeasyPrint.

It is coarse on purpose: any change to any file in the project folder means the ordinary
build runs, which then remakes only the pages whose own inputs changed (cache.py). Anything
unusual (a link, a very large folder, a manifest that is not ours) also means the ordinary
build: this path can only ever skip work, never change what a build writes.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from makecase import resources
from makecase.output.folder import file_entry, read_if_ours, read_manifest
from makecase.tool_versions import tool_versions

PROJECT_FILE = "makecase.yaml"
# Past these the project folder is not one makecase keeps: take the ordinary path.
MAX_FILES = 5000
MAX_BYTES = 64 * 1024 * 1024
MAX_PROJECT_FILE = 1024 * 1024
# Folders of version control and CI caches: never a build's input.
NOT_INPUTS = {".git", ".hg", ".svn", ".cache"}
READ_BY_NAME = {"content", "templates", "assets"}


class Unusual(Exception):
    """Something the quick path does not judge: the ordinary build will."""


@dataclass
class NothingChanged:
    """A whole build with nothing to make: the previous build's folder and its pages."""

    out_dir: Path
    slugs: list[str]


def fingerprint(project_dir: Path, out_dir: Path | None = None) -> str | None:
    """The hash of everything a whole build reads, or None when the folder is unusual."""
    digest = hashlib.sha256()
    counted = [0, 0]
    try:
        skip = {out_dir.resolve()} if out_dir is not None else set()
        _add_folder(digest, Path(project_dir), "project", skip, counted)
        for name, folder in (("templates", resources.templates_dir()), ("content", resources.content_dir())):
            _add_folder(digest, folder, f"packaged/{name}", set(), counted)
    except (Unusual, OSError):
        return None
    # Every page carries the review date of its evidence (an audience has at least one item),
    # never the day it was built, so the date is not an input.
    digest.update(json.dumps(tool_versions(), sort_keys=True).encode("utf-8"))
    return digest.hexdigest()


def _add_folder(digest, folder: Path, name: str, skip: set[Path], counted: list[int]) -> None:
    """Every file under folder, in a fixed order, as its path and its bytes' hash."""
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        kept = []
        for dirname in sorted(dirnames):
            path = here / dirname
            if path.is_symlink():
                raise Unusual(path)
            if path.resolve() in skip or _not_an_input(path, top=here == folder):
                continue
            kept.append(dirname)
        dirnames[:] = kept
        for filename in sorted(filenames):
            path = here / filename
            info = path.lstat()
            if not stat.S_ISREG(info.st_mode):  # a link, a pipe, a device: the ordinary build judges it
                raise Unusual(path)
            counted[0] += 1
            counted[1] += info.st_size
            if counted[0] > MAX_FILES or counted[1] > MAX_BYTES:
                raise Unusual(folder)
            rel = path.relative_to(folder).as_posix()
            digest.update(f"{name}/{rel}\0".encode("utf-8", "surrogateescape"))
            digest.update(hashlib.sha256(path.read_bytes()).digest())


def _not_an_input(folder: Path, top: bool) -> bool:
    """Version control and caches, a Python virtual environment, or a folder a makecase build
    wrote (its manifest lists pages): never what a build reads. The folders a build reads by
    name (content/, templates/, assets/) are always read, whatever they hold."""
    if top and folder.name in READ_BY_NAME:
        return False
    if folder.name in NOT_INPUTS:
        return True
    if (folder / "pyvenv.cfg").is_file() and ((folder / "bin").is_dir() or (folder / "Scripts").is_dir()):
        return True
    manifest = read_manifest(folder)
    return str(manifest.get("generator", "")).startswith("makecase") and bool(manifest.get("documents"))


def nothing_changed(project_dir: Path, out: Path | None) -> NothingChanged | None:
    """The previous whole build, if this whole build would make nothing new; else None."""
    out_dir = out if out is not None else _default_out(Path(project_dir))
    if out_dir is None:
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
    for entry in listed:
        found = file_entry(entry)
        if found is None or read_if_ours(out_dir, *found) is None:
            return None
    slugs = ["/".join(str(d[key]) for key in ("place", "audience") if d.get(key)) for d in manifest["documents"]]
    return NothingChanged(out_dir, slugs)


def manifest_digest(manifest: dict) -> str:
    """The hash of a manifest as written, less its fingerprint's own record of this hash."""
    record = manifest.get("fingerprint")
    rest = dict(manifest, fingerprint={"project": record.get("project")} if isinstance(record, dict) else record)
    return hashlib.sha256(json.dumps(rest, indent=2).encode("utf-8")).hexdigest()


def _default_out(project_dir: Path) -> Path | None:
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
