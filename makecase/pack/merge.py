"""Pack stage, after CI runners: the folders of `makecase build --shard K/N` joined into one pack.

Merge lays nothing out and never loads WeasyPrint. It reads each shard folder's manifest.json;
checks that the shards belong together (shards 1 to N, each once, built by this makecase from
the same content and options) and were built from the project it runs in; reads every
document's files back, each checked against the SHA-256 its shard recorded, and each web page
with the live-markup check every built page passes (a page that fails is refused: merge cannot
make it again); and writes the pack
with write_documents, the function a whole build writes with, so index.html, manifest.json and
every other pack-wide file come out byte for byte as `makecase build` makes them. Nothing is
written unless every check passes, and the new set replaces the folder's old one whole.
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from makecase.pack.report import pack_warnings
from makecase.page.compose import Briefing, briefings_for
from makecase.page.document import FILES, Document, files_made
from makecase.errors import MakecaseError, Problem, ProblemList, clean, shown
from makecase.pack.fingerprint import fingerprint, live_parts, staged_live_parts
from makecase.load.loader import Project, load_project
from makecase.pack.manifest import recorded_document, whole_pack
from makecase.load.messages import checked_ids
from makecase.output.folder import (FOLDER, LINK_ON_THE_WAY, NOT_A_FOLDER_ON_THE_WAY, file_entry, reach, read_if_ours,
                                    read_manifest)
from makecase.pack.build import write_documents
from makecase.output.publish import finish_interrupted
from makecase.page.render import Renderer
from makecase.pack.shard import MAX_SHARDS, Shard, content_fingerprint
from makecase.version import __version__

BUILD_SHARDS = "Build each shard with `makecase build --shard K/N --out FOLDER` and pass those folders."
REBUILD = ("Build every shard again from the same commit and with the same options "
           "(`makecase build --shard K/N`), then merge.")


@dataclass(frozen=True)
class ShardFolder:
    """One shard's output folder, as the person named it, and its manifest."""

    folder: Path
    manifest: dict
    shard: Shard

    @property
    def record(self) -> dict:
        return self.manifest["shard"]

    @property
    def name(self) -> str:
        return f"{quoted(self.folder)} (shard {self.shard})"


@dataclass
class MergeReport:
    """What a merge wrote, for the CLI to print and for scripts and tests to check."""

    out_dir: Path
    shards: list[ShardFolder]
    pack: list[Document]
    written: list[Path]
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"Merged {len(self.shards)} shard(s) into {clean(str(self.out_dir))}: "
                f"{len(self.pack)} briefing(s), {len(self.written)} files, in {self.seconds:.1f} s.")


def merge(project_dir: Path | str, shard_dirs: Iterable[Path | str], out: Path | str) -> MergeReport:
    """Join shards' output folders into one pack in `out`, as a whole build of the project would
    write it. Raises MakecaseError, having written nothing, if the shards do not make the pack."""
    started = time.perf_counter()
    out = Path(out)
    finish_interrupted(out, staged_live_parts)  # a merge killed while writing is completed first
    shards = read_shard_folders([Path(folder) for folder in shard_dirs])
    check_complete(shards)
    check_same_build(shards)
    if any(out.resolve() == s.folder.resolve() or s.folder.resolve() in out.resolve().parents for s in shards):
        raise MakecaseError.single(f"--out {quoted(out)} is one of the shard folders, or inside one.",
                                   hint="Merge into a folder of its own, e.g. --out pack.")
    # Before the content is read, as a build takes it; the shards' folders are not the project's.
    stamp = fingerprint(Path(project_dir), out, [s.folder for s in shards])
    project = load_project(project_dir)
    check_project(project, Path(project_dir), shards[0])
    chosen = chosen_briefings(project, shards[0].record["selection"])
    problems = ProblemList()
    documents = [d for s in shards for d in shard_documents(project, s, chosen, problems)]
    problems.raise_if_any(f"{len(problems.items)} problem(s) with the shards' files; nothing was written:")
    pack = whole_pack(project, documents, {})
    # The fingerprint a whole build would record: the shards are the whole pack, and it warns of nothing.
    selection = shards[0].record["selection"]
    whole = (selection["audiences"] is None and selection["places"] is None
             and selection["formats"] == sorted(set(project.settings.output.formats)))
    written = write_documents(project, pack, out, Renderer(project),
                              stamp if whole and not pack_warnings(project, pack) else None)
    return MergeReport(out, shards, pack, written, tool_warnings(shards), time.perf_counter() - started)


