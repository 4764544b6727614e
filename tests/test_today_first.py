"""Today first: a ratio already past a threshold is said before anything else, with what to repay now."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from html import unescape

import pytest

from lifealm.charts.collect import chart_data
from lifealm.models.briefing import build_briefing
from lifealm.models.briefing_json import briefing_to_json
from lifealm.models.inputs import CashAccount, Expense, Holding, LedgerInputs, Loan, PricePoint
from lifealm.models.margin import Zone
from lifealm.render import pages
from lifealm.render.email_body import render_email

AS_OF = date(2026, 11, 25)
# The margin-call household of the issue, built so the arithmetic can be checked by hand:
#   portfolio V = 5,555 shares × ¥10,000 = ¥55,550,000; margin loan L = ¥42,162,500; ratio L/V = 0.759000… (75.9 %).
#   Repaying x with (L − x)/V = t gives x = L − V·t:
#     target 0.65:  42,162,500 − 36,107,500 = ¥6,055,000
#     call   0.70:  42,162,500 − 38,885,000 = ¥3,277,500
#     freeze 0.60:  42,162,500 − 33,330,000 = ¥8,832,500
#     forced 0.85:  below it already → 0
#   Cash ¥4,000,000 first, then ¥2,055,000 of the ¥3,000,000 standby line: covered.
V, L = 55_550_000.0, 42_162_500.0


def household(cash: float = 4_000_000.0, line: float | None = 3_000_000.0, balance: float = L) -> LedgerInputs:
    loans = [Loan("margin", balance, 0.02, "portfolio", 0.60, 0.70, 0.85, target_ratio=0.65)]
    if line is not None:
        loans.append(Loan("standby", 0.0, 0.03, None, credit_limit=line))
    return LedgerInputs(as_of=AS_OF, holdings=(Holding("CORE", "core", 5_555, 40_000_000.0),),
                        prices=(PricePoint("CORE", AS_OF, 10_000.0),), loans=tuple(loans),
                        cash_accounts=(CashAccount("bank", cash),), expenses=(Expense("living", 400_000.0),))


def test_the_margin_call_household_repays_6055000_to_the_target_from_cash_then_the_line() -> None:
    b = build_briefing(household())
    r = b.repay_now
    assert b.margin.zone is Zone.MARGIN_CALL and b.status.value == "DANGER"
    assert r.to_target == pytest.approx(6_055_000.0, abs=1e-6)
    assert r.to_margin_call == pytest.approx(3_277_500.0, abs=1e-6)
    assert r.to_freeze == pytest.approx(8_832_500.0, abs=1e-6)
    assert r.to_forced_liquidation == 0.0
    assert (r.goal, r.from_cash, r.covered) == ("target", 4_000_000.0, True)
    assert r.from_credit_line == pytest.approx(2_055_000.0, abs=1e-6) and r.shortfall == pytest.approx(0, abs=1e-6)
    # After repaying, the ratio is exactly the target.
    assert (L - r.to_target) / V == pytest.approx(0.65, abs=1e-15)
    doc = briefing_to_json(b)
    assert doc["margin"]["repay_now"]["to_target"] == pytest.approx(6_055_000.0, abs=1e-6)
    assert doc["margin"]["repay_now"]["covered"] is True
    assert {"to_freeze", "to_margin_call", "to_forced_liquidation", "to_target", "covered"} <= set(
        doc["margin"]["repay_now"])


def test_without_enough_cash_and_no_line_the_shortfall_is_named() -> None:
    r = build_briefing(household(cash=1_000_000.0, line=None)).repay_now
    assert (r.from_cash, r.from_credit_line, r.covered) == (1_000_000.0, 0.0, False)
    assert r.shortfall == pytest.approx(5_055_000.0, abs=1e-6)


def test_a_frozen_loan_is_called_frozen_and_repays_to_below_freeze() -> None:
    # L = ¥34,441,000 on V = ¥55,550,000 is 62.0 %: frozen, below the call. x = 34,441,000 − 33,330,000.
    b = build_briefing(household(balance=34_441_000.0))
    assert b.margin.zone is Zone.FROZEN
    assert (b.repay_now.goal, b.repay_now.to_target) == ("freeze", 0.0)
    assert b.repay_now.amount == pytest.approx(1_111_000.0, abs=1e-6)
    assert b.repay_now.from_cash == pytest.approx(1_111_000.0, abs=1e-6)
    html = _page(household(balance=34_441_000.0))
    assert _text(html, "today").startswith("The loan is frozen: the margin ratio is 62.0 %, at or above the 60 % "
                                           "freeze level, so no new borrowing is possible.")
    assert "Repay ¥1,111,000 to get back below the freeze level, from cash. The defense covers it." in _text(
        html, "today")


def test_a_safe_loan_owes_nothing_now_and_the_page_has_no_today_block() -> None:
    b = build_briefing(household(balance=20_000_000.0))
    assert (b.repay_now.goal, b.repay_now.amount, b.repay_now.to_freeze) == ("none", 0.0, 0.0)
    assert 'id="today"' not in _page(household(balance=20_000_000.0))


def test_the_ladder_starts_at_today_with_no_fall() -> None:
    b = build_briefing(household())
    first = b.stress.ladder[0]
    assert first.drawdown == 0.0 and first.collateral == V
    assert first.repay_to_target == pytest.approx(6_055_000.0, abs=1e-6) and first.zone is Zone.MARGIN_CALL


def _page(inputs: LedgerInputs) -> str:
    b = build_briefing(inputs)
    return pages.render_screen(briefing_to_json(b), pages.screen_specs(chart_data(b)), root="", day_prefix="",
                               bundle="b.js")


def _text(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:p|table)>', html, re.S)
    assert found, element_id
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def test_page_and_email_say_the_margin_call_first_with_the_repayment_and_its_sources() -> None:
    html = _page(household())
    today = _text(html, "today")
    assert today == ("The loan is in margin call: the margin ratio is 75.9 %, at or above the 70 % margin-call level, "
                     "and the loan is frozen. Repay ¥6,055,000 now to get back to the loan's 65 % target ratio: "
                     "¥4,000,000 from cash, then ¥2,055,000 from the standby line. The defense covers it.")
    assert html.index('id="today"') < html.index('id="sentence"') < html.index('id="headline"')
    table = _text(html, "repay-now")
    for expected in ("the forced-liquidation level (85 %) nothing (already below)",
                     "the margin-call level (70 %) ¥3,277,500", "the target ratio (65 %) ¥6,055,000",
                     "the freeze level (60 %) ¥8,832,500"):
        assert expected in table
    b = build_briefing(household())
    mail = render_email(briefing_to_json(b))
    assert mail.text.split("\n\n")[1].startswith("The loan is in margin call")
    assert "Repay ¥6,055,000 now to get back to the loan's 65 % target ratio" in mail.text
    assert "Repay ¥6,055,000 now" in unescape(mail.html)
    short = render_email(briefing_to_json(build_briefing(replace(household(cash=1_000_000.0, line=None)))))
    assert "Cash and the standby line together fall ¥5,055,000 short." in short.text
