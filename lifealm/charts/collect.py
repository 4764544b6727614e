"""Turn a frozen Briefing into the frozen ChartData the builders draw (selection and thinning, no new figures)."""

from __future__ import annotations

import math
from datetime import date

from lifealm.charts.inputs import (
    AllocationSlice,
    ChartData,
    DividendView,
    DividendYear,
    HistoryPoint,
    LadderStep,
    MarginView,
    TimelineBar,
    TimelineMarker,
    TimelineView,
)
from lifealm.drawable import drawable_text
from lifealm.models.briefing import Briefing

# The allocation chart draws this many of the largest holdings; the rest share one "N others" bar.
ALLOCATION_BARS = 20
# History charts keep every point of the last year; older points are thinned to one per calendar month.
RECENT_YEARS = 1


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def thin_history(points: tuple[HistoryPoint, ...], as_of: date) -> tuple[HistoryPoint, ...]:
    """Every point of the last year, and before that each calendar month's last point; oldest first.

    Twenty years of daily briefings are 7,300 points, far more than a chart can show, and each one costs time
    in the browser and in vl-convert. The latest point (today's) is always kept. briefing.json keeps them all.
    """
    ordered = sorted(points, key=lambda p: p.day)
    # The same calendar day a year earlier (29 February falls back to the 28th).
    cut = date(as_of.year - RECENT_YEARS, as_of.month, min(as_of.day, 28 if as_of.month == 2 else as_of.day))
    kept: list[HistoryPoint] = []
    for n, point in enumerate(ordered):
        following = ordered[n + 1] if n + 1 < len(ordered) else None
        month_end = following is None or (following.day.year, following.day.month) != (point.day.year, point.day.month)
        if point.day >= cut or month_end:
            kept.append(point)
    return tuple(kept)


def by_size(value: float | None, ticker: str) -> tuple[bool, float, str]:
    """The one order of "the largest holdings" (chart bars, the page's capped table): holdings that could not be
    valued first (a data problem the reader must see), then the largest value, ties by ticker."""
    return (value is not None, -(value or 0.0), ticker)


def allocation_slices(holdings: list[AllocationSlice], bars: int = ALLOCATION_BARS) -> tuple[AllocationSlice, ...]:
    """The largest `bars` holdings, largest first, then one slice summing all the others (if more than one)."""
    ordered = sorted(holdings, key=lambda s: by_size(s.value, s.ticker))
    if len(ordered) <= bars + 1:  # one "1 others" bar would hide a holding to save no space
        return tuple(ordered)
    rest = ordered[bars:]
    others = AllocationSlice(ticker="", name="", value=math.fsum(s.value for s in rest), others=len(rest))
    return (*ordered[:bars], others)


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
    has_loan = b.margin.has_loan
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
        years=tuple(DividendYear(year=start + y.year, income=y.income, expenses=y.expenses)
                    for y in b.dividends.years),
        annual_expenses=b.dividends.annual_expenses,
        crossover_year=None if b.dividends.crossover_year is None else start + b.dividends.crossover_year,
        annual_interest=b.dividends.annual_interest,
    )
    history = thin_history(tuple(
        HistoryPoint(day=s.snapshot_date, net_worth=s.net_worth, margin_ratio=s.margin_ratio,
                     success_probability=s.success_probability)
        for s in b.history.series
    ), b.as_of)
    # One bar per security: a stock held in two accounts (taxable and NISA) is one position in the market.
    # Ledger text enters the charts only here: made drawable, so vl-convert can neither abort nor stall on it.
    by_ticker: dict[str, AllocationSlice] = {}
    for h in b.valuation.holdings:
        if h.value is not None and h.value > 0:
            seen = by_ticker.get(h.ticker)
            by_ticker[h.ticker] = AllocationSlice(drawable_text(h.ticker), drawable_text(h.name),
                                                  h.value + (seen.value if seen else 0.0))
    allocation = allocation_slices(list(by_ticker.values()))
    return ChartData(margin=margin, dividends=dividends, history=history, allocation=allocation,
                     montecarlo=b.montecarlo, timeline=timeline_view(b), currency=b.base_currency)


def timeline_view(b: Briefing) -> TimelineView | None:
    """The plan year by year and where its streams start or end; None when there is nothing to draw."""
    years = b.timeline.years
    if not any(y.income or y.expenses or y.events_income or y.events_expense for y in years):
        return None
    bars = tuple(TimelineBar(y.offset, y.start, y.income, y.expenses, y.events_income, y.events_expense,
                             tuple((drawable_text(name), age) for name, age in y.ages))
                 for y in years)
    markers = tuple(
        TimelineMarker(((m.on.year - b.as_of.year) * 12 + m.on.month - b.as_of.month) // 12, m.on, m.kind,
                       drawable_text(m.name))
        for m in b.timeline.marks if not m.kind.startswith("event")  # events are in the bars themselves
    )
    return TimelineView(bars, markers)
