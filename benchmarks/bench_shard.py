"""Benchmark: a big pack split across CI runners, each figure a whole `makecase` process.

Run on demand (not in the tests):  python benchmarks/bench_shard.py [--places 40] [--shards 2] [--jobs 2]

Builds a partnership pack of N places x 5 audiences (N x 5 pages) whole, then as each shard
(`build --shard K/S`, one after another here, as S runners would at once), then merges the shards
(`merge`), and checks the merged folder holds the whole build's files byte for byte. A CI job
waits for its slowest shard and then the merge: that sum is the figure to set beside the whole
build. Machines here are shared and noisy: run it more than once.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_pack import AUDIENCES, digests, machine, partnership_project


def makecase(project: Path, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "makecase", "-C", str(project), *args], check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", type=int, default=40)
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--jobs", default="2", help="--jobs for each build (a runner's CPUs)")
    args = parser.parse_args()
    print(machine())

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        project = root / "partnership"
        pages = partnership_project(project, args.places)
        print(f"{args.places} places x {len(AUDIENCES)} audiences ({pages} pages), --jobs {args.jobs}")

        whole = makecase(project, "build", "-q", "--jobs", args.jobs, "--out", str(root / "whole"))
        print(f"  whole build: {whole:.1f} s")
        shards = []
        for k in range(1, args.shards + 1):
            seconds = makecase(project, "build", "-q", "--jobs", args.jobs, "--shard", f"{k}/{args.shards}",
                               "--out", str(root / "shards" / str(k)))
            shards.append(seconds)
            print(f"  shard {k}/{args.shards}: {seconds:.1f} s")
        merge = makecase(project, "merge", "--out", str(root / "merged"),
                         *(str(root / "shards" / str(k)) for k in range(1, args.shards + 1)))
        print(f"  merge: {merge:.1f} s")
        print(f"  slowest shard + merge: {max(shards) + merge:.1f} s "
              f"({whole / (max(shards) + merge):.2f}x faster than the whole build)")
        same = digests(root / "whole") == digests(root / "merged")
        print(f"  merged files byte-identical to the whole build's: {same} "
              f"({len(digests(root / 'merged'))} files)")


if __name__ == "__main__":
    main()
