"""Margin loans at several brokers inside the Monte Carlo paths (lifealm.models.montecarlo.margin): each broker's
ratio on its own account, worked by hand; a split into identical halves changes nothing; the ledger's brokers."""

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
from hypothesis import event, given, settings
from hypothesis import strategies as st
from model_inputs import ledger_inputs, position

from lifealm.cli import _register, cli
from lifealm.models.briefing import build_briefing
from lifealm.models.inputs import Account, LedgerInputs, Loan
from lifealm.models.montecarlo.config import Household, MarginLoan, SimulationConfig, SpendingRule
from lifealm.models.montecarlo.engine import run_paths
from lifealm.models.montecarlo.household import household_inputs, household_plan
from lifealm.models.montecarlo.scenarios import Scenarios, draw_scenarios
from lifealm.models.montecarlo.summary import summarize
from lifealm.models.valuation import value_portfolio
from lifealm.pipeline import load_model_inputs
from lifealm.settings import load_settings

AS_OF = date(2026, 6, 30)
SBI, RAKUTEN = "SBI 特定", "楽天 特定"
_register()

# A ¥40M portfolio: broker A's account ¥30M at haircut 1 (collateral ¥30M), broker B's ¥7.5M at haircut 0.8
# (collateral ¥6M), ¥2.5M unpledged. A lends ¥10M (33.3 %), B ¥5M (83.3 %: past its 70 % call, below its 85 %).
PORTFOLIO = 40.0
A = MarginLoan(10.0, 0.0, collateral_fraction=30.0 / 40.0, pledged_share=30.0 / 40.0)
B = MarginLoan(5.0, 0.0, collateral_fraction=6.0 / 40.0, pledged_share=7.5 / 40.0)


def _path(returns: list[float], paths: int = 1) -> Scenarios:
    growth = np.tile(1.0 + np.array(returns)[:, None], (1, paths))
    zeros = np.zeros_like(growth)
    return Scenarios(growth=growth, inflation=zeros, dividend_growth=zeros, start_years=None)


def _config(house: Household, years: int, **changes: object) -> SimulationConfig:
    config = SimulationConfig(household=house, spending=SpendingRule(rule="plan"), years=years, paths=1)
    return replace(config, **changes)  # type: ignore[arg-type]


def _sale(loan: float, collateral: float, haircut: float, target: float = 0.65) -> float:
    """x with (loan − x) / (collateral − haircut · x) = target: the sale back to the target, solved by hand."""
    return (loan - target * collateral) / (1.0 - target * haircut)


def test_a_fall_forces_broker_b_to_sell_back_to_its_target_and_leaves_a_alone() -> None:
    house = Household(portfolio=PORTFOLIO, margin_loans=(A, B))
    outcomes = run_paths(_config(house, 1), _path([-0.20]))
    # After −20 %: B's account 6.0M, collateral 4.8M, ratio 5/4.8 = 104 % ≥ 85 %. B sells x of its own holdings,
    # each yen taking 0.8 of collateral: (5 − x)/(4.8 − 0.8x) = 0.65 ⇒ x = (5 − 3.12)/(1 − 0.52) = 1.88/0.48.
    assert outcomes.forced_sales[0] == pytest.approx(1.88 / 0.48, rel=1e-12)
    # A: 10 / 24 = 41.7 %, nothing sold there; B was in its call zone today already (step 0).
    assert (outcomes.first_margin_call_step[0], outcomes.first_forced_liquidation_step[0]) == (0, 1)
    assert outcomes.net_worth[1, 0] == pytest.approx(32.0 - 15.0, rel=1e-12)  # a sale at the price keeps net worth
    assert outcomes.spending_failure_step[0] == -1
    # One combined position (15 on 36 of collateral, the same thresholds) reads 15/28.8 = 52 %: nothing sold.
    combined = Household(portfolio=PORTFOLIO, loan=15.0, loan_rate=0.0, collateral_fraction=36.0 / 40.0)
    together = run_paths(_config(combined, 1), _path([-0.20]))
    assert together.forced_sales[0] == 0.0 and together.first_margin_call_step[0] == -1


