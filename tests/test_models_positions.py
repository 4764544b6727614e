"""Margin loans at two brokers against hand-worked figures: each loan on its own account, the headline on the position
that fails first, and the cash and standby line shared at every drop; loans that share collateral stay as before."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifealm.models.briefing import build_briefing
from lifealm.models.briefing_json import briefing_to_json
from lifealm.models.defense import compare_with_and_without_line
from lifealm.models.findings import Severity
from lifealm.models.inputs import Account, CashAccount, Expense, Holding, LedgerInputs, Loan, PricePoint
from lifealm.models.margin import Status, Zone, margin_position, repay_now
from lifealm.models.positions import shared_max_survivable_drawdown
from lifealm.models.stress import stress_test
from lifealm.render.email_body import render_email

AS_OF = date(2026, 11, 25)
SBI, RAKUTEN = "SBI 特定", "楽天 特定"


def margin_loan(name: str, balance: float, account: str | None, *, freeze: float = 0.60, call: float = 0.70,
                forced: float = 0.85) -> Loan:
    return Loan(name, balance, 0.02, None, freeze, call, forced, kind="margin", collateral_account=account)


def two_brokers(loans: tuple[Loan, ...], *, sbi_value: float = 30_000_000.0, rakuten_value: float = 6_000_000.0,
                cash: float = 3_000_000.0, line: float = 1_000_000.0) -> LedgerInputs:
    """Stock A worth `sbi_value` at SBI, stock B worth `rakuten_value` at Rakuten (¥1,000 a share), the cash and a
    standby line of `line`."""
    standby = (Loan("standby", 0.0, 0.03, None, credit_limit=line),) if line else ()
    return LedgerInputs(
        as_of=AS_OF,
        accounts=(Account(SBI, "taxable"), Account(RAKUTEN, "taxable")),
        holdings=(Holding("A", "a", sbi_value / 1_000.0, 0.0, account=SBI),
                  Holding("B", "b", rakuten_value / 1_000.0, 0.0, account=RAKUTEN)),
        prices=(PricePoint("A", AS_OF, 1_000.0), PricePoint("B", AS_OF, 1_000.0)),
        loans=(*loans, *standby),
        cash_accounts=(CashAccount("bank", cash),),
        expenses=(Expense("living", 300_000.0),),
    )


LOAN_A = margin_loan("SBI 証券担保ローン", 10_000_000.0, SBI)
LOAN_B = margin_loan("楽天 証券担保ローン", 5_000_000.0, RAKUTEN)


def test_two_brokers_each_loan_on_its_own_account() -> None:
    b = build_briefing(two_brokers((LOAN_A, LOAN_B)))
    a_pos, b_pos = b.positions.positions
    # A: 10M / 30M = 33.3 % (safe); B: 5M / 6M = 83.3 %, past B's 70 % margin call, below its 85 % forced sale.
    assert (a_pos.account, a_pos.margin.balance, a_pos.margin.collateral) == (SBI, 10_000_000.0, 30_000_000.0)
    assert (b_pos.account, b_pos.margin.balance, b_pos.margin.collateral) == (RAKUTEN, 5_000_000.0, 6_000_000.0)
    assert a_pos.margin.ratio == pytest.approx(1 / 3) and a_pos.margin.zone is Zone.SAFE
    assert a_pos.margin.status is Status.SAFE
    assert b_pos.margin.ratio == pytest.approx(5 / 6) and b_pos.margin.zone is Zone.MARGIN_CALL
    assert b_pos.margin.status is Status.DANGER
    # The broker sells B at 1 − L_B/(0.85·V_B) = 1 − 5/5.1 = 1/51 ≈ 1.96 %; A only at 1 − 10/25.5 ≈ 60.8 %.
    assert b_pos.forced_liquidation_drawdown == pytest.approx(1 / 51, rel=1e-12)
    assert a_pos.forced_liquidation_drawdown == pytest.approx(1 - 10 / 25.5, rel=1e-12)
    # Combined the two would read 15/36 = 41.7 %, SAFE; the headline is B's: DANGER at 83.3 %.
    assert b.status is Status.DANGER and b.positions.first == 1
    assert b.margin.ratio == pytest.approx(5 / 6) and b.margin.zone is Zone.MARGIN_CALL
    assert b.margin.balance == 5_000_000.0 and b.margin.collateral == 6_000_000.0
    forced = next(t for t in b.stress.triggers if t.zone is Zone.FORCED_LIQUIDATION)
    assert forced.drawdown == pytest.approx(1 / 51, rel=1e-12)
    assert b.snapshot.margin_balance == 15_000_000.0 and b.snapshot.margin_ratio == pytest.approx(5 / 6)


def test_two_brokers_share_the_cash_and_the_line_at_each_drop() -> None:
    b = build_briefing(two_brokers((LOAN_A, LOAN_B)))  # defense: ¥3M cash + ¥1M line = ¥4M
    steps = {round(s.drawdown, 2): s for s in b.stress.ladder}
    # At −50 %: B needs 5 − 6·0.5·0.85 = 2.45M to stay clear of its sale, A (10 − 12.75 < 0) nothing.
    # Back to the 65 % target: B 5 − 6·0.5·0.65 = 3.05M, A 10 − 30·0.5·0.65 = 0.25M, together 3.3M.
    half = steps[0.5]
    assert half.repay_to_avoid_liquidation == pytest.approx(2_450_000.0, abs=1e-6)
    assert half.repay_to_target == pytest.approx(3_300_000.0, abs=1e-6)
    assert half.survives and half.ratio == pytest.approx(5 / 3) and half.zone is Zone.FORCED_LIQUIDATION
    # At −65 %: B 5 − 6·0.35·0.85 = 3.215M, A 10 − 30·0.35·0.85 = 1.075M: 4.29M > 4M, not survived.
    assert steps[0.65].repay_to_avoid_liquidation == pytest.approx(4_290_000.0, abs=1e-6)
    assert not steps[0.65].survives and steps[0.6].survives  # at −60 %: B 2.96M, A nothing
    # d*: with x = 1 − d both owe past x = 10/25.5, so 15 − (5.1 + 25.5)·x = 4 gives x = 11/30.6, d* ≈ 64.05 %
    # (B alone with all ¥4M would wrongly claim 1 − 1/5.1 ≈ 80.4 %).
    assert b.stress.max_survivable_drawdown == pytest.approx(1 - 11 / 30.6, rel=1e-12)
    # Without the line (¥3M): B alone needs 3M at 5 − 5.1x = 3, x = 2/5.1, exactly where A starts to owe.
    assert b.line.without_line.max_survivable_drawdown == pytest.approx(1 - 2 / 5.1, rel=1e-12)
    assert b.line.drawdown_bought == pytest.approx(2 / 5.1 - 11 / 30.6, rel=1e-9)


def test_two_brokers_repay_now_adds_up_the_positions() -> None:
    r = build_briefing(two_brokers((LOAN_A, LOAN_B), cash=500_000.0, line=1_000_000.0)).repay_now
    # B (margin call) must go back to its 65 % target: 5M − 6M·0.65 = 1.1M; A needs nothing.
    assert (r.zone, r.goal) == (Zone.MARGIN_CALL, "target")
    assert r.amount == pytest.approx(1_100_000.0) and r.to_target == pytest.approx(1_100_000.0)
    assert r.to_freeze == pytest.approx(1_400_000.0) and r.to_margin_call == pytest.approx(800_000.0)
    assert r.to_forced_liquidation == 0.0
    assert r.from_cash == 500_000.0 and r.from_credit_line == pytest.approx(600_000.0) and r.covered


def test_each_broker_uses_its_own_thresholds() -> None:
    # Rakuten sells at 75 %: 5M / 6M is already past it, though 83 % is below SBI's 85 %.
    strict = margin_loan("楽天", 5_000_000.0, RAKUTEN, freeze=0.5, call=0.6, forced=0.75)
    b = build_briefing(two_brokers((LOAN_A, strict)))
    assert b.positions.positions[1].margin.zone is Zone.FORCED_LIQUIDATION
    assert b.positions.positions[0].margin.thresholds is not None
    assert b.positions.positions[0].margin.thresholds.forced_liquidation == 0.85
    assert b.margin.zone is Zone.FORCED_LIQUIDATION and b.stress.triggers[-1].drawdown == 0.0


def test_the_json_lists_each_position() -> None:
    doc = briefing_to_json(build_briefing(two_brokers((LOAN_A, LOAN_B))))
    positions = doc["margin"]["positions"]
    assert [(p["loans"], p["account"], p["zone"], p["fails_first"]) for p in positions] == [
        (["SBI 証券担保ローン"], SBI, "SAFE", False), (["楽天 証券担保ローン"], RAKUTEN, "MARGIN_CALL", True)]
    assert positions[1]["ratio"] == pytest.approx(5 / 6) and positions[1]["thresholds"]["forced_liquidation"] == 0.85
    assert doc["margin"]["ratio"] == pytest.approx(5 / 6) and doc["status"] == "DANGER"
    assert [loan["name"] for loan in doc["margin"]["loans"]] == ["SBI 証券担保ローン", "楽天 証券担保ローン"]


# --- loans that share collateral: exactly today's combined figures ------------------------------------------------

SHARED = st.sampled_from([
    (SBI,), (None,), (RAKUTEN, RAKUTEN), (SBI, None), (None, None),
])


@settings(max_examples=40, deadline=None)
@given(accounts=SHARED, balances=st.lists(st.floats(0, 60_000_000), min_size=2, max_size=2),
       sbi=st.floats(0, 80_000_000), rakuten=st.floats(0, 20_000_000), cash=st.floats(0, 10_000_000),
       line=st.floats(0, 5_000_000))
def test_loans_sharing_collateral_keep_the_combined_figures(accounts: tuple[str | None, ...], balances: list[float],
                                                            sbi: float, rakuten: float, cash: float,
                                                            line: float) -> None:
    loans = tuple(margin_loan(f"loan {i}", balances[i], account, forced=0.85 - 0.05 * i)
                  for i, account in enumerate(accounts))
    b = build_briefing(two_brokers(loans, sbi_value=sbi, rakuten_value=rakuten, cash=cash, line=line))
    # Today's path: one position on the union of the named accounts, the strictest thresholds, one defense.
    old = margin_position(b.collateral.value, loans, caution_ratio=b.assumptions.caution_ratio)
    steps = tuple(s.drawdown for s in b.stress.ladder)
    assert len(b.positions.positions) == 1
    assert b.margin == old and b.status == (Status.NO_DATA if b.missing else old.status)
    assert b.repay_now == repay_now(old, b.defense.cash, b.defense.credit_available)
    assert b.line == compare_with_and_without_line(old.balance, b.collateral.value, b.defense, old.thresholds, steps)
    assert b.stress == stress_test(old.balance, b.collateral.value, b.defense.total, old.thresholds, steps)


@settings(max_examples=60, deadline=None)
@given(owed=st.lists(st.tuples(st.floats(1, 1e8), st.floats(0, 2e8)), min_size=1, max_size=4),
       defense=st.floats(0, 1e8))
def test_the_shared_survivable_drop_spends_exactly_the_defense(owed: list[tuple[float, float]],
                                                              defense: float) -> None:
    d = shared_max_survivable_drawdown(owed, defense)

    def need(drop: float) -> float:
        return sum(max(0.0, balance - c * (1 - drop)) for balance, c in owed)

    assert 0.0 <= d <= 1.0
    if 0.0 < d < 1.0:  # strictly inside: the defense is spent exactly
        assert need(d) == pytest.approx(defense, rel=1e-9, abs=1e-3)
    if d < 1.0:
        assert need(min(1.0, d + 1e-6)) >= defense - 1e-3
    if len(owed) == 1 and owed[0][1] > 0:  # one position: the closed form d* = 1 − (L − D)/(V·forced)
        balance, c = owed[0]
        assert d == pytest.approx(min(1.0, max(0.0, 1 - (balance - defense) / c)), abs=1e-12)


def test_a_position_past_a_threshold_is_said_today_even_when_another_fails_first() -> None:
    # SBI: 10M on 16M = 62.5 %, past its 60 % freeze, sold at 1 − 10/(0.85·16) ≈ 26.5 %.
    # Rakuten: 3M on 6M = 50 %, safe, but its broker sells at 65 %: at 1 − 0.5/0.65 ≈ 23.1 %, first.
    strict = margin_loan("楽天", 3_000_000.0, RAKUTEN, freeze=0.6, call=0.62, forced=0.65)
    b = build_briefing(two_brokers((margin_loan("SBI", 10_000_000.0, SBI), strict), sbi_value=16_000_000.0))
    assert b.positions.first == 1 and b.margin.zone is Zone.SAFE and b.status is Status.DANGER
    assert b.margin.ratio == pytest.approx(0.5) and b.stress.triggers[-1].drawdown == pytest.approx(1 - 0.5 / 0.65)
    # Repay 10M − 16M·0.60 = 400k to get SBI back under its freeze level, from cash.
    assert (b.repay_now.zone, b.repay_now.goal, b.repay_now.amount) == (Zone.FROZEN, "freeze", pytest.approx(4e5))
    text = render_email(briefing_to_json(b)).text
    assert "The loan is frozen: the margin ratio is 62.5 %, at or above the 60 % freeze level" in text
    assert "Repay ¥400,000 to get back below the freeze level, from cash." in text


def test_a_loan_naming_no_account_among_several_is_measured_combined_and_says_so() -> None:
    # B names no account: both loans are one position on both accounts, 15M / 36M = 41.7 % — a broker calling
    # margin on its own account (B at 83.3 %) cannot be seen, so the briefing warns and names the loan to fix.
    b = build_briefing(two_brokers((LOAN_A, replace(LOAN_B, collateral_account=None))))
    assert not b.positions.split and b.margin.ratio == pytest.approx(15 / 36)
    combined = [f for f in b.findings if f.code == "margin_loans_combined"]
    assert [(f.subject, f.severity, f.detail_dict()) for f in combined] == [
        (LOAN_B.name, Severity.WARNING, {"margin_loans": 2})]
    # each loan naming its account: no warning; one loan, or one pledged account: nothing to warn about
    assert "margin_loans_combined" not in {f.code for f in build_briefing(two_brokers((LOAN_A, LOAN_B))).findings}
    one = build_briefing(two_brokers((replace(LOAN_B, collateral_account=None),)))
    assert "margin_loans_combined" not in {f.code for f in one.findings}
