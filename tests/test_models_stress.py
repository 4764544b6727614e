"""Stress ladder, zone triggers and the exact max survivable drawdown: closed forms and properties."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from model_inputs import ledger_inputs, position

from lifealm.models.briefing import build_briefing
from lifealm.models.inputs import CashAccount, Expense, LedgerInputs, Loan
from lifealm.models.margin import Status, Thresholds, Zone, margin_position
from lifealm.models.stress import (
    drawdown_steps,
    ladder_step,
    max_survivable_drawdown,
    stress_test,
    zone_trigger_drawdown,
)

AS_OF = date(2026, 11, 24)
V, L = 125_000_000.0, 50_000_000.0
SERIES = Thresholds(freeze=0.60, margin_call=0.70, forced_liquidation=0.85, target=0.65)
STEPS = drawdown_steps(0.05, 0.70)


def series_inputs(cash: float = 4_500_000.0, line_limit: float | None = 10_000_000.0) -> LedgerInputs:
    loans = [Loan("margin", L, 0.02, "portfolio", 0.60, 0.70, 0.85)]
    if line_limit is not None:
        loans.append(Loan("standby", 0.0, 0.03, None, credit_limit=line_limit))
    return ledger_inputs(
        position("CORE", 25_000, 5_000.0, 60_000_000.0),  # 25,000 × ¥5,000 = ¥125M
        as_of=AS_OF,
        loans=tuple(loans),
        cash_accounts=(CashAccount("bank", cash),),
        expenses=(Expense("living", 800_000.0),),
    )


def test_steps_are_today_then_five_to_seventy_percent() -> None:
    # The ladder starts at today (no fall), so a position already past a threshold shows on its first row.
    assert STEPS[0] == 0.0 and STEPS[1] == 0.05 and STEPS[-1] == 0.70 and len(STEPS) == 15
    assert drawdown_steps(0.1, 0.35) == (0.0, 0.1, 0.2, 0.3)


def test_series_zone_triggers_closed_form() -> None:
    result = build_briefing(series_inputs())
    triggers = {t.zone: t.drawdown for t in result.stress.triggers}
    for zone, threshold, printed in ((Zone.FROZEN, 0.60, 0.3333), (Zone.MARGIN_CALL, 0.70, 0.4286),
                                     (Zone.FORCED_LIQUIDATION, 0.85, 0.5294)):
        got = triggers[zone]
        assert got is not None
        assert abs(got - (1 - L / (V * threshold))) < 1e-9
        assert round(got, 4) == printed  # the −33.33 %, −42.86 %, −52.94 % of the series
    assert result.margin.ratio == pytest.approx(0.40, abs=1e-12)
    assert result.margin.zone is Zone.SAFE and result.status is Status.SAFE


@pytest.mark.parametrize("defense", [0.0, 4_500_000.0, 14_500_000.0, 30_000_000.0, 49_999_999.0])
def test_max_survivable_drawdown_closed_form_and_ladder(defense: float) -> None:
    expected = 1 - (L - defense) / (0.85 * V)
    result = stress_test(L, V, defense, SERIES, STEPS)
    assert abs(result.max_survivable_drawdown - expected) < 1e-9
    for step in result.ladder:
        assert isinstance(step.survives, bool)
        assert step.survives == (step.drawdown <= result.max_survivable_drawdown)
        assert step.collateral == pytest.approx(V * (1 - step.drawdown))
        assert step.repay_to_avoid_liquidation == pytest.approx(max(0.0, L - V * (1 - step.drawdown) * 0.85))
        assert step.repay_to_target == pytest.approx(max(0.0, L - V * (1 - step.drawdown) * 0.65))


def test_series_ladder_rows_by_hand() -> None:
    # At −60 %: collateral ¥50M, ratio 1.0, forced liquidation; ¥7.5M needed to get back to 0.85 and
    # ¥17.5M to get back to 0.65. With ¥14.5M of defense the first is covered, so the step survives.
    result = stress_test(L, V, 14_500_000.0, SERIES, STEPS)
    row = next(s for s in result.ladder if abs(s.drawdown - 0.60) < 1e-12)
    assert row.collateral == pytest.approx(50_000_000.0)
    assert row.ratio == pytest.approx(1.0)
    assert row.zone is Zone.FORCED_LIQUIDATION
    assert row.repay_to_avoid_liquidation == pytest.approx(7_500_000.0)
    assert row.repay_to_target == pytest.approx(17_500_000.0)
    assert row.survives is True
    row70 = result.ladder[-1]  # −70 %: ¥50M − ¥37.5M·0.85 = ¥18.125M > ¥14.5M
    assert row70.repay_to_avoid_liquidation == pytest.approx(18_125_000.0)
    assert row70.survives is False


def test_zone_boundaries_are_inclusive() -> None:
    at_freeze = ladder_step(60.0, 100.0, 0.0, 0.0, SERIES)
    assert at_freeze.zone is Zone.FROZEN
    assert ladder_step(59.999, 100.0, 0.0, 0.0, SERIES).zone is Zone.SAFE
    assert ladder_step(85.0, 100.0, 0.0, 0.0, SERIES).zone is Zone.FORCED_LIQUIDATION


def test_edge_cases_no_zero_division() -> None:
    # Nothing owed: every drop survives, no zone is ever triggered.
    nothing = stress_test(0.0, V, 0.0, SERIES, STEPS)
    assert nothing.max_survivable_drawdown == 1.0
    assert all(s.survives and s.ratio == 0.0 and s.zone is Zone.SAFE for s in nothing.ladder)
    assert all(t.drawdown is None for t in nothing.triggers)
    # Owed against an empty portfolio: infinite ratio, already in every zone, survives only if D ≥ L.
    empty = stress_test(L, 0.0, 0.0, SERIES, STEPS)
    assert empty.max_survivable_drawdown == 0.0
    assert all(math.isinf(s.ratio) and s.zone is Zone.FORCED_LIQUIDATION and not s.survives for s in empty.ladder)
    assert all(t.drawdown == 0.0 for t in empty.triggers)
    assert stress_test(L, 0.0, L, SERIES, STEPS).max_survivable_drawdown == 1.0
    # Defense at least the balance: survives a total loss.
    assert max_survivable_drawdown(L, V, L + 1, 0.85) == 1.0
    # A 100 % drop step does not divide by zero.
    full = ladder_step(L, V, 0.0, 1.0, SERIES)
    assert math.isinf(full.ratio) and full.repay_to_avoid_liquidation == L
    # Already past forced liquidation: d* clips to 0, the trigger to 0.
    assert max_survivable_drawdown(90.0, 100.0, 0.0, 0.85) == 0.0
    assert zone_trigger_drawdown(90.0, 100.0, 0.85) == 0.0
    # Negative defense (overdraft) repays nothing but does not make a no-repayment drop fatal.
    assert ladder_step(L, V, -1_000_000.0, 0.05, SERIES).survives is True
    assert stress_test(L, V, -1.0, SERIES, STEPS).max_survivable_drawdown == pytest.approx(1 - L / (0.85 * V))


def test_no_secured_loan_is_safe_with_no_triggers() -> None:
    position = margin_position(V, (Loan("standby", 0.0, 0.03, None, credit_limit=1e7),), caution_ratio=0.5)
    assert position.ratio == 0.0 and position.thresholds is None
    assert position.zone is Zone.SAFE and position.status is Status.SAFE
    result = stress_test(0.0, V, 0.0, None, STEPS)
    assert result.triggers == () and result.max_survivable_drawdown == 1.0
    assert all(s.survives for s in result.ladder)


def test_headline_status_bands() -> None:
    loan = Loan("m", 0.0, 0.02, "portfolio", 0.60, 0.70, 0.85)

    def status(balance: float) -> Status:
        return margin_position(100.0, (Loan(loan.name, balance, 0.02, "portfolio", 0.60, 0.70, 0.85),),
                               caution_ratio=0.50).status

    assert status(49.9) is Status.SAFE
    assert status(50.0) is Status.CAUTION
    assert status(59.9) is Status.CAUTION
    assert status(60.0) is Status.DANGER
    assert margin_position(0.0, (Loan("m", 1.0, 0.02, "portfolio", 0.6, 0.7, 0.85),),
                           caution_ratio=0.5).status is Status.DANGER


money = st.floats(min_value=1.0, max_value=1e10, allow_nan=False, allow_infinity=False)
fraction = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@st.composite
def thresholds(draw: st.DrawFn) -> Thresholds:
    freeze = draw(st.floats(min_value=0.05, max_value=1.0))
    call = draw(st.floats(min_value=freeze, max_value=1.0))
    forced = draw(st.floats(min_value=call, max_value=1.0))
    target = draw(st.floats(min_value=0.01, max_value=forced))
    return Thresholds(freeze, call, forced, target)


@settings(max_examples=150, deadline=None)
@given(balance=money, collateral=money, t=thresholds(), d1=fraction, d2=fraction)
def test_ratio_rises_with_drawdown(balance: float, collateral: float, t: Thresholds, d1: float, d2: float) -> None:
    low, high = sorted((d1, d2))
    a = ladder_step(balance, collateral, 0.0, low, t)
    b = ladder_step(balance, collateral, 0.0, high, t)
    assert b.ratio >= a.ratio
    assert list(Zone).index(b.zone) >= list(Zone).index(a.zone)
    assert b.repay_to_avoid_liquidation >= a.repay_to_avoid_liquidation


@settings(max_examples=150, deadline=None)
@given(balance=money, collateral=money, t=thresholds(), defense=st.floats(-1e9, 1e10), extra=money)
def test_more_defense_never_lowers_max_survival(balance: float, collateral: float, t: Thresholds,
                                                defense: float, extra: float) -> None:
    base = stress_test(balance, collateral, defense, t, STEPS)
    more = stress_test(balance, collateral, defense + extra, t, STEPS)
    assert more.max_survivable_drawdown >= base.max_survivable_drawdown
    assert 0.0 <= base.max_survivable_drawdown <= 1.0
    for before, after in zip(base.ladder, more.ladder, strict=True):
        assert after.survives or not before.survives
    for step in base.ladder:  # the ladder agrees with d* away from float rounding at the boundary
        if step.drawdown <= base.max_survivable_drawdown - 1e-9:
            assert step.survives
        if step.drawdown >= base.max_survivable_drawdown + 1e-9:
            assert not step.survives