def test_a_sale_at_b_takes_no_collateral_from_a() -> None:
    house = Household(portfolio=PORTFOLIO, margin_loans=(A, B))
    outcomes = run_paths(_config(house, 2), _path([-0.20, -0.45]))
    first = 1.88 / 0.48
    # A's collateral is still its ¥24M after B's sale; −45 % takes it to 13.2M: 10/13.2 = 75.8 %, a call, no sale.
    # (Had B's sale shrunk every account alike, A would hold 0.75 × (32 − 3.92) × 0.55 = 11.6M: 86 %, sold.)
    # B: loan 5 − x₁ on collateral (4.8 − 0.8·x₁) × 0.55 and account (6 − x₁) × 0.55, past 85 % again.
    b_loan, b_collateral = 5.0 - first, (4.8 - 0.8 * first) * 0.55
    second = _sale(b_loan, b_collateral, 0.8)
    assert 0.0 < second < (6.0 - first) * 0.55
    assert outcomes.forced_sales[0] == pytest.approx(first + second, rel=1e-12)
    value = (32.0 - first) * 0.55 - second
    assert outcomes.net_worth[2, 0] == pytest.approx(value - (10.0 + b_loan - second), rel=1e-12)


@pytest.mark.parametrize("reverse", [False, True])
def test_the_shared_cash_defends_the_position_nearest_its_forced_sale_first(reverse: bool) -> None:
    # P: 8 on an account of 10 (haircut 1, 80 %: called); Q: 9.5 on 10 (95 %: past its 85 % forced sale).
    p = MarginLoan(8.0, 0.0, collateral_fraction=0.5, pledged_share=0.5)
    q = MarginLoan(9.5, 0.0, collateral_fraction=0.5, pledged_share=0.5)
    cash = 2.5  # Q needs 9.5 − 0.65 × 10 = 3 to reach its target
    loans = (q, p) if reverse else (p, q)
    house = Household(portfolio=20.0, cash=cash, margin_loans=loans)
    outcomes = run_paths(_config(house, 1, defend_margin_call=True), _path([0.0]))
    # Q first (95/85 > 80/85), whatever the order given: the 2.5 takes Q to 7/10 = 70 %, P stays at 80 %: no sale.
    # (P first would take 1.5 to bring P to 65 % and leave Q at 9.5 − 1.0 = 8.5: 85 %, sold today.)
    assert outcomes.first_margin_call_step[0] == 0
    assert outcomes.first_forced_liquidation_step[0] == -1
    assert outcomes.forced_sales[0] == 0.0
    undefended = run_paths(_config(replace(house, cash=0.0), 1, defend_margin_call=True), _path([0.0]))
    assert undefended.first_forced_liquidation_step[0] == 0
    assert undefended.forced_sales[0] == pytest.approx(_sale(9.5, 10.0, 1.0), rel=1e-12)


def _halves(house: Household) -> Household:
    """The one position of `house` as two brokers with half the loan and half the pledged account each."""
    half = MarginLoan(house.loan / 2.0, house.loan_rate, house.collateral_fraction / 2.0, house.margin_call,
                      house.forced_liquidation, house.target_ratio, pledged_share=0.5)
    return replace(house, loan=0.0, margin_loans=(half, half))


