"""Content is untrusted: sanitised Markdown, escaped text, and no files outside the project."""

from __future__ import annotations

import pytest
from weasyprint import HTML

import makecase
from makecase.page.fetch import ProjectOnlyFetcher
from makecase.page.render import markdown_to_html


def test_markdown_keeps_links_and_emphasis_but_drops_scripts_and_javascript_urls():
    html = markdown_to_html(
        "**Bold** and [a link](https://www.nice.org.uk/) <script>alert(1)</script> "
        "[bad](javascript:alert(1)) <img src=x onerror=alert(1)>")
    assert "<strong>Bold</strong>" in html
    assert '<a href="https://www.nice.org.uk/">a link</a>' in html
    assert "<script" not in html and "javascript:" not in html and "<img" not in html and "onerror" not in html


def test_text_fields_are_escaped_not_interpreted(project, tmp_path):
    project.write("content/evidence.yaml", """
        evidence:
          - id: nice-brief-advice
            lever: guidance
            headline: "<b>Loud</b> & <script>alert(1)</script>"
            body: Plain body.
            sources:
              - title: NICE
                publisher: NICE
                year: 2013
                url: https://www.nice.org.uk/guidance/ph44
                section: Overview
                checked: 2026-11-01
            reviewed: 2026-11-01
    """)
    report = makecase.build(project.root, audiences=["gps"], formats=["html"], out=tmp_path / "o")
    # A heading's last two words are joined by a no-break space (no word alone on a line).
    html = (report.out_dir / "gps.html").read_text(encoding="utf-8").replace("\u00a0", " ")
    assert "&lt;b&gt;Loud&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>Loud</b>" not in html and "<script>" not in html


def test_fetcher_refuses_files_outside_the_project_and_any_network(tmp_path):
    inside = tmp_path / "project"
    inside.mkdir()
    (inside / "ok.css").write_text("p { color: red }")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    fetcher = ProjectOnlyFetcher([inside])
    assert fetcher.fetch((inside / "ok.css").as_uri()).read() == b"p { color: red }"
    with pytest.raises(ValueError):
        fetcher.fetch(outside.as_uri())
    with pytest.raises(ValueError):
        fetcher.fetch((inside / ".." / "secret.txt").as_uri())
    with pytest.raises(ValueError):
        fetcher.fetch("https://example.org/tracker.png")


def test_weasyprint_with_our_fetcher_does_not_embed_outside_images(tmp_path):
    outside = tmp_path / "outside.png"
    import base64
    outside.write_bytes(base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="))
    project = tmp_path / "project"
    project.mkdir()
    fetcher = ProjectOnlyFetcher([project])
    html = f'<p>x</p><img src="{outside.as_uri()}" alt="">'
    document = HTML(string=html, base_url=str(project), url_fetcher=fetcher).render()
    assert fetcher.refused == [outside.as_uri()]
    assert len(document.pages) == 1


def test_logo_outside_the_project_is_refused(project, tmp_path):
    project.write("makecase.yaml", """
        brand:
          logo:
            file: ../elsewhere.png
            alt: Logo
    """)
    (tmp_path / "elsewhere.png").write_bytes(b"x")
    with pytest.raises(makecase.MakecaseError) as caught:
        makecase.build(project.root, out=tmp_path / "o")
    assert "outside the project folder" in caught.value.render()
