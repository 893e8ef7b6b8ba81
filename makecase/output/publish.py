"""Write stage: a build's files replace the previous set in the output folder as a whole.

    publish(out_dir, {"gps.pdf": b"...", "manifest.json": b"...", ...}) -> written paths

How a kill at any moment leaves a complete set, old or new:

1. Take a lock on the output folder (flock: released by the kernel if the process dies), so two
   builds never write the same folder at once.
2. Finish or clean up after an earlier build that was killed (see 5), and remove leftover
   `.makecase-*` staging folders. A journal is finished only if this tool staged its files
   (the mark below) and they pass the caller's live-markup check; otherwise it is dropped.
3. Make a staging folder inside the output folder (same file system, so each later move is a
   rename), with a mark whose identity (inode, change time) only this machine knows; write
   every new file into it. A kill here leaves the old set untouched.
4. Write a journal, `.makecase-journal.json`, naming the staging folder, the mark's identity,
   each new file and each stale file to remove; it appears by an atomic rename, which is the
   commit point.
5. Move each file into place (manifest.json last), remove stale files, delete the journal and the
   staging folder. A kill here leaves the journal: the next build rolls it forward from the
   staged files as soon as it knows its output folder (finish_interrupted), before it reads
   the content, so even if it then fails the new set is completed, never mixed with the old
   one for longer than until the next build starts. While a journal is there, no build takes
   the quick path (fingerprint.py).

Stale files are the previous manifest's files that this build neither makes nor keeps (a partial
build keeps the rest of the pack, see pack.py). One is removed
only if it is an ordinary file (not a symlink) inside the output folder, reached without
following a symlink, named as makecase names its files (a .pdf, .html or .png, not hidden), and
its bytes still match the SHA-256 the manifest recorded. A crafted manifest can still name a
page-like file whose bytes its author knows (a copy of a built page, say), but never a person's
notes, a .gitkeep or anything else that is not a page.

This module is the sequence; journal.py holds the lock, the journal and the roll forward (steps
1, 2, 4 and 5), and folder.py the rules for which paths may be written and which files
are this tool's own to remove.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import tempfile
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Iterator

from makecase.errors import Location, MakecaseError
from makecase.output.journal import StagedCheck, locked, mark_staging, recover, roll_forward, write_journal
from makecase.output.folder import (JOURNAL, MANIFEST, STAGING_PREFIX, check_writable, file_entry, named_as_ours,
                                    read_if_ours, read_manifest, safe_rel)


def publish(out_dir: Path, files: dict[str, bytes], keep: frozenset[str] | set[str] = frozenset(),
            check: StagedCheck | None = None) -> list[Path]:
    """Replace the previous output set in out_dir with `files` (relative POSIX path -> bytes).

    `keep` names files of the previous set that stay as they are (a partial build keeps the rest
    of the pack): they are neither written nor removed. check: what an earlier, interrupted
    publish's staged files must pass to be completed (journal.recover).
    """
    for rel in files:
        safe_rel(rel)
    with _io_errors(out_dir):
        out_dir.mkdir(parents=True, exist_ok=True)
    with _io_errors(out_dir), locked(out_dir):
        recover(out_dir, check)
        for rel in files:
            check_writable(out_dir, rel)
        stale = _stale(out_dir, set(files) | set(keep))
        staging = out_dir / f"{STAGING_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        staging.mkdir()
        committed = False
        try:
            mark = mark_staging(staging)
            for rel, data in files.items():
                path = staging / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            order = sorted(files, key=lambda r: r == MANIFEST)  # the manifest lands last
            journal = {"staging": staging.name, "files": order, "stale": stale, "staged": mark}
            write_journal(out_dir, journal)
            committed = True
        finally:
            if not committed:
                shutil.rmtree(staging, ignore_errors=True)
        roll_forward(out_dir, journal)
    return [out_dir / rel for rel in files]


def finish_interrupted(out_dir: Path, check: StagedCheck | None = None) -> None:
    """Complete a publish that was killed after its commit point, even if this build then fails:
    the folder holds a complete set again as soon as the next build starts. check: what the
    staged files must pass (journal.recover); a journal that fails is dropped, with its staging."""
    if not out_dir.is_dir() or not any(e.name == JOURNAL or (e.name.startswith(STAGING_PREFIX) and e.is_dir(follow_symlinks=False))
                                       for e in os.scandir(out_dir)):
        return
    with _io_errors(out_dir), locked(out_dir):
        recover(out_dir, check)


def check_can_write(out_dir: Path) -> None:
    """A clear error now, before any page is laid out, if out_dir cannot be made or written
    (--out /proc, a path through a file, a read-only disk): a folder is made and removed where
    the output will be (its nearest existing folder), which no permission bits can fake."""
    here = out_dir
    while not os.path.lexists(here) and here.parent != here:
        here = here.parent
    with _io_errors(out_dir):
        probe = tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}probe-", dir=here)
        with suppress(FileNotFoundError):  # another build's clean-up may have taken it already
            os.rmdir(probe)


def _stale(out_dir: Path, keep: set[str]) -> list[dict]:
    """The previous manifest's files that this build does not write, and that are still ours
    (each document's, and the pack-wide index.html and pack.pdf)."""
    manifest = read_manifest(out_dir)
    pack = manifest.get("pack")
    entries = list(pack.values()) if isinstance(pack, dict) else []
    entries += [entry for document in manifest.get("documents", []) for entry in document["files"].values()]
    stale = []
    for entry in entries:
        found = file_entry(entry)
        if found is None or found[0] in keep or not named_as_ours(found[0]):
            continue
        if read_if_ours(out_dir, *found) is not None:
            stale.append({"path": found[0], "sha256": found[1]})
    return stale


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