@settings(max_examples=60, deadline=None)
@given(
    returns=st.lists(st.lists(st.floats(-0.6, 0.4), min_size=3, max_size=3), min_size=1, max_size=4),
    loan=st.floats(1.0, 90.0), pledged=st.floats(0.3, 1.0), rate=st.floats(0.0, 0.05),
    expenses=st.floats(0.0, 15.0), dividends=st.floats(0.0, 5.0),
    thresholds=st.tuples(st.floats(0.4, 0.6), st.floats(0.62, 0.75), st.floats(0.78, 0.95)),
    defend=st.booleans(),
)
def test_two_identical_halves_run_as_the_one_position(
        returns: list[list[float]], loan: float, pledged: float, rate: float, expenses: float, dividends: float,
        thresholds: tuple[float, float, float], defend: bool) -> None:
    """Half the loan on half the account at each of two brokers is the one position: every call, sale and failure
    falls on the same step and the same amounts are sold. A defense that covers every call in full (ample cash)
    keeps this; a defense that runs short is not split evenly (the first half is defended first)."""
    target, call, forced = thresholds
    house = Household(portfolio=100.0, loan=loan, loan_rate=rate, collateral_fraction=pledged, margin_call=call,
                      forced_liquidation=forced, target_ratio=target, expenses=expenses, dividends=dividends,
                      dividend_growth_std=0.0, cash=1e6 if defend else 0.0)
    growth = 1.0 + np.array(returns)
    scenarios = Scenarios(growth=growth, inflation=np.zeros_like(growth),
                          dividend_growth=np.zeros_like(growth), start_years=None)
    config = replace(_config(house, len(returns), defend_margin_call=defend), paths=3)
    one = run_paths(config, scenarios)
    two = run_paths(replace(config, household=_halves(house)), scenarios)
    event("forced sale" if one.forced_sales.any() else "no forced sale")
    assert two.first_margin_call_step.tolist() == one.first_margin_call_step.tolist()
    assert two.first_forced_liquidation_step.tolist() == one.first_forced_liquidation_step.tolist()
    assert two.spending_failure_step.tolist() == one.spending_failure_step.tolist()
    scale = 100.0 + loan
    np.testing.assert_allclose(two.forced_sales, one.forced_sales, rtol=1e-9, atol=1e-9 * scale)
    np.testing.assert_allclose(two.net_worth, one.net_worth, rtol=1e-9, atol=1e-9 * scale)


def _ledger(loans: tuple[Loan, ...], *, nisa: float = 2_500_000.0) -> LedgerInputs:
    """Stock A ¥30M at SBI (haircut 1), stock B ¥7.5M at Rakuten (haircut 0.8), stock C in NISA (never pledged)."""
    return ledger_inputs(
        position("A", 30_000, 1_000.0, account=SBI, on=AS_OF),
        position("B", 7_500, 1_000.0, account=RAKUTEN, haircut=0.8, on=AS_OF),
        position("C", nisa / 1_000.0, 1_000.0, account="NISA", on=AS_OF),
        as_of=AS_OF, loans=loans,
        accounts=(Account(SBI, "taxable"), Account(RAKUTEN, "taxable"), Account("NISA", "nisa_growth")),
    )


def test_household_inputs_gives_each_broker_its_own_position() -> None:
    at_a = Loan("SBI loan", 10_000_000.0, 0.02, "portfolio", 0.60, 0.70, 0.85, target_ratio=0.65,
                collateral_account=SBI)
    # Rakuten's two loans are one position: their total, their balance-weighted rate, their strictest terms.
    at_b1 = Loan("Rakuten 1", 3_000_000.0, 0.03, "portfolio", 0.55, 0.65, 0.80, target_ratio=0.60,
                 collateral_account=RAKUTEN)
    at_b2 = Loan("Rakuten 2", 2_000_000.0, 0.04, "portfolio", 0.60, 0.70, 0.85, target_ratio=0.65,
                 collateral_account=RAKUTEN)
    house = household_inputs(_ledger((at_a, at_b1, at_b2))).household
    a, b = house.margin_loans
    assert a == MarginLoan(10_000_000.0, 0.02, 30.0 / 40.0, 0.70, 0.85, 0.65, pledged_share=30.0 / 40.0,
                           account=SBI)
    assert b.account == RAKUTEN
    assert (b.balance, b.margin_call, b.forced_liquidation, b.target_ratio) == (5_000_000.0, 0.65, 0.80, 0.60)
    assert b.rate == pytest.approx((3.0 * 0.03 + 2.0 * 0.04) / 5.0, rel=1e-12)
    assert b.collateral_fraction == pytest.approx(6.0 / 40.0, rel=1e-12)
    assert b.pledged_share == pytest.approx(7.5 / 40.0, rel=1e-12) and b.haircut == pytest.approx(0.8, rel=1e-12)
    assert house.loan == 0.0 and house.margin_debt == 15_000_000.0
    assert house.net_worth == pytest.approx(40_000_000.0 - 15_000_000.0)


