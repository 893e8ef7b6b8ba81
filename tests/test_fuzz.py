"""Fuzzing: generated YAML and Markdown in every text field a page shows.

Whatever a field holds (broken YAML, control characters, Markdown with every special character,
HTML, huge runs of brackets), loading the project ends either in success or in our MakecaseError,
never in another exception; and when it succeeds, the page's HTML holds no live markup from it.

A few hundred examples run in the normal suite; `pytest -m fuzz` runs 10,000.
"""

from __future__ import annotations

import json
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from makecase.page.compose import compose
from makecase.errors import MakecaseError
from makecase.load.loader import load_project
from makecase.page.render import Renderer

# (file, YAML with a {value} slot): one entry per text field a page shows, overriding the
# packaged item the GP page uses, so each value reaches the page.
FIELDS = {
    "headline": ("content/evidence.yaml", "evidence:\n  - id: nice-brief-advice\n    headline: {value}\n"),
    "body": ("content/evidence.yaml", "evidence:\n  - id: nice-brief-advice\n    body: {value}\n"),
    "figure": ("content/evidence.yaml",
               "evidence:\n  - id: nice-brief-advice\n    figure:\n      value: {value}\n      label: {value}\n"),
    "source": ("content/evidence.yaml", "evidence:\n  - id: nice-brief-advice\n    sources:\n"
               "      - title: {value}\n        publisher: {value}\n        year: 2020\n"
               "        url: https://www.walkingforhealth.org.uk/\n        section: About us\n"
               "        checked: 2026-11-01\n"),
    "lever": ("content/evidence.yaml", "levers:\n  - id: guidance\n    name: {value}\n    summary: {value}\n"),
    "title": ("content/audiences.yaml", "audiences:\n  - id: gps\n    title: {value}\n    short_title: {value}\n"),
    "key_message": ("content/audiences.yaml", "audiences:\n  - id: gps\n    key_message: {value}\n"),
    "why": ("content/audiences.yaml", "audiences:\n  - id: gps\n    why: {value}\n"),
    "note": ("content/audiences.yaml", "audiences:\n  - id: gps\n    note: {value}\n"),
    "actions": ("content/audiences.yaml", "audiences:\n  - id: gps\n    actions:\n      - {value}\n"),
    "signposts": ("content/audiences.yaml", "audiences:\n  - id: gps\n    signposts:\n"
                  "      - text: {value}\n        url: https://www.example.org/\n"),
    "story": ("content/stories.yaml", "stories:\n  - id: dorset-primary-care\n    place: {value}\n"
              "    title: {value}\n    did: {value}\n    helped: {value}\n"),
    "quote": ("content/evidence.yaml", "quotes:\n  - id: l3-brief-advice\n    text: {value}\n    speaker: {value}\n"),
    "glossary": ("content/glossary.yaml", "terms:\n  - id: ics\n    definition: {value}\n"),
    "footer": ("makecase.yaml", "footer: {value}\n"),
    "partnership": ("makecase.yaml", "partnership:\n  name: {value}\ncontact:\n  name: {value}\n"
                    "  email: a@example.org\n"),
    "place": ("content/places.yaml", "places:\n  - id: here\n    name: {value}\n    kind: {value}\n"),
}

# Characters that mean something to YAML, Markdown, HTML, Jinja or a terminal.
SPECIAL = "[]()*_`#>-+!<>&\\{}|:%@'\"\n\t ~=.,;/?1aZé\u202e\x1b\x00\ufffe"
markdownish = st.text(alphabet=SPECIAL, max_size=300)
words = st.lists(st.sampled_from(["<script>alert(1)</script>", "[a](javascript:x)", "![i](file:///etc/passwd)",
                                  "{place.name}", "{{ 7*7 }}", "{% include 'x' %}", "**b**", "- item", "> q",
                                  "1. one", "&amp;", "</style>", "\\", "[" * 50, "  ", "\n", "word"]),
                 max_size=20).map(" ".join)
anything = st.text(max_size=200)


def as_yaml(text: str, form: str) -> str:
    """Put a generated text into the YAML slot: raw (YAML may break), quoted, or as a block."""
    if form == "raw":
        return text
    if form == "quoted":
        return json.dumps(text)
    return "|\n" + textwrap.indent(text or "x", " " * 8)


