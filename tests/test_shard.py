"""A pack split across CI runners: `build --shard K/N` on each, `merge` at the end, as a CI job
would run them; the merged folder is the whole pack, byte for byte, or merge says what is wrong."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import invoke
from makecase.load.loader import load_project
from makecase.pack.shard import parse_shard

PLACES = """
    places:
      - id: kirklees
        name: Kirklees
      - id: calderdale
        name: Calderdale
      - id: wakefield
        name: Wakefield
    """
WITH_LEEDS = PLACES.rstrip(" ") + "      - id: leeds\n        name: Leeds\n"


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def files(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by its path, as bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def built(root: Path, *args) -> None:
    code, out = invoke("-C", root, "build", "-q", *args)
    assert code == 0, out


def shards(root: Path, total: int, *options) -> list[Path]:
    """Each shard built into its own folder, as each CI runner would."""
    folders = []
    for index in range(1, total + 1):
        folder = root / "shards" / f"shard-{index}"
        built(root, "--shard", f"{index}/{total}", "--out", folder, *options)
        folders.append(folder)
    return folders


def merged(root: Path, folders: list[Path], out: Path | None = None) -> tuple[int, str]:
    return invoke("-C", root, "merge", "--out", out or root / "merged", *folders)


@pytest.fixture
def places(tmp_path) -> Path:
    write(tmp_path, "content/places.yaml", PLACES)
    return tmp_path


@pytest.fixture
def two_shards(places) -> list[Path]:
    """Three places, two audiences, web pages only (quick): three pages in each shard."""
    return shards(places, 2, "--format", "html", "-a", "gps", "-a", "pcn-leads")


@pytest.mark.parametrize("total, options", [
    (2, ["--format", "html"]),
    (3, ["--format", "html"]),
    # Shards of a selection merge into that selection, as `build -a -p` writes it into an empty folder.
    (2, ["--format", "html", "-p", "wakefield", "-p", "kirklees", "-a", "gps", "-a", "ics-leads"]),
])
def test_merged_shards_are_the_whole_web_pack_byte_for_byte(places, total, options):
    built(places, "--out", places / "whole", *options)
    folders = shards(places, total, *options)
    code, out = merged(places, folders)
    assert code == 0, out
    whole, together = files(places / "whole"), files(places / "merged")
    assert "index.html" in whole and "manifest.json" in whole
    assert sorted(together) == sorted(whole)
    assert [name for name in whole if whole[name] != together[name]] == []
    # Each shard held a fixed, balanced part: every page once, no shard more than one page bigger.
    sizes = [len(json.loads((f / "manifest.json").read_text())["documents"]) for f in folders]
    pages = len(json.loads((places / "whole" / "manifest.json").read_text())["documents"])
    assert sum(sizes) == pages and max(sizes) - min(sizes) <= 1 and min(sizes) > 0


def test_merged_shards_are_the_whole_pack_with_pdfs_and_pictures(places):
    # Two audiences in makecase.yaml, so `makecase build` with no options is the whole pack.
    write(places, "makecase.yaml", "audiences: [gps, pcn-leads]\n")
    built(places, "--out", places / "whole")
    code, out = merged(places, shards(places, 2))
    assert code == 0 and "6 briefing(s)" in out, out
    whole, together = files(places / "whole"), files(places / "merged")
    # Six pages, each with its PDF, picture and thumbnail, and every page in pack.pdf.
    pages = [name for name in whole if name.endswith(".pdf") and name != "pack.pdf"]
    assert len(pages) == 6 and "pack.pdf" in whole
    assert sum(n.endswith(".thumb.png") for n in whole) == 6
    assert sum(n.endswith(".png") and not n.endswith(".thumb.png") for n in whole) == 6
    assert sorted(together) == sorted(whole)
    # The fingerprint each manifest records hashes the project folder as it then is: the merge's
    # also holds whole/ (fingerprint.py reads every folder but the one written and the shards').
    bare = [{k: v for k, v in json.loads(pack.pop("manifest.json")).items() if k != "fingerprint"}
            for pack in (whole, together)]
    assert bare[0] == bare[1]
    assert [name for name in whole if whole[name] != together[name]] == []


def test_a_shard_folder_holds_its_pages_and_a_manifest_saying_which_shard(places, two_shards):
    first = json.loads((two_shards[0] / "manifest.json").read_text())
    record = first["shard"]
    assert (record["index"], record["total"]) == (1, 2)
    assert record["selection"] == {"audiences": ["gps", "pcn-leads"], "places": None, "formats": ["html"]}
    # Every other page of the pack in content order (places.yaml order, then audiences).
    assert [(d["place"], d["audience"]) for d in first["documents"]] == [
        ("kirklees", "gps"), ("calderdale", "gps"), ("wakefield", "gps")]
    assert sorted(files(two_shards[0])) == ["calderdale/gps.html", "kirklees/gps.html", "manifest.json",
                                            "wakefield/gps.html"]


def test_merge_loads_no_weasyprint(places, two_shards):
    code = (f"import sys; from makecase.pack.merge import merge\n"
            f"merge({str(places)!r}, {[str(f) for f in two_shards]!r}, {str(places / 'merged')!r})\n"
            "print('\\n'.join(sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "makecase.pack.build" in done.stdout.split() and "weasyprint" not in done.stdout.split()
    assert (places / "merged" / "index.html").is_file()


def test_merge_refuses_a_changed_or_missing_file_and_writes_nothing(places, two_shards):
    (two_shards[1] / "kirklees" / "pcn-leads.html").write_text("changed", encoding="utf-8")
    (two_shards[0] / "wakefield" / "gps.html").unlink()
    code, out = merged(places, two_shards)
    assert code == 2, out
    assert "shard-2/kirklees/pcn-leads.html' is not as the shard wrote it" in out
    assert "shard-1/wakefield/gps.html' is missing" in out
    assert "Build that shard again" in out and "nothing was written" in out
    assert not (places / "merged").exists()


def test_merge_says_a_file_reached_through_a_link_is_a_link(places, two_shards, tmp_path):
    page = two_shards[1] / "kirklees" / "pcn-leads.html"
    copy = tmp_path / "elsewhere.html"
    copy.write_bytes(page.read_bytes())  # the very bytes the shard wrote, now behind a link
    page.unlink()
    page.symlink_to(copy)
    code, out = merged(places, two_shards)
    assert code == 2 and "pcn-leads.html' is a symbolic link" in out, out
    assert "SHA-256" not in out
    assert not (places / "merged").exists()


def test_merge_refuses_shards_of_other_content_than_the_project(places, two_shards):
    write(places, "content/places.yaml", WITH_LEEDS)
    code, out = merged(places, two_shards)
    assert code == 2 and "built from other content, settings or templates than the project" in out, out
    # Rebuilding one shard only: the two no longer belong together.
    built(places, "--shard", "2/2", "--out", two_shards[1], "--format", "html", "-a", "gps", "-a", "pcn-leads")
    code, out = merged(places, two_shards)
    assert code == 2 and "were built from different content, settings or templates" in out, out
    assert not (places / "merged").exists()


def test_merge_refuses_shards_of_another_makecase_version_or_other_options(places, two_shards):
    built(places, "--shard", "2/2", "--out", two_shards[1], "--format", "html", "-a", "gps")
    code, out = merged(places, two_shards)
    assert code == 2 and "different choices of pages (-a, -p or --format)" in out, out
    again = shards(places, 2, "--format", "html")  # the same options on both, then another version
    for folder in again:
        manifest = json.loads((folder / "manifest.json").read_text())
        manifest["generator"] = "makecase 0.1.0"
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    code, out = merged(places, again)
    assert code == 2 and "The shards were built by makecase 0.1.0; this is makecase" in out, out


def test_merge_refuses_a_whole_build_a_missing_folder_and_its_own_input_as_output(places, two_shards):
    built(places, "--out", places / "whole", "--format", "html", "-a", "gps")
    code, out = merged(places, [two_shards[0], places / "whole", places / "nowhere"])
    assert code == 2, out
    assert "holds a whole build, not a shard" in out and "nowhere' is not a folder" in out
    code, out = merged(places, two_shards, out=two_shards[0])
    assert code == 2 and "is one of the shard folders" in out, out
    code, out = merged(places, two_shards, out=two_shards[1] / "pack")  # inside one: merged into itself
    assert code == 2 and "or inside one" in out, out
    assert not (two_shards[1] / "pack").exists()


def test_merging_again_replaces_the_previous_pack(places, two_shards):
    assert merged(places, two_shards)[0] == 0
    (places / "merged" / "mine.txt").write_text("a person's file", encoding="utf-8")
    built_again = shards(places, 2, "--format", "html", "-a", "gps")
    code, out = merged(places, built_again)
    assert code == 0, out
    assert sorted(files(places / "merged")) == ["calderdale/gps.html", "index.html", "kirklees/gps.html",
                                                "manifest.json", "mine.txt", "wakefield/gps.html"]


# --- the assignment, without laying anything out -----------------------------------------------------


def slugs(root: Path, shard: str, audiences: list[str] | None = None) -> list[str]:
    from makecase.page.compose import briefings_for

    project = load_project(root)
    return [b.slug for b in parse_shard(shard).select(project, briefings_for(project, audiences))]


def test_shards_are_fixed_balanced_and_cover_the_pack_once(places):
    pack = slugs(places, "1/1")
    assert len(pack) == 18 and pack[:2] == ["kirklees/ics-leads", "kirklees/commissioners"]
    for total in (2, 4, 7):
        parts = [slugs(places, f"{k}/{total}") for k in range(1, total + 1)]
        flat = [slug for part in parts for slug in part]
        assert sorted(flat) == sorted(pack) and len(flat) == len(set(flat))
        assert max(map(len, parts)) - min(map(len, parts)) <= 1
    # Every Nth page in content order, from the Kth: the same on every machine.
    assert slugs(places, "2/4") == pack[1::4] == ["kirklees/commissioners", "kirklees/pcn-leads",
                                                 "calderdale/senior-clinicians", "wakefield/commissioners",
                                                 "wakefield/pcn-leads"]
    # The order options were typed in does not move a page to another shard.
    assert slugs(places, "1/2", ["pcn-leads", "gps"]) == slugs(places, "1/2", ["gps", "pcn-leads"])


def test_a_place_added_at_the_end_leaves_every_page_in_its_shard(places):
    before = {k: slugs(places, f"{k}/3") for k in (1, 2, 3)}
    write(places, "content/places.yaml", WITH_LEEDS)
    after = {k: slugs(places, f"{k}/3") for k in (1, 2, 3)}
    assert all(after[k][:len(before[k])] == before[k] for k in before)
    added = [s for k in after for s in after[k][len(before[k]):]]
    assert all(s.startswith("leeds/") for s in added)
    # Leeds gets as many pages as any other place, spread over the shards.
    first_place = before[1][0].split("/")[0]
    assert len(added) == sum(s.startswith(first_place + "/") for k in before for s in before[k]) > 0


def test_more_shards_than_pages_leaves_some_empty_and_merge_still_makes_the_pack(tmp_path):
    folders = shards(tmp_path, 3, "--format", "html", "-a", "gps", "-a", "pcn-leads")
    assert json.loads((folders[2] / "manifest.json").read_text())["documents"] == []
    code, out = merged(tmp_path, folders)
    assert code == 0 and "2 briefing(s)" in out, out


@pytest.mark.parametrize("typed, says", [
    ("3/2", "K must be from 1 to N (2)"), ("0/4", "K must be from 1 to N (4)"),
    ("1/0", "N, the number of shards, must be from 1 to 1000"), ("1/1001", "must be from 1 to 1000"),
    ("half", "is not K/N"), ("1/2/3", "is not K/N"),
    ("١/٢", "is not K/N"), ("1/" + "9" * 40, "is not K/N"),
])
def test_shard_must_be_k_of_n(tmp_path, typed, says):
    code, out = invoke("-C", tmp_path, "build", "--shard", typed, "--out", tmp_path / "out")
    assert code == 2 and says in out and "--shard takes K/N with 1 ≤ K ≤ N, e.g. --shard 2/4" in out, out
    assert not (tmp_path / "out").exists()


def test_the_content_fingerprint_is_the_same_in_any_folder_and_process(places, tmp_path_factory):
    # A CI runner checks out the project in its own folder, with its own hash seed.
    elsewhere = tmp_path_factory.mktemp("another-runner") / "checkout"
    shutil.copytree(places, elsewhere)
    code = ("import sys; from makecase.load.loader import load_project; from makecase.pack.shard import content_fingerprint\n"
            "print(content_fingerprint(load_project(sys.argv[1]), {'formats': ['html']}))")

    def fingerprint(root: Path, seed: str) -> str:
        done = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True,
                              timeout=120, env={**os.environ, "PYTHONHASHSEED": seed}, check=True)
        return done.stdout.strip()

    first = fingerprint(places, "1")
    assert len(first) == 64 and fingerprint(elsewhere, "2") == first
    write(elsewhere, "templates/partials/footer.html", "{# a project's own footer #}\n")
    assert fingerprint(elsewhere, "2") != first


def test_merge_refuses_a_manifest_that_lists_a_page_twice_or_another_shards_or_lacks_one(places, two_shards):
    first, second = (json.loads((f / "manifest.json").read_text()) for f in two_shards)
    first["documents"] = [first["documents"][0], first["documents"][0], second["documents"][0],
                          dict(first["documents"][0], audience=["gps"])]  # damaged: not a crash
    (two_shards[0] / "manifest.json").write_text(json.dumps(first), encoding="utf-8")
    code, out = merged(places, two_shards)
    assert code == 2, out
    assert "lists the page 'kirklees/gps', which is listed twice" in out
    assert "lists the page 'kirklees/pcn-leads', which is another shard's" in out
    assert "lists the page 'kirklees/['gps']', which is not in the pack" in out
    assert "lacks 2 of its pages: calderdale/gps and wakefield/gps" in out
    assert not (places / "merged").exists()