@pytest.mark.parametrize("accounts", [(SBI, None), (SBI, SBI), (SBI, "no such account"), (SBI, "NISA")])
def test_loans_that_share_collateral_stay_one_position(accounts: tuple[str | None, str | None]) -> None:
    loans = tuple(Loan(f"loan {i}", balance, 0.02, "portfolio", 0.60, 0.70, 0.85, collateral_account=account)
                  for i, (balance, account) in enumerate(zip((10_000_000.0, 5_000_000.0), accounts, strict=True)))
    inputs = _ledger(loans)
    house = household_inputs(inputs).household
    assert house.margin_loans == ()
    assert house.loan == 15_000_000.0
    # the briefing's model measures them as one position too
    assert not build_briefing(inputs).positions.split


def _inputs(db: Path) -> LedgerInputs:
    """The ledger's inputs as every command reads them (lifealm.pipeline's loader)."""
    return load_model_inputs(load_settings(db=db, environ={}), AS_OF).inputs


def _demo(tmp_path: Path) -> LedgerInputs:
    return _inputs(demo_copy(tmp_path / "demo.db", as_of=AS_OF))


def test_the_demo_household_with_a_second_broker_near_its_forced_sale_is_sold_where_combined_it_is_not(
        tmp_path: Path) -> None:
    """The demo household with two of its pledged holdings at a second broker that lends 80 % of them, one bank
    account of cash and no standby line: the second broker calls today and sells after a fall of a few per cent,
    which the combined position (50M on 125M) never sees."""
    demo = _demo(tmp_path)
    (margin,) = [loan for loan in demo.loans if loan.is_secured]
    pledged = [i for i, h in enumerate(demo.holdings) if h.account == margin.collateral_account]
    moved = set(pledged[-2:])
    holdings = tuple(replace(h, account=RAKUTEN) if i in moved else h for i, h in enumerate(demo.holdings))
    inputs = replace(demo, holdings=holdings, accounts=(*demo.accounts, Account(RAKUTEN, "taxable")),
                     cash_accounts=demo.cash_accounts[:1], assumptions=replace(demo.assumptions, mc_paths=500))
    rakuten = sum(row.value or 0.0 for row in value_portfolio(inputs).holdings if row.account == RAKUTEN)
    at_b = replace(margin, name="Rakuten loan", balance=0.80 * rakuten, collateral_account=RAKUTEN)
    at_a = replace(margin, balance=margin.balance - at_b.balance)
    others = tuple(loan for loan in demo.loans if not loan.is_secured and loan.kind != "credit_line")
    split = replace(inputs, loans=(at_a, at_b, *others))
    combined = replace(inputs, loans=(replace(at_a, collateral_account=None),
                                      replace(at_b, collateral_account=None), *others))
    strict = "spending_sustained_without_forced_liquidation"
    split_plan = replace(household_plan(split).config, success_definition=strict)
    combined_plan = replace(household_plan(combined).config, success_definition=strict)
    assert len(split_plan.household.positions) == 2 and len(combined_plan.household.positions) == 1
    assert split_plan.household.net_worth == pytest.approx(combined_plan.household.net_worth, rel=1e-12)
    scenarios = draw_scenarios(split_plan, np.random.default_rng(11))  # the same draws for both
    alone, together = run_paths(split_plan, scenarios), run_paths(combined_plan, scenarios)
    split_result = summarize(split_plan, scenarios, alone)
    combined_result = summarize(combined_plan, scenarios, together)
    # the second broker is called today on every path; the combined ratio (40 %) is not
    assert split_result.margin_call_probability == 1.0 > combined_result.margin_call_probability
    sold_alone = alone.first_forced_liquidation_step >= 0
    sold_together = together.first_forced_liquidation_step >= 0
    assert (sold_alone & ~sold_together).sum() > 0.1 * split_plan.paths
    assert split_result.forced_liquidation_probability > combined_result.forced_liquidation_probability
    assert split_result.mean_forced_sales > combined_result.mean_forced_sales
    assert split_result.success_probability < combined_result.success_probability


@pytest.mark.parametrize("changes", [
    {"loan": 5.0},  # a one-position loan besides the brokers'
    {"margin_loans": (A,)},  # one broker is declared by `loan` and its terms
    {"margin_loans": (replace(A, pledged_share=0.9), B)},  # the accounts hold more than the portfolio
])
def test_a_household_declares_its_margin_positions_one_way(changes: dict[str, object]) -> None:
    house = Household(portfolio=PORTFOLIO, margin_loans=(A, B))
    with pytest.raises(ValueError, match=r"margin_loans|pledged"):
        replace(house, **changes)  # type: ignore[arg-type]