values = st.tuples(st.sampled_from(sorted(FIELDS)), st.one_of(markdownish, words, anything),
                   st.sampled_from(["raw", "quoted", "block"]))

class LiveMarkup(HTMLParser):
    """What in a page's body could run, load or link somewhere a briefing should not."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "img", "iframe", "object", "embed", "link", "svg", "form", "base", "meta"):
            ours = tag == "svg" and dict(attrs).get("class") in ("qr", "figure-chart")  # the page's QR code and charts
            if not ours and not (tag == "img" and dict(attrs).get("src", "").startswith("data:")):
                self.found.append(tag)
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on") or name in ("style", "srcdoc", "formaction"):
                self.found.append(f"{tag} {name}")
            if name == "href" and not value.startswith(("https:", "mailto:")) and ":" in value.split("/")[0]:
                self.found.append(f"{tag} href={value}")


def live_markup(body: str) -> list[str]:
    parser = LiveMarkup()
    parser.feed(body)
    return parser.found


def check_one(root: Path, field: str, text: str, form: str) -> None:
    for old in root.rglob("*.yaml"):
        old.unlink()
    name, template = FIELDS[field]
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(template.replace("{value}", as_yaml(text, form)), encoding="utf-8", errors="surrogateescape")
    try:
        project = load_project(root)
    except MakecaseError as error:
        rendered = error.render(root)
        assert rendered.strip()
        assert "\x1b" not in rendered and "\u202e" not in rendered
        return
    place = next(iter(project.places.values()), None)
    try:
        briefing = compose(project, project.audiences["gps"], place)
        html = Renderer(project).render_html(briefing, "screen")
    except MakecaseError:
        return
    body = html.split("<body", 1)[1]
    assert not live_markup(body), (field, text, live_markup(body))
    assert html.count("<style>") == 1 and html.count("</style>") == 1


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


# No shrinking: a failure is reported as generated (shrinking these inputs can take many minutes).
SETTINGS = dict(deadline=None, suppress_health_check=list(HealthCheck), database=None,
                phases=[Phase.explicit, Phase.generate])


@settings(max_examples=200, **SETTINGS)
@given(values)
def test_every_text_field_ends_in_success_or_a_clear_error(fuzz_root, value):
    check_one(fuzz_root, *value)


@pytest.mark.fuzz
@settings(max_examples=10_000, **SETTINGS)
@given(values)
def test_fuzz_10000(fuzz_root, value):
    check_one(fuzz_root, *value)


CSS_ALPHABET = "</>@:;{}()'\"\\ \n!-urlimportdatastyle:#0.,*"
css_texts = st.one_of(
    st.text(alphabet=CSS_ALPHABET, max_size=200),
    st.lists(st.sampled_from(["p { color: red }", "</style>", "<!--", "@import 'x.css';", "url(", ")",
                              "url(data:image/png;base64,AAAA)", "url(https://x.example/t.png)", "\\3c/style>",
                              "@media print {", "}", "'", '"', "/*", "*/", "@font-face { src: ", "image-set("]),
             max_size=12).map(" ".join),
)


def check_css_case(root: Path, css: str) -> None:
    (root / "assets").mkdir(parents=True, exist_ok=True)
    (root / "assets" / "extra.css").write_text(css, encoding="utf-8", errors="surrogateescape")
    (root / "makecase.yaml").write_text("brand:\n  extra_css: assets/extra.css\n", encoding="utf-8")
    try:
        project = load_project(root)
    except MakecaseError:
        return
    html = Renderer(project).render_html(compose(project, project.audiences["gps"]), "screen")
    assert html.lower().count("</style") == 1, css
    from makecase.page.standalone import active_parts

    assert not active_parts(html), (css, active_parts(html))


@settings(max_examples=100, **SETTINGS)
@given(css_texts)
def test_extra_css_is_refused_or_stays_inside_its_style_element(tmp_path_factory, css):
    check_css_case(tmp_path_factory.mktemp("css", numbered=True), css)


@pytest.mark.fuzz
@settings(max_examples=2_000, **SETTINGS)
@given(css_texts)
def test_fuzz_css_2000(tmp_path_factory, css):
    check_css_case(tmp_path_factory.mktemp("css", numbered=True), css)
