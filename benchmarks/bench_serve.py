"""Benchmark: how long after saving a YAML file the new text is on screen in `makecase serve`.

Run on demand (not in the tests):  python benchmarks/bench_serve.py [--edits 5]

Starts `makecase serve` on a new project, opens a briefing in Debian's chromium (Playwright),
then edits the key message again and again and times each save until the new text is on the
page. The machine's load moves these figures a lot: report the median and the worst.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from makecase.cli.scaffold import init_project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp()) / "bench"
    init_project(root)
    server = subprocess.Popen([sys.executable, "-m", "makecase", "-C", str(root), "serve", "--port", "0"],
                              stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        address = re.search(r"http://\S+/", server.stdout.readline()).group(0)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=args.chromium, args=["--no-sandbox", "--disable-background-networking"])
            page = browser.new_page()
            page.goto(address + "gps.html")
            expect(page.locator(".makecase-fill")).to_contain_text("Fits", timeout=30000)
            times = []
            for i in range(args.edits):
                message = f"Edit number {i} is on the page."
                started = time.perf_counter()
                (root / "content" / "audiences.yaml").write_text(
                    f"audiences:\n  - id: gps\n    key_message: {message}\n", encoding="utf-8")
                expect(page.locator("h1")).to_have_text(message, timeout=30000)
                times.append(time.perf_counter() - started)
                expect(page.locator(".makecase-fill")).to_contain_text("Fits", timeout=30000)
            browser.close()
    finally:
        server.terminate()
        server.wait()
    print(f"save to screen over {len(times)} edits: median {statistics.median(times):.2f} s, "
          f"best {min(times):.2f} s, worst {max(times):.2f} s")


if __name__ == "__main__":
    main()
