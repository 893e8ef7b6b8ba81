"""Pack stage, across CI runners: which documents shard K of N builds, and what its folder records.

`makecase build --shard K/N` builds a fixed 1/N of the pack: the documents of the selection
(-a, -p; every document without them) in content order (places in places.yaml order, then
audiences), every Nth one starting with the Kth. The assignment depends only on the content, so
every runner agrees on it; shards differ in size by one document at most; and a place added at
the end of places.yaml leaves every earlier document in the shard it was in (a runner's cached
shard folder stays useful).

A shard's folder holds its documents' files and a manifest.json that is a build's manifest plus
a `shard` record: which shard it is, a fingerprint of everything the pack is made from (the
makecase version, the selection, the loaded content and settings, the templates and brand
files) and the versions of the libraries that laid it out. `makecase merge` (merge.py) checks
the shards against each other and against the project with these, then writes the pack.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from makecase import resources
from makecase.tool_versions import tool_versions
from makecase.page.compose import Briefing
from makecase.page.document import Document, files_to_write
from makecase.errors import MakecaseError, shown
from makecase.load.loader import Project
from makecase.pack.manifest import content_order, manifest_for
from makecase.load.project import COLLECTIONS
from makecase.output.folder import MANIFEST
from makecase.output.publish import publish
from makecase.version import __version__

SHARD_HINT = "--shard takes K/N with 1 ≤ K ≤ N, e.g. --shard 2/4 builds the second of four shards."
# More runners than GitHub's matrix (256 jobs) or GitLab's `parallel` (200) can start.
MAX_SHARDS = 1000


@dataclass(frozen=True)
class Shard:
    """Shard `index` (1 to total) of a pack split `total` ways."""

    index: int
    total: int

    def __str__(self) -> str:
        return f"{self.index}/{self.total}"

    def select(self, project: Project, briefings: list[Briefing]) -> list[Briefing]:
        """This shard's briefings: every Nth of the selection in content order, from the Kth."""
        return sorted(briefings, key=content_order(project))[self.index - 1::self.total]


def parse_shard(text: str) -> Shard:
    """K/N as a person typed it, or an error saying what is wrong and what to type."""
    match = re.fullmatch(r"\s*([0-9]{1,9})\s*/\s*([0-9]{1,9})\s*", text)
    if not match:
        raise MakecaseError.single(f"'--shard {shown(text)}' is not K/N (two whole numbers with a / between).",
                                   hint=SHARD_HINT)
    index, total = int(match.group(1)), int(match.group(2))
    if not 1 <= total <= MAX_SHARDS:
        raise MakecaseError.single(f"'--shard {shown(text)}': N, the number of shards, must be from 1 to "
                                   f"{MAX_SHARDS}.", hint=SHARD_HINT)
    if not 1 <= index <= total:
        raise MakecaseError.single(f"'--shard {shown(text)}': K must be from 1 to N ({total}).", hint=SHARD_HINT)
    return Shard(index, total)


def selection_of(project: Project, audiences: list[str], places: list[str],
                 formats: tuple[str, ...]) -> dict:
    """What a build was asked for (-a, -p, --format), in a form that does not depend on the
    order options were typed in: ids in content order, None for every one."""
    return {"audiences": [a for a in project.audiences if a in audiences] or None,
            "places": [p for p in project.places if p in places] or None,
            "formats": sorted(set(formats))}


def write_shard(project: Project, documents: list[Document], out_dir: Path, shard: Shard,
                selection: dict) -> list[Path]:
    """The shard's files and its manifest (the build's, with the shard record), replacing the
    previous set in out_dir whole. No index or other pack-wide file: merge makes those."""
    files, keep = files_to_write(documents)
    manifest = manifest_for(project, documents)
    manifest["shard"] = {"index": shard.index, "total": shard.total,
                         "content": content_fingerprint(project, selection),
                         "selection": selection, "tools": tool_versions()}
    files[MANIFEST] = (json.dumps(manifest, indent=2) + "\n").encode("utf-8")
    return publish(out_dir, files, keep)


def content_fingerprint(project: Project, selection: dict) -> str:
    """A hash of everything the pack's files are made from that is the same on every machine:
    the makecase version, the selection, the loaded content and settings (packaged and the
    project's own, as validated), and the bytes of the templates and brand files. Not the
    system's libraries (merge runs without them) and not folder names (a CI checkout's path)."""
    record = {
        "makecase": __version__,
        "selection": selection,
        "settings": project.settings.model_dump(mode="json"),
        "contact": project.default_contact.model_dump(mode="json") if project.default_contact else None,
        "content": {c.name: [item.model_dump(mode="json") for item in getattr(project, c.name).values()]
                    for c in COLLECTIONS},
        "templates": _template_hashes(project),
        "brand": _brand_hashes(project),
    }
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode("utf-8")).hexdigest()


def _template_hashes(project: Project) -> dict[str, str]:
    """Every file in the template folders by name (a link by where it points: never followed)."""
    packaged = resources.templates_dir().resolve()
    found: dict[str, str] = {}
    for folder in project.template_dirs:
        label = "package" if folder.resolve() == packaged else "project"
        for path in sorted(folder.rglob("*")):
            name = f"{label}/{path.relative_to(folder).as_posix()}"
            if path.is_symlink():
                found[name] = "link to " + os.readlink(path)
            elif path.is_file():
                found[name] = _file_sha256(path)
    return found


def _brand_hashes(project: Project) -> dict:
    brand = project.brand_files
    return {"extra_css": hashlib.sha256(brand.extra_css.encode("utf-8")).hexdigest(),
            "logo": hashlib.sha256(brand.logo.data).hexdigest() if brand.logo else None,
            "fonts": {name: hashlib.sha256(asset.data).hexdigest()
                      for name, asset in sorted((brand.fonts or {}).items())}}


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
