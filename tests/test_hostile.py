"""A corpus of broken and hostile project folders, as a new user (or a hostile pull request) makes them.

Each case writes a few files into a fresh project, runs one command and expects exit code 2, a
message naming the file (and line, where there is one), no traceback, and no raw control
characters on the terminal. Cases that need more than one assertion have their own tests below
the table, and in test_publish.py. Mistakes of content (the plain-English table) are in the
golden corpus, tests/errors/ (test_error_corpus.py), with the whole message each one prints.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from makecase.cli.commands import cli

OUTSIDE_TEXT = "SECRET-OUTSIDE-THE-PROJECT"

EVIDENCE = """\
evidence:
  - id: local-walks
    lever: active-travel
    headline: {headline}
    body: {body}
    sources:
      - title: Walking for health
        publisher: Ramblers
        year: 2024
        url: https://www.walkingforhealth.org.uk/
        section: About us
        checked: 2026-11-01
    reviewed: {reviewed}
"""


def evidence(headline="Local walking groups", body="Walking groups meet every week.", reviewed="2026-11-01"):
    return EVIDENCE.format(headline=headline, body=body, reviewed=reviewed)


def png(width: int, height: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


def png_with_a_damaged_chunk() -> bytes:
    """A good PNG with a comment chunk whose checksum is wrong, as a bad copy or upload leaves one."""
    data = png(20, 20)
    chunk = b"tEXt" + b"Comment\0made by hand"
    return data[:33] + (len(chunk) - 4).to_bytes(4, "big") + chunk + b"\0\0\0\0" + data[33:]


LOGO_YAML = "brand:\n  logo:\n    file: assets/{name}\n    alt: Our logo\n"
CSS_YAML = "brand:\n  extra_css: assets/extra.css\n"
FONT_YAML = "brand:\n  font_regular: assets/font.ttf\n"
SVG_DTD = ('<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
           '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>&x;</text></svg>')
SVG_SCRIPT = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'


class Link:
    """A symbolic link to `target`; '{outside}' is a folder outside the project."""

    def __init__(self, target: str) -> None:
        self.target = target


class Fifo:
    """A named pipe: reading it blocks for ever."""


# (id, files, command, things the message must contain). The first thing is where: file and line.
CASES = [
    # --- contained: symlinks, devices, folders, huge files ------------------------------------
    ("content-file-links-outside", {"content/evidence.yaml": Link("{outside}/secret.yaml")},
     ["validate"], ["content/evidence.yaml", "outside the project folder through a symbolic link"]),
    ("content-folder-links-outside", {"content": Link("{outside}")},
     ["validate"], ["evidence.yaml", "outside the project folder"]),
    ("settings-link-to-etc-passwd", {"makecase.yaml": Link("/etc/passwd")},
     ["validate"], ["makecase.yaml", "outside the project folder"]),
    ("content-file-is-dev-zero", {"content/evidence.yaml": Link("/dev/zero")},
     ["validate"], ["content/evidence.yaml", "outside the project folder"]),
    ("content-file-is-a-fifo", {"content/audiences.yaml": Fifo()},
     ["validate"], ["content/audiences.yaml", "not an ordinary file"]),
    ("content-file-is-a-symlink-loop", {"content/evidence.yaml": Link("evidence.yaml")},
     ["validate"], ["content/evidence.yaml", "Cannot open the content file", "how to fix"]),
    ("content-file-is-a-folder", {"content/stories.yaml/x": "x"},
     ["validate"], ["content/stories.yaml", "is a folder"]),
    ("content-file-too-large", {"content/evidence.yaml": "# " + "x" * 600_000 + "\n"},
     ["validate"], ["content/evidence.yaml", "more than the 512 KB"]),
    ("template-links-to-etc-passwd", {"templates/partials/quote.html": Link("/etc/passwd")},
     ["build", "--format", "html"], ["templates/partials/quote.html", "outside the project folder"]),
    ("template-folder-links-outside", {"templates/partials": Link("{outside}")},
     ["build", "--format", "html"], ["templates/partials/", "outside the project folder"]),
    ("extra-css-links-outside", {"makecase.yaml": CSS_YAML, "assets/extra.css": Link("{outside}/secret.css")},
     ["validate"], ["makecase.yaml:2:", "outside the project folder"]),
    ("logo-is-a-fifo", {"makecase.yaml": LOGO_YAML.format(name="logo.png"), "assets/logo.png": Fifo()},
     ["validate"], ["makecase.yaml:3:", "not an ordinary file"]),
    ("output-dir-above-the-project", {"makecase.yaml": "output:\n  dir: ../elsewhere\n"},
     ["build"], ["makecase.yaml:2:8", "output.dir '../elsewhere' is outside the project folder", "--out"]),
    ("output-dir-absolute", {"makecase.yaml": "output:\n  dir: {outside}\n"},
     ["build"], ["makecase.yaml:2:8", "is outside the project folder"]),
    ("output-dir-is-the-project", {"makecase.yaml": "output:\n  dir: .\n"},
     ["build"], ["makecase.yaml:2:8", "is the project folder itself"]),
    ("output-dir-links-outside", {"makecase.yaml": "output:\n  dir: out\n", "out": Link("{outside}")},
     ["build"], ["makecase.yaml:2:8", "is outside the project folder"]),
    # --- no code from content: templates and CSS ----------------------------------------------
    ("template-runs-a-shell-command",
     {"templates/partials/quote.html": "{{ cycler.__init__.__globals__.os.popen('touch {outside}/pwned').read() }}"},
     ["build", "--format", "html"], ["templates/partials/quote.html:1", "Template refused", "sandbox"]),
    ("template-reaches-python-through-a-model",
     {"templates/partials/quote.html": "{{ b.audience.__class__.__mro__ }}"},
     ["build", "--format", "html"], ["templates/partials/quote.html:1", "Template refused"]),
    ("template-builds-a-huge-string", {"templates/partials/quote.html": "{{ 'x' * 100000000 }}"},
     ["build", "--format", "html"], ["templates/partials/quote.html:1", "Template refused"]),
    ("template-writes-a-script-tag", {"templates/partials/quote.html": "<script>fetch('https://x.example')</script>"},
     ["build", "--format", "html"], ["templates/partials/quote.html:1", "would run or load something", "<script>"]),
    ("template-loads-a-remote-image", {"templates/partials/quote.html": '<img src="https://x.example/t.png" alt="">'},
     ["build", "--format", "html"], ["document gps.html", "https://x.example/t.png"]),
    ("index-template-with-an-event-handler", {"templates/index.html": '<body onload="steal()">x</body>'},
     ["build", "--format", "html"], ["index.html", "event handler (onload=)"]),
    # The index may show the pack's own thumbnails, and no other picture, even one beside it.
    ("index-template-loads-a-picture-beside-it",
     {"templates/index.html": '{% for _, g in groups %}{% for e in g %}<img src="{{ e.thumbnail }}" alt="">'
                              '{% endfor %}{% endfor %}<img src="gps.png" alt="">'},
     ["build", "-a", "gps", "--format", "pdf"], ["index.html", '<img src="gps.png">, which loads a file']),
    ("template-centres-a-gigabyte", {"templates/partials/quote.html": "{{ 'x'|center(1000000000) }}"},
     ["build", "--format", "html"], ["templates/partials/quote.html:1", "Template refused", "center"]),
    ("template-doubles-a-string-in-a-macro",
     {"templates/partials/quote.html": "{% macro d(s, n) %}{{ d(s ~ s, n - 1) if n else s|length }}{% endmacro %}"
                                       "{{ d('x', 60) }}"},
     ["build", "--format", "html"], ["templates/partials/quote.html:1", "Template refused", "1,000,000"]),
    ("project-stylesheet-imports", {"templates/style.css": "@import url(https://x.example/a.css);\np { color: red }"},
     ["build", "--format", "html"], ["templates/style.css:1:1", "@import is not allowed"]),
    ("template-syntax-error", {"templates/partials/quote.html": "<p>\n{% if b.quote %}\n<p>no end</p>\n"},
     ["build", "--format", "html"], ["templates/partials/quote.html:", "Template syntax error", "how to fix"]),
    ("template-undefined-name", {"templates/partials/quote.html": "<p>\n{{ no_such_thing.name }}</p>\n"},
     ["build", "--format", "html"], ["templates/partials/quote.html:2", "'no_such_thing' is undefined"]),
    ("template-missing-include", {"templates/partials/quote.html": '{% include "partials/nope.html" %}'},
     ["build", "--format", "html"], ["templates/partials/quote.html:1", "'partials/nope.html' was not found"]),
    ("template-not-utf8", {"templates/partials/quote.html": b"<p>caf\xe9</p>"},
     ["build", "--format", "html"], ["templates/partials/quote.html:1:7", "not UTF-8"]),
    ("extra-css-closes-the-style-element",
     {"makecase.yaml": CSS_YAML, "assets/extra.css": "p { color: red }\n</style><script>alert(1)</script>"},
     ["validate"], ["assets/extra.css:2:1", "could end the <style> element"]),
    ("extra-css-imports", {"makecase.yaml": CSS_YAML, "assets/extra.css": '@import "https://example.org/x.css";'},
     ["validate"], ["assets/extra.css:1:1", "@import is not allowed"]),
    ("extra-css-imports-inside-a-block",
     {"makecase.yaml": CSS_YAML, "assets/extra.css": "@font-face { src: @import 'x.css'; }\np { color: red }"},
     ["validate"], ["assets/extra.css:1:19", "@import is not allowed"]),
    ("extra-css-leaves-a-comment-open",
     {"makecase.yaml": CSS_YAML, "assets/extra.css": "p { color: red }\n/* url(https://x.example/t.png)"},
     ["validate"], ["assets/extra.css:2:", "leaves a comment, bracket or quote open"]),
    ("extra-css-leaves-a-block-open", {"makecase.yaml": CSS_YAML, "assets/extra.css": "p { color: red"},
     ["validate"], ["assets/extra.css:1:", "leaves a comment, bracket or quote open"]),
    ("extra-css-loads-a-url",
     {"makecase.yaml": CSS_YAML, "assets/extra.css": "body {\n  background: url(http://example.org/t.png);\n}"},
     ["validate"], ["assets/extra.css:2:", "url(http://example.org/t.png) is not allowed"]),
    ("extra-css-loads-a-local-file",
     {"makecase.yaml": CSS_YAML, "assets/extra.css": "@font-face { src: url('file:///etc/passwd') }"},
     ["validate"], ["assets/extra.css:1:", "url(file:///etc/passwd) is not allowed"]),
    ("extra-css-syntax-error", {"makecase.yaml": CSS_YAML, "assets/extra.css": "p { color: red } }"},
     ["validate"], ["assets/extra.css:1:", "CSS syntax error"]),
    ("extra-css-not-utf8", {"makecase.yaml": CSS_YAML, "assets/extra.css": b"p::before { content: '\xff' }"},
     ["validate"], ["makecase.yaml:2:", "not UTF-8"]),
    # --- unusable images and fonts --------------------------------------------------------------
    ("logo-is-eps", {"makecase.yaml": LOGO_YAML.format(name="logo.eps"),
                     "assets/logo.eps": b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n"},
     ["validate"], ["makecase.yaml:3:", "The logo 'logo.eps'"]),
    ("logo-is-corrupt-png", {"makecase.yaml": LOGO_YAML.format(name="logo.png"),
                             "assets/logo.png": png(20, 20)[:40]},
     ["validate"], ["makecase.yaml:3:", "cannot be read as an image"]),
    ("logo-png-with-a-damaged-chunk", {"makecase.yaml": LOGO_YAML.format(name="logo.png"),
                                       "assets/logo.png": png_with_a_damaged_chunk()},
     ["validate"], ["makecase.yaml:3:", "The logo 'logo.png'", "its tEXt chunk is damaged"]),
    ("logo-svg-with-dtd", {"makecase.yaml": LOGO_YAML.format(name="logo.svg"), "assets/logo.svg": SVG_DTD},
     ["validate"], ["makecase.yaml:3:", "has a DTD"]),
    ("logo-svg-with-script", {"makecase.yaml": LOGO_YAML.format(name="logo.svg"), "assets/logo.svg": SVG_SCRIPT},
     ["validate"], ["makecase.yaml:3:", "holds a script"]),
    ("logo-too-many-pixels", {"makecase.yaml": LOGO_YAML.format(name="logo.png"), "assets/logo.png": png(6000, 6000)},
     ["validate"], ["makecase.yaml:3:", "6000 × 6000 pixels"]),
    ("font-is-not-a-font", {"makecase.yaml": FONT_YAML, "assets/font.ttf": "not a font"},
     ["validate"], ["makecase.yaml:2:", "is not a TrueType, OpenType or WOFF font"]),
    # --- bounded: size, depth, cost -------------------------------------------------------------
    ("yaml-nested-500-deep", {"content/evidence.yaml": "evidence: " + "[" * 500 + "]" * 500 + "\n"},
     ["validate"], ["content/evidence.yaml:1:", "nested more than 24 levels"]),
    ("text-field-50-kb", {"content/evidence.yaml": evidence(body="x" * 50_000)},
     ["validate"], ["content/evidence.yaml:5:11", "50,000 characters long"]),
    ("markdown-thousands-of-brackets", {"content/evidence.yaml": evidence(body="'" + "[" * 3000 + "'")},
     ["validate"], ["content/evidence.yaml:5:", "3,000 '[' characters"]),
    ("markdown-nested-lists",
     {"content/evidence.yaml": evidence(body="|\n" + "".join("      " + "  " * i + "- x\n" for i in range(60)))},
     ["validate"], ["content/evidence.yaml:5:", "nest", "levels deep"]),
    ("a-number-of-5000-digits",
     {"makecase.yaml": "limits:\n  field_chars: 50000\n",
      "content/places.yaml": "places:\n  - id: x\n    name: X\n    population: " + "9" * 5000 + "\n"},
     ["validate"], ["content/places.yaml:4:17", "This number has 5,000 characters"]),
    # --- a person's mistakes --------------------------------------------------------------------
    ("raw-nul-byte", {"content/evidence.yaml": evidence(headline="Walking\x00groups").encode()},
     ["validate"], ["content/evidence.yaml:4:", "YAML does not allow"]),
    ("raw-noncharacter", {"content/evidence.yaml": evidence(headline="Walking\ufffegroups")},
     ["validate"], ["content/evidence.yaml:4:", "YAML does not allow"]),
    ("content-not-utf8", {"content/evidence.yaml": evidence(headline="Caf\udce9").encode("utf-8", "surrogateescape")},
     ["validate"], ["content/evidence.yaml:4:", "not UTF-8"]),
    ("escape-sequence-in-an-id", {"content/audiences.yaml": 'audiences:\n  - id: "\\u202egps\\x1b[2J"\n'},
     ["validate"], ["content/audiences.yaml:2:9", "control character \\x1b"]),
    ("a-100-kb-key", {"content/audiences.yaml": "audiences:\n  - id: gps\n    " + "k" * 3000 + ": x\n"},
     ["validate"], ["content/audiences.yaml:3:", "YAML syntax error", "kkkkk…"]),
    ("output-folder-holds-a-folder-named-like-a-page", {"output/gps.html/x": "x"},
     ["build", "-a", "gps", "-f", "html"], ["output/gps.html", "is a folder"]),
    ("output-folder-holds-a-file-under-a-file", {"makecase.yaml": "output:\n  dir: assets/out\n", "assets": "a file"},
     ["build", "-a", "gps", "-f", "html"], ["assets", "Cannot"]),
]

UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def make(root: Path, outside: Path, files: dict) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Link):
            path.symlink_to(content.target.format(outside=outside))
        elif isinstance(content, Fifo):
            os.mkfifo(path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content.replace("{outside}", str(outside)), encoding="utf-8", errors="surrogateescape")


@pytest.fixture
def outside(tmp_path):
    """A folder outside the project with files a hostile project would like to read or change."""
    folder = tmp_path / "outside"
    folder.mkdir()
    for name in ("secret.yaml", "secret.css", "quote.html", "evidence.yaml"):
        (folder / name).write_text(OUTSIDE_TEXT + "\n")
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("files, command, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_project_is_a_clear_error(tmp_path, outside, files, command, expected):
    root = tmp_path / "project"
    root.mkdir()
    make(root, outside, files)
    before = snapshot(outside)
    result = CliRunner().invoke(cli, ["-C", str(root), *command])
    out = result.output
    assert result.exit_code == 2, out
    assert "Traceback" not in out and "internal error" not in out
    for phrase in expected:
        assert phrase in out, out
    assert OUTSIDE_TEXT not in out
    assert not UNSAFE.search(out.replace("\n", "")), repr(out)
    assert max(len(line) for line in out.splitlines()) <= 320
    assert "constrained-str" not in out and "literal[" not in out
    assert snapshot(outside) == before and not (outside / "pwned").exists()
    assert not (tmp_path / "elsewhere").exists()


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 40


def test_a_huge_id_on_the_command_line_is_cut_and_cleaned(tmp_path):
    result = CliRunner().invoke(cli, ["-C", str(tmp_path), "build", "-a", "\x1b[2J" + "g" * 100_000])
    assert result.exit_code == 2
    assert "\x1b" not in result.output and len(result.output) < 2000


@pytest.mark.parametrize("out", ["/proc/makecase-out", "{file}/sub"])
def test_an_output_folder_that_cannot_be_written_is_a_clear_error(tmp_path, out):
    (tmp_path / "a-file").write_text("x")
    result = CliRunner().invoke(cli, ["-C", str(tmp_path), "build", "-a", "gps", "-f", "html",
                                      "--out", out.format(file=tmp_path / "a-file")])
    assert result.exit_code == 2, result.output
    assert "Cannot write the output" in result.output and "--out" in result.output


def test_schema_into_an_unwritable_folder_is_a_clear_error(tmp_path):
    (tmp_path / "a-file").write_text("x")
    result = CliRunner().invoke(cli, ["-C", str(tmp_path), "schema", "-o", str(tmp_path / "a-file" / "schema")])
    assert result.exit_code == 2, result.output
    assert "a-file" in result.output and "Traceback" not in result.output


def test_hostile_text_and_css_come_out_clean_in_the_html(tmp_path):
    """Script tags, file: images, javascript: links and ../ paths in content are shown as text or dropped."""
    root = tmp_path / "project"
    make(root, tmp_path, {
        "makecase.yaml": CSS_YAML,
        "assets/extra.css": "p { color: #111; background: url(data:image/png;base64,AAAA) }",
        "content/evidence.yaml": evidence(
            headline='"<script>alert(1)</script> ../../etc/passwd"',
            body='"![x](file:///etc/passwd) [a](javascript:alert(1)) <img src=x onerror=alert(1)> {{ 7*7 }}"'),
        "content/audiences.yaml": "audiences:\n  - id: gps\n    evidence: [local-walks]\n",
    })
    result = CliRunner().invoke(cli, ["-C", str(root), "build", "-a", "gps", "-f", "html"])
    assert result.exit_code == 0, result.output
    html = (root / "output" / "gps.html").read_text(encoding="utf-8")
    # Headings keep their last two words together with a no-break space.
    assert "&lt;script&gt;alert(1)&lt;/script&gt; ../../etc/passwd" in html.replace("\u00a0", " ")
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html
    assert "file:" not in html and "<img src=\"x\"" not in html
    assert "{ 7*7 }" in html and "49" not in html.split("<main")[1].split("</main>")[0]


def test_a_logo_is_the_same_checked_image_in_pdf_and_html(tmp_path):
    root = tmp_path / "project"
    make(root, tmp_path, {"makecase.yaml": LOGO_YAML.format(name="logo.png"), "assets/logo.png": png(60, 20)})
    result = CliRunner().invoke(cli, ["-C", str(root), "build", "-a", "gps"])
    assert result.exit_code == 0, result.output
    html = (root / "output" / "gps.html").read_text(encoding="utf-8")
    assert 'src="data:image/png;base64,' + base64.b64encode(png(60, 20)).decode()[:20] in html
    assert "warning" not in result.output
    import pypdf

    assert len(pypdf.PdfReader(root / "output" / "gps.pdf").pages[0].images) == 1


def test_weasyprint_warnings_are_shown_once_per_document_and_strict_fails_on_them(tmp_path):
    root = tmp_path / "project"
    make(root, tmp_path, {"makecase.yaml": CSS_YAML, "assets/extra.css": "p { colr: red }\nh2 { colr: blue }\n"})
    result = CliRunner().invoke(cli, ["-C", str(root), "build", "-a", "gps", "-f", "pdf"])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if "WeasyPrint could not do this" in line]
    assert len(warnings) == 2 and all(line.count("gps.pdf") == 1 for line in warnings), result.output
    assert "colr: red" in warnings[0] and "colr: blue" in warnings[1]
    strict = CliRunner().invoke(cli, ["-C", str(root), "build", "-a", "gps", "-f", "pdf", "--strict",
                                      "--out", str(tmp_path / "strict")])
    assert strict.exit_code == 2 and "--strict" in strict.output and "colr: red" in strict.output
    assert not (tmp_path / "strict").exists()


def test_the_default_pack_builds_without_warnings(tmp_path):
    result = CliRunner().invoke(cli, ["-C", str(tmp_path), "build", "-a", "gps", "--strict"])
    assert result.exit_code == 0, result.output


def test_a_page_that_takes_too_long_to_lay_out_is_stopped_with_a_clear_error(tmp_path, monkeypatch):
    import makecase.load.loader
    from makecase.limits import Limits

    monkeypatch.setattr(makecase.load.loader, "limits_for", lambda settings: Limits(layout_seconds=0.001))
    result = CliRunner().invoke(cli, ["-C", str(tmp_path), "build", "-a", "gps", "-f", "pdf"])
    assert result.exit_code == 2, result.output
    assert "took more than" in result.output and "limits.layout_seconds" in result.output
    assert "content/audiences.yaml:" in result.output
    assert not (tmp_path / "output").exists()


def test_a_project_folder_whose_name_is_not_utf8_builds(tmp_path):
    root = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9"))
    root.mkdir()
    (root / "makecase.yaml").write_text("footer: Made in {place.nmae}\n")
    result = CliRunner().invoke(cli, ["-C", str(root), "validate"])
    assert result.exit_code == 2 and "makecase.yaml:1:" in result.output, result.output
    (root / "makecase.yaml").write_text("footer: Made here.\n")
    result = CliRunner().invoke(cli, ["-C", str(root), "build", "-a", "gps"])
    assert result.exit_code == 0, result.output
    assert (root / "output" / "gps.pdf").is_file()


def test_placeholders_in_lever_names_are_filled(tmp_path):
    root = tmp_path / "project"
    make(root, tmp_path, {
        "makecase.yaml": "partnership:\n  name: Move More\n",
        "content/evidence.yaml": "levers:\n  - id: guidance\n    name: Guidance for {partnership.name}\n",
    })
    result = CliRunner().invoke(cli, ["-C", str(root), "build", "-a", "gps", "-f", "html"])
    assert result.exit_code == 0, result.output
    html = (root / "output" / "gps.html").read_text(encoding="utf-8")
    assert "Guidance for Move More" in html and "{partnership.name}" not in html


def test_init_into_an_unwritable_folder_is_a_clear_error(tmp_path):
    (tmp_path / "a-file").write_text("x")
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "a-file" / "project")])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output


def test_a_template_that_loops_for_ever_is_stopped_by_the_time_limit(tmp_path, monkeypatch):
    import makecase.load.loader
    from makecase.limits import Limits

    monkeypatch.setattr(makecase.load.loader, "limits_for", lambda settings: Limits(layout_seconds=0.2))
    root = tmp_path / "project"
    make(root, tmp_path, {"templates/partials/quote.html":
                          "{% for i in range(9999) %}{% for j in range(9999) %}{% for k in range(9999) %}{% endfor %}{% endfor %}{% endfor %}"})
    result = CliRunner().invoke(cli, ["-C", str(root), "build", "-a", "gps", "-f", "html"])
    assert result.exit_code == 2, result.output
    assert "took more than" in result.output
    # Finding 5 (issue 17): the template that ran over is named, not a content line.
    assert "templates/partials/quote.html:1: " in result.output and "audiences.yaml" not in result.output


def test_a_symlink_that_stays_inside_the_project_is_fine(tmp_path):
    root = tmp_path / "project"
    make(root, tmp_path, {"shared/evidence.yaml": evidence(), "content/evidence.yaml": Link("../shared/evidence.yaml")})
    result = CliRunner().invoke(cli, ["-C", str(root), "validate"])
    assert result.exit_code == 0, result.output


# --- Round 2 (issue 17): every published page checked, the quick path sees every input ---------

HTML_ONLY = "audiences: [gps, pcn-leads]\noutput:\n  formats: [html]\n"
SCRIPT = "<script>fetch('https://x.example/steal')</script>"


def cli_run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["-C", str(root), *args])


def built_project(tmp_path: Path, settings: str = HTML_ONLY) -> Path:
    """A project of two audiences' web pages, built once as a whole."""
    root = tmp_path / "project"
    make(root, tmp_path, {"makecase.yaml": settings})
    result = cli_run(root, "build")
    assert result.exit_code == 0, result.output
    return root


