"""The dashboard (图表) in a real browser, issue 15's acceptance: as the admin, a supervisor,
HR and a steward, at a desk (1366×768) and on a phone (390×844), every chart is drawn by
the ECharts shipped with the app (an instance on its box, a canvas of non-zero size), the
page does not scroll sideways on the phone, and a screenshot of each is saved in
test-artifacts/ (dashboard-<role>-<size>.png). No request may leave the machine (the `tab`
fixture fails on any): the library comes from static/vendor/echarts/."""

from __future__ import annotations

import pytest
import time_machine

from ..test_dashboard import CHARTS

pytestmark = pytest.mark.screens

NOW = "2026-11-20 10:00 +08:00"  # the demo company's today
SIZES = {"1366x768": (1366, 768), "390x844": (390, 844)}
DRAWN = """() => Array.from(document.querySelectorAll('[data-chart]')).map(box => {
    const chart = window.echarts && echarts.getInstanceByDom(box);
    const canvas = box.querySelector('canvas');
    return {key: box.closest('section').id, instance: !!chart,
            width: chart ? chart.getWidth() : 0, height: chart ? chart.getHeight() : 0,
            canvas: canvas ? canvas.width * canvas.height : 0,
            right: box.getBoundingClientRect().right};
})"""


def _until(page, condition: str, seconds: float = 10) -> None:
    """Wait until the page's `condition` holds, asking it with page.evaluate: Playwright's
    wait_for_function evaluates a string inside the page, which the page's CSP refuses once
    the condition is not true at the first try."""
    for _ in range(int(seconds * 10)):
        if page.evaluate(condition):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"still false after {seconds} s: {condition}")


@pytest.mark.parametrize("username", list(CHARTS))
def test_the_dashboard_draws_every_chart_at_a_desk_and_on_a_phone(tab, username):
    with time_machine.travel(NOW):
        tab.sign_in(username)
        for size, (width, height) in SIZES.items():
            tab.page.set_viewport_size({"width": width, "height": height})
            response = tab.go("/admin/dashboard/")
            assert response.status == 200
            _until(tab.page, "document.querySelectorAll('[data-chart] canvas').length"
                   f" >= {len(CHARTS[username])}")
            drawn = tab.page.evaluate(DRAWN)
            assert [chart["key"] for chart in drawn] == CHARTS[username]
            for chart in drawn:
                assert chart["instance"] and chart["width"] > 0 and chart["height"] > 0, chart
                assert chart["canvas"] > 0 and chart["right"] <= width, chart
            scroll = tab.page.evaluate("document.scrollingElement.scrollWidth")
            assert scroll <= tab.page.evaluate("window.innerWidth"), size
            # the figures' tables start open at a desk, folded on a phone
            opened = tab.page.evaluate(
                "Array.from(document.querySelectorAll('details.chart-data')).map(d => d.open)")
            assert opened and all(opened) == (width >= 768) and any(opened) == (width >= 768)
            role = "steward" if username.startswith("steward") else username.rstrip("1")
            tab.screenshot(f"dashboard-{role}-{size}")


def test_a_chart_follows_the_window_when_it_narrows(tab):
    """Opened at a desk, then the window narrows to a phone's width: the chart resizes with
    it and the page still does not scroll sideways."""
    with time_machine.travel(NOW):
        tab.sign_in("admin")
        tab.page.set_viewport_size({"width": 1366, "height": 768})
        tab.go("/admin/dashboard/")
        _until(tab.page, "document.querySelectorAll('[data-chart] canvas').length > 0")
        wide = tab.page.evaluate(DRAWN)[0]["width"]
        tab.page.set_viewport_size({"width": 390, "height": 844})
        _until(tab.page, "echarts.getInstanceByDom(document.querySelector('[data-chart]'))"
                         ".getWidth() < 390")
        narrow = tab.page.evaluate(DRAWN)[0]["width"]
        assert narrow < wide
        assert tab.page.evaluate(
            "document.scrollingElement.scrollWidth <= window.innerWidth")
