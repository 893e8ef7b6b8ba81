"""The preview server's routes, in process: every page of the preview, nothing else, and a broken
project shown in the browser until it is fixed. (test_serve.py drives it in a real browser.)"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pypdf
import pytest

from makecase.cli.scaffold import init_project
from makecase.preview.project import Preview
from makecase.preview.server import make_server, needs_new_layouts, watch


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("served") / "p"
    init_project(root)
    preview = Preview(root)
    server = make_server(preview, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, preview, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def fetch(url: str, method: str = "GET", host: str | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, method=method)
    if host:
        request.add_header("Host", host)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


def test_index_links_every_briefing_and_its_pdf(served):
    _, _, base = served
    status, ctype, body = fetch(base + "/")
    assert status == 200 and ctype.startswith("text/html")
    page = body.decode()
    for audience in ("ics-leads", "commissioners", "trust-executives", "senior-clinicians", "gps", "pcn-leads"):
        assert f'href="/{audience}.html"' in page and f'href="/{audience}.pdf"' in page


def test_each_briefing_is_served_as_web_page_printed_page_pdf_picture_and_status(served):
    _, _, base = served
    status, _, html = fetch(base + "/gps.html")
    assert status == 200 and "What you can do" in html.decode() and "__reload" in html.decode()
    status, _, printed = fetch(base + "/gps.page")
    assert status == 200 and "gps.png" in printed.decode()
    status, ctype, pdf = fetch(base + "/gps.pdf")
    assert status == 200 and ctype == "application/pdf" and pdf.startswith(b"%PDF")
    assert len(pypdf.PdfReader(__import__("io").BytesIO(pdf)).pages) == 1
    status, ctype, png = fetch(base + "/gps.png")
    assert status == 200 and ctype == "image/png" and png.startswith(b"\x89PNG")
    status, _, about = fetch(base + "/gps.json")
    fit = json.loads(about)
    assert status == 200 and fit["fits"] is True and fit["body_size_pt"] == 12 and fit["fill"] >= 90
    status, _, head = fetch(base + "/gps.pdf", method="HEAD")
    assert status == 200 and head == b""


@pytest.mark.parametrize("path", ["/no-such-page.pdf", "/../../etc/passwd", "/content/audiences.yaml",
                                  "/makecase.yaml", "/output/", "/%2e%2e/%2e%2e/etc/passwd"])
def test_nothing_but_the_preview_is_served(served, path):
    _, _, base = served
    status, _, body = fetch(base + path)
    assert status == 404
    assert b"root:" not in body and b"audiences:" not in body


def test_a_page_that_has_gone_says_so_in_the_page(served):
    _, _, base = served
    status, ctype, body = fetch(base + "/no-such-audience.html")
    assert status == 404 and ctype.startswith("text/html") and "__reload" in body.decode()


def test_requests_for_another_host_name_are_refused(served):
    _, _, base = served
    status, _, _ = fetch(base + "/", host="attacker.example:80")
    assert status == 403


def test_the_reload_endpoint_answers_at_once_when_the_page_is_out_of_date(served):
    _, preview, base = served
    status, _, body = fetch(base + f"/__reload?v={preview.version - 1}")
    assert status == 200 and json.loads(body)["version"] == preview.version


def test_a_broken_project_is_shown_in_the_page_until_it_is_fixed(served):
    root, preview, base = served
    settings = root / "makecase.yaml"
    good = settings.read_text(encoding="utf-8")
    try:
        settings.write_text(good.replace("audiences: all", "audiences: [gp]"), encoding="utf-8")
        preview.reload()
        status, _, body = fetch(base + "/gps.html")
        page = body.decode()
        assert status == 500 and "makecase.yaml" in page and "Unknown audience id" in page
        status, _, body = fetch(base + "/")
        assert status == 500 and "makecase.yaml" in body.decode()
    finally:
        settings.write_text(good, encoding="utf-8")
        preview.reload()
    status, _, body = fetch(base + "/gps.html")
    assert status == 200 and "What you can do" in body.decode()


def test_only_an_asset_change_forgets_the_layouts():
    assert not needs_new_layouts({"/p/content/evidence.yaml", "/p/templates/print.css"})
    assert needs_new_layouts({"/p/assets/logo.svg"})


def test_the_watcher_reloads_on_a_save_and_ignores_the_output_folder(tmp_path):
    root = tmp_path / "w"
    init_project(root)
    preview = Preview(root)
    stop = threading.Event()
    seen: list[list[str]] = []
    thread = threading.Thread(target=watch, args=(preview, stop, lambda paths, _: seen.append(paths)), daemon=True)
    thread.start()
    try:
        time.sleep(0.5)  # the watcher starts
        (root / "output").mkdir(exist_ok=True)
        (root / "output" / "gps.pdf").write_bytes(b"%PDF-")
        audiences = root / "content" / "audiences.yaml"
        audiences.write_text(audiences.read_text(encoding="utf-8") + "\n# saved\n", encoding="utf-8")
        deadline = time.monotonic() + 20
        while not seen and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert seen, "the save was not seen"
    changed = [Path(p).name for paths in seen for p in paths]
    assert "audiences.yaml" in changed and "gps.pdf" not in changed


def test_a_bad_reload_number_is_not_an_error(served):
    _, preview, base = served
    status, _, body = fetch(base + "/__reload?v=abc")
    assert status == 200 and json.loads(body)["version"] == preview.version


def test_the_preview_refuses_a_page_a_template_makes_run_code(tmp_path):
    from makecase.errors import MakecaseError

    root = tmp_path / "p"
    init_project(root)
    (root / "templates" / "partials").mkdir(parents=True)
    (root / "templates" / "partials" / "quote.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    preview = Preview(root)
    with pytest.raises(MakecaseError, match="would run or load something"):
        preview.screen_html("gps")
