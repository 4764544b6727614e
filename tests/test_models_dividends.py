"""Dividend snowball and FIRE ratio, tested against the formula (not the series' printed table)."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifealm.models.assumptions import Assumptions
from lifealm.models.briefing import build_briefing
from lifealm.models.dividends import annual_dividend_per_share, project_dividends
from lifealm.models.fx import build_fx_table
from lifealm.models.inputs import Dividend, Expense, FxRate, Holding, LedgerInputs

AS_OF = date(2026, 11, 24)
FX = build_fx_table((FxRate("USD", AS_OF, 150.0),), base_currency="JPY", as_of=AS_OF)
# Part 04's core: shares, dividend per share, growth.
CORE = (("A", 15_000, 78.0, 0.05), ("B", 50_000, 24.0, 0.05), ("C", 20_000, 60.0, 0.06), ("D", 50_000, 21.0, 0.06))


def core_inputs() -> tuple[tuple[Holding, ...], tuple[Dividend, ...]]:
    holdings = tuple(Holding(t, t, n, 0.0, dividend_growth=g) for t, n, _, g in CORE)
    # Two half-year payments in the trailing twelve months.
    dividends = tuple(Dividend(t, AS_OF - timedelta(days=days), dps / 2)
                      for t, _, dps, _ in CORE for days in (30, 200))
    return holdings, dividends


def test_snowball_follows_the_formula_year_by_year() -> None:
    holdings, dividends = core_inputs()
    a = Assumptions(reinvest_dividends=False, projection_years=10)
    result = project_dividends(holdings, dividends, as_of=AS_OF, fx=FX, annual_expenses=9_600_000.0, assumptions=a)
    assert [y.year for y in result.years] == list(range(11))
    for row in result.years:
        gross = sum(dps * (1 + g) ** row.year * n for _, n, dps, g in CORE)
        assert row.gross == pytest.approx(gross, rel=1e-12)
        assert row.income == pytest.approx(gross * (1 - 0.20315), rel=1e-12)
        assert row.reinvestment_income == 0.0
    assert result.years[0].gross == pytest.approx(15_000 * 78 + 50_000 * 24 + 20_000 * 60 + 50_000 * 21)
    # FIRE ratio is computed from the projection, not the series' hard-coded ¥5,000,000.
    assert result.fire_ratio == pytest.approx(result.years[0].income / 9_600_000.0)
    assert result.crossover_year is None  # ¥3.7M after tax growing ~5.5 % never reaches ¥9.6M in ten years


def test_crossover_year_matches_the_closed_form() -> None:
    holdings = (Holding("X", "x", 1_000, 0.0, dividend_growth=0.10),)
    dividends = (Dividend("X", AS_OF - timedelta(days=10), 1_000.0),)  # ¥1M a year
    a = Assumptions(dividend_tax=0.0, reinvest_dividends=False, projection_years=30, inflation=0.0)
    expenses = 3_000_000.0
    result = project_dividends(holdings, dividends, as_of=AS_OF, fx=FX, annual_expenses=expenses, assumptions=a)
    assert result.crossover_year == math.ceil(math.log(3.0) / math.log(1.1))  # 11.53 → 12
    assert all(y.covers_expenses == (y.year >= result.crossover_year) for y in result.years)


def test_crossover_year_compares_with_expenses_grown_by_inflation() -> None:
    # ¥1M growing 10 % against ¥3M growing 2 %: 1.1^y ≥ 3·1.02^y ⇔ y ≥ ln 3 / ln(1.1/1.02) = 14.55 → year 15
    # (flat expenses would say year 12), as the Monte Carlo inflates spending.
    holdings = (Holding("X", "x", 1_000, 0.0, dividend_growth=0.10),)
    dividends = (Dividend("X", AS_OF - timedelta(days=10), 1_000.0),)
    a = Assumptions(dividend_tax=0.0, reinvest_dividends=False, projection_years=30, inflation=0.02)
    result = project_dividends(holdings, dividends, as_of=AS_OF, fx=FX, annual_expenses=3_000_000.0, assumptions=a)
    assert result.crossover_year == 15
    assert result.years[14].income < 3_000_000.0 * 1.02 ** 14 and result.years[15].income >= 3_000_000.0 * 1.02 ** 15
    assert result.years[10].expenses == pytest.approx(3_000_000.0 * 1.02 ** 10, rel=1e-12)
    assert result.fire_ratio == pytest.approx(1 / 3)  # year 0: today's expenses


def test_reinvestment_and_contribution_compound_at_the_assumed_yield() -> None:
    a = Assumptions(dividend_tax=0.0, reinvest_dividends=True, monthly_contribution=1_000.0, reinvest_yield=0.10,
                    projection_years=3)
    result = project_dividends((), (), as_of=AS_OF, fx=FX, annual_expenses=1.0, assumptions=a)
    pot, expected = 0.0, []
    for _ in range(4):
        income = pot * 0.10
        expected.append(income)
        pot += 12_000.0 + income
    assert [y.income for y in result.years] == pytest.approx(expected)
    taxed = project_dividends((), (), as_of=AS_OF, fx=FX, annual_expenses=1.0,
                              assumptions=replace(a, dividend_tax=0.2, reinvest_dividends=False))
    assert taxed.years[2].income == pytest.approx(24_000.0 * 0.10 * 0.8)


def test_the_windows_of_the_one_rule() -> None:
    rows = (
        Dividend("T", AS_OF, 10.0),  # on the as-of date: counts (repeats at AS_OF + 365)
        Dividend("T", AS_OF - timedelta(days=364), 5.0),  # inside; its anniversary is AS_OF + 1
        Dividend("T", AS_OF - timedelta(days=365), 100.0),  # exactly a year ago: outside (as_of − 365, as_of]
        # 29 days from the ¥5 payment's anniversary: its announced successor, replacing it (335 days from the ¥10's)
        Dividend("T", AS_OF + timedelta(days=30), 1_000.0, is_projection=True),
        Dividend("P", AS_OF + timedelta(days=30), 7.0, is_projection=True),
        Dividend("P", AS_OF + timedelta(days=365), 8.0, is_projection=True),
        Dividend("P", AS_OF + timedelta(days=366), 99.0, is_projection=True),  # beyond the twelve months
        Dividend("P", AS_OF - timedelta(days=30), 50.0, is_projection=True),  # a past forecast is not income
    )
    assert annual_dividend_per_share("T", rows, AS_OF) == (1_010.0, "trailing+projection")  # 1,000 + 10
    assert annual_dividend_per_share("P", rows, AS_OF) == (15.0, "projection")
    assert annual_dividend_per_share("A", (Dividend("A", AS_OF - timedelta(days=9), 3.0),), AS_OF) == (3.0, "trailing")
    assert annual_dividend_per_share("N", rows, AS_OF) == (0.0, "none")


SEPT = date(2026, 9, 29)  # the ex-date of the one actual payment in the last twelve months (AS_OF 2026-11-24)


def test_one_actual_and_an_announced_forecast_for_the_other_half_count_both() -> None:
    # The holding: ¥45 paid in September, ¥50 announced for March → ¥95 a share, not ¥45.
    rows = (Dividend("H", SEPT, 45.0), Dividend("H", date(2027, 3, 30), 50.0, is_projection=True))
    assert annual_dividend_per_share("H", rows, AS_OF) == (95.0, "trailing+projection")


def test_a_forecast_for_the_same_payment_next_year_replaces_it() -> None:
    # ¥50 announced for 2027-09-28, one day from the September payment's anniversary: ¥50, not ¥95.
    rows = (Dividend("H", SEPT, 45.0), Dividend("H", date(2027, 9, 28), 50.0, is_projection=True))
    assert annual_dividend_per_share("H", rows, AS_OF)[0] == 50.0
    # Quarterly payer with two quarters announced: each forecast replaces only its own quarter.
    quarters = tuple(Dividend("Q", d, 10.0) for d in (date(2025, 12, 28), date(2026, 3, 28), date(2026, 6, 28),
                                                      date(2026, 9, 28)))
    announced = (Dividend("Q", date(2026, 12, 27), 12.0, is_projection=True),
                 Dividend("Q", date(2027, 3, 29), 12.0, is_projection=True))
    assert annual_dividend_per_share("Q", quarters + announced, AS_OF)[0] == 12 + 12 + 10 + 10


def test_no_dividend_data_is_a_finding_and_foreign_dividends_are_converted() -> None:
    holdings = (Holding("GROW", "g", 10, 0.0), Holding("US", "u", 10, 0.0, currency="USD"))
    dividends = (Dividend("US", AS_OF - timedelta(days=5), 2.0),)
    result = project_dividends(holdings, dividends, as_of=AS_OF, fx=FX, annual_expenses=0.0,
                               assumptions=Assumptions(default_dividend_growth=0.0))
    assert [(f.code, f.subject) for f in result.findings] == [("no_dividend_data", "GROW")]
    assert result.years[0].gross == pytest.approx(10 * 2.0 * 150.0)
    assert result.fire_ratio is None and result.crossover_year is None  # no expenses: undefined, not infinite


def test_fire_ratio_follows_the_ledger_dividends() -> None:
    holdings, dividends = core_inputs()
    base = LedgerInputs(as_of=AS_OF, holdings=holdings, dividends=dividends,
                        expenses=(Expense("living", 800_000.0),))
    doubled = replace(base, dividends=tuple(replace(d, amount_per_share=d.amount_per_share * 2) for d in dividends))
    r1, r2 = build_briefing(base).fire_ratio, build_briefing(doubled).fire_ratio
    assert r1 is not None and r2 is not None
    assert r2 == pytest.approx(2 * r1)
    assert r1 == pytest.approx(4_620_000 * (1 - 0.20315) / 9_600_000)


@settings(max_examples=60, deadline=None)
@given(growth=st.floats(0.0, 0.3), contribution=st.floats(0, 1e6), reinvest=st.booleans())
def test_income_never_falls_with_non_negative_growth(growth: float, contribution: float, reinvest: bool) -> None:
    holdings, dividends = core_inputs()
    holdings = tuple(replace(h, dividend_growth=growth) for h in holdings)
    a = Assumptions(reinvest_dividends=reinvest, monthly_contribution=contribution)
    years = project_dividends(holdings, dividends, as_of=AS_OF, fx=FX, annual_expenses=1e7, assumptions=a).years
    for before, after in itertools.pairwise(years):
        assert after.income >= before.income * (1 - 1e-12)
