"""Every HTML page and the index, in a real headless Chromium: zero WCAG 2.2 A and AA
violations from axe-core. One browser for the session; CI installs Debian's chromium."""

from __future__ import annotations

import json

import pytest

import makecase
from conftest import AUDIENCE_IDS
from makecase.check.axe import WCAG_TAGS, AxeRunner, find_chromium, shared_browser


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


# --- at a phone's width and a desktop's, with WCAG 1.4.12 text spacing ----------------------------

# WCAG 1.4.12's spacing, as a reader's style sheet applies it.
TEXT_SPACING = ("* { line-height: 1.5 !important; letter-spacing: 0.12em !important;"
                " word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }")
LONG_CONTACT = """
partnership:
  name: Greater Northshire and Southvale Active Partnership for Everyone
contact:
  name: Physical Activity and Wellbeing Development Team
  email: physical.activity.partnerships.team@greater-northshire-and-southvale.gov.uk
  url: https://www.greater-northshire-and-southvale-active-partnership.org.uk/contact-the-whole-systems-team
"""


@pytest.fixture(scope="session")
def tab(axe):
    """A browser tab of the axe session's Chromium, with axe-core loaded into every page."""
    from axe_playwright_python.sync_playwright import Axe

    context = shared_browser(find_chromium()).new_context(offline=True)
    context.route("**/*", lambda route: route.abort())
    context.add_init_script(Axe().axe_script)
    page = context.new_page()
    yield page
    context.close()


def show(tab, html: str, width: int) -> None:
    tab.set_viewport_size({"width": width, "height": 844})
    tab.set_content(html, wait_until="domcontentloaded")
    tab.add_style_tag(content=TEXT_SPACING)


def violations(tab) -> list[str]:
    options = json.dumps({"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    response = tab.evaluate(f"axe.run(document, {options})")
    return [f"{v['id']}: {' '.join(v['nodes'][0]['target'])}" for v in response["violations"]]


def overflow(tab) -> list[str]:
    """The page's width beyond the window, and what sticks out."""
    return tab.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        const out = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > width + 0.5)
            .map(e => e.tagName.toLowerCase() + '.' + e.className + ': ' + (e.textContent || '').trim().slice(0, 40));
        return document.documentElement.scrollWidth > width ? out.slice(0, 5).concat(['scrollWidth ' + document.documentElement.scrollWidth]) : [];
    }""")


@pytest.fixture(scope="session")
def long_contact_pack(tmp_path_factory):
    root = tmp_path_factory.mktemp("long-contact")
    (root / "makecase.yaml").write_text(LONG_CONTACT.lstrip(), encoding="utf-8")
    return makecase.build(root, out=root / "output", formats=("html",))


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("page", AUDIENCE_IDS + ["index"])
def test_no_violations_and_no_sideways_scroll_with_text_spacing(default_pack, tab, page, width):
    show(tab, (default_pack.out_dir / f"{page}.html").read_text(encoding="utf-8"), width)
    assert violations(tab) == []
    assert overflow(tab) == []


@pytest.mark.parametrize("page", ["gps", "commissioners"])
def test_long_names_and_addresses_break_at_320_px(long_contact_pack, tab, page):
    html = (long_contact_pack.out_dir / f"{page}.html").read_text(encoding="utf-8")
    assert "physical.activity.partnerships.team@" in html
    show(tab, html, 320)
    assert overflow(tab) == []
    assert violations(tab) == []


def focus_path(tab) -> list[dict]:
    """Every stop of the Tab key through the page, with where it is drawn."""
    stops = []
    for _ in range(80):
        tab.keyboard.press("Tab")
        stop = tab.evaluate("""() => { const e = document.activeElement;
            if (!e || e === document.body) return null;
            const r = e.getClientRects()[0] || e.getBoundingClientRect();
            const region = e.closest('.cases') ? 'cases' : e.closest('.side') ? 'side' : e.closest('footer, .foot') ? 'foot' : 'top';
            return {text: e.textContent.trim().slice(0, 40), top: r.top + window.scrollY, left: r.left, region}; }""")
        if stop is None or stop in stops:
            break
        stops.append(stop)
    return stops


@pytest.mark.parametrize("audience", ["gps", "commissioners"])
def test_tab_goes_through_the_page_in_the_order_it_is_seen(default_pack, tab, audience):
    html = (default_pack.out_dir / f"{audience}.html").read_text(encoding="utf-8")
    for width in (390, 1280):
        show(tab, html, width)
        assert tab.evaluate("[...document.querySelectorAll('*')].filter(e => getComputedStyle(e).order !== '0').length") == 0
        stops = focus_path(tab)
        assert len(stops) >= 8
        if width == 390:  # one column: each stop is below the last (or beside it, on its line)
            for before, after in zip(stops, stops[1:]):
                assert after["top"] > before["top"] - 2 or after["left"] > before["left"], (width, before, after)
            figures = tab.evaluate("document.querySelector('.figures').getBoundingClientRect().top + scrollY")
            story = tab.evaluate("document.querySelector('.story').getBoundingClientRect().top + scrollY")
            assert figures < 2 * 844 and figures < story, "the key figures come within two screens, before the story"
        else:  # two columns: the top, the case column, the side column, the foot, each read downwards
            regions = [s["region"] for s in stops]
            assert regions == sorted(regions, key=["top", "cases", "side", "foot"].index), regions
            for region in ("cases", "side"):
                tops = [s["top"] for s in stops if s["region"] == region]
                assert tops == sorted(tops), (region, tops)


def _luminance(rgb: tuple[int, ...]) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize("page", AUDIENCE_IDS + ["index"])
def test_the_focus_indicator_stands_out_3_to_1_from_what_is_behind_it(default_pack, tab, page):
    """WCAG 2.4.13/1.4.11: at each Tab stop, the indicator (the focus background, or the bar
    under it) is at least 3:1 against the colour behind the link."""
    show(tab, (default_pack.out_dir / f"{page}.html").read_text(encoding="utf-8"), 1280)
    worst = []
    for _ in range(60):
        tab.keyboard.press("Tab")
        colours = tab.evaluate("""() => { const e = document.activeElement; if (!e || e === document.body) return null;
            const nums = s => (s.match(/[\\d.]+/g) || []).slice(0, 4).map(Number);
            let p = e.parentElement, behind = [255, 255, 255];
            while (p) { const c = nums(getComputedStyle(p).backgroundColor); if (c.length === 3 || c[3] > 0) { behind = c; break; } p = p.parentElement; }
            const s = getComputedStyle(e);
            return {text: e.textContent.trim().slice(0, 30), behind, background: nums(s.backgroundColor),
                    shadow: nums(s.boxShadow.split(/,\\s*(?=rgb)/).slice(-1)[0]), outline: nums(s.outlineColor), ow: s.outlineStyle}; }""")
        if colours is None:
            break
        candidates = [colours["background"], colours["shadow"]]
        best = max(contrast(tuple(c), tuple(colours["behind"])) for c in candidates if len(c) >= 3)
        worst.append((round(best, 2), colours["text"]))
    assert worst, "the page has stops"
    assert min(worst)[0] >= 3, min(worst)
