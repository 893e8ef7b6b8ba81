"""Nothing lost: the output set is replaced as a whole, stale files are removed only if this tool
wrote them, a killed build is finished by the next one, and two builds never write one folder."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import makecase
from makecase.output import journal
from makecase.output import folder as output_folder
from makecase.cli.commands import cli
from makecase.output.journal import JOURNAL, locked
from makecase.output.publish import publish


def manifest_for(files: dict[str, bytes]) -> bytes:
    """A manifest as a build writes it, listing `files` (what a previous build left)."""
    return json.dumps({"documents": [{"files": {
        str(i): {"path": rel, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        for i, (rel, data) in enumerate(files.items())}}]}).encode()


def listing(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def test_stale_pages_are_removed_and_new_ones_replace_the_old_set(tmp_path):
    out = tmp_path / "out"
    old = {"gps.pdf": b"old gps", "kirklees/gps.pdf": b"old kirklees"}
    publish(out, {**old, "manifest.json": manifest_for(old)})
    new = {"gps.pdf": b"new gps"}
    publish(out, {**new, "manifest.json": manifest_for(new)})
    assert listing(out) == {"gps.pdf": b"new gps", "manifest.json": manifest_for(new)}
    assert not (out / "kirklees").exists()  # an emptied page folder goes too


def test_a_manifest_pointing_through_a_symlink_deletes_nothing_outside(tmp_path):
    """The reported hole: output/ln is a link to another folder and the manifest lists ln/important.txt."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "important.txt").write_bytes(b"keep me")
    out = tmp_path / "out"
    out.mkdir()
    (out / "ln").symlink_to(elsewhere)
    (out / "link.pdf").symlink_to(elsewhere / "important.txt")
    listed = {"ln/important.txt": b"keep me", "link.pdf": b"keep me", "../elsewhere/important.txt": b"keep me",
              str(elsewhere / "important.txt"): b"keep me"}
    (out / "manifest.json").write_bytes(manifest_for(listed))
    publish(out, {"gps.pdf": b"new", "manifest.json": b"{}"})
    assert (elsewhere / "important.txt").read_bytes() == b"keep me"
    assert (out / "ln").is_symlink() and (out / "link.pdf").is_symlink()


def test_a_file_a_person_changed_or_added_is_never_removed(tmp_path):
    out = tmp_path / "out"
    old = {"gps.pdf": b"built by makecase", "notes.pdf": b"built by makecase too"}
    publish(out, {**old, "manifest.json": manifest_for(old)})
    (out / "notes.pdf").write_bytes(b"edited by a person")
    (out / "keep.txt").write_bytes(b"a person's file")
    publish(out, {"gps.pdf": b"new", "manifest.json": manifest_for({"gps.pdf": b"new"})})
    assert (out / "notes.pdf").read_bytes() == b"edited by a person"
    assert (out / "keep.txt").read_bytes() == b"a person's file"


def test_pages_are_not_written_through_a_symlinked_folder(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "kirklees").symlink_to(elsewhere)
    with pytest.raises(makecase.MakecaseError) as caught:
        publish(out, {"kirklees/gps.pdf": b"x", "manifest.json": b"{}"})
    assert "symbolic link" in caught.value.render()
    assert list(elsewhere.iterdir()) == [] and not (out / "manifest.json").exists()


def a_folder_of_every_kind(tmp_path: Path) -> Path:
    """An output folder holding what a person or a hostile project may leave in one: files,
    folders, symlinks to a file and to a folder outside it, and a named pipe."""
    import os

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("private")
    out = tmp_path / "out"
    (out / "folder").mkdir(parents=True)
    (out / "plain.pdf").write_bytes(b"ours")
    (out / "folder" / "inner.pdf").write_bytes(b"ours")
    (out / "link.pdf").symlink_to(outside / "secret.txt")
    (out / "linkdir").symlink_to(outside)
    os.mkfifo(out / "pipe")
    return out


