"""A ledger that grows: history thinned for the charts, a capped allocation chart, the PDF's capped holdings table."""

from __future__ import annotations

import json
import math
import sqlite3
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from demo_ledgers import demo_copy
from hypothesis import given, settings
from hypothesis import strategies as st
from ledger_rows import add_holding

from lifealm.charts import theme
from lifealm.charts.builders import allocation
from lifealm.charts.collect import ALLOCATION_BARS, allocation_slices, thin_history
from lifealm.charts.inputs import AllocationSlice, HistoryPoint
from lifealm.pipeline import build_report
from lifealm.render.context import PDF_HOLDINGS
from lifealm.settings import load_settings

AS_OF = date(2026, 11, 25)
EXTRA_HOLDINGS = 40  # with the demo's ten: more than both the chart's bars and the PDF table's rows
HISTORY_DAYS = 3 * 365


def _points(days: list[date]) -> tuple[HistoryPoint, ...]:
    return tuple(HistoryPoint(day=d, net_worth=1e8 + n, margin_ratio=0.4) for n, d in enumerate(days))


@settings(max_examples=80, deadline=None)
@given(offsets=st.sets(st.integers(min_value=0, max_value=4 * 366), min_size=1, max_size=400))
def test_thinning_keeps_the_last_year_each_month_end_and_today(offsets: set[int]) -> None:
    days = sorted(AS_OF - timedelta(days=k) for k in offsets)
    points = _points(days)
    kept = thin_history(points, AS_OF)
    kept_days = [p.day for p in kept]
    assert kept_days == sorted(kept_days) and set(kept) <= set(points)
    assert kept[-1] == points[-1]  # the latest point (today's briefing when it is in the series)
    year_ago = date(2025, 11, 25)
    for d in days:
        month_last = max(x for x in days if (x.year, x.month) == (d.year, d.month))
        # Inside the last year nothing is dropped; before it exactly each month's last point is kept.
        assert (d in kept_days) == (d >= year_ago or d == month_last), d


def test_thinning_twenty_years_of_daily_points() -> None:
    days = [AS_OF - timedelta(days=k) for k in range(20 * 365, -1, -1)]
    kept = thin_history(_points(days), AS_OF)
    recent = [p for p in kept if p.day >= date(2025, 11, 25)]
    assert len(recent) == 366  # 2025-11-25 … 2026-11-25, every day
    older = [p.day for p in kept if p.day < date(2025, 11, 25)]
    assert len(older) == len({(d.year, d.month) for d in older})  # one per month
    assert all((d + timedelta(days=1)).month != d.month for d in older)  # calendar month-ends (a daily series)
    assert len(kept) < 700


def _slices(values: list[float]) -> list[AllocationSlice]:
    return [AllocationSlice(ticker=f"T{n:03d}", name=f"name {n}", value=v) for n, v in enumerate(values)]


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.floats(min_value=0.01, max_value=1e10), min_size=0, max_size=120))
def test_allocation_keeps_the_largest_and_the_others_bar_sums_to_the_total(values: list[float]) -> None:
    shown = allocation_slices(_slices(values))
    assert math.isclose(math.fsum(s.value for s in shown), math.fsum(values), rel_tol=1e-12)
    if len(values) <= ALLOCATION_BARS + 1:
        assert len(shown) == len(values) and not any(s.others for s in shown)
        return
    assert len(shown) == ALLOCATION_BARS + 1
    others = shown[-1]
    assert others.others == len(values) - ALLOCATION_BARS
    largest = sorted(values, reverse=True)[:ALLOCATION_BARS]
    assert [s.value for s in shown[:-1]] == largest
    assert all(not s.others for s in shown[:-1])


def test_allocation_chart_draws_the_others_bar_last() -> None:
    slices = allocation_slices(_slices([float(v) for v in range(1, 51)]))  # the "others" sum outweighs every bar
    spec = allocation(slices, theme.DARK)
    rows = spec["data"]["values"]
    assert [r["holding"] for r in rows][-1] == f"{50 - ALLOCATION_BARS} others"
    assert rows[-1]["value"] == pytest.approx(sum(range(1, 31)))
    assert max(r["value"] for r in rows) == rows[-1]["value"]
    assert spec["encoding"]["y"]["sort"] == {"field": "order", "order": "ascending"}
    assert [r["order"] for r in rows] == list(range(len(rows)))


