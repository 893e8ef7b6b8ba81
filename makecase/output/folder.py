"""Write stage, the output folder's rules: which paths a build may write, and which files are its
own to read back, replace or remove.

The output folder may hold anything a person or a hostile project put there (a project's own
output/ folder comes with the project, which is untrusted). So every path is walked one name at
a time without following a symlink (reach), a file is written only where each folder on the way
is a real folder, and a file is read back, kept or removed only if it is an ordinary file whose
bytes still match the SHA-256 the previous manifest recorded: only files this tool wrote.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path, PurePosixPath

from makecase.errors import Location, MakecaseError, shown

# A name that starts with this is makecase's own (staging folders, the journal): never a page.
STAGING_PREFIX = ".makecase-"
MANIFEST = "manifest.json"
INDEX = "index.html"  # the pack's index page: the one page that may show pictures (its thumbnails)
# The journal of a publish (journal.py): while it exists, the folder is not a finished set.
JOURNAL = ".makecase-journal.json"
# The kinds of file a build writes and may later remove as stale (see named_as_ours).
OUR_SUFFIXES = {".pdf", ".html", ".png"}
MAX_MANIFEST_BYTES = 16 * 1024 * 1024  # a manifest lists pages; one this large was not written by us


def safe_rel(rel: str) -> PurePosixPath:
    """rel as a path inside the output folder; a MakecaseError if it could lead out of it."""
    path = PurePosixPath(rel)
    # No parts at all ("." or "./"): the output folder itself, never a file in it.
    if (not isinstance(rel, str) or not rel or not path.parts or path.is_absolute() or ".." in path.parts
            or "\\" in rel or "\x00" in rel or rel.startswith(STAGING_PREFIX)):
        raise MakecaseError.single(f"'{shown(rel)}' is not a path inside the output folder.")
    return path


# What stands at a path in the output folder (see reach): an ordinary file, nothing yet, a
# folder, or something else (a symlink, a device); or, before the end, a folder on the way that
# is a symlink or is not a folder at all.
FILE, ABSENT, FOLDER, OTHER = "file", "absent", "folder", "other"
LINK_ON_THE_WAY, NOT_A_FOLDER_ON_THE_WAY = "link on the way", "not a folder on the way"


def reach(out_dir: Path, rel: str) -> tuple[str, Path]:
    """What stands at rel inside out_dir, and where the walk stopped: the one home of the rule
    that decides which files a build may write, replace or remove.

    The path is walked one name at a time with lstat, never following a symlink, so a link in
    the output folder can never lead a build to write or remove a file outside it. An OSError
    other than "not found" (a folder it may not read) is raised.
    """
    current, mode = out_dir, stat.S_IFDIR  # no parts ("."): the output folder itself
    parts = PurePosixPath(rel).parts
    for index, part in enumerate(parts):
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            return ABSENT, current
        if index < len(parts) - 1 and stat.S_ISLNK(mode):
            return LINK_ON_THE_WAY, current
        if index < len(parts) - 1 and not stat.S_ISDIR(mode):
            return NOT_A_FOLDER_ON_THE_WAY, current
    if stat.S_ISREG(mode):
        return FILE, current
    return (FOLDER if stat.S_ISDIR(mode) else OTHER), current


def is_plain_file(out_dir: Path, rel: str) -> bool:
    """True if rel is an ordinary file reached from out_dir without following any symlink."""
    try:
        return reach(out_dir, rel)[0] == FILE
    except OSError:
        return False


def check_writable(out_dir: Path, rel: str) -> None:
    """Each folder on the way to a file must be a real folder (or not exist yet), never a link;
    the file itself must not be a folder (a file or a link there is replaced, never followed)."""
    found, where = reach(out_dir, rel)
    if found == LINK_ON_THE_WAY:
        raise MakecaseError.single(
            f"'{shown(where.relative_to(out_dir))}' in the output folder is a symbolic link; "
            "makecase does not write through links.", Location(where),
            hint="Delete the link, or build into another folder with --out.")
    if found == NOT_A_FOLDER_ON_THE_WAY:
        raise MakecaseError.single(
            f"'{shown(where.relative_to(out_dir))}' in the output folder is a file, but this build "
            "needs a folder of that name.", Location(where), hint="Move the file away.")
    if found == FOLDER:
        raise MakecaseError.single(
            f"'{shown(rel)}' in the output folder is a folder, but this build writes a file of that name.",
            Location(where), hint="Move the folder away.")


def make_parents(out_dir: Path, rel: str) -> None:
    """The folders on the way to rel, made one at a time: never through a link that appeared."""
    current = out_dir
    for part in PurePosixPath(rel).parts[:-1]:
        current = current / part
        try:
            os.mkdir(current)
        except FileExistsError:
            if not stat.S_ISDIR(os.lstat(current).st_mode):  # a symlink or a file appeared
                raise MakecaseError.single(
                    f"'{shown(current.relative_to(out_dir))}' in the output folder is not a real folder; "
                    "makecase does not write through links.", Location(current)) from None


def read_manifest(out_dir: Path) -> dict:
    """The previous build's manifest, or {} when there is none or it is not one this tool wrote
    (a link, too large, not JSON, not the right shape). Only what it lists may be kept or removed."""
    try:
        readable = is_plain_file(out_dir, MANIFEST) and os.lstat(out_dir / MANIFEST).st_size <= MAX_MANIFEST_BYTES
        data = (out_dir / MANIFEST).read_bytes() if readable else b""
        manifest = json.loads(data) if data else {}
        if not isinstance(manifest, dict) or not isinstance(manifest.get("documents", []), list):
            return {}
        for document in manifest.get("documents", []):
            if not isinstance(document, dict) or not isinstance(document.get("files"), dict):
                return {}
        return manifest
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return {}


def file_entry(entry: object) -> tuple[str, str] | None:
    """A manifest's {"path", "sha256"} entry as (path, digest), if it names a safe path."""
    if not isinstance(entry, dict):
        return None
    rel, digest = entry.get("path"), entry.get("sha256")
    if not isinstance(rel, str) or not isinstance(digest, str):
        return None
    try:
        safe_rel(rel)
    except MakecaseError:
        return None
    return rel, digest


