"""Write stage, recovery: the lock on the output folder, the journal that is a publish's commit
point, and finishing a publish that a kill interrupted (see publish.py for the whole story).

The journal, `.makecase-journal.json`, names the staging folder, each new file and each stale
file to remove. It appears by an atomic rename: before it exists the old set is untouched, and
once it exists the new set is completed from the staged files, by this build or the next one.

The output folder may come with a pull request or a CI cache, journal and staging folder
included, so a journal is honoured only when it proves this tool staged the files: it records
the identity (inode and change time) of a mark made in the staging folder, which no one who
only wrote the folder's contents can know, and every page still staged must pass the caller's
check (the live-markup check, standalone.py). Otherwise the journal and the staging folder
are removed, and the build goes on.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Callable, Iterator

from filelock import FileLock, Timeout

from makecase.errors import Location, MakecaseError
from makecase.output.folder import (JOURNAL, MAX_MANIFEST_BYTES, STAGING_PREFIX, identity, is_plain_file,
                                    make_parents, remove_if_ours, safe_rel)

# Not under STAGING_PREFIX: recovery removes leftovers by that prefix, never the live lock.
LOCK = ".makecase.lock"
# Made in each staging folder before anything is staged; the journal records its identity.
STAGED_MARK = ".makecase-staged"
# What a journal's staged files must pass to be moved into place: given the staging folder and
# the files still in it, what is wrong with them (the pack's live-markup check), or nothing.
StagedCheck = Callable[[Path, list[str]], list[str]]
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


def mark_staging(staging: Path) -> list[int]:
    """Make the mark in a new staging folder; its identity, for the journal."""
    os.close(os.open(staging / STAGED_MARK, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    return identity(staging, STAGED_MARK)


def recover(out_dir: Path, check: StagedCheck | None = None) -> None:
    """Finish a publish that was killed after its commit point; remove leftover staging folders.

    The journal is honoured only if its staging folder is one this tool made (its mark's
    identity is the journal's) and, with check, every file still staged passes it. Call with
    the lock held.
    """
    journal_path = out_dir / JOURNAL
    if os.path.lexists(journal_path):
        journal = _read_journal(out_dir)
        if journal is not None and _staged_here(out_dir, journal, check):
            roll_forward(out_dir, journal)
        else:  # not ours, damaged, or its pages refused: finish nothing
            os.unlink(journal_path)
    for entry in os.scandir(out_dir):
        if entry.name.startswith(STAGING_PREFIX) and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        elif entry.name.startswith(STAGING_PREFIX) and entry.is_symlink():
            os.unlink(entry.path)  # a "staging folder" a project shipped as a link: the link, never its target
        elif entry.name == JOURNAL + ".tmp" and entry.is_file(follow_symlinks=False):
            os.unlink(entry.path)


def _read_journal(out_dir: Path) -> dict | None:
    """The journal, if it has the shape publish writes and names only paths inside the folder."""
    journal_path = out_dir / JOURNAL
    try:
        if not is_plain_file(out_dir, JOURNAL) or os.lstat(journal_path).st_size > MAX_MANIFEST_BYTES:
            return None
        journal = json.loads(journal_path.read_bytes())
        staging = journal["staging"]
        if not (isinstance(staging, str) and staging.startswith(STAGING_PREFIX) and "/" not in staging
                and staging not in (".", "..")):
            return None
        for rel in journal["files"]:
            safe_rel(rel)
        for entry in journal["stale"]:
            safe_rel(entry["path"])
            if not isinstance(entry["sha256"], str):
                return None
        return journal
    except (OSError, ValueError, KeyError, TypeError, RecursionError, MakecaseError):
        return None


def _staged_here(out_dir: Path, journal: dict, check: StagedCheck | None) -> bool:
    """True if the journal's staging folder is a real folder holding the mark this tool made
    (the identity the journal records), and the files still staged pass check."""
    staging = out_dir / journal["staging"]
    try:
        if not stat.S_ISDIR(os.lstat(staging).st_mode):
            return False
    except OSError:
        return False
    mark = identity(staging, STAGED_MARK)
    if mark is None or journal.get("staged") != mark:
        return False
    if check is None:
        return True
    waiting = [rel for rel in journal["files"] if is_plain_file(staging, rel)]
    return not check(staging, waiting)


def write_atomic(path: Path, data: bytes) -> None:
    """Write path whole or not at all: a temporary file, synced, then renamed over it."""
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