def poison(folder: Path, rel: str) -> None:
    """Put a script into a built page and make its manifest agree: the SHA-256 and, where the
    folder records a fingerprint, the manifest's own hash (all of it public knowledge)."""
    from makecase.pack.fingerprint import manifest_digest

    page = folder / rel
    page.write_bytes(page.read_bytes().replace(b"</body>", SCRIPT.encode() + b"</body>"))
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for document in manifest["documents"]:
        for entry in document["files"].values():
            if entry["path"] == rel:
                entry.update(sha256=hashlib.sha256(page.read_bytes()).hexdigest(), bytes=page.stat().st_size)
    if manifest.get("fingerprint"):
        manifest["fingerprint"]["manifest"] = manifest_digest(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def scripts_in(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*.html") if b"<script" in p.read_bytes()]


@pytest.mark.parametrize("command", [["build"], ["build", "--strict", "-a", "gps"], ["build", "-a", "pcn-leads"]],
                         ids=["whole", "strict-chosen", "partial-kept"])
def test_a_kept_page_that_would_run_something_is_made_again(tmp_path, command):
    """Finding 2: a page in the output folder (which comes with a pull request) with a script,
    its manifest updated to match, survived every kind of build as 'unchanged' or kept."""
    root = built_project(tmp_path)
    poison(root / "output", "gps.html")
    result = cli_run(root, *command)
    assert result.exit_code == 0, result.output
    assert scripts_in(root / "output") == []
    assert "Making the case" in (root / "output" / "gps.html").read_text(encoding="utf-8")


def test_a_shard_page_that_would_run_something_is_refused_by_merge(tmp_path):
    """Finding 2: merge cannot make a page again, so a shard's page with a script is refused,
    naming the file, and nothing is written."""
    root = built_project(tmp_path)
    shard = tmp_path / "shard-1"
    assert cli_run(root, "build", "--shard", "1/1", "--out", str(shard)).exit_code == 0
    poison(shard, "gps.html")
    result = cli_run(root, "merge", str(shard), "--out", str(tmp_path / "pack"))
    assert result.exit_code == 2, result.output
    assert "shard-1/gps.html' would run or load something: a <script> element" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "pack").exists()


def test_a_journal_this_tool_did_not_stage_is_not_honoured(tmp_path):
    """Finding 2: a crafted journal and a real staging folder shipped in output/ moved any file
    into the pack. Now the staging folder is removed and the build goes on."""
    from makecase.output.journal import JOURNAL

    root = built_project(tmp_path)
    out = root / "output"
    before = (out / "gps.html").read_bytes()
    staging = out / ".makecase-1-cafe"
    staging.mkdir()
    (staging / "gps.html").write_text(f"<html><body>{SCRIPT}</body></html>")
    (staging / "notes.html").write_text("<p>not a page makecase made</p>")
    (out / JOURNAL).write_text(json.dumps({"staging": staging.name, "files": ["gps.html", "notes.html"],
                                           "stale": [], "staged": [1, 2]}))
    result = cli_run(root, "build", "-a", "pcn-leads")
    assert result.exit_code == 0, result.output
    assert (out / "gps.html").read_bytes() == before and not (out / "notes.html").exists()
    assert not staging.exists() and not (out / JOURNAL).exists()


@pytest.mark.parametrize("decoy, css", [
    ({"assets/logos/manifest.json": json.dumps({"generator": "makecase 0.1.0", "documents": [{"files": {}}]})},
     "assets/logos/extra.css"),
    ({}, "assets/.cache/extra.css"),
    ({}, "style/.cache/extra.css"),
    ({"brand/pyvenv.cfg": "home = /usr/bin\n", "brand/bin/python": ""}, "brand/extra.css"),
], ids=["manifest-decoy", "cache-in-assets", "cache-elsewhere", "virtualenv-decoy"])
def test_a_planted_name_or_marker_file_does_not_hide_an_input_from_the_quick_path(tmp_path, decoy, css):
    """Finding 3: a decoy manifest.json, a .cache folder or a pyvenv.cfg hid edits from the
    fingerprint: the build said 'unchanged', exit 0, with the old style on every page."""
    root = tmp_path / "project"
    make(root, tmp_path, {**decoy, css: "p { color: #111111 }\n",
                          "makecase.yaml": HTML_ONLY + f"brand:\n  extra_css: {css}\n"})
    assert cli_run(root, "build").exit_code == 0
    again = cli_run(root, "build")
    assert "2 unchanged" in again.output, again.output  # the quick path, with nothing changed
    (root / css).write_text("p { color: #222222 }\n")
    result = cli_run(root, "build")
    assert result.exit_code == 0 and "Wrote 2 briefing(s)" in result.output, result.output
    assert "#222222" in (root / "output" / "gps.html").read_text(encoding="utf-8")


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs (no except or finally of ours catches it)."""


def test_a_build_killed_while_removing_stale_pages_is_finished_by_the_next(tmp_path, monkeypatch):
    """Finding 4: the new manifest was already in place, so every later build took the quick
    path and never finished the journal: the removed audience's page stayed published."""
    import makecase
    from makecase.output import journal

    root = built_project(tmp_path)
    (root / "makecase.yaml").write_text("audiences: [gps]\noutput:\n  formats: [html]\n")

    def killed(*args):
        raise Killed()

    monkeypatch.setattr(journal, "remove_if_ours", killed)
    with pytest.raises(Killed):
        makecase.build(root)
    monkeypatch.undo()
    out = root / "output"
    assert (out / journal.JOURNAL).exists() and (out / "pcn-leads.html").exists()
    result = cli_run(root, "build")
    assert result.exit_code == 0, result.output
    assert not (out / "pcn-leads.html").exists() and not (out / journal.JOURNAL).exists()


def test_a_build_that_fails_on_content_first_finishes_the_default_output_folder(tmp_path, monkeypatch):
    """Finding 4: without --out, a build that failed on content left a killed publish's set
    mixed, though the docs promise the next build completes it even if it then fails."""
    import makecase
    from makecase.output import journal

    root = built_project(tmp_path)
    (root / "makecase.yaml").write_text(HTML_ONLY + "footer: A new footer on every page.\n")
    real, moves = journal.move_into_place, []

    def move(source, target):
        if len(moves) == 1:
            raise Killed()
        moves.append(target)
        real(source, target)

    monkeypatch.setattr(journal, "move_into_place", move)
    with pytest.raises(Killed):
        makecase.build(root)
    monkeypatch.undo()
    out = root / "output"
    [staging] = [p for p in out.iterdir() if p.name.startswith(".makecase-") and p.is_dir()]
    staged = {p.relative_to(staging): p.read_bytes() for p in staging.rglob("*")
              if p.is_file() and not p.name.startswith(".makecase-")}
    (root / "makecase.yaml").write_text("audiences: [no-such-audience]\n")
    result = cli_run(root, "build")
    assert result.exit_code == 2 and "Unknown audience id" in result.output, result.output
    assert {rel: (out / rel).read_bytes() for rel in staged} == staged
    assert not (out / journal.JOURNAL).exists() and not staging.exists()


def test_a_folder_nested_1500_deep_is_no_internal_error(tmp_path):
    """Finding 6: the fingerprint walked folders by recursion: RecursionError, exit 70."""
    root = tmp_path / "project"
    deepest = root / "notes"
    deepest.mkdir(parents=True)
    for _ in range(1500):
        deepest = deepest / "a"
        deepest.mkdir()
    try:
        result = cli_run(root, "build", "-a", "gps", "-f", "html")
        assert result.exit_code == 0, result.output
    finally:  # removed by hand: shutil.rmtree recurses too
        while deepest != root:
            deepest.rmdir()
            deepest = deepest.parent


def test_schema_is_not_written_through_a_linked_folder(tmp_path, outside):
    """Finding 6: a project's schema/ folder, a link to a folder elsewhere, was written through."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "schema").symlink_to(outside)
    before = snapshot(outside)
    result = cli_run(root, "schema")
    assert result.exit_code == 2, result.output
    assert "schema' is a symbolic link" in result.output and "Traceback" not in result.output
    assert snapshot(outside) == before


def test_init_refuses_a_folder_name_with_a_line_break(tmp_path):
    """Finding 6: the name went into makecase.yaml as YAML over two lines, which broke the
    first build (the commented examples held half of it)."""
    folder = tmp_path / "our\npartnership"
    result = CliRunner().invoke(cli, ["init", str(folder)])
    assert result.exit_code == 2, result.output
    assert "'our\\npartnership' holds a line break" in result.output and not folder.exists()
    spaced = tmp_path / "our  partnership--north"
    assert CliRunner().invoke(cli, ["init", str(spaced)]).exit_code == 0
    assert "name: Our Partnership North\n" in (spaced / "makecase.yaml").read_text(encoding="utf-8")
    assert cli_run(spaced, "validate").exit_code == 0


def test_a_fifo_in_a_shard_is_called_a_fifo(tmp_path):
    """Finding 6: merge said a named pipe was 'a symbolic link'."""
    root = built_project(tmp_path)
    shard = tmp_path / "shard-1"
    assert cli_run(root, "build", "--shard", "1/1", "--out", str(shard)).exit_code == 0
    (shard / "gps.html").unlink()
    os.mkfifo(shard / "gps.html")
    result = cli_run(root, "merge", str(shard), "--out", str(tmp_path / "pack"))
    assert result.exit_code == 2, result.output
    assert "gps.html' is a FIFO (a named pipe)" in result.output and "symbolic link" not in result.output


def test_an_output_folder_that_cannot_be_written_is_refused_before_any_page_is_laid_out(tmp_path, monkeypatch):
    """Finding 6: --out /proc was refused only after every page was laid out."""
    import makecase.pack.build

    def laid_out(*args, **kwargs):
        raise AssertionError("a page was laid out")

    monkeypatch.setattr(makecase.pack.build, "make_document", laid_out)
    result = CliRunner().invoke(cli, ["-C", str(tmp_path), "build", "-a", "gps", "-f", "html",
                                      "--out", "/proc/makecase-out"])
    assert result.exit_code == 2, result.output
    assert "Cannot write the output" in result.output and "laid out" not in result.output