def read_if_ours(out_dir: Path, rel: str, digest: str) -> bytes | None:
    """The bytes of a file makecase wrote, if it is still an ordinary file (reached without
    following a link) whose bytes match the SHA-256 recorded for it; else None."""
    if not is_plain_file(out_dir, rel):
        return None
    try:
        fd = os.open(out_dir / rel, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None
        data = handle.read()
    return data if hashlib.sha256(data).hexdigest() == digest else None


def named_as_ours(rel: str) -> bool:
    """A name makecase gives the files it writes (a page's .pdf, .html or .png, the index,
    pack.pdf): only such a file is ever removed, whatever a manifest lists, so a crafted
    manifest cannot point a build at a person's notes or a .gitkeep with a known hash."""
    name = PurePosixPath(rel).name
    return not name.startswith(".") and PurePosixPath(rel).suffix in OUR_SUFFIXES


def remove_if_ours(out_dir: Path, rel: str, digest: str) -> None:
    """Remove a file makecase wrote (see read_if_ours and named_as_ours), and the folders it
    leaves empty."""
    if named_as_ours(rel) and read_if_ours(out_dir, rel, digest) is not None:
        os.unlink(out_dir / rel)
        _prune_empty_parents(out_dir, rel)


def identity(out_dir: Path, rel: str) -> list[int] | None:
    """What marks this very file on this machine: its inode and its change time. Neither can
    be chosen by whoever wrote the folder's contents (a pull request, a CI cache): a checkout
    or a copy makes new inodes at a new time, and only the kernel sets a change time."""
    try:
        info = os.lstat(out_dir / rel)
    except OSError:
        return None
    return [info.st_ino, info.st_ctime_ns] if stat.S_ISREG(info.st_mode) else None


def _prune_empty_parents(out_dir: Path, rel: str) -> None:
    current = (out_dir / rel).parent
    while current != out_dir:
        try:
            current.rmdir()
        except OSError:
            return
        current = current.parent
