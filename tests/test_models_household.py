"""The household models against hand-worked figures: accounts and their taxes, pledged collateral with a haircut,
every debt in the cash flow, the balance sheet and the FIRE ratio, and streams that start and end."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifealm.models.assumptions import Assumptions
from lifealm.models.briefing import build_briefing
from lifealm.models.briefing_json import briefing_to_json
from lifealm.models.cashflow import active_in_month, cash_flow
from lifealm.models.horizon import age_on, plan_horizon
from lifealm.models.inputs import (
    Account,
    CashAccount,
    Dividend,
    Event,
    Expense,
    Holding,
    Income,
    LedgerInputs,
    Loan,
    Member,
    OtherAsset,
    PricePoint,
)
from lifealm.models.margin import Status, Zone
from lifealm.models.timeline import household_timeline

AS_OF = date(2026, 11, 25)
TAX = 0.20315


def margin_loan(balance: float, account: str | None = None) -> Loan:
    return Loan("margin", balance, 0.02, None, 0.60, 0.70, 0.85, kind="margin", collateral_account=account)


# --- one stock in a NISA and a taxable account ---------------------------------------------------------------

NISA = Account("楽天 NISA", "nisa_growth")


def nisa_and_taxable(nisa: Account = NISA) -> LedgerInputs:
    """8058.T at ¥3,000: 1,000 shares in NISA, 2,000 in a taxable account; ¥100 a share of dividends a year."""
    return LedgerInputs(
        as_of=AS_OF,
        accounts=(Account("SBI 特定", "taxable"), nisa),
        holdings=(Holding("8058.T", "三菱商事", 2_000, 5_000_000.0, account="SBI 特定"),
                  Holding("8058.T", "三菱商事", 1_000, 2_000_000.0, account=nisa.name)),
        prices=(PricePoint("8058.T", date(2026, 11, 25), 3_000.0),),
        dividends=(Dividend("8058.T", date(2026, 3, 28), 60.0), Dividend("8058.T", date(2026, 9, 28), 40.0)),
        loans=(margin_loan(3_000_000.0),),  # ¥5,000 of interest a month
        expenses=(Expense("living", 20_000.0),),  # ¥240,000 a year
    )


def test_one_stock_in_nisa_and_taxable_value_dividends_and_fire() -> None:
    b = build_briefing(nisa_and_taxable())
    assert b.valuation.value == 9_000_000.0
    accounts = {a.name: (a.kind, a.value, a.pledged) for a in b.valuation.accounts}
    assert accounts == {"SBI 特定": ("taxable", 6_000_000.0, True), "楽天 NISA": ("nisa_growth", 3_000_000.0, False)}
    by_account = {h.account: h for h in b.dividends.holdings}
    assert by_account["SBI 特定"].annual_income == 200_000.0 and by_account["SBI 特定"].tax_rate == TAX
    assert by_account["楽天 NISA"].annual_income == 100_000.0 and by_account["楽天 NISA"].tax_rate == 0.0
    # 200,000 × (1 − 0.20315) + 100,000 = 159,370 + 100,000
    assert b.dividends.annual_after_tax == pytest.approx(259_370.0, abs=1e-6)
    # FIRE = after-tax dividends ÷ (expenses + interest) = 259,370 ÷ (240,000 + 60,000)
    assert b.cashflow.annual_interest == pytest.approx(60_000.0, abs=1e-9)
    assert b.fire_ratio == pytest.approx(259_370.0 / 300_000.0, rel=1e-12)
    # Only the taxable account secures the loan: 3M ÷ 6M, not 3M ÷ 9M.
    assert b.collateral.value == 6_000_000.0 and b.collateral.market_value == 9_000_000.0
    assert b.margin.ratio == pytest.approx(0.5, abs=1e-15) and b.status is Status.CAUTION


def test_an_account_can_override_its_dividend_tax() -> None:
    """A NISA account paid by bank transfer (登録配当金受領口座方式) is taxed at 20.315 % after all."""
    b = build_briefing(nisa_and_taxable(Account("楽天 NISA", "nisa_growth", dividend_tax_rate=TAX)))
    assert b.dividends.annual_after_tax == pytest.approx(300_000.0 * (1 - TAX), abs=1e-6)
    assert b.dividends.years[0].gross == 300_000.0


# --- pledged collateral: a NISA account left out and a 0.7 haircut ---------------------------------------------

def haircut_household() -> LedgerInputs:
    """Taxable: A ¥100M at haircut 0.7, B ¥50M; NISA: A ¥30M. Loan ¥60M; defense ¥4M cash + ¥10M line."""
    return LedgerInputs(
        as_of=AS_OF,
        accounts=(Account("taxable", "taxable"), Account("NISA", "nisa_growth")),
        holdings=(Holding("A", "a", 10_000, 0.0, account="taxable", haircut=0.7),
                  Holding("B", "b", 5_000, 0.0, account="taxable"),
                  Holding("A", "a", 3_000, 0.0, account="NISA", haircut=0.7)),
        prices=(PricePoint("A", AS_OF, 10_000.0), PricePoint("B", AS_OF, 10_000.0)),
        loans=(margin_loan(60_000_000.0), Loan("standby", 0.0, 0.03, None, credit_limit=10_000_000.0)),
        cash_accounts=(CashAccount("bank", 4_000_000.0),),
        expenses=(Expense("living", 500_000.0),),
    )


def test_nisa_left_out_and_haircut_drive_ratio_triggers_and_max_drawdown() -> None:
    b = build_briefing(haircut_household())
    assert b.valuation.value == 180_000_000.0
    # collateral = 100M × 0.7 + 50M × 1 = 120M (the NISA's 30M counts nothing)
    assert b.collateral.value == pytest.approx(120_000_000.0, abs=1e-6)
    assert b.collateral.pledged_market_value == 150_000_000.0 and b.collateral.accounts == ("taxable",)
    assert b.margin.collateral == b.collateral.value
    assert b.margin.ratio == pytest.approx(0.5, abs=1e-12)  # 60/120, not 60/180 = 0.333 (SAFE)
    assert b.status is Status.CAUTION
    triggers = {t.zone: t.drawdown for t in b.stress.triggers}
    assert triggers[Zone.FROZEN] == pytest.approx(1 - 60 / (120 * 0.60), abs=1e-12)  # 16.67 %
    assert triggers[Zone.MARGIN_CALL] == pytest.approx(1 - 60 / (120 * 0.70), abs=1e-12)  # 28.57 %
    assert triggers[Zone.FORCED_LIQUIDATION] == pytest.approx(1 - 60 / (120 * 0.85), abs=1e-12)  # 41.18 %
    # d* = 1 − (L − D)/(V·forced) = 1 − (60 − 14)/(120 × 0.85) = 0.549
    assert b.stress.max_survivable_drawdown == pytest.approx(1 - 46 / 102, abs=1e-12)
    assert b.line.without_line.max_survivable_drawdown == pytest.approx(1 - 56 / 102, abs=1e-12)
    step = next(s for s in b.stress.ladder if s.drawdown == pytest.approx(0.30))
    assert step.collateral == pytest.approx(84_000_000.0, abs=1e-6)  # 120M × 0.7
    assert step.zone is Zone.MARGIN_CALL
    assert step.repay_to_target == pytest.approx(60_000_000.0 - 84_000_000.0 * 0.65, abs=1e-6)  # ¥5.4M


def test_every_holding_pledged_at_haircut_one_gives_the_series_figures() -> None:
    """¥125M in two taxable accounts against ¥50M: ratio 0.40, freeze −33.3 %, call −42.9 %, forced −52.9 %."""
    inputs = LedgerInputs(
        as_of=AS_OF,
        accounts=(Account("SBI", "taxable"),),  # "楽天" is not listed: a taxable, pledged account
        holdings=(Holding("X", "x", 15_000, 0.0, account="SBI"), Holding("Y", "y", 10_000, 0.0, account="楽天")),
        prices=(PricePoint("X", AS_OF, 5_000.0), PricePoint("Y", AS_OF, 5_000.0)),
        loans=(Loan("margin", 50_000_000.0, 0.02, "portfolio", 0.60, 0.70, 0.85),),
    )
    b = build_briefing(inputs)
    assert b.collateral.value == b.valuation.value == 125_000_000.0
    assert b.margin.ratio == pytest.approx(0.40, abs=1e-15)
    triggers = {t.zone: round(t.drawdown or 0.0, 3) for t in b.stress.triggers}
    assert triggers == {Zone.FROZEN: 0.333, Zone.MARGIN_CALL: 0.429, Zone.FORCED_LIQUIDATION: 0.529}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1e6), st.floats(0.01, 1e5), st.sampled_from(["", "a", "b"])),
                min_size=1, max_size=6))
def test_all_pledged_at_haircut_one_collateral_is_the_portfolio(rows: list[tuple[float, float, str]]) -> None:
    holdings = tuple(Holding(f"T{i}", "", shares, 0.0, account=acct) for i, (shares, _, acct) in enumerate(rows))
    prices = tuple(PricePoint(f"T{i}", AS_OF, price) for i, (_, price, _) in enumerate(rows))
    b = build_briefing(LedgerInputs(as_of=AS_OF, accounts=(Account("a"), Account("b", "other", pledged=True)),
                                    holdings=holdings, prices=prices, loans=(margin_loan(1e6),)))
    assert b.collateral.value == b.valuation.value
    assert b.margin.collateral == b.valuation.value


def test_a_margin_loan_secured_by_one_account_only() -> None:
    inputs = LedgerInputs(
        as_of=AS_OF,
        accounts=(Account("SBI", "taxable"), Account("楽天", "taxable")),
        holdings=(Holding("X", "x", 2_000, 0.0, account="SBI"), Holding("Y", "y", 4_000, 0.0, account="楽天")),
        prices=(PricePoint("X", AS_OF, 5_000.0), PricePoint("Y", AS_OF, 5_000.0)),
        loans=(margin_loan(4_000_000.0, account="SBI"),),
    )
    b = build_briefing(inputs)
    assert b.collateral.value == 10_000_000.0 and b.collateral.accounts == ("SBI",)
    assert b.margin.ratio == pytest.approx(0.4, abs=1e-15)


def test_a_margin_loan_naming_a_nisa_account_has_no_collateral_and_says_why() -> None:
    b = build_briefing(replace(nisa_and_taxable(), loans=(margin_loan(3_000_000.0, account="楽天 NISA"),)))
    assert b.collateral.value == 0.0 and b.status is Status.DANGER
    codes = {(f.code, f.subject) for f in b.findings}
    assert ("collateral_account_not_pledged", "margin") in codes
    assert ("secured_loan_without_collateral", "loans") in codes


def test_nisa_and_ideco_are_never_pledged_and_untaxed_by_default() -> None:
    for kind in ("nisa_growth", "nisa_tsumitate", "ideco"):
        account = Account("x", kind, pledged=True)  # the schema refuses this; the model holds the line too
        assert not account.is_pledged and account.tax_rate(TAX) == 0.0
    assert Account("x", "taxable").is_pledged and Account("x", "taxable").tax_rate(TAX) == TAX
    assert not Account("x", "taxable", pledged=False).is_pledged
    assert not Account("x", "other").is_pledged and Account("x", "other", pledged=True).is_pledged
    assert Account("x", "other").tax_rate(TAX) == TAX


# --- every debt: interest, a mortgage, the balance sheet and net worth -----------------------------------------

def mortgage_household() -> LedgerInputs:
    return LedgerInputs(
        as_of=AS_OF,
        loans=(Loan("mortgage", 20_000_000.0, 0.012, None, kind="amortizing", monthly_payment=80_000.0,
                    maturity=date(2049, 3, 31)),
               margin_loan(10_000_000.0),
               Loan("standby", 1_000_000.0, 0.036, None, credit_limit=5_000_000.0)),
        cash_accounts=(CashAccount("bank", 5_000_000.0),),
        other_assets=(OtherAsset("home", "real_estate", 40_000_000.0),),
        holdings=(Holding("X", "x", 10_000, 0.0),),
        prices=(PricePoint("X", AS_OF, 3_000.0),),  # ¥30M
        income=(Income("salary", 500_000.0, "salary"),),
        expenses=(Expense("living", 300_000.0),),
    )


def test_a_mortgage_and_every_loans_interest_in_the_cash_flow() -> None:
    flow = cash_flow(mortgage_household())
    debts = {d.name: d for d in flow.debts}
    # mortgage: interest 20M × 1.2 % / 12 = 20,000; the rest of the 80,000 payment repays 60,000 of principal
    assert debts["mortgage"].interest == pytest.approx(20_000.0, abs=1e-9)
    assert debts["mortgage"].principal == pytest.approx(60_000.0, abs=1e-9)
    assert debts["margin"].payment == pytest.approx(10_000_000.0 * 0.02 / 12, abs=1e-9)  # 16,666.67
    assert debts["standby"].payment == pytest.approx(3_000.0, abs=1e-9)  # 1M drawn at 3.6 %
    assert flow.monthly_interest == pytest.approx(20_000.0 + 16_666.666666666668 + 3_000.0, abs=1e-6)
    # 500,000 − 300,000 − 39,666.67 interest − 60,000 principal
    assert flow.monthly == pytest.approx(500_000.0 - 300_000.0 - 39_666.666666666668 - 60_000.0, abs=1e-6)


def test_a_mortgage_in_the_balance_sheet_and_net_worth() -> None:
    b = build_briefing(mortgage_household())
    sheet = {li.name: (li.kind, li.balance) for li in b.balance_sheet.liabilities}
    assert sheet == {"margin": ("secured_loan", 10_000_000.0), "standby": ("credit_line", 1_000_000.0),
                     "mortgage": ("amortizing", 20_000_000.0)}
    # assets 30M portfolio + 5M cash + 40M home = 75M; debts 10M + 1M + 20M = 31M
    assert b.balance_sheet.net_worth == pytest.approx(44_000_000.0, abs=1e-6)
    assert b.snapshot.net_worth == b.balance_sheet.net_worth
    assert b.snapshot.monthly_cashflow == b.cashflow.monthly
    # A mortgage is neither collateralised nor defense: the margin ratio and the line are untouched by it.
    assert b.margin.balance == 10_000_000.0
    assert [line.name for line in b.defense.credit_lines] == ["standby"]
    assert b.defense.credit_available == 4_000_000.0


def test_the_last_mortgage_payment_and_a_payment_below_the_interest() -> None:
    last = Loan("car", 50_000.0, 0.012, None, kind="amortizing", monthly_payment=80_000.0)
    short = Loan("odd", 10_000_000.0, 0.12, None, kind="amortizing", monthly_payment=50_000.0)
    flow = cash_flow(LedgerInputs(as_of=AS_OF, loans=(last, short)))
    debts = {d.name: d for d in flow.debts}
    assert debts["car"].payment == pytest.approx(50_050.0, abs=1e-9)  # what is left, with its interest
    assert debts["odd"].principal == pytest.approx(-50_000.0, abs=1e-9)  # 100,000 interest, 50,000 paid
    assert [f.code for f in flow.findings] == ["payment_below_interest"]


# --- streams that start and end ------------------------------------------------------------------------------

def test_only_the_streams_active_in_the_as_of_month_count() -> None:
    inputs = LedgerInputs(
        as_of=AS_OF,  # November 2026
        income=(Income("salary", 600_000.0, "salary", end=date(2026, 11, 10)),  # last pay this month: counts
                Income("old job", 1_000.0, "salary", end=date(2026, 10, 31)),  # ended: no
                Income("pension", 200_000.0, "pension", start=date(2041, 4, 1)),  # later: no
                Income("rent", 80_000.0, "rent")),
        expenses=(Expense("living", 300_000.0), Expense("school", 50_000.0, start=date(2026, 11, 30)),
                  Expense("nursery", 40_000.0, start=date(2020, 4, 1), end=date(2026, 3, 31))),
    )
    flow = cash_flow(inputs)
    assert [i.source for i in flow.income] == ["salary", "rent"]
    assert [i.source for i in flow.inactive_income] == ["old job", "pension"]
    assert [e.category for e in flow.expenses] == ["living", "school"]
    assert flow.monthly == 680_000.0 - 350_000.0
    assert build_briefing(inputs).dividends.annual_expenses == 350_000.0 * 12


@pytest.mark.parametrize(("start", "end", "day", "active"), [
    (None, None, date(2026, 2, 28), True),
    (date(2026, 3, 1), None, date(2026, 2, 28), False),
    (date(2026, 2, 28), None, date(2026, 2, 1), True),
    (None, date(2026, 2, 1), date(2026, 2, 28), True),
    (None, date(2026, 1, 31), date(2026, 2, 1), False),
    (date(2024, 2, 29), date(2024, 2, 29), date(2024, 2, 10), True),
])
def test_active_in_month(start: date | None, end: date | None, day: date, active: bool) -> None:
    assert active_in_month(start, end, day) is active


# --- the timeline over the horizon ---------------------------------------------------------------------------

def test_timeline_follows_dated_streams_and_events_by_hand() -> None:
    inputs = LedgerInputs(
        as_of=AS_OF,  # year 0 is November 2026 to October 2027, year 1 November 2027 to October 2028, …
        assumptions=replace(Assumptions(), mc_years=3, inflation=0.02),
        income=(Income("salary", 500_000.0, "salary", end=date(2027, 3, 31)),  # Nov–Mar: 5 months
                Income("pension", 200_000.0, "pension", start=date(2028, 4, 1)),  # from April 2028
                Income("side", 100_000.0, "side", annual_change=-0.1)),
        expenses=(Expense("living", 300_000.0), Expense("school", 50_000.0, start=date(2029, 4, 1))),
        events=(Event("school fees", date(2027, 4, 1), 1_000_000.0),
                Event("退職金", date(2027, 3, 31), 10_000_000.0, "income", "nominal"),
                Event("car", date(2028, 11, 1), 2_000_000.0, basis="nominal"),  # year 2
                Event("last year's car", date(2026, 10, 31), 9e9),  # before the as-of month: history
                Event("after the horizon", date(2029, 11, 1), 9e9)),
        members=(Member("Taro", date(1980, 5, 10)),),
    )
    timeline = household_timeline(inputs, plan_horizon(inputs).years)
    years = timeline.years
    assert [y.start for y in years] == [date(2026, 11, 1), date(2027, 11, 1), date(2028, 11, 1)]
    expected_income = [5 * 500_000 + 12 * 100_000,
                       7 * 200_000 + 12 * 90_000,  # pension April–October 2028
                       12 * 200_000 + 12 * 81_000]
    assert [y.income for y in years] == pytest.approx(expected_income, abs=1e-6)
    assert [y.expenses for y in years] == [3_600_000.0, 3_600_000.0, 3_600_000.0 + 7 * 50_000.0]
    assert [y.events_income for y in years] == pytest.approx([10_000_000, 0, 0], abs=1e-6)
    assert [y.events_expense for y in years] == pytest.approx([1_000_000, 0, 2_000_000 / 1.02**2], abs=1e-6)
    assert [y.ages for y in years] == [(("Taro", 46),), (("Taro", 47),), (("Taro", 48),)]
    marks = [(m.on.isoformat(), m.kind, m.name) for m in timeline.marks]
    assert marks == [("2027-03-31", "event_income", "退職金"), ("2027-03-31", "income_end", "salary"),
                     ("2027-04-01", "event_expense", "school fees"), ("2028-04-01", "income_start", "pension"),
                     ("2028-11-01", "event_expense", "car"), ("2029-04-01", "expense_start", "school")]


@pytest.mark.parametrize(("birth", "day", "age"), [
    (date(1980, 5, 10), date(2026, 5, 9), 45), (date(1980, 5, 10), date(2026, 5, 10), 46),
    (date(2000, 2, 29), date(2025, 2, 28), 24), (date(2000, 2, 29), date(2025, 3, 1), 25),
])
def test_age_on(birth: date, day: date, age: int) -> None:
    assert age_on(birth, day) == age


def test_briefing_json_has_accounts_collateral_and_interest() -> None:
    doc = briefing_to_json(build_briefing(replace(haircut_household(), loans=(
        margin_loan(60_000_000.0), Loan("mortgage", 12_000_000.0, 0.01, None, kind="amortizing",
                                        monthly_payment=50_000.0)))))
    json.dumps(doc, allow_nan=False)
    assert [(a["name"], a["kind"], a["value"], a["pledged"], a["collateral"]) for a in doc["accounts"]] == [
        ("taxable", "taxable", 150_000_000.0, True, pytest.approx(120_000_000.0)),
        ("NISA", "nisa_growth", 30_000_000.0, False, 0.0)]
    assert [h["account"] for h in doc["holdings"]] == ["taxable", "taxable", "NISA"]
    assert doc["margin"]["collateral"] == pytest.approx(120_000_000.0)
    assert doc["margin"]["market_value"] == 180_000_000.0
    # 60M × 2 % / 12 + 12M × 1 % / 12 = 100,000 + 10,000
    assert doc["cashflow"]["monthly_interest"] == pytest.approx(110_000.0, abs=1e-9)
    assert doc["cashflow"]["monthly"] == pytest.approx(-500_000.0 - 100_000.0 - 50_000.0, abs=1e-9)
    assert doc["fire"]["annual_outgoings"] == pytest.approx(6_000_000.0 + 1_320_000.0, abs=1e-6)
    assert [li["kind"] for li in doc["balance_sheet"]["liabilities"]] == ["secured_loan", "amortizing"]


def test_timeline_chart_draws_the_plan_with_the_salary_end_and_pension_start() -> None:
    import vl_convert

    from lifealm.charts import theme
    from lifealm.charts.builders import build_all
    from lifealm.charts.collect import chart_data

    inputs = LedgerInputs(
        as_of=AS_OF, assumptions=replace(Assumptions(), mc_years=20),
        income=(Income("salary", 500_000.0, "salary", end=date(2031, 3, 31)),
                Income("pension", 150_000.0, "pension", start=date(2041, 4, 1))),
        expenses=(Expense("living", 300_000.0),),
        events=tuple(Event("school fees", date(year, 4, 1), 1_200_000.0) for year in range(2031, 2035)),
        members=(Member("Hanako", date(1985, 1, 2)),),
    )
    data = chart_data(build_briefing(inputs))
    assert data.timeline is not None
    assert [(m.offset, m.name, m.kind) for m in data.timeline.markers] == [
        (4, "salary", "income_end"), (14, "pension", "income_start")]  # March 2031 is in year 4 from Nov 2026
    for medium in (theme.DARK, theme.LIGHT):
        spec = build_all(data, medium)["timeline"]
        values = [row for layer in spec["layer"] for row in layer.get("data", {}).get("values", [])]
        fees = [r["amount"] for r in values if r.get("series") == "one-off expenses"]
        assert fees == [-1_200_000.0] * 4
        assert {"label": "salary ends", "on": "2031-03-31", "year": 4} in values
        assert vl_convert.vegalite_to_svg(spec).startswith("<svg")
    # Without income, expenses or events there is no timeline to draw.
    assert chart_data(build_briefing(LedgerInputs(as_of=AS_OF))).timeline is None


def test_the_allocation_chart_counts_a_stock_held_in_two_accounts_once() -> None:
    from lifealm.charts.collect import chart_data

    slices = chart_data(build_briefing(nisa_and_taxable())).allocation
    assert [(s.ticker, s.value) for s in slices] == [("8058.T", 9_000_000.0)]