@pytest.fixture(scope="module")
def grown_site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo ledger with 40 more holdings and three years of daily snapshots, reported once."""
    root = tmp_path_factory.mktemp("grown")
    db = demo_copy(root / "ledger.db", as_of=AS_OF)
    conn = sqlite3.connect(db)
    try:
        tickers = [f"G{n:03d}.T" for n in range(EXTRA_HOLDINGS)]
        for n, t in enumerate(tickers):
            add_holding(conn, t, 100.0 + n, name=f"Grown {t}", cost_basis=1e5)
        conn.executemany("INSERT INTO prices VALUES (?, ?, ?)",
                         [(t, AS_OF.isoformat(), 500.0 + 10 * n) for n, t in enumerate(tickers)])
        conn.executemany("INSERT INTO dividends (ticker, ex_date, amount_per_share, is_projection) VALUES (?, ?, ?, 0)",
                         [(t, (AS_OF - timedelta(days=90)).isoformat(), 12.0) for t in tickers])
        conn.execute("DELETE FROM snapshots")
        days = [AS_OF - timedelta(days=k) for k in range(HISTORY_DAYS, 0, -1)]
        conn.executemany(
            "INSERT INTO snapshots (snapshot_date, status, portfolio_value, cash, margin_balance, margin_ratio, "
            "net_worth, monthly_cashflow, fire_ratio, max_survivable_drawdown, success_probability) "
            "VALUES (?, 'SAFE', ?, 4.5e6, 5e7, ?, ?, 2e5, 0.4, 0.5, 0.9)",
            [(d.isoformat(), 1.2e8 + n, 0.4 + n * 1e-6, 7e7 + n) for n, d in enumerate(days)])
        conn.commit()
    finally:
        conn.close()
    outcome = build_report(load_settings(db=db, out=root / "site", environ={}), as_of=AS_OF)
    return {"outcome": outcome, "days": days, "doc": json.loads(outcome.json_path.read_text("utf-8"))}


def test_grown_history_charts_are_thinned_but_the_change_uses_the_previous_snapshot(grown_site: dict[str, Any]
                                                                                   ) -> None:
    doc, days = grown_site["doc"], grown_site["days"]
    # briefing.json keeps the full series; only the charts are thinned.
    assert len(doc["history"]["series"]) == len(days) + 1
    assert doc["history"]["previous_date"] == (AS_OF - timedelta(days=1)).isoformat()
    charts = grown_site["outcome"].day_dir / "charts"
    for chart_id, field in (("net-worth-history", "net_worth"), ("margin-history", "ratio")):
        spec = json.loads((charts / f"{chart_id}.vl.json").read_text("utf-8"))
        layers = [layer.get("data", spec.get("data"))["values"] for layer in spec.get("layer", [spec])]
        rows = next(values for values in layers if len(values) > 1)  # a layer without data draws the chart's
        drawn = [date.fromisoformat(r["day"]) for r in rows]
        assert drawn[-1] == AS_OF and drawn[-2] == AS_OF - timedelta(days=1)
        assert len(drawn) < 400 < len(days)
        assert rows[-1][field] == pytest.approx(doc["balance_sheet"]["net_worth"] if field == "net_worth"
                                                else doc["margin"]["ratio"])


def test_grown_allocation_shows_the_largest_and_the_others(grown_site: dict[str, Any]) -> None:
    doc = grown_site["doc"]
    spec = json.loads((grown_site["outcome"].day_dir / "charts" / "allocation.vl.json").read_text("utf-8"))
    rows = spec["data"]["values"]
    by_security: dict[str, float] = {}  # one bar per security, over the accounts that hold it
    for h in doc["holdings"]:
        if h["value"]:
            by_security[h["ticker"]] = by_security.get(h["ticker"], 0.0) + h["value"]
    valued = sorted(by_security.values(), reverse=True)
    assert len(rows) == ALLOCATION_BARS + 1
    assert rows[-1]["holding"] == f"{len(valued) - ALLOCATION_BARS} others"
    assert math.fsum(r["value"] for r in rows) == pytest.approx(doc["portfolio"]["value"], rel=1e-9)
    assert rows[0]["value"] == pytest.approx(valued[0])


def test_grown_pdf_lists_the_largest_holdings_and_says_how_many_more(grown_site: dict[str, Any]) -> None:
    outcome, doc = grown_site["outcome"], grown_site["doc"]
    total = len(doc["holdings"])
    assert total > PDF_HOLDINGS
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(outcome.pdf_path), "-"],
                          capture_output=True, check=True).stdout.decode("utf-8")
    flat = " ".join(text.split())
    assert (f"The {PDF_HOLDINGS} largest of {total} holdings are listed here; the other {total - PDF_HOLDINGS} "
            "are in the HTML briefing and briefing.json.") in flat
    table = text[text.index("HOLDINGS"):text.index("DIVIDENDS")]
    ranked = sorted(doc["holdings"], key=lambda h: -(h["value"] or 0.0))
    for h in ranked[:PDF_HOLDINGS]:
        assert h["ticker"] in table, h["ticker"]
    for h in ranked[PDF_HOLDINGS:]:
        assert h["ticker"] not in table, h["ticker"]
    pages = text.count("\f")
    assert 2 <= pages <= 5, pages
    html = Path(outcome.html_path).read_text("utf-8")
    assert all(f"<bdi>{h['ticker']}</bdi>" in html for h in doc["holdings"])  # the page keeps every holding
    assert "largest of" not in html
