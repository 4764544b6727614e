"""The frozen result of a Monte Carlo FIRE run: what the briefing, the JSON and `lifealm simulate` show."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Percentiles:
    """P10/P25/P50/P75/P90 of one quantity (money in the base currency)."""

    p10: float
    p25: float
    p50: float
    p75: float
    p90: float


@dataclass(frozen=True, slots=True)
class YearPercentiles:
    year: int  # years from the start, 0 = today
    values: Percentiles


@dataclass(frozen=True, slots=True)
class YearCount:
    year: int  # years from the start (1 = the first simulated year; 0 = today's state, before any step)
    paths: int


@dataclass(frozen=True, slots=True)
class PositionOutcome:
    """How often one margin position (one broker's loans against its own pledged account) calls and sells."""

    account: str | None  # the pledged account of the position; None when it is not known (not from a ledger)
    margin_call_probability: float  # share of paths where this position reached its margin call at least once
    forced_liquidation_probability: float  # share of paths where this position's holdings were sold at least once


@dataclass(frozen=True, slots=True)
class MonteCarloResult:
    """Success probability and the distributions behind it; `success_definition` is a machine code."""

    success_probability: float
    # binomial: sqrt(p (1 − p) / paths); None for the historical engine, whose start years are not independent
    standard_error: float | None
    success_definition: str  # "spending_sustained" or "spending_sustained_without_forced_liquidation"
    engine: str  # "parametric", "historical" or "bootstrap"
    steps: str  # "annual" or "monthly"
    spending_rule: str  # "plan", "constant", "percent", "guardrails" or "vpw"
    paths: int
    years: int
    seed: int | None
    real: bool  # True: money in today's purchasing power
    net_worth: tuple[YearPercentiles, ...]  # year 0..years
    terminal_wealth: Percentiles
    failure_years: tuple[YearCount, ...]  # the year spending first could not be met, per failing path
    margin_call_probability: float  # share of paths that reached the margin-call threshold at least once
    forced_liquidation_probability: float
    first_margin_call_years: tuple[YearCount, ...]
    first_forced_liquidation_years: tuple[YearCount, ...]
    # added by the engine: both money views, so a reader never has to convert
    net_worth_nominal: tuple[YearPercentiles, ...] = ()
    net_worth_real: tuple[YearPercentiles, ...] = ()  # in today's money (deflated by each path's inflation)
    terminal_wealth_nominal: Percentiles | None = None
    terminal_wealth_real: Percentiles | None = None
    spending_failure_probability: float = 0.0  # share of paths where spending could not be met
    initial_spending: float = 0.0  # year-1 annual spending
    mean_forced_sales: float = 0.0  # average value sold by forced liquidations per path (nominal)
    failing_start_years: tuple[int, ...] = ()  # historical engine: start years whose path failed
    successful_paths: int = 0  # the "n" of "n of N paths" (historical: start years) that succeeded
    # the 95 % Wilson score interval of the success probability; None for the historical
    # engine (its start years are overlapping windows of one history, not a sample)
    success_interval: tuple[float, float] | None = None
    # margin loans at two or more brokers: each position's own figures, in the household's order (() otherwise:
    # the one position's are the household's margin_call_probability and forced_liquidation_probability)
    positions: tuple[PositionOutcome, ...] = ()
