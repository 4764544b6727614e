"""Turn a frozen Briefing into the frozen ChartData the builders draw (no computation beyond selection)."""

from __future__ import annotations

import math

from lifealm.charts.inputs import (
    AllocationSlice,
    ChartData,
    DividendView,
    DividendYear,
    HistoryPoint,
    LadderStep,
    MarginView,
)
from lifealm.models.briefing import Briefing


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def chart_data(b: Briefing) -> ChartData:
    """Select what the charts show; projection years become calendar years (year 0 = the as-of year)."""
    t = b.margin.thresholds
    ladder = tuple(
        LadderStep(
            drawdown=s.drawdown,
            ratio=_finite(s.ratio),
            zone=str(s.zone),
            repay_to_avoid_liquidation=s.repay_to_avoid_liquidation,
            survives=s.survives,
        )
        for s in b.stress.ladder
    )
    has_loan = b.margin.balance > 0 and t is not None
    margin = MarginView(
        ratio=_finite(b.margin.ratio) if has_loan else None,
        freeze=t.freeze if t else None,
        margin_call=t.margin_call if t else None,
        forced_liquidation=t.forced_liquidation if t else None,
        max_survivable_drawdown=b.stress.max_survivable_drawdown if has_loan else None,
        ladder=ladder,
        defense_with_line=b.line.with_line.defense,
        defense_without_line=b.line.without_line.defense,
    )
    start = b.as_of.year
    dividends = DividendView(
        years=tuple(DividendYear(year=start + y.year, income=y.income) for y in b.dividends.years),
        annual_expenses=b.dividends.annual_expenses,
        crossover_year=None if b.dividends.crossover_year is None else start + b.dividends.crossover_year,
    )
    history = tuple(
        HistoryPoint(day=s.snapshot_date, net_worth=s.net_worth, margin_ratio=s.margin_ratio,
                     success_probability=s.success_probability)
        for s in b.history.series
    )
    valued = [h for h in b.valuation.holdings if h.value is not None and h.value > 0]
    valued.sort(key=lambda h: (-(h.value or 0.0), h.ticker))
    allocation = tuple(AllocationSlice(ticker=h.ticker, name=h.name, value=h.value or 0.0) for h in valued)
    return ChartData(margin=margin, dividends=dividends, history=history, allocation=allocation,
                     montecarlo=b.montecarlo)