def read_shard_folders(folders: list[Path]) -> list[ShardFolder]:
    """Each folder's manifest and shard record, or every problem with them together."""
    if not folders:
        raise MakecaseError.single("Name the shards' folders to merge.", hint=BUILD_SHARDS)
    shards: list[ShardFolder] = []
    problems = ProblemList()
    for folder in folders:
        named = quoted(folder)
        if not folder.is_dir():
            problems.add(f"{named} is not a folder.", hint=BUILD_SHARDS)
            continue
        manifest = read_manifest(folder)
        record = manifest.get("shard")
        if not manifest:
            problems.add(f"{named} has no manifest.json that makecase wrote: it is not a shard's folder.",
                         hint=BUILD_SHARDS)
        elif record is None:
            problems.add(f"{named} holds a whole build, not a shard: its manifest.json has no shard record.",
                         hint=BUILD_SHARDS + " A whole build needs no merge.")
        elif not _is_shard_record(record):
            problems.add(f"{named}: the shard record in its manifest.json is not one makecase wrote.",
                         hint=REBUILD)
        else:
            shards.append(ShardFolder(folder, manifest, Shard(record["index"], record["total"])))
    problems.raise_if_any()
    return shards


def _is_shard_record(record: object) -> bool:
    """A record of the shape write_shard writes (a damaged or crafted one must not crash merge)."""
    def count(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_SHARDS

    def ids(value: object) -> bool:
        return isinstance(value, list) and all(isinstance(i, str) for i in value)

    if not isinstance(record, dict) or not count(record.get("index")) or not count(record.get("total")):
        return False
    selection = record.get("selection")
    return (record["index"] <= record["total"] and isinstance(record.get("content"), str)
            and isinstance(record.get("tools"), dict) and isinstance(selection, dict)
            and all(selection.get(k) is None or ids(selection.get(k)) for k in ("audiences", "places"))
            and ids(selection.get("formats")))


def check_complete(shards: list[ShardFolder]) -> None:
    """Shards 1 to N of one split, each given once."""
    totals = sorted({s.shard.total for s in shards})
    if len(totals) > 1:
        raise MakecaseError.single(
            "The shards were split different ways: " + ", ".join(f"{quoted(s.folder)} is shard {s.shard}"
                                                                 for s in shards) + ".",
            hint="Build every shard with the same N (--shard K/N for K = 1 to N) and merge those.")
    total = totals[0]
    given: dict[int, list[ShardFolder]] = {}
    for s in shards:
        given.setdefault(s.shard.index, []).append(s)
    problems = ProblemList()
    for index, twice in sorted(given.items()):
        if len(twice) > 1:
            problems.add(f"Shard {index}/{total} is given {'twice' if len(twice) == 2 else f'{len(twice)} times'}: "
                         + " and ".join(quoted(s.folder) for s in twice) + ".",
                         hint="Pass each shard's folder once. If two runners built the same shard, "
                              "check the --shard K/N each one ran.")
    missing = [f"{k}/{total}" for k in range(1, total + 1) if k not in given]
    if missing:
        problems.add(f"Shard{'s' if len(missing) > 1 else ''} {_listed(missing, 10)} "
                     f"{'are' if len(missing) > 1 else 'is'} missing: the folders given hold "
                     f"shard{'s' if len(given) > 1 else ''} {_listed([f'{k}/{total}' for k in sorted(given)], 10)}.",
                     hint=f"Pass the folders of all {total} shards (--shard K/{total} for K = 1 to {total}). "
                          "A runner that failed leaves its shard out: build that shard again.")
    problems.raise_if_any()


def check_same_build(shards: list[ShardFolder]) -> None:
    """Every shard made from the same content and options by the same makecase, and that makecase
    is this one (another version may lay pages out and write manifests differently)."""
    first = shards[0]
    problems = ProblemList()
    for other in shards[1:]:
        if other.record["content"] != first.record["content"]:
            problems.add(f"{other.name} and {first.name} were built from different "
                         f"{_what_differs(first, other)}, so they are not parts of one pack.", hint=REBUILD)
    problems.raise_if_any()
    built_by = first.manifest.get("generator")
    if built_by != f"makecase {__version__}":
        raise MakecaseError.single(
            f"The shards were built by {shown(built_by)}; this is makecase {__version__}.",
            hint=f"Merge with the makecase that built the shards, or build them again with this one. "
                 f"Pin one version on every runner (e.g. makecase=={__version__} in requirements.txt).")


def _what_differs(first: ShardFolder, other: ShardFolder) -> str:
    if first.manifest.get("generator") != other.manifest.get("generator"):
        return (f"makecase versions ({shown(other.manifest.get('generator'))} and "
                f"{shown(first.manifest.get('generator'))})")
    if first.record["selection"] != other.record["selection"]:
        return "choices of pages (-a, -p or --format)"
    return "content, settings or templates"


def check_project(project: Project, project_dir: Path, shard: ShardFolder) -> None:
    """The shards were made from this project as it is now: the index merge writes is made from
    it, and must list the same pages the shards made."""
    if content_fingerprint(project, shard.record["selection"]) != shard.record["content"]:
        raise MakecaseError.single(
            "The shards were built from other content, settings or templates than the project "
            f"merge runs in ({quoted(project_dir)}).",
            hint="Run merge in the project folder (-C DIR), at the commit the shards were built from. "
                 "If the content has changed since, build the shards again.")


def chosen_briefings(project: Project, selection: dict) -> list[Briefing]:
    """Every document of the pack the shards were asked for (-a, -p), in content order."""
    audiences = checked_ids(selection["audiences"] or [], project.audiences, "audience")
    places = checked_ids(selection["places"] or [], project.places, "place")
    return briefings_for(project, audiences or None, places or None)


def shard_documents(project: Project, shard: ShardFolder, chosen: list[Briefing],
                    problems: ProblemList) -> list[Document]:
    """The documents this shard should hold, read back from its folder; a document listed
    twice, missing, not this shard's or with a file changed since is a problem."""
    by_key = {(b.audience.id, b.place.id if b.place else None): b for b in chosen}
    expected = {b.slug for b in shard.shard.select(project, chosen)}
    formats = shard.record["selection"]["formats"]
    wanted = files_made(formats)
    documents: dict[str, Document] = {}
    for entry in shard.manifest.get("documents", []):
        key = (entry.get("audience"), entry.get("place"))
        briefing = by_key.get(key) if all(isinstance(v, (str, type(None))) for v in key) else None
        wrong = ("is not in the pack" if briefing is None else "is another shard's" if briefing.slug not in expected
                 else "is listed twice" if briefing.slug in documents else None)
        if wrong:
            page = "/".join(shown(v) for v in reversed(key) if v is not None)
            problems.add(f"{shard.name}: its manifest.json lists the page '{page}', which {wrong}.", hint=REBUILD)
            continue
        files = read_files(shard, briefing, entry, problems)
        absent = sorted(wanted - set(entry["files"]))
        if absent:
            problems.add(f"{shard.name} has no {', '.join(briefing.file_name(f) for f in absent)}.", hint=REBUILD)
        documents[briefing.slug] = recorded_document(briefing, files, entry)
    missing = sorted(expected - set(documents))
    if missing:
        problems.add(f"{shard.name} lacks {len(missing)} of its pages: {_listed(missing, 5)}.", hint=REBUILD)
    return list(documents.values())


def read_files(shard: ShardFolder, briefing: Briefing, entry: dict, problems: ProblemList) -> dict[str, bytes]:
    """A document's files from a shard's folder, each as the shard wrote it (its SHA-256), and
    its web page checked as every page a build makes is: a shard's folder comes from a CI
    artifact or cache, and merge cannot make a refused page again, so it is refused."""
    files: dict[str, bytes] = {}
    for fmt, file in entry["files"].items():
        found = file_entry(file)
        if fmt not in FILES or found is None or found[0] != briefing.file_name(fmt):
            problems.add(f"{shard.name}: its manifest.json lists a file makecase does not write for "
                         f"{shown(briefing.slug)}.", hint=REBUILD)
            continue
        data = read_if_ours(shard.folder, *found)
        if data is None:
            message, hint = _unreadable(shard, found[0])
            problems.add(message, hint=hint)
            continue
        live = live_parts(found[0], data)
        if live:
            problems.add(f"{quoted(shard.folder / found[0])} would run or load something: {', '.join(live[:3])}. "
                         "makecase never writes such a page.",
                         hint=f"It was changed after shard {shard.shard} was built. Build that shard again "
                              "from the project, then merge.")
            continue
        files[fmt] = data
    return files


def _unreadable(shard: ShardFolder, rel: str) -> tuple[str, str]:
    """Why a shard's file cannot be taken, and what to do: missing, reached through a link, not
    an ordinary file (a FIFO, a device, a folder), or not the bytes the shard's manifest records."""
    path = shard.folder / rel
    if not os.path.lexists(path):
        return (f"{quoted(path)} is missing.", f"It was removed after shard {shard.shard} was built (an "
                "upload or download that failed?). Build that shard again, then merge.")
    copy = "Copy the shard's folder as it was built (artifacts keep files, not links), then merge."
    try:
        found, where = reach(shard.folder, rel)
        mode = os.lstat(path).st_mode
    except OSError:
        found, where, mode = None, path, 0
    if found == LINK_ON_THE_WAY:
        return f"{quoted(path)} is inside a symbolic link ({quoted(where)}): merge reads only files a shard wrote.", copy
    if found == NOT_A_FOLDER_ON_THE_WAY:
        return f"{quoted(path)} cannot be read: {quoted(where)} is a file, not a folder.", REBUILD
    if stat.S_ISLNK(mode):
        return f"{quoted(path)} is a symbolic link: merge reads only files a shard wrote.", copy
    if found == FOLDER:
        return f"{quoted(path)} is a folder, not a file a shard wrote.", REBUILD
    if stat.S_ISFIFO(mode):
        return f"{quoted(path)} is a FIFO (a named pipe), not a file a shard wrote.", REBUILD
    if not stat.S_ISREG(mode):
        return f"{quoted(path)} is not an ordinary file (a device or a socket?): merge reads only files a shard wrote.", REBUILD
    return (f"{quoted(path)} is not as the shard wrote it: its SHA-256 is not the one the shard's manifest "
            "records.", f"It was changed or cut short after shard {shard.shard} was built (an upload or "
            "download that failed?). Build that shard again, then merge.")


def tool_warnings(shards: list[ShardFolder]) -> list[Problem]:
    """Shards laid out with other library versions make a valid pack, but not the bytes a
    whole build on one machine makes: say so."""
    first = shards[0].record["tools"]
    differ = sorted({name for s in shards[1:] for name in set(s.record["tools"]) | set(first)
                     if s.record["tools"].get(name) != first.get(name)})
    if not differ:
        return []
    return [Problem(f"The shards were laid out with different versions of {shown(', '.join(differ), 120)}: "
                    "their pages may differ a little from one whole build's.", None,
                    hint="Build every shard on the same runner image, with the same makecase and libraries.")]


def quoted(folder: Path) -> str:
    """A folder or file as the person typed it (paths can be long: a CI runner's workspace)."""
    return f"'{shown(folder, 200)}'"


def _listed(items: list[str], most: int) -> str:
    """'a', 'a and b', 'a, b and c'; past `most` items, 'a, b, c and 7 more'."""
    if len(items) > most:
        return ", ".join(items[:most]) + f" and {len(items) - most} more"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
