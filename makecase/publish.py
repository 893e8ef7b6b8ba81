"""Write stage: a build's files replace the previous set in the output folder as a whole.

    publish(out_dir, {"gps.pdf": b"...", "manifest.json": b"...", ...}) -> written paths

How a kill at any moment leaves a complete set, old or new:

1. Take a lock on the output folder (flock: released by the kernel if the process dies), so two
   builds never write the same folder at once.
2. Finish or clean up after an earlier build that was killed (see 5), and remove leftover
   `.makecase-*` staging folders.
3. Write every new file into a staging folder inside the output folder (same file system, so
   each later move is a rename). A kill here leaves the old set untouched.
4. Write a journal, `.makecase-journal.json`, naming the staging folder, each new file and each
   stale file to remove; it appears by an atomic rename, which is the commit point.
5. Move each file into place (manifest.json last), remove stale files, delete the journal and the
   staging folder. A kill here leaves the journal: the next build rolls it forward from the
   staged files as soon as it knows its output folder (finish_interrupted), even if it then
   fails, so the new set is completed, never mixed with the old one for longer than until the
   next build starts.

Stale files are the previous manifest's files that this build neither makes nor keeps (a partial
build keeps the rest of the pack, see pack.py). One is removed
only if it is an ordinary file (not a symlink) inside the output folder, reached without
following a symlink, and its bytes still match the SHA-256 the manifest recorded: so only files
this tool wrote, never a file a person put there or a file a crafted manifest points at.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import stat
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Iterator

from .errors import Location, MakecaseError, shown

STAGING_PREFIX = ".makecase-"
JOURNAL = ".makecase-journal.json"
MANIFEST = "manifest.json"
MAX_MANIFEST_BYTES = 16 * 1024 * 1024  # a manifest lists pages; one this large was not written by us
# The one system call that moves a staged file into place (a seam for the kill tests).
_move = os.replace


def publish(out_dir: Path, files: dict[str, bytes], keep: frozenset[str] | set[str] = frozenset()) -> list[Path]:
    """Replace the previous output set in out_dir with `files` (relative POSIX path -> bytes).

    `keep` names files of the previous set that stay as they are (a partial build keeps the rest
    of the pack): they are neither written nor removed.
    """
    for rel in files:
        _safe_rel(rel)
    with _io_errors(out_dir):
        out_dir.mkdir(parents=True, exist_ok=True)
    with _io_errors(out_dir), locked(out_dir):
        recover(out_dir)
        for rel in files:
            check_writable(out_dir, rel)
        stale = _stale(out_dir, set(files) | set(keep))
        staging = out_dir / f"{STAGING_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        staging.mkdir()
        committed = False
        try:
            for rel, data in files.items():
                path = staging / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            order = sorted(files, key=lambda r: r == MANIFEST)  # the manifest lands last
            journal = {"staging": staging.name, "files": order, "stale": stale}
            _write_atomic(out_dir / JOURNAL, json.dumps(journal).encode("utf-8"))
            committed = True
        finally:
            if not committed:
                shutil.rmtree(staging, ignore_errors=True)
        _roll_forward(out_dir, journal)
    return [out_dir / rel for rel in files]


def finish_interrupted(out_dir: Path) -> None:
    """Complete a publish that was killed after its commit point, even if this build then fails:
    the folder holds a complete set again as soon as the next build starts."""
    if not out_dir.is_dir() or not any(e.name.startswith(STAGING_PREFIX) for e in os.scandir(out_dir)):
        return
    with _io_errors(out_dir), locked(out_dir):
        recover(out_dir)


def recover(out_dir: Path) -> None:
    """Finish a publish that was killed after its commit point; remove leftover staging folders.

    Call with the lock held.
    """
    journal_path = out_dir / JOURNAL
    if _lexists(journal_path):
        try:
            if not is_plain_file(out_dir, JOURNAL) or os.lstat(journal_path).st_size > MAX_MANIFEST_BYTES:
                raise ValueError("not a journal this tool wrote")
            journal = json.loads(journal_path.read_bytes())
            staging = journal["staging"]
            if not (isinstance(staging, str) and staging.startswith(STAGING_PREFIX) and "/" not in staging):
                raise ValueError("bad staging name")
            for rel in journal["files"]:
                _safe_rel(rel)
            for entry in journal["stale"]:
                _safe_rel(entry["path"])
        except (OSError, ValueError, KeyError, TypeError, MakecaseError):
            journal = None  # not ours, or damaged: finish nothing, but do not trust it either
        if journal is not None:
            _roll_forward(out_dir, journal)
        else:
            os.unlink(journal_path)
    for entry in os.scandir(out_dir):
        if entry.name.startswith(STAGING_PREFIX) and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        elif entry.name == JOURNAL + ".tmp" and entry.is_file(follow_symlinks=False):
            os.unlink(entry.path)


def _roll_forward(out_dir: Path, journal: dict) -> None:
    staging = out_dir / journal["staging"]
    # Only a real folder this tool made: a staging "folder" that is a symlink (a hostile project
    # can ship one in output/) would move files from elsewhere into the pack.
    staging_is_ours = _lexists(staging) and stat.S_ISDIR(os.lstat(staging).st_mode)
    for rel in journal["files"]:
        source = staging / rel
        if not staging_is_ours or not _lexists(source):  # moved before the kill
            continue
        if not is_plain_file(staging, rel):  # a link or a device: never moved into the pack
            continue
        target = out_dir / rel
        _make_parents(out_dir, rel)
        _move(source, target)
    for entry in journal["stale"]:
        _remove_if_ours(out_dir, entry["path"], entry["sha256"])
    os.unlink(out_dir / JOURNAL)
    if staging_is_ours:
        shutil.rmtree(staging, ignore_errors=True)
    elif _lexists(staging):
        os.unlink(staging)  # the link itself, never what it points to


@contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on the output folder itself (no lock file is left behind)."""
    fd = os.open(out_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise MakecaseError.single(
                "Another makecase build is writing to this output folder now.", Location(out_dir),
                hint="Wait for it to finish, or build into another folder with --out.") from None
        yield
    finally:
        os.close(fd)


# --- what may be written and removed ------------------------------------------------------------


def _safe_rel(rel: str) -> PurePosixPath:
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


def _make_parents(out_dir: Path, rel: str) -> None:
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
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def file_entry(entry: object) -> tuple[str, str] | None:
    """A manifest's {"path", "sha256"} entry as (path, digest), if it names a safe path."""
    if not isinstance(entry, dict):
        return None
    rel, digest = entry.get("path"), entry.get("sha256")
    if not isinstance(rel, str) or not isinstance(digest, str):
        return None
    try:
        _safe_rel(rel)
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


def _stale(out_dir: Path, keep: set[str]) -> list[dict]:
    """The previous manifest's files that this build does not write, and that are still ours."""
    manifest = read_manifest(out_dir)
    stale = []
    for document in manifest.get("documents", []):
        for entry in document["files"].values():
            found = file_entry(entry)
            if found is None or found[0] in keep:
                continue
            if _matches(out_dir, *found):
                stale.append({"path": found[0], "sha256": found[1]})
    return stale


def _matches(out_dir: Path, rel: str, digest: str) -> bool:
    return read_if_ours(out_dir, rel, digest) is not None


def _remove_if_ours(out_dir: Path, rel: str, digest: str) -> None:
    if _matches(out_dir, rel, digest):
        os.unlink(out_dir / rel)
        _prune_empty_parents(out_dir, rel)


def _prune_empty_parents(out_dir: Path, rel: str) -> None:
    current = (out_dir / rel).parent
    while current != out_dir:
        try:
            current.rmdir()
        except OSError:
            return
        current = current.parent


def _write_atomic(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _lexists(path: Path) -> bool:
    return os.path.lexists(path)


@contextmanager
def _io_errors(out_dir: Path) -> Iterator[None]:
    """A folder that cannot be written (permissions, a full disk, /proc) is a person's problem."""
    try:
        yield
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        hint = {errno.ENOSPC: "Free some disk space and build again.",
                errno.EDQUOT: "Free some disk space and build again.",
                errno.EACCES: "Choose a folder you can write to with --out.",
                errno.EPERM: "Choose a folder you can write to with --out.",
                errno.EROFS: "Choose a folder on a writable disk with --out."}.get(
            exc.errno, "Choose another output folder with --out.")
        where = Path(exc.filename) if exc.filename else out_dir
        raise MakecaseError.single(f"Cannot write the output: {reason}.", Location(where),
                                   hint=hint) from None