# path in the output folder -> (what stands there, may a build write a file there?)
REACHED = {
    "plain.pdf": (output_folder.FILE, True),
    "folder/inner.pdf": (output_folder.FILE, True),
    "new.pdf": (output_folder.ABSENT, True),
    "new/deeper/x.pdf": (output_folder.ABSENT, True),
    "link.pdf": (output_folder.OTHER, True),  # the link itself is replaced, never followed
    "pipe": (output_folder.OTHER, True),
    "folder": (output_folder.FOLDER, "is a folder, but this build writes a file"),
    "linkdir/secret.txt": (output_folder.LINK_ON_THE_WAY, "is a symbolic link"),
    "plain.pdf/x.pdf": (output_folder.NOT_A_FOLDER_ON_THE_WAY, "is a file, but this build needs a folder"),
}


@pytest.mark.parametrize("rel", sorted(REACHED))
def test_one_rule_says_what_a_build_may_write_and_which_files_are_plain(tmp_path, rel):
    out = a_folder_of_every_kind(tmp_path)
    found, writable = REACHED[rel]
    assert output_folder.reach(out, rel)[0] == found
    # Only an ordinary file reached without a link is ever read back, kept or removed.
    assert output_folder.is_plain_file(out, rel) == (found == output_folder.FILE)
    if writable is True:
        output_folder.check_writable(out, rel)
    else:
        with pytest.raises(makecase.MakecaseError) as caught:
            output_folder.check_writable(out, rel)
        assert writable in caught.value.render()
    assert (tmp_path / "outside" / "secret.txt").read_text() == "private"
    assert sorted(p.name for p in (tmp_path / "outside").iterdir()) == ["secret.txt"]


def test_a_page_written_over_a_link_replaces_the_link_not_the_file_it_points_to(tmp_path):
    out = a_folder_of_every_kind(tmp_path)
    publish(out, {"link.pdf": b"new", "manifest.json": b"{}"})
    assert not (out / "link.pdf").is_symlink() and (out / "link.pdf").read_bytes() == b"new"
    assert (tmp_path / "outside" / "secret.txt").read_text() == "private"


@pytest.mark.parametrize("rel", ["folder", "plain.pdf/x.pdf", "linkdir/x.pdf"])
def test_a_build_that_cannot_write_a_page_writes_nothing(tmp_path, rel):
    out = a_folder_of_every_kind(tmp_path)
    before = listing(out)
    with pytest.raises(makecase.MakecaseError):
        publish(out, {"a.pdf": b"a", rel: b"x", "manifest.json": b"{}"})
    assert listing(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith(".makecase-")]


@pytest.mark.parametrize("rel", [".", "./", "", "../x.pdf", "/etc/x.pdf", ".makecase-x/a.pdf"])
def test_a_path_that_is_not_a_file_inside_the_output_folder_is_refused(tmp_path, rel):
    with pytest.raises(makecase.MakecaseError) as caught:
        publish(tmp_path / "out", {rel: b"x"})
    assert "is not a path inside the output folder" in caught.value.render()


def test_a_journal_naming_the_staging_folder_itself_moves_nothing(tmp_path):
    from makecase.output.folder import STAGING_PREFIX

    out = tmp_path / "out"
    staging = out / (STAGING_PREFIX + "z")
    staging.mkdir(parents=True)
    (staging / "a.pdf").write_bytes(b"staged")
    (out / JOURNAL).write_text(json.dumps({"staging": STAGING_PREFIX + "z", "files": ["."], "stale": []}))
    publish(out, {"b.pdf": b"b", "manifest.json": b"{}"})
    assert listing(out) == {"b.pdf": b"b", "manifest.json": b"{}"}


@pytest.mark.parametrize("manifest", [
    b"not json", b"[]", b'{"documents": {}}', b'{"documents": [1]}', b'{"documents": [{"files": []}]}',
])
def test_a_manifest_this_tool_did_not_write_is_read_as_none(tmp_path, manifest):
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_bytes(manifest)
    assert output_folder.read_manifest(out) == {}


def test_a_linked_manifest_is_not_read(tmp_path):
    out = a_folder_of_every_kind(tmp_path)
    (tmp_path / "outside" / "manifest.json").write_bytes(manifest_for({"plain.pdf": b"ours"}))
    (out / "manifest.json").symlink_to(tmp_path / "outside" / "manifest.json")
    assert output_folder.read_manifest(out) == {}


