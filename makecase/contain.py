"""Load stage helper: every file a build reads is a regular file inside the project or the package.

A project folder is untrusted input. A symlink that points out of it, a FIFO that blocks for
ever, /dev/zero that never ends, a huge file: each is refused before it is opened for reading,
with an error naming the file. Paths are checked after resolving symlinks, so a link that stays
inside the project is fine.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from makecase.errors import Location, MakecaseError
from makecase.resources import shown_path


def is_inside(path: Path, roots: list[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


def contained_file(path: Path, roots: list[Path], *, max_bytes: int, what: str = "file",
                   where: Location | None = None, key: str | None = None) -> Path:
    """The resolved path of a file a build may read, or a MakecaseError saying why not.

    `where` is the setting that named the file (for errors); otherwise the file itself is named.
    """
    location = where or Location(path)
    shown = _shown(path, roots)
    try:
        resolved = path.resolve()
        if not is_inside(resolved, [r.resolve() for r in roots]):
            via = " through a symbolic link" if os.path.islink(path) or is_inside(
                Path(os.path.abspath(path)), [Path(os.path.abspath(r)) for r in roots]) else ""
            raise MakecaseError.single(
                f"The {what} '{shown}' is outside the project folder{via}.", location, key=key,
                hint="Copy the file into the project folder instead of linking to it.")
        resolved = path.resolve(strict=True)
    except FileNotFoundError:
        raise MakecaseError.single(f"File '{shown}' not found (the {what}).", location, key=key,
                                   hint="Check the name; paths are relative to the folder holding makecase.yaml.") from None
    except (OSError, RuntimeError) as exc:  # a symlink loop, a name too long
        raise MakecaseError.single(f"Cannot open the {what} '{shown}': {_reason(exc)}.", location, key=key,
                                   hint="Replace it with an ordinary file.") from None
    try:
        info = os.stat(resolved)
    except OSError as exc:
        raise MakecaseError.single(f"Cannot open the {what} '{shown}': {_reason(exc)}.", location,
                                   key=key) from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not an ordinary file (a device, pipe or socket)"
        raise MakecaseError.single(f"The {what} '{shown}' is {kind}.", location, key=key,
                                   hint="Name an ordinary file.")
    if info.st_size > max_bytes:
        raise MakecaseError.single(
            f"The {what} '{shown}' is {info.st_size // 1024:,} KB, more than the {max_bytes // 1024:,} KB "
            "a build reads from one file.", location, key=key,
            hint="Make it smaller, or raise the limit in makecase.yaml (limits:).")
    return resolved


def read_contained(path: Path, roots: list[Path], *, max_bytes: int, what: str = "file",
                   where: Location | None = None, key: str | None = None) -> bytes:
    """Read a contained file, never more than max_bytes (it may grow after the check)."""
    resolved = contained_file(path, roots, max_bytes=max_bytes, what=what, where=where, key=key)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(resolved, flags)
    except OSError as exc:
        raise MakecaseError.single(f"Cannot read the {what} '{_shown(path, roots)}': {_reason(exc)}.",
                                   where or Location(path), key=key) from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped since the check
            raise MakecaseError.single(f"The {what} '{_shown(path, roots)}' is not an ordinary file.",
                                       where or Location(path), key=key)
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise MakecaseError.single(
            f"The {what} '{_shown(path, roots)}' is larger than the {max_bytes // 1024:,} KB a build reads "
            "from one file.", where or Location(path), key=key,
            hint="Make it smaller, or raise the limit in makecase.yaml (limits:).")
    return data


def read_text_contained(path: Path, roots: list[Path], *, max_bytes: int, what: str = "file",
                        where: Location | None = None, key: str | None = None) -> str:
    data = read_contained(path, roots, max_bytes=max_bytes, what=what, where=where, key=key)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise MakecaseError.single(
            f"The {what} is not UTF-8 text ({exc.reason} at byte {exc.start}).",
            Location(path, line, column) if where is None else where, key=key,
            hint="Save the file as UTF-8 in your editor.") from None


def contained_dir(root: Path, value: str, where: Location | None, key: str) -> Path:
    """A folder a setting names, which must be inside the project folder (and not the folder itself)."""
    target = Path(os.path.abspath(root / value))
    resolved = (root / value).resolve()
    if not is_inside(resolved, [root]) or not is_inside(target, [root]):
        raise MakecaseError.single(
            f"{key} '{value}' is outside the project folder.", where, key=key,
            hint="Name a folder inside the project, such as 'output'. To write elsewhere, "
                 "pass --out on the command line.")
    if resolved == root:
        raise MakecaseError.single(
            f"{key} '{value}' is the project folder itself.", where, key=key,
            hint="Name a folder of its own inside the project, such as 'output'.")
    return resolved


def _shown(path: Path, roots: list[Path]) -> str:
    """A path named in an error: as a person is told of it (resources.shown_path), from the project."""
    return shown_path(path, roots[0] if roots else None)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return "it is a symbolic link loop" if isinstance(exc, RuntimeError) else str(exc)
