"""Benchmark: the whole pack as CI builds it, each figure a whole `makecase build` process.

Run on demand (not in the tests):  python benchmarks/bench_pack.py [--places 40] [--rounds 1]

(a) the default pack (6 audiences, PDF + HTML + PNG) from cold, into an empty folder, --jobs 1
    and --jobs 2;
(b) the same build again with nothing changed (nothing to lay out: WeasyPrint is not loaded);
(c) a partnership pack of N places x 5 audiences (N x 5 pages) at --jobs 1 and --jobs 2, and
    checks both wrote byte-identical files.

Each figure is the wall time of a new process (`python -m makecase ...`), imports included,
as a CI job meets it. Machines here are shared and noisy: give the best of the rounds.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AUDIENCES = ["ics-leads", "commissioners", "trust-executives", "gps", "pcn-leads"]


def build(project: Path, out: Path, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "makecase", "-C", str(project), "build", "-q", "--out", str(out),
                    *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def best(times: list[float]) -> str:
    return f"best {min(times):.1f} s" + (f" (of {len(times)})" if len(times) > 1 else "")


def machine() -> str:
    """The machine the figures were measured on, for the first line of a benchmark's output."""
    return (f"machine: {platform.platform()}, Python {platform.python_version()}, "
            f"{len(os.sched_getaffinity(0))} CPUs available")


def partnership_project(folder: Path, places: int) -> int:
    """A partnership's project of `places` places x the AUDIENCES; returns how many pages it has."""
    (folder / "content").mkdir(parents=True)
    (folder / "makecase.yaml").write_text(
        "partnership:\n  name: Benchmark partnership\naudiences: [" + ", ".join(AUDIENCES) + "]\n")
    (folder / "content" / "places.yaml").write_text("places:\n" + "".join(
        f"  - id: place-{i:02d}\n    name: Place {i:02d}\n" for i in range(places)))
    return places * len(AUDIENCES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    print(machine())

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        default = root / "default"
        default.mkdir()
        for jobs in ("1", "2"):
            cold = [build(default, root / f"out-{jobs}-{r}", "--jobs", jobs) for r in range(args.rounds)]
            print(f"(a) default pack, cold, --jobs {jobs}: {best(cold)}")
        again = [build(default, root / "out-1-0") for _ in range(max(args.rounds, 3))]
        print(f"(b) default pack, nothing changed: {best(again)}")

        partnership = root / "partnership"
        pages = partnership_project(partnership, args.places)
        results = {}
        for jobs in ("1", "2"):
            times = [build(partnership, root / f"big-{jobs}-{r}", "--jobs", jobs) for r in range(args.rounds)]
            results[jobs] = digests(root / f"big-{jobs}-0")
            print(f"(c) {args.places} places x {len(AUDIENCES)} audiences ({pages} pages), --jobs {jobs}: "
                  f"{best(times)}, {min(times) / pages * 1000:.0f} ms a page")
        print(f"    --jobs 1 and --jobs 2 wrote byte-identical files: {results['1'] == results['2']} "
              f"({len(results['1'])} files)")


if __name__ == "__main__":
    main()