@pytest.mark.parametrize("entry", [None, "gps.pdf", {"path": "gps.pdf"}, {"path": 1, "sha256": "x"},
                                   {"path": "../gps.pdf", "sha256": "x"}, {"path": "/etc/passwd", "sha256": "x"}])
def test_a_manifest_entry_that_names_no_safe_file_is_passed_over(entry):
    assert output_folder.file_entry(entry) is None


def test_a_file_is_ours_only_while_its_bytes_match_and_it_is_a_plain_file(tmp_path, monkeypatch):
    out = a_folder_of_every_kind(tmp_path)
    digest = hashlib.sha256(b"ours").hexdigest()
    assert output_folder.read_if_ours(out, "plain.pdf", digest) == b"ours"
    assert output_folder.read_if_ours(out, "plain.pdf", hashlib.sha256(b"other").hexdigest()) is None
    # Swapped for a link or a pipe after the check (a race): the open itself still refuses it.
    monkeypatch.setattr(output_folder, "is_plain_file", lambda out_dir, rel: True)
    assert output_folder.read_if_ours(out, "link.pdf", hashlib.sha256(b"private").hexdigest()) is None
    assert output_folder.read_if_ours(out, "pipe", digest) is None


def test_a_file_that_appears_where_a_folder_is_made_stops_the_move(tmp_path):
    out = a_folder_of_every_kind(tmp_path)
    with pytest.raises(makecase.MakecaseError) as caught:
        output_folder.make_parents(out, "plain.pdf/gps.pdf")
    assert "'plain.pdf' in the output folder is not a real folder" in caught.value.render()


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs (no except or finally of ours catches it)."""


def kill_after(monkeypatch, moves: int) -> None:
    real = journal.move_into_place
    count = {"n": 0}

    def move(source, target):
        if count["n"] == moves:
            raise Killed()
        count["n"] += 1
        real(source, target)

    monkeypatch.setattr(journal, "move_into_place", move)


@pytest.mark.parametrize("moves", [0, 1, 2, 3])
def test_a_build_killed_while_moving_files_is_finished_by_the_next_start(tmp_path, monkeypatch, moves):
    out = tmp_path / "out"
    old = {"a.pdf": b"old a", "b.pdf": b"old b", "gone.pdf": b"old gone"}
    publish(out, {**old, "manifest.json": manifest_for(old)})
    new = {"a.pdf": b"new a", "b.pdf": b"new b", "c.pdf": b"new c"}
    new_set = {**new, "manifest.json": manifest_for(new)}
    kill_after(monkeypatch, moves)
    with pytest.raises(Killed):
        publish(out, new_set)
    monkeypatch.undo()
    assert (out / JOURNAL).exists()
    with locked(out):
        journal.recover(out)
    assert listing(out) == new_set  # complete, with the stale page gone and no staging left


def test_a_build_killed_before_its_commit_point_leaves_the_old_set(tmp_path, monkeypatch):
    out = tmp_path / "out"
    old = {"a.pdf": b"old a"}
    old_set = {**old, "manifest.json": manifest_for(old)}
    publish(out, old_set)

    def killed(path, data):
        raise Killed()

    monkeypatch.setattr(journal, "write_atomic", killed)
    with pytest.raises(Killed):
        publish(out, {"a.pdf": b"new a", "manifest.json": b"{}"})
    monkeypatch.undo()
    assert listing(out) == old_set
    # What a SIGKILL at that moment leaves (no cleanup of ours runs): a staging folder.
    (out / ".makecase-999-dead").mkdir()
    (out / ".makecase-999-dead" / "a.pdf").write_bytes(b"half-written")
    (out / (JOURNAL + ".tmp")).write_bytes(b"{")
    publish(out, old_set)  # the next build removes it
    assert listing(out) == old_set and not [p for p in out.iterdir() if p.name.startswith(".makecase-")]


def test_a_damaged_journal_is_not_trusted(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    (out / JOURNAL).write_text(json.dumps({"staging": "../..", "files": ["../victim.txt"], "stale": []}))
    publish(out, {"a.pdf": b"a", "manifest.json": b"{}"})
    assert victim.read_text() == "keep" and not (out / JOURNAL).exists()


def test_a_journal_whose_staging_folder_is_a_link_moves_nothing_in(tmp_path):
    """A project may ship output/.makecase-x as a symlink to a folder outside it, and a journal
    naming a file there: the next build must not move that file into the pack."""
    from makecase.output.folder import STAGING_PREFIX

    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.txt").write_text("private")
    (out / (STAGING_PREFIX + "x")).symlink_to(elsewhere)
    (out / JOURNAL).write_text(json.dumps({"staging": STAGING_PREFIX + "x", "files": ["secret.txt"],
                                           "stale": []}))
    publish(out, {"a.pdf": b"a", "manifest.json": b"{}"})
    assert (elsewhere / "secret.txt").read_text() == "private"
    assert not (out / "secret.txt").exists() and not (out / (STAGING_PREFIX + "x")).exists()


def test_a_link_inside_a_staging_folder_is_not_moved_into_the_pack(tmp_path):
    from makecase.output.folder import STAGING_PREFIX

    out = tmp_path / "out"
    staging = out / (STAGING_PREFIX + "y")
    staging.mkdir(parents=True)
    (tmp_path / "outside.txt").write_text("private")
    (staging / "gps.pdf").symlink_to(tmp_path / "outside.txt")
    (out / JOURNAL).write_text(json.dumps({"staging": STAGING_PREFIX + "y", "files": ["gps.pdf"], "stale": []}))
    publish(out, {"a.pdf": b"a", "manifest.json": b"{}"})
    assert not (out / "gps.pdf").is_symlink() and (tmp_path / "outside.txt").read_text() == "private"


def test_two_builds_cannot_write_one_folder_at_once(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with locked(out):
        result = CliRunner().invoke(cli, ["-C", str(tmp_path), "build", "-a", "gps", "-f", "html",
                                          "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "Another makecase build is writing to this output folder" in result.output
    assert list(out.iterdir()) == []


def test_a_real_build_removes_the_pages_no_longer_in_the_content(tmp_path):
    # A partial build keeps the rest of the pack (tests/test_pack.py); a page whose place has
    # gone from the content is stale, and removed.
    out = tmp_path / "out"
    places = tmp_path / "content" / "places.yaml"
    places.parent.mkdir()
    places.write_text("places:\n  - id: leeds\n    name: Leeds\n  - id: york\n    name: York\n")
    makecase.build(tmp_path, audiences=["gps"], formats=["html"], out=out)
    places.write_text("places:\n  - id: leeds\n    name: Leeds\n")
    makecase.build(tmp_path, audiences=["gps"], formats=["html"], out=out)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        "index.html", "leeds", "leeds/gps.html", "manifest.json"]


KILLER = """
import os, signal, sys
from pathlib import Path
from makecase.output import journal as j
from makecase.output import publish as p
moves = int(sys.argv[2])
real = j.move_into_place
count = [0]
def move(source, target):
    if count[0] == moves:
        os.kill(os.getpid(), signal.SIGKILL)
    count[0] += 1
    real(source, target)
