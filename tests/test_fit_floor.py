"""The fit stage's floor: the smallest body size it promises to try is the one it tries and names."""

from __future__ import annotations

import pytest

from makecase.page.fit import DoesNotFit, PageFitter
from makecase.load.settings import Layout

TOO_LONG = "<html><body>" + "<p>Walking groups meet every week in every park.</p>" * 400 + "</body></html>"
SHORT = "<html><body><p>Walking groups meet every week.</p></body></html>"


def overflow(tmp_path, layout: Layout, label: str = "gps") -> tuple[DoesNotFit, list[float]]:
    fitter = PageFitter([tmp_path])
    tried: list[float] = []
    render = fitter._render

    def spy(html, size, extra=None):
        tried.append(size)
        return render(html, size, extra)

    fitter._render = spy
    with pytest.raises(DoesNotFit) as caught:
        fitter.fit(TOO_LONG, tmp_path, layout, label)
    return caught.value, tried


def test_a_floor_between_steps_is_tried_and_named(tmp_path):
    error, tried = overflow(tmp_path, Layout(body_size=12, min_body_size=11.1))
    # 12, 11.75, 11.5, 11.25 and then the floor itself, not 11.0 (below it) nor a stop at 11.25.
    assert tried[:5] == [12, 11.75, 11.5, 11.25, 11.1]
    assert min(tried) == 11.1
    assert "at the 11.1pt minimum" in error.problem.message


def test_the_overflow_problem_carries_the_callers_label(tmp_path):
    error, _ = overflow(tmp_path, Layout(body_size=11, min_body_size=11), label="audience gps")
    assert error.problem.key == "audience gps"
    assert "Does not fit on one page" in error.problem.message and error.problem.hint.startswith("Cut about")


def test_a_page_that_fits_keeps_its_starting_size(tmp_path):
    page = PageFitter([tmp_path]).fit(SHORT, tmp_path, Layout(body_size=12, min_body_size=11.1), "gps")
    assert page.body_size == 12 and page.room_words > 0
