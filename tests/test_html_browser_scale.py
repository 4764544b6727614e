"""The grown ledger's page in headless Chromium: thinned history and the "others" bar draw, every holding listed."""

from __future__ import annotations

from typing import Any

import pytest
from test_charts_scale import grown_site  # noqa: F401  (the module-scoped grown-ledger report)
from test_html_browser import _open, browser  # noqa: F401  (the shared Chromium launch and page recorder)

from lifealm.charts.collect import ALLOCATION_BARS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_grown_page_draws_every_chart_and_lists_every_holding(browser: Any,  # noqa: F811
                                                              grown_site: dict[str, Any]) -> None:  # noqa: F811
    doc = grown_site["doc"]
    page, seen = _open(browser, grown_site["outcome"].html_path.as_uri(), {"width": 1280, "height": 900})
    try:
        charts = page.query_selector_all(".chart")
        assert len(charts) >= 7
        for chart in charts:
            assert chart.query_selector("svg .mark-rect, svg .mark-line, svg .mark-area, svg .mark-symbol"), \
                chart.get_attribute("id")
        assert seen["errors"] == [] and seen["dialogs"] == []
        assert all(u.startswith(("file:", "data:")) for u in seen["requests"]), seen["requests"]
        valued = sum(1 for h in doc["holdings"] if h["value"])
        labels = page.eval_on_selector_all("#chart-allocation svg text", "els => els.map(e => e.textContent)")
        assert f"{valued - ALLOCATION_BARS} others" in labels
        bars = page.eval_on_selector_all("#chart-allocation svg g.mark-rect path", "els => els.length")
        assert bars == ALLOCATION_BARS + 1
        rows = page.eval_on_selector_all("#holdings tbody tr", "els => els.length")
        assert rows == len(doc["holdings"])
    finally:
        page.close()
