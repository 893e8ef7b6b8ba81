"""Write stage, recovery: the lock on the output folder, the journal that is a publish's commit
point, and finishing a publish that a kill interrupted (see publish.py for the whole story).

The journal, `.makecase-journal.json`, names the staging folder, each new file and each stale
file to remove. It appears by an atomic rename: before it exists the old set is untouched, and
once it exists the new set is completed from the staged files, by this build or the next one.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Iterator

from filelock import FileLock, Timeout

from makecase.errors import Location, MakecaseError
from makecase.output.folder import (MAX_MANIFEST_BYTES, STAGING_PREFIX, is_plain_file, make_parents, remove_if_ours,
                            safe_rel)

JOURNAL = ".makecase-journal.json"
# Not under STAGING_PREFIX: recovery removes leftovers by that prefix, never the live lock.
LOCK = ".makecase.lock"
# The one system call that moves a staged file into place (a seam for the kill tests).
move_into_place = os.replace


@contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on the output folder while a build or merge writes it.

    filelock, not fcntl: fcntl does not exist on Windows, where `import fcntl` stopped every
    command. The lock is a file inside the folder, so builds by other users are kept out too. No
    lock file stays in the pack: on Windows filelock removes it on release; elsewhere we remove it
    while still holding it (filelock 4.3+ notices that a lock it waited for was on a removed file,
    and takes a fresh one). A lock file left by a killed build is taken over by the next build.
    """
    path = out_dir / LOCK
    lock = FileLock(path, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise MakecaseError.single(
            "Another makecase build is writing to this output folder now.", Location(out_dir),
            hint="Wait for it to finish, or build into another folder with --out.") from None
    try:
        yield
    finally:
        if os.name != "nt":  # Windows cannot remove an open file; filelock removes it there
            with suppress(FileNotFoundError):
                os.unlink(path)
        lock.release()


def write_journal(out_dir: Path, journal: dict) -> None:
    """The commit point: from here on the new set is completed, by this build or the next."""
    write_atomic(out_dir / JOURNAL, json.dumps(journal).encode("utf-8"))


def roll_forward(out_dir: Path, journal: dict) -> None:
    """Move each staged file into place, remove the stale files, then the journal and the staging."""
    staging = out_dir / journal["staging"]
    # Only a real folder this tool made: a staging "folder" that is a symlink (a hostile project
    # can ship one in output/) would move files from elsewhere into the pack.
    staging_is_ours = os.path.lexists(staging) and stat.S_ISDIR(os.lstat(staging).st_mode)
    for rel in journal["files"]:
        source = staging / rel
        if not staging_is_ours or not os.path.lexists(source):  # moved before the kill
            continue
        if not is_plain_file(staging, rel):  # a link or a device: never moved into the pack
            continue
        target = out_dir / rel
        make_parents(out_dir, rel)
        move_into_place(source, target)
    for entry in journal["stale"]:
        remove_if_ours(out_dir, entry["path"], entry["sha256"])
    os.unlink(out_dir / JOURNAL)
    if staging_is_ours:
        shutil.rmtree(staging, ignore_errors=True)
    elif os.path.lexists(staging):
        os.unlink(staging)  # the link itself, never what it points to


def recover(out_dir: Path) -> None:
    """Finish a publish that was killed after its commit point; remove leftover staging folders.

    Call with the lock held.
    """
    journal_path = out_dir / JOURNAL
    if os.path.lexists(journal_path):
        try:
            if not is_plain_file(out_dir, JOURNAL) or os.lstat(journal_path).st_size > MAX_MANIFEST_BYTES:
                raise ValueError("not a journal this tool wrote")
            journal = json.loads(journal_path.read_bytes())
            staging = journal["staging"]
            if not (isinstance(staging, str) and staging.startswith(STAGING_PREFIX) and "/" not in staging):
                raise ValueError("bad staging name")
            for rel in journal["files"]:
                safe_rel(rel)
            for entry in journal["stale"]:
                safe_rel(entry["path"])
        except (OSError, ValueError, KeyError, TypeError, MakecaseError):
            journal = None  # not ours, or damaged: finish nothing, but do not trust it either
        if journal is not None:
            roll_forward(out_dir, journal)
        else:
            os.unlink(journal_path)
    for entry in os.scandir(out_dir):
        if entry.name.startswith(STAGING_PREFIX) and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        elif entry.name == JOURNAL + ".tmp" and entry.is_file(follow_symlinks=False):
            os.unlink(entry.path)


def write_atomic(path: Path, data: bytes) -> None:
    """Write path whole or not at all: a temporary file, synced, then renamed over it."""
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
