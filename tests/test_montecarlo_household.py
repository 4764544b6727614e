"""The household plan from ledger inputs, `run_household`, and the series' defaults as one configuration."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from model_inputs import ledger_inputs, position

from lifealm.models.assumptions import Assumptions
from lifealm.models.inputs import (
    CashAccount,
    Dividend,
    Expense,
    FxRate,
    Income,
    LedgerInputs,
    Loan,
    PricePoint,
)
from lifealm.models.montecarlo import series_defaults, simulate
from lifealm.models.montecarlo.config import DividendStream, StandbyLine
from lifealm.models.montecarlo.household import household_inputs, run_household

AS_OF = date(2026, 6, 30)


def _inputs(**assumption_changes: object) -> LedgerInputs:
    return ledger_inputs(
        position("A", 1000, 1_000.0, 500_000.0, name="A Corp", on=date(2026, 6, 29), dividend_growth=0.04),
        position("B", 10, 100.0, 1_000.0, name="B Inc", on=date(2026, 6, 30), currency="USD", dividend_growth=None),
        as_of=AS_OF,
        prices=(PricePoint("A", date(2026, 5, 1), 900.0),),  # an older close: the latest one counts
        fx_rates=(FxRate("USD", date(2026, 6, 30), 150.0),),
        dividends=(Dividend("A", date(2025, 9, 1), 20.0), Dividend("A", date(2026, 3, 1), 20.0),
                   Dividend("A", date(2025, 3, 1), 99.0),  # older than twelve months: not counted
                   Dividend("B", date(2026, 1, 15), 2.0)),
        loans=(Loan("margin", 300_000.0, 0.02, "portfolio", 0.6, 0.7, 0.85, None, 0.65),
               Loan("line", 50_000.0, 0.03, None, credit_limit=200_000.0)),
        cash_accounts=(CashAccount("bank", 120_000.0),),
        expenses=(Expense("food", 30_000.0), Expense("rent", 20_000.0)),
        income=(Income("side", 100_000.0, "side", -0.05),),
        assumptions=replace(Assumptions(), **assumption_changes),  # type: ignore[arg-type]
    )


def test_household_inputs_values_dividends_loans_and_flows() -> None:
    house = household_inputs(_inputs()).household
    assert house.portfolio == pytest.approx(1000 * 1000.0 + 10 * 100.0 * 150.0)
    a_dividends, b_dividends = 1000 * 40.0, 10 * 2.0 * 150.0
    assert house.dividends == pytest.approx(a_dividends + b_dividends)
    default_growth = Assumptions().default_dividend_growth
    assert house.dividend_growth == pytest.approx(
        (a_dividends * 0.04 + b_dividends * default_growth) / (a_dividends + b_dividends))
    assert house.expenses == pytest.approx(600_000.0)
    assert house.income[0].annual_amount == pytest.approx(1_200_000.0)
    assert house.income[0].annual_change == -0.05
    assert (house.loan, house.loan_rate, house.forced_liquidation, house.target_ratio) == (300_000.0, 0.02, 0.85, 0.65)
    assert house.lines == (StandbyLine(200_000.0, 50_000.0, 0.03),)
    assert house.dividend_streams == (DividendStream(a_dividends, 0.04), DividendStream(b_dividends, default_growth))
    assert house.cash == 120_000.0


def test_run_household_uses_the_assumptions() -> None:
    inputs = _inputs(mc_paths=400, mc_years=15, market_volatility=0.0, inflation_std=0.0,
                     dividend_growth_std=0.0)
    result = run_household(inputs, np.random.default_rng(1), seed=1).result
    assert (result.paths, result.years, result.seed, result.spending_rule) == (400, 15, 1, "plan")
    # no randomness left: every path is the same
    assert result.terminal_wealth.p10 == pytest.approx(result.terminal_wealth.p90, rel=1e-12)
    assert result.success_probability == 1.0


def test_series_defaults_are_the_article_numbers_and_reproducible() -> None:
    config = series_defaults()
    house = config.household
    assert (house.portfolio, house.dividends, house.expenses) == (125e6, 5e6, 9.6e6)
    assert (house.income[0].annual_amount, house.income[0].annual_change) == (12e6, -0.05)
    assert (house.dividend_growth, house.dividend_growth_std, house.dividend_tax) == (0.06, 0.03, 0.20315)
    assert (house.loan, house.loan_rate, house.forced_liquidation) == (50e6, 0.02, 0.85)
    market = config.market
    assert (market.mean_return, market.volatility, market.inflation, market.inflation_std) == (0.07, 0.2, 0.02, 0.01)
    assert (config.years, config.paths) == (40, 10_000)
    small = replace(config, paths=500)
    assert simulate(small, np.random.default_rng(42)) == simulate(small, np.random.default_rng(42))
