"""The Monte Carlo follows the household's dates: income that ends or starts, one-off events, an amortizing loan,
each account's dividend tax and the pledged collateral with its haircut."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from lifealm.models.inputs import (
    Account,
    Dividend,
    Event,
    Expense,
    Holding,
    Income,
    LedgerInputs,
    Loan,
    PricePoint,
)
from lifealm.models.montecarlo.config import (
    AmortizingLoan,
    CashEvent,
    Household,
    IncomeStream,
    MarketModel,
    SimulationConfig,
)
from lifealm.models.montecarlo.engine import run_paths
from lifealm.models.montecarlo.household import household_inputs
from lifealm.models.montecarlo.run import simulate
from lifealm.models.montecarlo.scenarios import draw_scenarios

CALM = MarketModel(mean_return=0.03, volatility=0.0, inflation=0.0, inflation_std=0.0)
SALARY, PENSION, EXPENSES, TUITION = 8e6, 3e6, 6e6, 2e6


def dated_household(portfolio: float = 30e6) -> Household:
    """A salary for five years, a pension from year fifteen, tuition in year eight."""
    return Household(portfolio=portfolio, expenses=EXPENSES,
                     income=(IncomeStream(SALARY, end_year=5.0), IncomeStream(PENSION, start_year=15.0)),
                     events=(CashEvent(8.0, -TUITION),))


def test_zero_volatility_follows_the_hand_recursion_exactly() -> None:
    config = SimulationConfig(household=dated_household(), market=CALM, years=30, paths=3, steps="annual")
    scenarios = draw_scenarios(config, np.random.default_rng(1))
    outcome = run_paths(config, scenarios)
    growth = 1.03  # no volatility: every path grows at the mean
    assert np.allclose(scenarios.growth, growth, rtol=1e-15, atol=0)
    value, expected = 30e6, [30e6]
    for year in range(30):
        flow = (SALARY if year < 5 else 0.0) + (PENSION if year >= 15 else 0.0) - EXPENSES
        flow -= TUITION if year == 8 else 0.0
        value = value * growth + flow
        expected.append(max(value, 0.0))
    assert outcome.net_worth[:, 0] == pytest.approx(expected, rel=1e-12, abs=1e-3)
    # Without the salary the savings run out: the year of failure is the one the recursion says.
    first_negative = next(y for y, v in enumerate(expected) if v <= 0)
    assert set(outcome.spending_failure_step.tolist()) == {first_negative}


def test_monthly_steps_count_a_salary_to_its_month() -> None:
    house = Household(portfolio=0.0, cash=0.0, income=(IncomeStream(12e6, end_year=0.25),))  # three months
    config = SimulationConfig(household=house, market=replace(CALM, mean_return=0.0), years=1, paths=1,
                              steps="monthly")
    outcome = run_paths(config, draw_scenarios(config, np.random.default_rng(1)))
    assert outcome.net_worth[1, 0] == pytest.approx(3e6, rel=1e-12)


def test_an_amortizing_loan_is_paid_to_its_end_and_counted_as_debt() -> None:
    house = Household(portfolio=10e6, amortizing=(AmortizingLoan(1_000_000.0, 0.0, 100_000.0),))
    config = SimulationConfig(household=house, market=replace(CALM, mean_return=0.0), years=2, paths=1,
                              steps="monthly")
    outcome = run_paths(config, draw_scenarios(config, np.random.default_rng(1)))
    # 10 payments of 100,000 repay it; net worth stays 9M (cash out, debt down by the same)
    assert outcome.net_worth[:, 0] == pytest.approx([9e6, 9e6, 9e6], rel=1e-12)
    assert house.net_worth == 9e6


def test_dates_move_the_success_probability_the_expected_way() -> None:
    market = MarketModel(mean_return=0.05, volatility=0.15, inflation=0.0, inflation_std=0.0)
    dated = SimulationConfig(household=dated_household(60e6), market=market, years=30, paths=2000)
    permanent = replace(dated, household=replace(dated.household, income=(
        IncomeStream(SALARY), IncomeStream(PENSION))))
    no_pension = replace(dated, household=replace(dated.household, income=(IncomeStream(SALARY, end_year=5.0),)))
    p = {name: simulate(cfg, np.random.default_rng(7)).success_probability
         for name, cfg in (("dated", dated), ("permanent", permanent), ("no_pension", no_pension))}
    assert p["no_pension"] < p["dated"] < p["permanent"]


AS_OF = date(2026, 11, 25)


def test_the_ledger_household_carries_dates_taxes_debts_and_collateral() -> None:
    inputs = LedgerInputs(
        as_of=AS_OF,
        accounts=(Account("taxable"), Account("NISA", "nisa_growth")),
        holdings=(Holding("A", "a", 1000, 0.0, account="taxable", haircut=0.7),
                  Holding("A", "a", 1000, 0.0, account="NISA", haircut=0.7)),
        prices=(PricePoint("A", AS_OF, 10_000.0),),
        dividends=(Dividend("A", date(2026, 6, 1), 100.0),),
        loans=(Loan("margin", 5e6, 0.02, "portfolio", 0.6, 0.7, 0.85),
               Loan("mortgage", 12e6, 0.01, None, kind="amortizing", monthly_payment=60_000.0)),
        income=(Income("salary", 500_000.0, "salary", end=date(2031, 10, 31)),
                Income("pension", 200_000.0, "pension", start=date(2041, 11, 1))),
        expenses=(Expense("living", 300_000.0), Expense("school", 50_000.0, end=date(2029, 3, 31))),
        events=(Event("university", date(2031, 4, 1), 1_200_000.0), Event("car", date(2029, 5, 10), 3e6,
                                                                          basis="nominal")),
    )
    house = household_inputs(inputs).household
    assert [(s.annual_amount, s.start_year, s.end_year) for s in house.income] == [
        (6e6, 0.0, 5.0), (2.4e6, 15.0, None)]  # salary: Nov 2026 … Oct 2031; pension from Nov 2041
    assert house.expenses == 3.6e6  # the permanent expenses; the dated one is a stream to March 2029
    assert [(e.annual_amount, e.start_year, e.end_year) for e in house.expense_streams] == [
        (6e5, 0.0, pytest.approx(29 / 12, rel=1e-12))]
    assert [(e.year, e.amount, e.real) for e in house.events] == [(53 / 12, -1.2e6, True), (30 / 12, -3e6, False)]
    assert house.amortizing == (AmortizingLoan(12e6, 0.01, 60_000.0),)
    # dividends: 100,000 taxed at 20.315 % in the taxable account, 100,000 untaxed in the NISA
    assert house.dividend_tax == pytest.approx(0.20315 / 2, rel=1e-12)
    # collateral: the taxable 10M at 0.7 of the 20M portfolio
    assert house.collateral_fraction == pytest.approx(0.35, rel=1e-12)
    assert house.net_worth == pytest.approx(20e6 - 5e6 - 12e6, rel=1e-12)


def test_the_margin_call_comes_on_the_collateral_not_the_market_value() -> None:
    """12M loan on 40M of holdings, half of them pledged at face value: 0.60 today; after a 25 % fall
    12 / (0.5 × 30) = 0.80, a margin call (0.70) but not a forced sale (0.85); on the whole portfolio 0.40."""
    house = Household(portfolio=40e6, loan=12e6, collateral_fraction=0.5, margin_call=0.7, forced_liquidation=0.85)
    crash = SimulationConfig(household=house, market=replace(CALM, mean_return=-0.25), years=1, paths=1,
                             steps="annual")
    outcome = run_paths(crash, draw_scenarios(crash, np.random.default_rng(1)))
    assert (outcome.first_margin_call_step[0], outcome.first_forced_liquidation_step[0]) == (1, -1)
    whole = run_paths(replace(crash, household=replace(house, collateral_fraction=1.0)),
                      draw_scenarios(crash, np.random.default_rng(1)))
    assert whole.first_margin_call_step[0] == -1
