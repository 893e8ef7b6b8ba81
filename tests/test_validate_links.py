"""`validate` catches what it can without laying out; `check --links` finds bad links online,
only when asked, against a local server here (never the internet)."""

from __future__ import annotations

import http.server
import threading
import time

import pytest
from click.testing import CliRunner

from makecase.cli.commands import cli
from makecase.check.links import fetch_status


def run(root, *args):
    result = CliRunner().invoke(cli, ["-C", str(root), *args])
    return result.exit_code, result.output


def test_validate_names_a_missing_logo_file_with_its_line(project):
    project.write("makecase.yaml", """
        partnership:
          name: Testshire Active
        brand:
          logo:
            file: assets/logo.png
            alt: Testshire Active logo
    """)
    code, out = run(project.root, "validate")
    assert code == 2 and "makecase.yaml:5:" in out and "File 'assets/logo.png' not found" in out


def test_validate_warns_about_the_init_example_contact_once(project):
    project.write("makecase.yaml", """
        contact:
          name: Testshire Active
          email: hello@example.org   # the example from init
    """)
    code, out = run(project.root, "validate")
    assert code == 0 and out.count("hello@example.org is the example from `makecase init`") == 1
    assert "makecase.yaml:3:10:" in out
    code, out = run(project.root, "validate", "--strict")
    assert code == 2 and out.count("hello@example.org is the example") == 1


def test_validate_strict_prints_each_warning_once(project):
    project.write("content/audiences.yaml", """
        audiences:
          - id: gps
            signposts:
              - text: Moving Medicine resources for clinicians
                url: https://movingmedicine.ac.uk/
    """)
    code, out = run(project.root, "validate", "--strict")
    assert code == 2 and out.count("has no 'checked' date") == 1


def test_a_fresh_init_project_validates_with_a_warning_about_its_example_contact(tmp_path):
    """The scaffold builds at once, but its example contact must not go out unnoticed."""
    assert run(tmp_path, "init", str(tmp_path / "p"))[0] == 0
    code, out = run(tmp_path / "p", "validate")
    assert code == 0 and "hello@example.org is the example" in out


# --- links, online only when asked ------------------------------------------------------------


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _answer(self, body: bool):
        if self.path == "/ok":
            self.send_response(200)
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
        elif self.path == "/gone":
            self.send_response(404)
        elif self.path == "/no-head" and self.command == "HEAD":
            self.send_response(405)
        elif self.path == "/no-head":
            self.send_response(200)
        elif self.path == "/slow":
            time.sleep(1.5)
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self):
        self._answer(False)

    def do_GET(self):
        self._answer(True)


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.mark.parametrize("path, expected", [
    ("/ok", None), ("/moved", None), ("/no-head", None), ("/gone", "HTTP 404"), ("/slow", "timed out"),
])
def test_fetch_follows_redirects_retries_refused_head_and_times_out(server, path, expected):
    status = fetch_status(server + path, timeout=0.5)
    assert status is None if expected is None else expected in status


def test_check_links_reports_each_bad_link_with_its_file_and_line(project, monkeypatch):
    project.write("content/audiences.yaml", """
        audiences:
          - id: gps
            signposts:
              - text: Moving Medicine resources for clinicians
                url: https://movingmedicine.ac.uk/gone
                checked: 2026-11-28
    """)
    import makecase.check.links as links

    asked = []

    def fake(url, timeout):
        asked.append(url)
        return "HTTP 404 Not Found" if url.endswith("/gone") else None

    monkeypatch.setattr(links, "fetch_status", fake)
    code, out = run(project.root, "check", "-a", "gps", "--links")
    assert "https://movingmedicine.ac.uk/gone (audience gps › signposts › 0): HTTP 404 Not Found" in out
    assert "content/audiences.yaml:5:" in out
    assert len(asked) == len(set(asked)) > 5  # every link once
    assert "checked online" in out


def test_build_and_check_never_fetch_links_unless_asked(project, monkeypatch):
    import makecase.check.links as links

    monkeypatch.setattr(links, "fetch_status", lambda *a: pytest.fail("fetched a link"))
    code, out = run(project.root, "check", "-a", "gps")
    assert code == 0, out
    assert "checked online" not in out


def test_validate_cannot_see_an_overflowing_page_but_check_names_it(project):
    """validate reads content without laying it out; check lays every page out."""
    from test_errors import GOOD_EVIDENCE

    long_body = " ".join(["Walking groups meet every week in every park across the county."] * 30)
    project.write("content/evidence.yaml", GOOD_EVIDENCE.replace("Walking groups meet every week.", long_body))
    project.write("content/audiences.yaml", """
        audiences:
          - id: gps
            evidence: [local-walks, nice-brief-advice, clinical-champions]
    """)
    code, out = run(project.root, "check", "-a", "gps")
    assert code == 2 and "Does not fit on one page" in out and "content/audiences.yaml:2:" in out