def test_one_loan_in_place_of_the_brokers_takes_their_strictest_terms_on_all_their_collateral() -> None:
    b = replace(B, rate=0.04, margin_call=0.65, forced_liquidation=0.90, target_ratio=0.60)
    house = Household(portfolio=PORTFOLIO, margin_loans=(replace(A, rate=0.01), b))
    one = house.with_one_margin_loan(20.0)
    assert one.margin_loans == () and one.loan == 20.0
    assert (one.margin_call, one.forced_liquidation, one.target_ratio) == (0.65, 0.85, 0.60)
    assert one.collateral_fraction == pytest.approx(36.0 / 40.0, rel=1e-12)
    assert one.loan_rate == pytest.approx((10.0 * 0.01 + 5.0 * 0.04) / 15.0, rel=1e-12)
    assert one.net_worth == pytest.approx(40.0 - 20.0)
    single = Household(portfolio=PORTFOLIO, loan=15.0, margin_call=0.6)
    assert single.with_one_margin_loan(20.0) == replace(single, loan=20.0)


def test_simulate_runs_a_ledger_with_two_brokers_and_its_loan_option_replaces_them(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    demo_copy(db, as_of=AS_OF)
    conn = sqlite3.connect(db)
    with conn:  # two of the pledged holdings move to a second broker, which lends ¥10M against them
        (taxable,) = conn.execute("SELECT collateral_account FROM loans WHERE kind = 'margin'").fetchone()
        conn.execute("INSERT INTO accounts (name, kind) VALUES (?, 'taxable')", (RAKUTEN,))
        conn.execute("UPDATE holdings SET account = ? WHERE id IN (SELECT id FROM holdings WHERE account = ? "
                     "ORDER BY id DESC LIMIT 2)", (RAKUTEN, taxable))
        conn.execute("UPDATE loans SET balance = balance - 10000000 WHERE kind = 'margin'")
        conn.execute("INSERT INTO loans (name, kind, balance, rate, freeze_pct, margin_call_pct, forced_liq_pct, "
                     "target_ratio, collateral_account) VALUES ('Rakuten loan', 'margin', 10000000, 0.02, 0.6, "
                     "0.7, 0.85, 0.65, ?)", (RAKUTEN,))
    conn.close()
    positions = household_inputs(_inputs(db)).household.positions
    assert sorted(p.balance for p in positions) == [10_000_000.0, 40_000_000.0]
    args = ["simulate", "--db", str(db), "--as-of", AS_OF.isoformat(), "--paths", "300", "--years", "10"]
    runner = CliRunner()
    split = runner.invoke(cli, args)
    assert split.exit_code == 0, split.output
    one = runner.invoke(cli, [*args, "--loan", "50000000"])
    assert one.exit_code == 0, one.output
    for out in (split.output, one.output):
        data = json.loads(out)
        assert 0.0 <= data["forced_liquidation_probability"] <= data["margin_call_probability"] <= 1.0


@pytest.mark.parametrize(("cash", "fails"), [(2.0, False), (0.5, True)])
def test_a_broker_lending_against_an_empty_account_is_repaid_from_cash_or_the_household_is_wiped_out(
        cash: float, fails: bool) -> None:
    # B lends 1 against an account that holds nothing (its only holding could not be valued): a ratio of infinity.
    empty = MarginLoan(1.0, 0.0, collateral_fraction=0.0, pledged_share=0.0)
    house = Household(portfolio=PORTFOLIO, cash=cash, margin_loans=(A, empty))
    outcomes = run_paths(_config(house, 1, defend_margin_call=True), _path([0.0]))
    assert outcomes.first_margin_call_step[0] == 0
    # ¥2 of cash repays the 1 today; with ¥0.5 the 0.5 left is owed on an account with nothing to sell
    assert outcomes.spending_failure_step[0] == (0 if fails else -1)
    assert outcomes.first_forced_liquidation_step[0] == (0 if fails else -1)
    assert outcomes.forced_sales[0] == 0.0
    assert outcomes.net_worth[1, 0] == pytest.approx(PORTFOLIO + cash - 11.0, rel=1e-12)
