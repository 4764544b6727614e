"""The PDF's capped holdings table keeps unvalued then the largest holdings; history thinning on a leap day."""

from __future__ import annotations

from datetime import date, timedelta

from lifealm.charts.collect import thin_history
from lifealm.charts.inputs import HistoryPoint
from lifealm.render.context import PDF_HOLDINGS, largest_holdings


def _holdings(values: list[float | None]) -> list[dict[str, object]]:
    return [{"ticker": f"T{n:03d}", "value": v} for n, v in enumerate(values)]


def test_small_tables_are_whole_and_in_ledger_order() -> None:
    rows = _holdings([1.0, None, 3.0])
    assert largest_holdings(rows, limit=3) == (rows, 0)


def test_capped_table_keeps_unvalued_then_the_largest_and_counts_the_rest() -> None:
    values: list[float | None] = [float(v) for v in range(40)]
    values[7] = None  # no price: a data problem, always listed
    shown, more = largest_holdings(_holdings(values))
    assert more == 40 - PDF_HOLDINGS and len(shown) == PDF_HOLDINGS
    assert shown[0]["ticker"] == "T007"
    assert [h["value"] for h in shown[1:]] == sorted((v for v in values if v is not None), reverse=True)[
        :PDF_HOLDINGS - 1]


def test_thinning_on_a_leap_day() -> None:
    as_of = date(2028, 2, 29)
    points = tuple(HistoryPoint(as_of - timedelta(days=k), 1.0, None) for k in range(800, -1, -1))
    kept = thin_history(points, as_of)
    assert kept[-1].day == as_of
    assert [p.day for p in kept if p.day >= date(2027, 2, 28)] == [p.day for p in points if p.day >= date(2027, 2, 28)]
    assert date(2027, 2, 27) not in {p.day for p in kept}
