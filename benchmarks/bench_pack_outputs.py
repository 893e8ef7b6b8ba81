"""Benchmark: the pack-wide files (pack.pdf, index.html, thumbnails) of a built pack.

Run on demand (not in the tests):  python benchmarks/bench_pack_outputs.py [--places 40] [--out DIR]

Builds the default pack and a pack of N places x 5 audiences (or reuses DIR/default and DIR/places
from an earlier run with --out), then, in this process, times:
(a) pack.pdf made from the pages' bytes (combine), its size and pages, and what turning the
    repeated logo, contact and colophon into artifacts costs (pack/running.py; the ratio of
    combine with it to combine without, in the same run);
(b) pack.pdf read back with the page checks (what `makecase check` adds);
(c) a build with nothing changed, as a whole process (pack.pdf kept, the index made again);
and sizes the thumbnails beside the full page pictures they stand in for on the index.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from makecase.pack.combine import PackPage, combine
from makecase.load.loader import load_project
from makecase.pack.outputs import pack_info
from makecase.check.pdf import check_pack_pdf

AUDIENCES = ["ics-leads", "commissioners", "trust-executives", "gps", "pcn-leads"]


def build(project: Path, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "makecase", "-C", str(project), "build", "-q", *args],
                   check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def measure(name: str, project: Path) -> None:
    out = project / "output"
    if not (out / "manifest.json").exists():
        print(f"{name}: building ({build(project, '--jobs', str(len(os.sched_getaffinity(0)))):.0f} s)")
    manifest = json.loads((out / "manifest.json").read_text())
    documents = manifest["documents"]
    pages = [PackPage((out / d["files"]["pdf"]["path"]).read_bytes(), d["audience"], d["place"], d["title"])
             for d in documents]
    started = time.perf_counter()
    data = combine(pages, pack_info(load_project(project)))
    made = time.perf_counter() - started
    print(f"{name}: (a) pack.pdf of {len(pages)} pages in {made:.2f} s, {len(data) / 1e6:.2f} MB "
          f"({len(data) / len(pages) / 1e3:.0f} kB a page; the pages' own PDFs: "
          f"{sum(len(p.pdf) for p in pages) / len(pages) / 1e3:.0f} kB)")
    with_artifacts, without = _running_cost(pages, pack_info(load_project(project)))
    print(f"{name}: (a) running parts as artifacts: combine best {with_artifacts:.2f} s with, "
          f"{without:.2f} s without, ratio {with_artifacts / without:.2f}")
    started = time.perf_counter()
    problems = check_pack_pdf(data)
    print(f"{name}: (b) read back with the page checks in {time.perf_counter() - started:.2f} s, "
          f"{len(problems)} problem(s)")
    again = min(build(project) for _ in range(3))
    print(f"{name}: (c) build with nothing changed, whole process: best {again:.2f} s of 3")
    thumbs = [d["files"]["thumb"]["bytes"] for d in documents if "thumb" in d["files"]]
    pictures = [d["files"]["png"]["bytes"] for d in documents if "png" in d["files"]]
    print(f"{name}: thumbnails {sum(thumbs) / len(thumbs) / 1e3:.0f} kB each (the full pictures "
          f"{sum(pictures) / max(len(pictures), 1) / 1e3:.0f} kB), index.html "
          f"{(out / 'index.html').stat().st_size / 1e3:.0f} kB")


def _running_cost(pages: list[PackPage], info) -> tuple[float, float]:
    """Best of 3 combines with the running parts turned into artifacts, and best of 3 without."""
    from makecase.pack import running

    def best() -> float:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            combine(pages, info)
            times.append(time.perf_counter() - started)
        return min(times)

    with_artifacts = best()
    original = running.RunningParts.hide_repeats
    running.RunningParts.hide_repeats = lambda *args, **kwargs: 0
    try:
        return with_artifacts, best()
    finally:
        running.RunningParts.hide_repeats = original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", type=int, default=40)
    parser.add_argument("--out", type=Path, help="keep the built packs here, to measure again")
    args = parser.parse_args()
    print(f"machine: {platform.platform()}, Python {platform.python_version()}, "
          f"{len(os.sched_getaffinity(0))} CPUs available")
    with tempfile.TemporaryDirectory() as tmp:
        root = args.out or Path(tmp)
        default = root / "default"
        default.mkdir(parents=True, exist_ok=True)
        measure("default pack", default)
        places = root / "places"
        (places / "content").mkdir(parents=True, exist_ok=True)
        (places / "makecase.yaml").write_text(
            "partnership:\n  name: Benchmark partnership\naudiences: [" + ", ".join(AUDIENCES) + "]\n")
        (places / "content" / "places.yaml").write_text("places:\n" + "".join(
            f"  - id: place-{i:02d}\n    name: Place {i:02d}\n" for i in range(args.places)))
        measure(f"{args.places} places x {len(AUDIENCES)} audiences", places)


if __name__ == "__main__":
    main()
