"""`makecase serve`: the live preview, as a person editing YAML meets it in a real browser."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from makecase.cli.scaffold import init_project
from makecase.errors import MakecaseError
from makecase.preview.pages import error_page
from makecase.preview.project import LaidOut, Preview

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A new partnership project served by `makecase serve --port 0`, as a user starts it."""
    root = tmp_path_factory.mktemp("serve") / "move-more"
    init_project(root)
    # Two pages rather than six: the same preview, laid out in a third of the time.
    settings = root / "makecase.yaml"
    settings.write_text(settings.read_text().replace("audiences: all", "audiences: [gps, ics-leads]"))
    process = subprocess.Popen(
        [sys.executable, "-m", "makecase", "-C", str(root), "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    first = process.stdout.readline()
    match = re.search(r"(http://127\.0\.0\.1:\d+/)", first)
    assert match, first
    yield root, match.group(1), process
    if process.poll() is None:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API allows one instance per thread: share the one axe-core uses.
    from makecase.check.axe import shared_browser

    return shared_browser(CHROMIUM)


def get(url: str, host: str | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


def write(path: Path, text: str) -> None:
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def test_an_edit_shows_in_the_open_tab_an_error_shows_where_it_is_and_the_page_comes_back(served, browser):
    root, address, _ = served
    audiences = root / "content" / "audiences.yaml"
    original = audiences.read_text(encoding="utf-8")
    page = browser.new_page()
    page.goto(address + "gps.html")
    expect(page.locator("h1")).to_contain_text("Brief advice")
    expect(page.locator(".makecase-preview")).to_contain_text("Fits on one page")

    write(audiences, """
        audiences:
          - id: gps
            key_message: Walking groups in every practice bring patients back to health.
    """)
    expect(page.locator("h1")).to_have_text("Walking groups in every practice bring patients back to health.",
                                            timeout=2000)

    write(audiences, """
        audiences:
          - id: gps
            key_message: "Walking groups, with an unclosed quote
    """)
    problem = page.locator(".problem").first
    expect(problem).to_contain_text("content/audiences.yaml:", timeout=2000)
    expect(page.locator("h1")).to_contain_text("cannot be built")
    expect(problem).to_contain_text("How to fix")

    write(audiences, """
        audiences:
          - id: gps
            key_message: Walking groups are back on the page.
    """)
    expect(page.locator("h1")).to_have_text("Walking groups are back on the page.", timeout=2000)
    page.close()
    audiences.write_text(original, encoding="utf-8")


def test_the_index_shows_every_page_with_its_picture_and_how_full_it_is(served, browser):
    _, address, _ = served
    page = browser.new_page()
    page.goto(address)
    cards = page.locator(".card")
    expect(cards).to_have_count(2)
    gps = page.locator('[id="gps"]')
    expect(gps).to_contain_text("Fits on one page with body text at")
    picture = gps.locator("img")
    expect(picture).to_have_attribute("alt", re.compile("printed page for GPs"))
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=picture.element_handle())
    assert page.evaluate("img => img.naturalWidth / img.naturalHeight", picture.element_handle()) == \
        pytest.approx(210 / 297, abs=0.01)
    picture.click()  # the printed page, large enough to read
    expect(page.locator("h1")).to_have_text("The printed page for GPs")
    expect(page.locator(".status")).to_contain_text("Fits on one page")
    page.close()


def test_only_the_preview_is_served(served):
    root, address, _ = served
    status, ctype, body = get(address + "gps.pdf")
    assert status == 200 and ctype == "application/pdf" and body.startswith(b"%PDF")
    status, ctype, body = get(address + "gps.png")
    assert status == 200 and ctype == "image/png" and body.startswith(b"\x89PNG")
    for path in ("makecase.yaml", "content/audiences.yaml", "content/", "../makecase.yaml",
                 "%2e%2e/makecase.yaml", "..%2fmakecase.yaml", "schema/evidence.schema.json",
                 "nobody.html", "gps.yaml", "templates/"):
        status, _, body = get(address + path)
        assert status == 404, path
        assert b"audiences" not in body
    status, _, body = get(address + "nobody.html")  # a tab left open on a page that has gone
    assert b"No briefing here" in body and b"/__reload" in body
    # A page on another site cannot reach the preview through a rebound domain name.
    status, _, _ = get(address, host="attacker.example:80")
    assert status == 403


def test_ctrl_c_stops_the_server_cleanly(served):
    _, _, process = served
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=10)
    assert process.returncode == 0, out
    assert "Stopped." in out and "Traceback" not in out


def test_an_edit_lays_out_again_only_the_pages_it_changes(tmp_path):
    root = tmp_path / "p"
    init_project(root)
    preview = Preview(root)
    before = {slug: preview.laid_out(slug) for slug in ("gps", "ics-leads")}
    write(root / "content" / "audiences.yaml", """
        audiences:
          - id: gps
            key_message: Walking groups in every practice.
    """)
    preview.reload()
    assert preview.laid_out("ics-leads") is before["ics-leads"]
    assert preview.laid_out("gps") is not before["gps"]


def test_a_page_that_overflows_says_by_how_much(tmp_path):
    root = tmp_path / "p"
    init_project(root)
    long = " ".join(["Walking groups meet every week in every town and village."] * 40)
    settings = root / "makecase.yaml"  # no shrinking steps: straight to the overflow measure
    settings.write_text(settings.read_text().replace("min_body_size: 11", "min_body_size: 12"))
    write(root / "content" / "audiences.yaml", f"""
        audiences:
          - id: gps
            why: {long}
    """)
    preview = Preview(root)
    page = preview.laid_out("gps")
    assert not page.fits
    assert re.search(r"about \d+ mm too long", page.summary()) and "Cut about" in page.summary()


def test_a_mistake_in_a_template_override_is_shown_with_its_file_and_line(tmp_path):
    root = tmp_path / "p"
    init_project(root)
    (root / "templates" / "partials").mkdir()
    (root / "templates" / "partials" / "quote.html").write_text("<p>ours</p>\n{% if %}\n", encoding="utf-8")
    preview = Preview(root)
    with pytest.raises(MakecaseError) as caught:
        preview.screen_html("gps")
    page = error_page(caught.value, preview.root, preview.version)
    assert "templates/partials/quote.html:2" in page and "Template syntax error" in page


def test_the_fit_summary_says_how_full_the_page_is_when_the_fit_stage_measures_it():
    full = LaidOut("k", pdf=b"%PDF", body_size=12, layouts=1, fill=96.4, room_words=20)
    assert full.summary() == "Fits on one page with body text at 12pt; 96% full; room for about 20 more words."
    shrunk = LaidOut("k", pdf=b"%PDF", body_size=11.5, layouts=3)
    assert shrunk.summary() == "Fits on one page with body text at 11.5pt; shrunk from the starting size in 2 steps."


def test_the_preview_makes_the_page_a_build_makes_and_draws_it_the_same_way(tmp_path):
    import io

    import makecase
    from PIL import Image

    root = tmp_path / "p"
    init_project(root)
    built = makecase.build(root, audiences=["gps"], formats=["pdf", "html"], out=tmp_path / "out")
    page = Preview(root).laid_out("gps")
    assert page.pdf == (built.out_dir / "gps.pdf").read_bytes()
    assert Preview(root).screen_html("gps").encode() == (built.out_dir / "gps.html").read_bytes()
    picture = Image.open(io.BytesIO(page.picture()))
    assert picture.size == (893, 1263) and picture.mode == "P"  # 108 dpi, 64 colours like the build's


def test_the_preview_shows_what_weasyprint_could_not_do(tmp_path):
    root = tmp_path / "p"
    init_project(root)
    (root / "assets").mkdir(exist_ok=True)
    (root / "assets" / "extra.css").write_text("p { colr: red }\n", encoding="utf-8")
    settings = root / "makecase.yaml"
    settings.write_text(settings.read_text().replace("\nbrand:\n", "\nbrand:\n  extra_css: assets/extra.css\n", 1))
    page = Preview(root).laid_out("gps")
    assert page.fits and "WeasyPrint could not do this" in page.summary() and "colr" in page.summary()


def test_a_page_that_takes_too_long_to_lay_out_in_the_preview_says_so(tmp_path, monkeypatch):
    import makecase.load.loader
    from makecase.limits import Limits

    root = tmp_path / "p"
    init_project(root)
    monkeypatch.setattr(makecase.load.loader, "limits_for", lambda settings: Limits(layout_seconds=0.001))
    page = Preview(root).laid_out("gps")
    assert not page.fits and page.picture() is None
    assert "took more than" in page.summary() and "limits.layout_seconds" in page.summary()


def test_layouts_asked_for_on_other_threads_run_on_the_main_thread_where_the_time_limit_works():
    import threading

    from makecase.preview.project import MainThreadLayouts

    layouts = MainThreadLayouts()
    answers: dict[str, object] = {}

    def ask(name, job):
        try:
            answers[name] = layouts.run(job)
        except BaseException as exc:  # the job's own error reaches its caller
            answers[name] = exc

    def broken():
        raise ValueError("no page")

    askers = [threading.Thread(target=ask, args=("where", lambda: threading.current_thread().name)),
              threading.Thread(target=ask, args=("broken", broken))]
    for asker in askers:
        asker.start()
    layouts.work(until=lambda: not any(a.is_alive() for a in askers), poll=0.05)
    assert answers["where"] == threading.main_thread().name
    assert isinstance(answers["broken"], ValueError)
    assert layouts.run(lambda: 42) == 42  # on the main thread itself: at once

    def interrupted():
        waiting.start()  # another request asks for a layout meanwhile
        while not layouts.waiting():
            time.sleep(0.01)
        raise KeyboardInterrupt

    asker = threading.Thread(target=ask, args=("stopped", interrupted), daemon=True)
    waiting = threading.Thread(target=ask, args=("waiting", lambda: "never run"), daemon=True)
    asker.start()
    with pytest.raises(KeyboardInterrupt):  # Ctrl-C during a layout stops serving
        layouts.work(until=lambda: False, poll=0.05)
    asker.join(5)
    waiting.join(5)
    # Both requests are told the preview stopped: no KeyboardInterrupt on their threads.
    for name in ("stopped", "waiting"):
        assert isinstance(answers[name], MakecaseError) and "preview stopped" in str(answers[name])
