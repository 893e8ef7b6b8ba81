"""Benchmark: the default pack's build time, and makecase per document beside plain WeasyPrint.

Run on demand (not in the tests):  python benchmarks/bench_build.py [--rounds 3]

Machines here are shared and noisy, so the figures that matter are ratios measured in the
same run: makecase's time per document (render + fit + write) against plain WeasyPrint writing
the same print HTML (parse + layout + write), round by round, best of each.
"""

from __future__ import annotations

import argparse
import ctypes.util
import statistics
import tempfile
import time
from pathlib import Path

from weasyprint import HTML

import makecase
from makecase.page.compose import briefings_for
from makecase.page.fetch import ProjectOnlyFetcher
from makecase.load.loader import load_project
from makecase.page.fit import PageFitter
from makecase.page.render import Renderer, file_uri


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        project_dir = Path(tmp)
        project = load_project(project_dir)
        renderer = Renderer(project)
        pages = [(b.slug, renderer.render_html(b, "print")) for b in briefings_for(project)]

        pack_times, ours, plain, layouts, pdf_only = [], [], [], [], []
        fitter = PageFitter(project.allowed_dirs)
        for _ in range(args.rounds):
            started = time.perf_counter()
            report = makecase.build(project_dir, out=project_dir / "out", formats=["pdf", "html"], force=True)
            pack_times.append(time.perf_counter() - started)
            ours.append(statistics.mean(d.seconds for d in report.documents))
            layouts.append(statistics.mean(d.layouts for d in report.documents))

            started = time.perf_counter()
            for _, html in pages:
                HTML(string=html, base_url=str(project_dir),
                     url_fetcher=ProjectOnlyFetcher(project.allowed_dirs)).write_pdf()
            plain.append((time.perf_counter() - started) / len(pages))

            # The PDF alone: fit (one layout, then the spacing) and the tagged PDF/UA write.
            started = time.perf_counter()
            for slug, html in pages:
                fitter.fit(html, file_uri(project.root) + "/", project.settings.layout, slug).write_pdf()
            pdf_only.append((time.perf_counter() - started) / len(pages))

    subset = ctypes.util.find_library("harfbuzz-subset")
    print(f"documents in the default pack: {len(pages)}")
    print(f"harfbuzz-subset library: {'found' if subset else 'NOT found (install libharfbuzz-subset0)'}")
    print(f"default pack build (PDF + HTML, load to disk): best {min(pack_times):.2f} s, "
          f"median {statistics.median(pack_times):.2f} s over {args.rounds} rounds")
    print(f"per document, makecase (render, fit, tagged PDF, HTML): best {min(ours) * 1000:.0f} ms")
    print(f"per document, plain WeasyPrint write_pdf on the same HTML: best {min(plain) * 1000:.0f} ms")
    print(f"ratio makecase / plain WeasyPrint: {min(ours) / min(plain):.2f}")
    print(f"per document, the PDF alone (fit, spacing, tagged PDF/UA): best {min(pdf_only) * 1000:.0f} ms, "
          f"ratio {min(pdf_only) / min(plain):.2f}")
    print(f"layouts per document (fit, fill, balance): {statistics.mean(layouts):.1f}")


if __name__ == "__main__":
    main()
