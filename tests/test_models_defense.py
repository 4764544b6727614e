"""Defense (cash + available unsecured credit), the standby line comparison, several loans and accounts."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from model_inputs import ledger_inputs, position

from lifealm.models.briefing import build_briefing
from lifealm.models.findings import Severity
from lifealm.models.inputs import CashAccount, Expense, FxRate, LedgerInputs, Loan, OtherAsset
from lifealm.models.margin import Status, Zone, combined_thresholds

AS_OF = date(2026, 11, 24)
V, L = 125_000_000.0, 50_000_000.0


def inputs(loans: tuple[Loan, ...], cash: tuple[CashAccount, ...] = (), value: float = V) -> LedgerInputs:
    held = [position("CORE", 1, value, 60_000_000.0)] if value > 0 else []
    return ledger_inputs(*held, as_of=AS_OF, loans=loans, cash_accounts=cash, fx_rates=(FxRate("USD", AS_OF, 150.0),),
                         expenses=(Expense("living", 300_000.0),))


MARGIN = Loan("margin", L, 0.02, "portfolio", 0.60, 0.70, 0.85)


def test_cash_comes_from_the_ledger_and_counts_overdrafts_as_negative() -> None:
    # The series hard-coded ¥4,500,000 of cash; here it is the sum of the accounts, in the base currency.
    accounts = (CashAccount("bank", 3_000_000.0), CashAccount("usd", 10_000.0, "USD"),
                CashAccount("card", -200_000.0))
    b = build_briefing(inputs((MARGIN,), accounts))
    assert b.defense.cash == 3_000_000.0 + 1_500_000.0 - 200_000.0
    assert b.snapshot.cash == b.defense.cash
    assert [(f.code, f.subject) for f in b.findings if f.code == "negative_balance"] == [("negative_balance", "card")]
    assert any(a.name == "card" and a.value == -200_000.0 for a in b.balance_sheet.assets)


def test_cash_in_a_currency_without_rate_is_excluded_with_an_error() -> None:
    b = build_briefing(inputs((MARGIN,), (CashAccount("bank", 1_000.0), CashAccount("chf", 5.0, "CHF"))))
    assert b.defense.cash == 1_000.0
    assert any(f.code == "missing_fx_rate" and f.subject == "chf" and f.severity is Severity.ERROR
               for f in b.findings)


def test_several_credit_lines_add_limit_minus_drawn() -> None:
    lines = (Loan("a", 2_000_000.0, 0.03, None, credit_limit=10_000_000.0),
             Loan("b", 0.0, 0.04, None, credit_limit=5_000_000.0),
             Loan("over", 7_000_000.0, 0.05, None, credit_limit=6_000_000.0))
    b = build_briefing(inputs((MARGIN, *lines), (CashAccount("bank", 1_000_000.0),)))
    assert b.defense.credit_available == 8_000_000.0 + 5_000_000.0 + 0.0
    assert b.defense.total == 14_000_000.0
    assert any(f.code == "credit_over_limit" and f.subject == "over" for f in b.findings)
    # The standby lines are shown as standby; only what is drawn is a liability.
    assert [s.name for s in b.balance_sheet.standby] == ["a", "b", "over"]
    drawn = {li.name: li.balance for li in b.balance_sheet.liabilities if li.kind == "credit_line"}
    assert drawn == {"a": 2_000_000.0, "over": 7_000_000.0}
    assert b.balance_sheet.total_liabilities == L + 9_000_000.0
    assert b.balance_sheet.net_worth == pytest.approx(V + 1_000_000.0 - L - 9_000_000.0)


def test_the_line_comparison_shows_what_the_standby_line_buys() -> None:
    line = Loan("standby", 0.0, 0.03, None, credit_limit=10_000_000.0)
    b = build_briefing(inputs((MARGIN, line), (CashAccount("bank", 4_500_000.0),)))
    with_d = 1 - (L - 14_500_000.0) / (0.85 * V)
    without_d = 1 - (L - 4_500_000.0) / (0.85 * V)
    assert b.line.with_line.max_survivable_drawdown == pytest.approx(with_d, abs=1e-12)
    assert b.line.without_line.max_survivable_drawdown == pytest.approx(without_d, abs=1e-12)
    assert b.line.drawdown_bought == pytest.approx(10_000_000.0 / (0.85 * V), abs=1e-12)
    assert b.line.defense_bought == 10_000_000.0
    assert b.line.collateral_loss_bought == pytest.approx(V * b.line.drawdown_bought)
    assert b.stress is b.line.with_line
    survive_with = sum(s.survives for s in b.line.with_line.ladder)
    survive_without = sum(s.survives for s in b.line.without_line.ladder)
    assert survive_with > survive_without  # −55 % and −60 % are survived only with the line


def test_several_secured_loans_combine_balance_and_strictest_thresholds() -> None:
    loans = (Loan("m1", 30_000_000.0, 0.02, "portfolio", 0.60, 0.75, 0.90, target_ratio=0.70),
             Loan("m2", 20_000_000.0, 0.02, "portfolio", 0.65, 0.70, 0.85, target_ratio=0.65))
    b = build_briefing(inputs(loans))
    t = b.margin.thresholds
    assert t is not None and (t.freeze, t.margin_call, t.forced_liquidation, t.target) == (0.60, 0.70, 0.85, 0.65)
    assert b.margin.balance == L and b.margin.ratio == pytest.approx(0.4)
    assert b.stress.max_survivable_drawdown == pytest.approx(1 - L / (0.85 * V), abs=1e-12)
    # A crossing of the per-loan minima still keeps the zones ordered.
    odd = combined_thresholds((Loan("x", 1, 0, "portfolio", 0.8, 0.8, 0.8, target_ratio=0.5),
                               Loan("y", 1, 0, "portfolio", 0.5, 0.9, 0.95, target_ratio=0.5)))
    assert odd is not None and odd.freeze <= odd.margin_call <= odd.forced_liquidation


def test_no_loans_at_all_is_safe() -> None:
    b = build_briefing(inputs((), (CashAccount("bank", 1.0),)))
    assert b.margin.ratio == 0.0 and b.status is Status.SAFE and b.margin.thresholds is None
    assert b.stress.max_survivable_drawdown == 1.0 and b.stress.triggers == ()
    assert all(s.survives and s.zone is Zone.SAFE for s in b.stress.ladder)


def test_empty_portfolio_with_a_loan_is_danger_with_infinite_ratio() -> None:
    b = build_briefing(inputs((MARGIN,), (CashAccount("bank", 1.0),), value=0.0))
    assert math.isinf(b.margin.ratio) and b.margin.ratio_infinite
    # The margin model sees DANGER; with no holdings at all the headline is NO DATA (the ledger cannot answer).
    assert b.margin.status is Status.DANGER and b.margin.zone is Zone.FORCED_LIQUIDATION
    assert b.status is Status.NO_DATA and [f.code for f in b.missing] == ["no_holdings"]
    assert b.stress.max_survivable_drawdown == 0.0
    assert b.snapshot.margin_ratio is None
    assert any(f.code == "secured_loan_without_collateral" for f in b.findings)


def test_other_assets_on_the_balance_sheet() -> None:
    base = inputs((MARGIN,), (CashAccount("bank", 1_000.0),))
    with_home = replace(base, other_assets=(OtherAsset("home", "real_estate", 30_000_000.0, False),
                                            OtherAsset("gold", "metal", 100.0, True, "USD")))
    sheet = build_briefing(with_home).balance_sheet
    assert sheet.total_assets == pytest.approx(V + 1_000.0 + 30_000_000.0 + 15_000.0)
    assert sheet.liquid_assets == pytest.approx(V + 1_000.0 + 15_000.0)


money = st.floats(min_value=0.0, max_value=1e9, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(cash=st.floats(-1e7, 1e9), limit=money, drawn=money, balance=money)
def test_an_unsecured_line_never_lowers_max_survival(cash: float, limit: float, drawn: float,
                                                     balance: float) -> None:
    margin = replace(MARGIN, balance=balance)
    without = build_briefing(inputs((margin,), (CashAccount("bank", cash),)))
    with_line = build_briefing(inputs((margin, Loan("line", drawn, 0.03, None, credit_limit=limit)),
                                      (CashAccount("bank", cash),)))
    assert with_line.stress.max_survivable_drawdown >= without.stress.max_survivable_drawdown
    assert with_line.defense.total >= without.defense.total


@settings(max_examples=60, deadline=None)
@given(cash=st.floats(0, 1e9), headroom=st.floats(0, 1e10), balance=money)
def test_a_secured_lines_headroom_adds_no_defense(cash: float, headroom: float, balance: float) -> None:
    margin = replace(MARGIN, balance=balance)
    plain = build_briefing(inputs((margin,), (CashAccount("bank", cash),)))
    with_headroom = build_briefing(inputs((replace(margin, credit_limit=balance + headroom),),
                                          (CashAccount("bank", cash),)))
    assert with_headroom.defense.total == plain.defense.total == plain.defense.cash
    assert with_headroom.defense.credit_available == 0.0
    assert with_headroom.stress.max_survivable_drawdown == plain.stress.max_survivable_drawdown
