"""A built page runs and loads nothing: tricks a project template might use are still caught."""

from __future__ import annotations

import pytest

from makecase.page.standalone import active_parts


@pytest.mark.parametrize("html", [
    '<a href="java&#9;script:alert(1)">x</a>',          # a tab inside the scheme
    '<a href=" JavaScript:alert(1)">x</a>',
    '<svg><image href="https://e.example/a.png"/></svg>',  # SVG that loads a file
    '<svg><use xlink:href="https://e.example/s.svg#i"/></svg>',
    '<p style="background:u\\72l(https://e.example/t.png)">x</p>',  # a CSS escape hiding url(
])
def test_a_hidden_way_to_run_or_load_something_is_caught(html):
    assert active_parts(html)


def test_ordinary_links_and_inline_references_pass():
    assert active_parts('<a href="https://www.nice.org.uk/">NICE</a><svg><use href="#icon"/></svg>') == []


# Ways a page could read as harmless to a parser that is not a browser's (html.parser did), yet
# run script or fetch a file in Chromium: each is refused now that the page is parsed as HTML5.
REMOTE = "http://127.0.0.1:8765"


def test_an_img_breaking_out_of_svg_style_is_caught():
    # In SVG, <style> is not raw text: the <img> leaves it and is a real element with onerror.
    found = active_parts(f'<svg><style><img src="{REMOTE}/x.png" onerror="document.title=1"></style></svg>')
    assert "an event handler (onerror=) on <img>" in found
    assert any("loads a file" in part for part in found)


def test_an_img_breaking_out_of_mathml_style_is_caught():
    assert active_parts(f'<math><style><img src="{REMOTE}/x.png" onerror="document.title=1"></style></math>')


def test_an_img_after_a_comment_a_browser_ends_early_is_caught():
    assert active_parts(f'<!---><img src="{REMOTE}/comment.png"> -->')


def test_noscript_is_refused():
    found = active_parts(f'<noscript><p title="</noscript><img src={REMOTE}/noscript.png>"></noscript>')
    assert "a <noscript> element" in found


def test_image_set_in_a_style_attribute_is_caught():
    assert active_parts(f"<p style=\"background-image: image-set('{REMOTE}/imageset.png' 1x)\">x</p>")
    assert active_parts(f"<p style=\"background-image: -webkit-image-set('{REMOTE}/i.png' 1x)\">x</p>")


@pytest.mark.parametrize("css", [
    f"p {{ background-image: image-set('{REMOTE}/a.png' 1x) }}",
    f"p {{ background-image: -webkit-image-set('{REMOTE}/a.png' 1x) }}",
    f"@import '{REMOTE}/a.css';",
    "p { width: expression(alert(1)) }",
])
def test_a_stylesheet_that_loads_a_file_is_caught_in_html_svg_and_mathml(css):
    for page in (f"<style>{css}</style>", f"<svg><style>{css}</style></svg>", f"<math><style>{css}</style></math>"):
        assert "a stylesheet that loads a file" in active_parts(page), page


@pytest.mark.parametrize("html", [
    '<svg><a href="#x"><set attributeName="href" to="javascript:alert(1)"/>x</a></svg>',
    '<svg><a href="#x"><animate attributeName="href" values="javascript:alert(1)"/>x</a></svg>',
    '<svg><a href="#x"><set attributeName="xlink:href" to="#y"/>x</a></svg>',
    f'<svg><image href="#a"><set attributeName="href" to="{REMOTE}/a.png"/></image></svg>',
    f'<svg><rect><animate attributeName="fill" values="url({REMOTE}/p.svg#g)"/></rect></svg>',
])
def test_svg_animation_that_sets_a_link_or_a_url_is_caught(html):
    assert any("an SVG <" in part for part in active_parts(html)), active_parts(html)


def test_a_ping_attribute_is_caught():
    assert active_parts('<a href="https://www.nice.org.uk/" ping="https://e.example/track">NICE</a>')


def test_ordinary_svg_animation_passes():
    assert active_parts('<svg><rect><animate attributeName="opacity" values="0;1" dur="1s"/></rect></svg>') == []


def test_the_inline_favicon_and_the_index_thumbnails_pass():
    page = ('<!doctype html><html><head><link rel="icon" href="data:image/svg+xml,%3Csvg%3E%3C/svg%3E">'
            '<style>p { color: red }</style></head><body><p>x</p></body></html>')
    assert active_parts(page) == []
    index = '<img src="gps.thumb.png" alt=""><img src="pcn-leads.thumb.png" alt="">'
    assert active_parts(index, own_pictures={"gps.thumb.png", "pcn-leads.thumb.png"}) == []
    assert active_parts(index, own_pictures={"gps.thumb.png"})  # not one of the pack's own


def test_an_svg_presentation_attribute_naming_a_file_is_caught_and_a_fragment_passes():
    assert active_parts(f'<svg><rect filter="url({REMOTE}/f.svg#f)"/></svg>')
    assert active_parts('<svg><defs><linearGradient id="g"/></defs><rect fill="url(#g)"/></svg>') == []
    assert active_parts(f'<html manifest="{REMOTE}/app.manifest"><p>x</p></html>')
