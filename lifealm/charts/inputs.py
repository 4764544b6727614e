"""Frozen, display-free data the chart builders draw; built from the briefing by lifealm.charts.collect."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lifealm.models.montecarlo.result import MonteCarloResult


@dataclass(frozen=True, slots=True)
class LadderStep:
    drawdown: float
    ratio: float | None
    zone: str
    repay_to_avoid_liquidation: float
    survives: bool


@dataclass(frozen=True, slots=True)
class MarginView:
    """Today's margin position, its thresholds and the stress ladder (with the standby line)."""

    ratio: float | None
    freeze: float | None
    margin_call: float | None
    forced_liquidation: float | None
    max_survivable_drawdown: float | None
    ladder: tuple[LadderStep, ...]
    defense_with_line: float
    defense_without_line: float


@dataclass(frozen=True, slots=True)
class DividendYear:
    year: int
    income: float
    expenses: float | None = None  # annual expenses grown by inflation to this year; None: the flat figure


@dataclass(frozen=True, slots=True)
class DividendView:
    years: tuple[DividendYear, ...]
    annual_expenses: float
    crossover_year: int | None
    annual_interest: float = 0.0  # the dividends must cover expenses + interest (the FIRE ratio's denominator)


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    day: date
    net_worth: float
    margin_ratio: float | None
    success_probability: float | None = None


@dataclass(frozen=True, slots=True)
class AllocationSlice:
    """One bar of the allocation chart: a holding, or (others > 0) the summed value of that many smaller ones."""

    ticker: str
    name: str
    value: float
    others: int = 0


@dataclass(frozen=True, slots=True)
class TimelineBar:
    """One year of the household's plan (today's money): income and expenses, and one-off events."""

    offset: int  # years from today
    start: date
    income: float
    expenses: float
    events_income: float
    events_expense: float
    ages: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class TimelineMarker:
    """Where a stream starts or ends (a salary ending, a pension starting)."""

    offset: int  # the year it falls in
    on: date
    kind: str  # income_start, income_end, expense_start, expense_end
    name: str


@dataclass(frozen=True, slots=True)
class TimelineView:
    years: tuple[TimelineBar, ...]
    markers: tuple[TimelineMarker, ...]


@dataclass(frozen=True, slots=True)
class ChartData:
    """Everything the briefing's charts show; `montecarlo` is None when the simulation was not run."""

    margin: MarginView
    dividends: DividendView
    history: tuple[HistoryPoint, ...]
    allocation: tuple[AllocationSlice, ...]
    montecarlo: MonteCarloResult | None
    timeline: TimelineView | None = None  # None: no income, expenses or events to draw
    currency: str = "JPY"  # the base currency every amount is in (ISO 4217): the tooltips' money format
