"""A built page runs and loads nothing: tricks a project template might use are still caught."""

from __future__ import annotations

import pytest

from makecase.standalone import active_parts


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
