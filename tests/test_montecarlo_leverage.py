"""Leverage inside each path: forced liquidation sells at the bottom and locks in the loss; the standby line."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from lifealm.models.montecarlo.config import Household, SimulationConfig, SpendingRule, series_defaults
from lifealm.models.montecarlo.engine import run_paths
from lifealm.models.montecarlo.scenarios import Scenarios, draw_scenarios
from lifealm.models.montecarlo.summary import summarize


def _path(returns: list[float], paths: int = 1) -> Scenarios:
    growth = np.tile(1.0 + np.array(returns)[:, None], (1, paths))
    zeros = np.zeros_like(growth)
    return Scenarios(growth=growth, inflation=zeros, dividend_growth=zeros, start_years=None)


def _levered(**changes: object) -> SimulationConfig:
    house = Household(portfolio=125.0, loan=50.0, loan_rate=0.0, margin_call=0.70, forced_liquidation=0.85,
                      target_ratio=0.65)
    config = SimulationConfig(household=house, spending=SpendingRule(rule="plan"), years=2, paths=1)
    return replace(config, **changes)  # type: ignore[arg-type]


def test_crash_through_forced_liquidation_sells_at_the_bottom_and_locks_in_the_loss() -> None:
    config = _levered()
    outcomes = run_paths(config, _path([-0.55, 0.50]))
    # after −55 %: value 56.25, loan 50, ratio 0.889 ≥ 0.85 → sell x with (50 − x)/(56.25 − x) = 0.65
    sold = (50.0 - 0.65 * 56.25) / (1 - 0.65)
    assert outcomes.forced_sales[0] == pytest.approx(sold, rel=1e-12)
    after_crash = 56.25 - 50.0  # selling at the bottom keeps net worth at the moment of the sale ...
    assert outcomes.net_worth[1, 0] == pytest.approx(after_crash, rel=1e-12)
    # ... but only the remaining holdings recover 50 %: the loss is locked in
    recovered = (56.25 - sold) * 1.5 - (50.0 - sold)
    assert outcomes.net_worth[2, 0] == pytest.approx(recovered, rel=1e-12)
    without_sale = 56.25 * 1.5 - 50.0
    assert outcomes.net_worth[2, 0] < without_sale - 15.0
    assert outcomes.first_forced_liquidation_step[0] == 1  # in the first step (0 would be today's state)
    assert outcomes.first_margin_call_step[0] == 1


def test_a_drop_between_margin_call_and_forced_liquidation_sells_nothing() -> None:
    outcomes = run_paths(_levered(), _path([-0.50, 0.10]))  # ratio 0.80: margin call, not forced
    assert outcomes.first_margin_call_step[0] == 1
    assert outcomes.first_forced_liquidation_step[0] == -1
    assert outcomes.forced_sales[0] == 0.0
    assert outcomes.net_worth[2, 0] == pytest.approx(62.5 * 1.1 - 50.0, rel=1e-12)


def test_defending_the_margin_call_with_the_standby_line_avoids_the_forced_sale() -> None:
    house = replace(_levered().household, credit_limit=30.0, credit_rate=0.0)
    defended = run_paths(_levered(household=house, defend_margin_call=True), _path([-0.55, 0.50]))
    assert defended.first_forced_liquidation_step[0] == -1
    # the line repaid the loan down to 0.65 of the collateral: (50 − 0.65 × 56.25) drawn, nothing sold
    assert defended.net_worth[2, 0] == pytest.approx(56.25 * 1.5 - 50.0, rel=1e-12)


def test_forced_liquidation_can_count_as_failure() -> None:
    config = _levered(paths=2, success_definition="spending_sustained_without_forced_liquidation")
    scenarios = _path([-0.55, 0.50], paths=2)
    result = summarize(config, scenarios, run_paths(config, scenarios))
    assert result.success_probability == 0.0
    assert result.spending_failure_probability == 0.0
    assert result.forced_liquidation_probability == 1.0
    assert [(c.year, c.paths) for c in result.first_forced_liquidation_years] == [(1, 2)]
    loose = replace(config, success_definition="spending_sustained")
    assert summarize(loose, scenarios, run_paths(loose, scenarios)).success_probability == 1.0


def test_drawing_the_standby_line_first_liquidates_fewer_paths() -> None:
    # The series' household with a ¥30M line and heavier spending, so deficits must be funded.
    base = series_defaults()
    house = replace(base.household, expenses=16_000_000.0, credit_limit=30_000_000.0)
    config = replace(base, household=house, paths=2_000, years=30)
    scenarios = draw_scenarios(config, np.random.default_rng(42))
    sell = summarize(config, scenarios, run_paths(replace(config, funding_order="sell_first"), scenarios))
    line = summarize(config, scenarios, run_paths(replace(config, funding_order="line_first"), scenarios))
    assert sell.forced_liquidation_probability > 0.01
    assert line.forced_liquidation_probability < sell.forced_liquidation_probability


def test_series_defaults_run_with_leverage_events_counted_by_year() -> None:
    config = replace(series_defaults(), paths=2_000)
    result = summarize(config, scenarios := draw_scenarios(config, np.random.default_rng(42)),
                       run_paths(config, scenarios), 42)
    assert 0.0 < result.margin_call_probability < 1.0
    assert result.forced_liquidation_probability <= result.margin_call_probability
    assert all(1 <= c.year <= 40 for c in result.first_margin_call_years)
    assert 0.0 < result.success_probability <= 1.0


def test_margin_calls_are_counted_by_year_as_the_constructed_paths_cross_the_threshold() -> None:
    """Paths with known two-year returns: the first call is where 50 / (125 × cumulative growth) ≥ 0.70."""
    rng = np.random.default_rng(3)
    first, second = rng.uniform(-0.5, 0.2, 1_000), rng.uniform(-0.4, 0.2, 1_000)
    growth = 1.0 + np.vstack([first, second])
    scenarios = Scenarios(growth=growth, inflation=np.zeros_like(growth), dividend_growth=np.zeros_like(growth),
                          start_years=None)
    config = _levered(paths=1_000)
    result = summarize(config, scenarios, run_paths(config, scenarios))
    call_value = 50.0 / 0.70  # the portfolio value at which the ratio reaches the margin call
    year_one = 125.0 * (1.0 + first) <= call_value
    year_two = ~year_one & (125.0 * (1.0 + first) * (1.0 + second) <= call_value)
    expected = [(year, int(count)) for year, count in ((1, year_one.sum()), (2, year_two.sum())) if count]
    assert [(c.year, c.paths) for c in result.first_margin_call_years] == expected
    assert result.margin_call_probability == pytest.approx((year_one.sum() + year_two.sum()) / 1_000)
    assert year_one.sum() > 0 and year_two.sum() > 0  # the construction exercises both years
