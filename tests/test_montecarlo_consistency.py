"""Monte Carlo agrees with the defense models: strictest thresholds, valued holdings only, consistent dividends,
and a standby line that defends margin calls."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from demo_ledgers import demo_copy
from hypothesis import given, settings
from hypothesis import strategies as st
from ledger_rows import add_holding
from model_inputs import ledger_inputs, position
from numpy.typing import NDArray

from lifealm.cli import _register, cli
from lifealm.models.assumptions import Assumptions
from lifealm.models.inputs import Dividend, Expense, LedgerInputs, Loan
from lifealm.models.montecarlo.config import Household, MarketModel, classic
from lifealm.models.montecarlo.engine import run_paths
from lifealm.models.montecarlo.history import ReturnHistory
from lifealm.models.montecarlo.household import household_inputs, household_plan
from lifealm.models.montecarlo.scenarios import draw_scenarios

_register()
AS_OF = date(2026, 6, 30)


def _inputs(loans: tuple[Loan, ...] = (), *, priced_b: bool = True) -> LedgerInputs:
    return ledger_inputs(
        position("A", 1000, 1_000.0, 500_000.0, name="A Corp", on=date(2026, 6, 29)),
        position("B", 2000, 50.0 if priced_b else None, 80_000.0, name="B Corp", on=date(2026, 6, 29)),
        as_of=AS_OF,
        dividends=(Dividend("A", date(2026, 3, 1), 30.0), Dividend("B", date(2026, 3, 1), 5.0)),
        loans=loans,
        expenses=(Expense("food", 30_000.0),),
        assumptions=Assumptions(),
    )


def test_several_secured_loans_use_the_strictest_threshold_of_each_and_the_lowest_target() -> None:
    big = Loan("big", 300_000.0, 0.02, "portfolio", 0.60, 0.70, 0.85, None, 0.65)
    small = Loan("small", 100_000.0, 0.04, "portfolio", 0.50, 0.60, 0.75, None, 0.55)
    house = household_inputs(_inputs((big, small))).household
    # the broker with the tightest rule acts first, whichever loan is larger
    assert (house.margin_call, house.forced_liquidation, house.target_ratio) == (0.60, 0.75, 0.55)
    assert house.loan == 400_000.0
    assert house.loan_rate == pytest.approx((300_000.0 * 0.02 + 100_000.0 * 0.04) / 400_000.0)


def test_an_unpriced_holding_pays_no_dividends_into_the_plan_and_is_a_finding() -> None:
    built = household_inputs(_inputs(priced_b=False))
    assert built.household.portfolio == pytest.approx(1000 * 1_000.0)
    assert built.household.dividends == pytest.approx(1000 * 30.0)  # B's 2000 × 5 left out with its value
    assert [(f.code, f.subject) for f in built.findings if f.severity == "error"] == [("missing_price", "B")]
    priced = household_inputs(_inputs())
    assert priced.household.dividends == pytest.approx(1000 * 30.0 + 2000 * 5.0)
    assert household_plan(_inputs(priced_b=False)).findings == built.findings


def test_the_ledger_plan_defends_margin_calls() -> None:
    plan = household_plan(_inputs())
    assert plan.config.defend_margin_call and plan.config.funding_order == "sell_first"


def _constant_history(stock: float, bond: float, years: int = 60) -> ReturnHistory:
    def column(value: float) -> NDArray[np.float64]:
        return np.full(years, value)

    return ReturnHistory(years=np.arange(1900, 1900 + years, dtype=np.int64), sp500=column(stock),
                         baa_corporate_bonds=column(bond), real_estate=column(0.0), t_bills=column(bond),
                         t_bonds_10y=column(bond), inflation=column(0.0))


@settings(max_examples=40, deadline=None)
@given(stocks=st.sampled_from([0.0, 0.25, 0.5, 1.0]) | st.floats(0.0, 1.0),
       stock_return=st.floats(-0.3, 0.4), bond_return=st.floats(-0.1, 0.15),
       dividend_yield=st.floats(0.0, 0.08), engine=st.sampled_from(["historical", "bootstrap"]))
def test_total_wealth_grows_at_the_total_return_whatever_the_stock_share(
        stocks: float, stock_return: float, bond_return: float, dividend_yield: float, engine: str) -> None:
    """Price return plus the paid-out dividends must add up to the total return: no dividend counted twice."""
    history = _constant_history(stock_return, bond_return)
    price_growth = stocks * (stock_return - dividend_yield) + (1.0 - stocks) * bond_return
    # dividends per share growing with the price keep the yield constant, as the total-return series assume
    house = Household(portfolio=100.0, dividends=100.0 * dividend_yield, dividend_tax=0.0,
                      dividend_growth=price_growth, dividend_growth_std=0.0)
    market = MarketModel(engine=engine, stocks=stocks, bonds="tbond")  # type: ignore[arg-type]
    config = replace(classic(100.0, 0.0, market=market, years=10, paths=3), household=house)
    outcomes = run_paths(config, draw_scenarios(config, np.random.default_rng(0), history))
    total = stocks * stock_return + (1.0 - stocks) * bond_return
    expected = 100.0 * (1.0 + total) ** np.arange(11)
    np.testing.assert_allclose(outcomes.net_worth, np.repeat(expected[:, None], outcomes.net_worth.shape[1], 1),
                               rtol=1e-9)


def _simulate(*args: str, warning: str = "") -> dict[str, object]:
    result = CliRunner().invoke(cli, ["simulate", *args])
    assert result.exit_code == 0, result.output
    assert warning in result.stderr and bool(warning) == bool(result.stderr), result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


CALCULATOR = ("--initial", "125000000", "--loan", "50000000", "--paths", "2000", "--seed", "42")


def test_a_larger_credit_line_means_fewer_forced_liquidations_on_the_same_seed() -> None:
    none, small, large = (_simulate(*CALCULATOR, "--credit-line", limit) for limit in ("0", "10000000", "30000000"))
    # the draws are the same, so every path reaches its first margin call exactly as before ...
    assert none["margin_call_probability"] == small["margin_call_probability"] == large["margin_call_probability"]
    assert float(none["forced_liquidation_probability"]) > 0.05  # type: ignore[arg-type]
    # ... and the line absorbs calls that would have been forced sales
    assert float(large["forced_liquidation_probability"]) < float(  # type: ignore[arg-type]
        small["forced_liquidation_probability"]) < float(none["forced_liquidation_probability"])  # type: ignore[arg-type]


def test_the_funding_order_is_a_command_line_choice() -> None:
    default = _simulate(*CALCULATOR, "--credit-line", "30000000")
    assert _simulate(*CALCULATOR, "--credit-line", "30000000", "--sell-first") == default
    line_first = _simulate(*CALCULATOR, "--credit-line", "30000000", "--draw-line-first")
    assert line_first != default
    assert default["findings"] == [] == line_first["findings"]


def test_simulate_lists_the_ledgers_findings(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    demo_copy(db, as_of=AS_OF)
    conn = sqlite3.connect(db)
    with conn:
        add_holding(conn, "NOPRICE", 100, name="Unpriced Co")
        conn.execute("INSERT INTO dividends (ticker, ex_date, amount_per_share) VALUES ('NOPRICE', '2026-03-01', "
                     "1000000)")
    conn.close()
    args = ("--db", str(db), "--as-of", "2026-06-30", "--paths", "200", "--years", "10")
    data = _simulate(*args, warning="missing_price")
    findings = data["findings"]
    assert isinstance(findings, list)
    assert {"code": "missing_price", "subject": "NOPRICE"} in [
        {"code": f["code"], "subject": f["subject"]} for f in findings]
    assert all(f["severity"] in ("info", "warning", "error") for f in findings)
