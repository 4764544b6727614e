"""One way of saying it: the headline, the cards, the stress text and the e-mail state the same two figures."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import page_claims
import pytest

from lifealm.charts.collect import chart_data
from lifealm.models.briefing import build_briefing
from lifealm.models.briefing_json import briefing_to_json
from lifealm.models.inputs import CashAccount, Expense, Holding, LedgerInputs, Loan, PricePoint
from lifealm.render import pages
from lifealm.render.email_body import render_email

AS_OF = date(2026, 11, 25)


def series(balance: float) -> LedgerInputs:
    """The series household: ¥125M portfolio, cash ¥4.5M, an undrawn ¥10M standby line, forced liquidation at 85 %."""
    return LedgerInputs(
        as_of=AS_OF, holdings=(Holding("CORE", "core", 25_000, 60_000_000.0),),
        prices=(PricePoint("CORE", AS_OF, 5_000.0),),
        loans=(Loan("margin", balance, 0.02, "portfolio", 0.60, 0.70, 0.85),
               Loan("standby", 0.0, 0.03, None, credit_limit=10_000_000.0)),
        cash_accounts=(CashAccount("bank", 4_500_000.0),), expenses=(Expense("living", 800_000.0),))


def _text(html: str) -> str:
    inline = re.sub(r"</?span[^>]*>", "", html)  # a figure's span is part of its sentence
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", inline)).split())


def _page(inputs: LedgerInputs) -> tuple[str, dict[str, object]]:
    b = build_briefing(inputs)
    doc = briefing_to_json(b)
    return pages.render_screen(doc, pages.screen_specs(chart_data(b)), root="", day_prefix="", bundle="b"), doc


# Worked by hand. Doing nothing, forced liquidation starts at d = 1 − L/(V·0.85); spending cash and line (D =
# ¥14.5M) it starts at d* = 1 − (L − D)/(V·0.85), V·0.85 = ¥106,250,000. Both are shown rounded toward zero.
#   L = ¥50M: d = 1 − 50/106.25 = 0.52941 → 52.9 %;  d* = 1 − 35.5/106.25 = 0.66588 → 66.5 %   (ratio 40 %: SAFE)
#   L = ¥65M: d = 1 − 65/106.25 = 0.38824 → 38.8 %;  d* = 1 − 50.5/106.25 = 0.52471 → 52.4 %   (ratio 52 %: CAUTION)
@pytest.mark.parametrize(("balance", "status", "forced", "survived"), [
    (50_000_000.0, "Safe", "52.9 %", "66.5 %"),
    (65_000_000.0, "Caution", "38.8 %", "52.4 %"),
])
def test_every_place_states_the_same_two_figures_with_their_conditions(balance: float, status: str, forced: str,
                                                                       survived: str) -> None:
    html, doc = _page(series(balance))
    sentence = _text(re.search(r'id="sentence">(.*?)</p>', html, re.S).group(1))  # type: ignore[union-attr]
    assert sentence == (f"{status}: if nothing is done, forced liquidation begins at a {forced} fall; by spending "
                        f"all its cash and the standby line, the household survives a fall of up to {survived}.")
    headline = _text(html[html.index('id="headline"'):html.index('id="stress"')])
    assert f"Forced sale at a fall of {forced} if nothing is done" in headline
    assert f"Survives a fall of {survived} spending all cash and the standby line" in headline
    stress = _text(html[html.index('id="stress"'):html.index('id="defense"')])
    assert f"If nothing is done, forced liquidation at a {forced} fall (85 %)." in stress
    assert f"the household survives a fall of up to {survived}." in stress
    mail = render_email(doc)
    assert f"forced sale at \u2212{forced} if nothing is done · survives \u2212{survived} spending cash and line" \
        in mail.subject
    assert f"at a {forced} fall" in " ".join(mail.text.split()) and f"up to {survived}" in mail.text


def test_the_margin_card_under_a_caution_banner_is_amber_and_does_not_say_safe() -> None:
    html, _ = _page(series(65_000_000.0))  # 52 %: below freeze (zone safe) but above the 50 % caution level
    assert '<span class="badge warn" id="status">CAUTION</span>' in html
    assert '<div class="value warn" id="m-margin">52.0 %</div>' in html
    assert 'id="m-margin-word">caution: at or above the caution level' in html


def test_the_page_checker_catches_a_contradiction_and_runs_on_every_page() -> None:
    before = page_claims.checked["pages"]
    html, doc = _page(series(50_000_000.0))
    assert page_claims.checked["pages"] == before + 1  # render_screen is checked wherever it is called
    lying = html.replace('data-figure="max_survivable_drawdown">66.5 %', 'data-figure="max_survivable_drawdown">70.0 %',
                         1)
    with pytest.raises(AssertionError, match="max_survivable_drawdown"):
        page_claims.check_page(lying, doc)
    unsaid = re.sub(r'<span class="drop" data-figure="forced_liquidation_drawdown">[^<]*</span>', "52.9 %", html)
    with pytest.raises(AssertionError, match="not both figures"):
        page_claims.check_page(unsaid, doc)
    green = html.replace('id="m-margin-word">safe', 'id="m-margin-word">safe', 1).replace(
        '<span class="badge good" id="status">', '<span class="badge warn" id="status">', 1)
    with pytest.raises(AssertionError, match="margin card"):
        page_claims.check_page(green, doc)
