"""Pages for unusual households: no standby line, no loan, a ratio far past 120 %, short histories, a phone."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import vl_convert
from conftest import REPORT_DAY

from lifealm.charts import theme
from lifealm.charts.builders import build_all, margin_curve, stress_ladder
from lifealm.charts.collect import chart_data
from lifealm.models.briefing import build_briefing
from lifealm.models.briefing_json import briefing_to_json
from lifealm.models.inputs import CashAccount, Expense, Holding, LedgerInputs, Loan, PricePoint, Snapshot
from lifealm.render import pages

AS_OF = date(2026, 11, 25)


def household(*, line: bool = True, loan: float | None = 50_000_000.0, history_days: int = 0) -> LedgerInputs:
    loans = [] if loan is None else [Loan("margin", loan, 0.02, "portfolio", 0.60, 0.70, 0.85)]
    if line:
        loans.append(Loan("standby", 0.0, 0.03, None, credit_limit=10_000_000.0))
    snapshots = tuple(Snapshot(AS_OF - timedelta(days=d), "SAFE", 1.25e8, 4.5e6, 5e7, 0.4, 8e7, 1e5, 0.5, 0.6, None)
                      for d in range(history_days, 0, -1))
    return LedgerInputs(as_of=AS_OF, holdings=(Holding("CORE", "core", 25_000, 6e7),),
                        prices=(PricePoint("CORE", AS_OF, 5_000.0),), loans=tuple(loans),
                        cash_accounts=(CashAccount("bank", 4_500_000.0),), expenses=(Expense("living", 8e5),),
                        snapshots=snapshots)


def _rule_labels(spec: dict[str, Any]) -> list[str]:
    """The labels of the defense lines the ladder draws (rule marks only: the text layer repeats them)."""
    return [row["label"] for layer in spec["layer"] if layer["mark"]["type"] == "rule"
            for row in layer.get("data", {}).get("values", []) if "amount" in row]


def test_without_a_standby_line_the_ladder_draws_one_defense_line() -> None:
    without = stress_ladder(chart_data(build_briefing(household(line=False))).margin, theme.DARK)
    assert _rule_labels(without) == ["defense (cash)"]
    with_line = stress_ladder(chart_data(build_briefing(household())).margin, theme.DARK)
    assert _rule_labels(with_line) == ["defense with the standby line", "without the line"]


def test_without_a_loan_the_page_says_so_instead_of_drawing_a_ladder() -> None:
    b = build_briefing(household(loan=None))
    html = pages.render_screen(briefing_to_json(b), pages.screen_specs(chart_data(b)), root="", day_prefix="",
                               bundle="b")
    stress = html[html.index('id="stress"'):html.index('id="defense"')]
    assert 'id="chart-stress-ladder"' not in stress and 'id="no-ladder"' in stress
    assert "no stress ladder to draw" in stress


def test_the_margin_curve_is_not_clipped_at_120_percent() -> None:
    # ¥50M on ¥125M is 40 %; after a 70 % fall the ratio is 50/37.5 = 133.3 %: the axis must reach past it.
    spec = margin_curve(chart_data(build_briefing(household())).margin, theme.LIGHT)
    domains = [layer["encoding"]["y"]["scale"]["domain"] for layer in spec["layer"]
               if "scale" in layer.get("encoding", {}).get("y", {})]
    assert domains and all(d == [0, 1.4] for d in domains), domains  # 1.333 × 1.05 = 1.4 → next 10 %
    assert "clamp" not in str(domains)
    # The margin-call household: 42,162,500 / (55,550,000 × 0.3) = 253 % at a 70 % fall → axis to 270 %.
    heavy = replace(household(line=False, loan=42_162_500.0), prices=(PricePoint("CORE", AS_OF, 2_222.0),))
    spec = margin_curve(chart_data(build_briefing(heavy)).margin, theme.LIGHT)
    svg = vl_convert.vegalite_to_svg(spec)
    # English axis labels write percentages as the page does, with a space before the sign (250 %).
    assert ">250 %<" in svg and ">120 %<" not in svg.split(">250 %<")[1]


@pytest.mark.parametrize("days", [0, 1, 3])
def test_time_axes_show_dates_only(days: int) -> None:
    specs = build_all(chart_data(build_briefing(household(history_days=days))), theme.LIGHT)
    for chart_id in ("net-worth-history", "margin-history"):
        svg = vl_convert.vegalite_to_svg(specs[chart_id])
        labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
        assert not any(re.search(r"\b(AM|PM)\b|\d:\d\d", label) for label in labels), (chart_id, labels)
        assert any(label == REPORT_DAY for label in labels), (chart_id, labels)


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield instance
        instance.close()


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists() or shutil.which("chromium") is None,
                    reason="Debian chromium is not installed")
def test_on_a_390px_phone_every_ladder_column_can_be_reached(browser: Any, briefing_site: dict[str, Any]) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto((briefing_site["site"] / "index.html").as_uri())
        headers = page.query_selector_all("table.ladder thead th")
        assert len(headers) == 6
        for header in headers:
            header.scroll_into_view_if_needed()
            box = header.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390 + 0.5, \
                (header.inner_text(), box)
        # The page itself does not scroll sideways: only the table does, inside its own box.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        page.close()


def test_the_print_margin_curve_labels_do_not_collide_on_a_tall_axis() -> None:
    # The margin-call household's curve reaches 253 %: the 60/70/85 % lines are a few pixels apart, so their
    # labels must be apart along the drop axis (and clear of "today"). Text boxes estimated at 6 px a character.
    heavy = replace(household(line=False, loan=42_162_500.0), prices=(PricePoint("CORE", AS_OF, 2_222.0),))
    svg = vl_convert.vegalite_to_svg(margin_curve(chart_data(build_briefing(heavy)).margin, theme.LIGHT))
    boxes = []
    for m in re.finditer(r'<text[^>]*transform="translate\(([\d.-]+),([\d.-]+)\)"[^>]*>'
                         r"(freeze|margin call|forced liquidation|today)</text>", svg):
        x, y, text = float(m.group(1)), float(m.group(2)), m.group(3)
        boxes.append((text, x, x + 6 * len(text), y - 10, y))
    assert {b[0] for b in boxes} == {"freeze", "margin call", "forced liquidation", "today"}
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            apart = a[2] <= b[1] or b[2] <= a[1] or a[4] <= b[3] or b[4] <= a[3]
            assert apart, (a, b)
