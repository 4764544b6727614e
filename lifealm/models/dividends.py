"""The dividend snowball and the FIRE ratio computed from it (never a hard-coded dividend figure).

Per holding, the annual dividend per share is the sum of its actual dividends with ex-date in
(as_of − 365 days, as_of]; if there are none, the projection rows with ex-date in (as_of, as_of + 365 days].
Year y (0 = the next twelve months) of organic income is Σ dps × shares × fx × (1 + g)^y with g the holding's
own growth (or the default), taxed at `dividend_tax`. Reinvested after-tax dividends (when enabled) and the
monthly contribution accumulate in a pot that yields `reinvest_yield` a year, also taxed; a pot's contributions
in year y start yielding in year y + 1. The crossover year is the first year whose after-tax income covers the
annual expenses. FIRE ratio = year-0 after-tax income ÷ annual expenses (None when there are no expenses).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from math import fsum

from lifealm.models.assumptions import Assumptions
from lifealm.models.findings import Finding, Severity
from lifealm.models.fx import FxTable
from lifealm.models.inputs import Dividend, Holding

_YEAR = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class HoldingDividend:
    ticker: str
    shares: float
    annual_per_share: float  # in the holding's currency
    source: str  # "trailing" (actual, last 12 months), "projection" (next 12 months) or "none"
    growth: float
    fx_rate: float | None  # None: no FX rate, excluded from the income (the valuation reports it)
    annual_income: float  # year 0, before tax, base currency (0 when excluded)


@dataclass(frozen=True, slots=True)
class ProjectionYear:
    year: int  # 0 = the next twelve months
    gross: float  # organic dividends before tax
    organic_after_tax: float
    reinvestment_income: float  # after tax, from the reinvested pot
    income: float  # after tax: organic + reinvestment
    pot: float  # money reinvested so far, at the start of the year
    covers_expenses: bool


@dataclass(frozen=True, slots=True)
class DividendProjection:
    holdings: tuple[HoldingDividend, ...]
    years: tuple[ProjectionYear, ...]
    annual_expenses: float
    tax: float
    reinvest: bool
    monthly_contribution: float
    reinvest_yield: float
    crossover_year: int | None  # None: not within the projection (or no expenses)
    fire_ratio: float | None
    findings: tuple[Finding, ...]

    @property
    def annual_after_tax(self) -> float:
        return self.years[0].income if self.years else 0.0


def annual_dividend_per_share(ticker: str, dividends: tuple[Dividend, ...], as_of: date) -> tuple[float, str]:
    """Trailing twelve months of actual dividends, else the next twelve months of projections."""
    trailing = [d.amount_per_share for d in dividends
                if d.ticker == ticker and not d.is_projection and as_of - _YEAR < d.ex_date <= as_of]
    if trailing:
        return fsum(trailing), "trailing"
    projected = [d.amount_per_share for d in dividends
                 if d.ticker == ticker and d.is_projection and as_of < d.ex_date <= as_of + _YEAR]
    if projected:
        return fsum(projected), "projection"
    return 0.0, "none"


def _holding_dividend(holding: Holding, dividends: tuple[Dividend, ...], as_of: date,
                      fx: FxTable, default_growth: float) -> HoldingDividend:
    per_share, source = annual_dividend_per_share(holding.ticker, dividends, as_of)
    growth = holding.dividend_growth if holding.dividend_growth is not None else default_growth
    rate = fx.rate_for(holding.currency)
    income = per_share * holding.shares * rate if rate is not None else 0.0
    return HoldingDividend(holding.ticker, holding.shares, per_share, source, growth, rate, income)


def project_dividends(holdings: tuple[Holding, ...], dividends: tuple[Dividend, ...], *, as_of: date,
                      fx: FxTable, annual_expenses: float, assumptions: Assumptions) -> DividendProjection:
    by_ticker: dict[str, list[Dividend]] = {}
    for row in dividends:
        by_ticker.setdefault(row.ticker, []).append(row)
    per_holding = tuple(
        _holding_dividend(h, tuple(by_ticker.get(h.ticker, ())), as_of, fx, assumptions.default_dividend_growth)
        for h in holdings
    )
    findings = tuple(Finding("no_dividend_data", Severity.INFO, h.ticker, (("as_of", as_of.isoformat()),))
                     for h in per_holding if h.source == "none")
    keep = 1.0 - assumptions.dividend_tax
    contribution = 12.0 * assumptions.monthly_contribution
    years: list[ProjectionYear] = []
    pot = 0.0
    for year in range(assumptions.projection_years + 1):
        gross = fsum(h.annual_income * (1.0 + h.growth) ** year for h in per_holding)
        organic = gross * keep
        from_pot = pot * assumptions.reinvest_yield * keep
        income = organic + from_pot
        covers = annual_expenses > 0 and income >= annual_expenses
        years.append(ProjectionYear(year, gross, organic, from_pot, income, pot, covers))
        pot += contribution + (income if assumptions.reinvest_dividends else 0.0)
    crossover = next((y.year for y in years if y.covers_expenses), None)
    fire = years[0].income / annual_expenses if annual_expenses > 0 else None
    return DividendProjection(
        holdings=per_holding, years=tuple(years), annual_expenses=annual_expenses, tax=assumptions.dividend_tax,
        reinvest=assumptions.reinvest_dividends, monthly_contribution=assumptions.monthly_contribution,
        reinvest_yield=assumptions.reinvest_yield, crossover_year=crossover, fire_ratio=fire, findings=findings,
    )