j.move_into_place = move
import hashlib, json
pages = {"a.pdf": b"new a", "b.pdf": b"new b"}
manifest = {"documents": [{"files": {k: {"path": k, "sha256": hashlib.sha256(v).hexdigest()}
                                     for k, v in pages.items()}}]}
p.publish(Path(sys.argv[1]), {**pages, "manifest.json": json.dumps(manifest).encode()})
"""


@pytest.mark.parametrize("moves", [1])
def test_a_real_sigkill_mid_publish_leaves_a_set_the_next_build_completes(tmp_path, moves):
    import subprocess
    import sys

    out = tmp_path / "out"
    old = {"a.pdf": b"old a", "b.pdf": b"old b"}
    publish(out, {**old, "manifest.json": manifest_for(old)})
    done = subprocess.run([sys.executable, "-c", KILLER, str(out), str(moves)], timeout=60)
    assert done.returncode == -9
    left = listing(out)
    if (out / JOURNAL).exists():  # killed after the commit point: the staged new set is kept
        assert any(k.startswith(".makecase-") for k in left)
    else:
        assert {k: v for k, v in left.items() if not k.startswith(".makecase-")} == {
            **old, "manifest.json": manifest_for(old)}
    publish(out, {"a.pdf": b"newer a", "manifest.json": b"{}"})  # the next build: finishes, then its own
    assert listing(out) == {"a.pdf": b"newer a", "manifest.json": b"{}"}
    assert not [p for p in out.iterdir() if p.name.startswith(".makecase-")]


def test_a_full_disk_is_a_clear_error_and_the_old_set_stays(tmp_path, monkeypatch):
    import errno
    import pathlib

    out = tmp_path / "out"
    old = {"a.pdf": b"old a"}
    old_set = {**old, "manifest.json": manifest_for(old)}
    publish(out, old_set)

    def full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(pathlib.Path, "write_bytes", full)
    with pytest.raises(makecase.MakecaseError) as caught:
        publish(out, {"a.pdf": b"new a", "manifest.json": b"{}"})
    monkeypatch.undo()
    message = caught.value.render()
    assert "no space left on device" in message and "Free some disk space" in message
    assert listing(out) == old_set


def test_a_failing_build_still_completes_a_set_an_earlier_killed_build_left(tmp_path, monkeypatch):
    out = tmp_path / "out"
    old = {"a.pdf": b"old a", "b.pdf": b"old b"}
    publish(out, {**old, "manifest.json": manifest_for(old)})
    new = {"a.pdf": b"new a", "b.pdf": b"new b"}
    new_set = {**new, "manifest.json": manifest_for(new)}
    kill_after(monkeypatch, 1)
    with pytest.raises(Killed):
        publish(out, new_set)
    monkeypatch.undo()
    (tmp_path / "makecase.yaml").write_text("audiences: [no-such-audience]\n")
    result = CliRunner().invoke(cli, ["-C", str(tmp_path), "build", "--out", str(out)])
    assert result.exit_code == 2 and "Unknown audience id" in result.output
    assert listing(out) == new_set


def staged_folder(out: Path) -> Path:
    [staging] = [p for p in out.iterdir() if p.name.startswith(".makecase-") and p.is_dir()]
    return staging


def test_a_journal_is_finished_only_while_its_staged_pages_pass_the_check(tmp_path, monkeypatch):
    """A killed build's staging folder holds pages this tool checked; one changed since (a
    script put in) makes the journal not honoured: the old set stays, the staging goes."""
    from makecase.pack.fingerprint import staged_live_parts

    out = tmp_path / "out"
    old = {"a.html": b"<p>old a</p>", "b.html": b"<p>old b</p>"}
    old_set = {**old, "manifest.json": manifest_for(old)}
    publish(out, old_set)
    new = {"a.html": b"<p>new a</p>", "b.html": b"<p>new b</p>"}
    kill_after(monkeypatch, 0)
    with pytest.raises(Killed):
        publish(out, {**new, "manifest.json": manifest_for(new)})
    monkeypatch.undo()
    (staged_folder(out) / "b.html").write_bytes(b"<p>new b</p><script>steal()</script>")
    with locked(out):
        journal.recover(out, staged_live_parts)
    assert listing(out) == old_set


def test_a_journal_copied_with_its_staging_folder_is_not_honoured(tmp_path, monkeypatch):
    """The journal records the identity of a mark in its staging folder, which a copy (a CI
    cache, a pull request) cannot keep: only this tool's own staging is moved into place."""
    import shutil

    out = tmp_path / "out"
    old = {"a.pdf": b"old a"}
    publish(out, {**old, "manifest.json": manifest_for(old)})
    kill_after(monkeypatch, 0)
    with pytest.raises(Killed):
        publish(out, {"a.pdf": b"new a", "manifest.json": manifest_for({"a.pdf": b"new a"})})
    monkeypatch.undo()
    copy = tmp_path / "copy"
    shutil.copytree(out, copy, symlinks=True)
    with locked(copy):
        journal.recover(copy)
    assert listing(copy) == {**old, "manifest.json": manifest_for(old)}
    with locked(out):
        journal.recover(out)
    assert listing(out) == {"a.pdf": b"new a", "manifest.json": manifest_for({"a.pdf": b"new a"})}
