"""Spending rules (plan, constant, percent, guardrails, VPW) and the common-random-numbers solver."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifealm.models.montecarlo.config import (
    Household,
    IncomeStream,
    MarketModel,
    SimulationConfig,
    SpendingRule,
    classic,
    series_defaults,
)
from lifealm.models.montecarlo.engine import run_paths
from lifealm.models.montecarlo.run import simulate
from lifealm.models.montecarlo.scenarios import Scenarios, draw_scenarios
from lifealm.models.montecarlo.solver import solve_max_spending, success_at
from lifealm.models.montecarlo.spending import vpw_fraction

FLAT = MarketModel(mean_return=0.0, volatility=0.0, inflation=0.0, inflation_std=0.0)


def _fixed(returns: list[float], inflation: float = 0.0) -> Scenarios:
    growth = 1.0 + np.array(returns)[:, None]
    return Scenarios(growth=growth, inflation=np.full_like(growth, inflation), dividend_growth=np.zeros_like(growth),
                     start_years=None)


def test_percent_rule_spends_the_rate_of_the_start_of_year_portfolio_and_never_runs_out() -> None:
    config = replace(classic(100.0, 0.10, market=FLAT, years=5, paths=1, rule="percent"))
    outcomes = run_paths(config, _fixed([0.0] * 5))
    assert outcomes.net_worth[:, 0] == pytest.approx([100.0 * 0.9**k for k in range(6)], rel=1e-12)
    assert outcomes.spending_failure_step[0] == -1


def test_vpw_pays_out_everything_by_the_last_year() -> None:
    assert vpw_fraction(0.0, 4) == pytest.approx(0.25)
    assert vpw_fraction(0.05, 1) == 1.0  # the last payment is the whole balance, whatever the year's return
    config = replace(classic(100.0, 0.0, market=FLAT, years=4, paths=1, rule="vpw"),
                     spending=SpendingRule(rule="vpw", vpw_return=0.0))
    outcomes = run_paths(config, _fixed([0.0] * 4))
    assert outcomes.net_worth[:, 0] == pytest.approx([100.0, 75.0, 50.0, 25.0, 0.0], abs=1e-9)


def test_guardrails_cut_after_a_crash_and_raise_after_a_boom() -> None:
    rule = SpendingRule(rule="guardrails", withdrawal_rate=0.05, guardrail_band=0.20, guardrail_adjustment=0.10,
                        guardrail_final_years=0)
    config = SimulationConfig(household=Household(portfolio=100.0), market=FLAT, spending=rule, years=3, paths=1)
    crash = run_paths(config, _fixed([-0.40, 0.0, 0.0]))
    # year 1 spends 5 → 55 left; rate 5/55 = 9.1 % > 6 %: no inflation raise (none here) and a 10 % cut to 4.5
    assert crash.net_worth[2, 0] == pytest.approx(55.0 - 4.5, rel=1e-12)
    boom = run_paths(config, _fixed([0.60, 0.0, 0.0]))
    # 160 − 5 = 155; rate 5/155 = 3.2 % < 4 %: a 10 % raise to 5.5
    assert boom.net_worth[2, 0] == pytest.approx(155.0 - 5.5, rel=1e-12)


def test_variable_rule_floor_counts_deep_cuts_as_failure() -> None:
    config = classic(100.0, 0.10, market=FLAT, years=10, paths=1, rule="percent")
    floored = replace(config, spending=replace(config.spending, floor=0.6))
    outcomes = run_paths(floored, _fixed([0.0] * 10))
    # spending 10 × 0.9^k in year k + 1 falls below 6 at k = 5 (0.9^5 = 0.59): the sixth step
    assert outcomes.spending_failure_step[0] == 6


def test_plan_spends_inflated_expenses_and_counts_income_dividends_and_interest() -> None:
    house = Household(portfolio=1000.0, dividends=40.0, dividend_growth=0.0, dividend_growth_std=0.0,
                      dividend_tax=0.25, income=(IncomeStream(20.0, -0.5),), expenses=100.0, loan=100.0,
                      loan_rate=0.05)
    config = SimulationConfig(household=house, market=FLAT, years=2, paths=1)
    outcomes = run_paths(config, _fixed([0.0, 0.0], inflation=0.10))
    # year 1: +30 dividends after tax +20 income −100 expenses −5 interest = −55, sold from the portfolio
    year1 = 1000.0 - 55.0
    assert outcomes.net_worth[1, 0] == pytest.approx(year1 - 100.0, rel=1e-12)
    # year 2: dividends shrink with the holdings sold; income halves; expenses inflate by 10 %
    year2 = year1 + 30.0 * year1 / 1000.0 + 10.0 - 110.0 - 5.0
    assert outcomes.net_worth[2, 0] == pytest.approx(year2 - 100.0, rel=1e-12)


def test_solver_is_deterministic_and_sits_on_the_target_boundary() -> None:
    config = replace(series_defaults(), paths=1_000, years=30)
    scenarios = draw_scenarios(config, np.random.default_rng(42))
    first = solve_max_spending(config, scenarios, 0.9)
    again = solve_max_spending(config, scenarios, 0.9)
    assert first == again
    assert first.feasible and first.success_probability >= 0.9
    assert success_at(config, scenarios, first.scale * 1.001)[0] < 0.9
    assert first.annual_spending == pytest.approx(9_600_000.0 * first.scale)


def test_solver_reports_infeasible_when_even_zero_spending_misses_the_target() -> None:
    house = Household(portfolio=100.0, loan=80.0, loan_rate=0.0)
    config = SimulationConfig(household=house, market=FLAT, years=1, paths=1,
                              success_definition="spending_sustained_without_forced_liquidation")
    solved = solve_max_spending(config, _fixed([-0.5]), 0.5)
    assert not solved.feasible


@settings(max_examples=25, deadline=None)
@given(low=st.floats(0.0, 0.08), high=st.floats(0.0, 0.08), seed=st.integers(0, 2**32 - 1))
def test_success_never_rises_with_spending_on_the_same_draws(low: float, high: float, seed: int) -> None:
    low, high = min(low, high), max(low, high)
    config = classic(1.0, 1.0, years=30, paths=200)
    scenarios = draw_scenarios(config, np.random.default_rng(seed))
    assert success_at(config, scenarios, high)[0] <= success_at(config, scenarios, low)[0]


def test_every_rule_runs_monthly_on_every_engine() -> None:
    from lifealm.models.montecarlo.history import load_history

    history = load_history()
    for engine in ("parametric", "historical", "bootstrap"):
        for rule in ("constant", "percent", "guardrails", "vpw"):
            config = replace(classic(1_000_000.0, 0.04, market=MarketModel(engine=engine, stocks=0.6),
                                     years=20, paths=50, rule=rule), steps="monthly")
            result = simulate(config, np.random.default_rng(1), history=history)
            assert 0.0 <= result.success_probability <= 1.0
            assert len(result.net_worth) == 21


def test_guardrails_inflation_rule_and_final_years() -> None:
    rule = SpendingRule(rule="guardrails", withdrawal_rate=0.05, guardrail_final_years=0)
    config = SimulationConfig(household=Household(portfolio=100.0), market=FLAT, spending=rule, years=3, paths=1)
    # a losing year with the rate above the initial one: no inflation raise, then the 10 % cut → 4.5
    crash = run_paths(config, _fixed([-0.40, 0.0, 0.0], inflation=0.10))
    assert crash.net_worth[2, 0] == pytest.approx(55.0 - 4.5, rel=1e-12)
    # a gaining year inside the band: the full inflation raise → 5.5
    calm = run_paths(config, _fixed([0.10, 0.0, 0.0], inflation=0.10))
    assert calm.net_worth[2, 0] == pytest.approx(105.0 - 5.5, rel=1e-12)
    # within the last `guardrail_final_years` the capital-preservation cut is not applied
    late = run_paths(replace(config, spending=replace(rule, guardrail_final_years=15)),
                     _fixed([-0.40, 0.0, 0.0], inflation=0.10))
    assert late.net_worth[2, 0] == pytest.approx(55.0 - 5.0, rel=1e-12)
