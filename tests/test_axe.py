"""Every HTML page and the index, in a real headless Chromium: zero WCAG 2.2 A and AA
violations from axe-core. One browser for the session; CI installs Debian's chromium."""

from __future__ import annotations

import pytest

from conftest import AUDIENCE_IDS
from makecase.check.axe import AxeRunner


@pytest.fixture(scope="session")
def axe():
    with AxeRunner() as runner:
        yield runner


@pytest.mark.parametrize("page", AUDIENCE_IDS + ["index"])
def test_no_wcag_22_a_or_aa_violations(default_pack, axe, page):
    html = (default_pack.out_dir / f"{page}.html").read_text(encoding="utf-8")
    violations = axe.run(html)
    assert [v.message() for v in violations] == []
    assert axe.version  # axe really ran


def test_axe_finds_what_it_should(axe):
    """The check is not vacuous: a page with a nameless link and an image without alt fails."""
    html = ('<!DOCTYPE html><html lang="en-GB"><head><title>t</title></head><body><main><h1>t</h1>'
            '<a href="x.html"></a><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></body></html>')
    assert {v.rule for v in axe.run(html)} >= {"link-name", "image-alt"}
