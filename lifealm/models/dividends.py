"""The dividend snowball and the FIRE ratio computed from it (never a hard-coded dividend figure).

Per holding, the dividend per share for the next twelve months is one rule: the announced forecasts with an ex-date
in (as_of, as_of + 365 days], plus, for each actual payment with an ex-date in (as_of − 365 days, as_of] that no
forecast replaces, the same payment a year later. A forecast replaces the past payment whose anniversary is nearest
its ex-date, within 45 days, and at most one (so one actual ¥45 in September and an announced ¥50 for March make
¥95; an announced ¥50 for next September replaces the ¥45 and makes ¥50).
Year y (0 = the next twelve months) of organic income is Σ dps × shares × fx × (1 + g)^y with g the holding's
own growth (or the default), each holding taxed at its account's rate (NISA and iDeCo 0, taxable accounts
`dividend_tax`, or the account's own rate). Reinvested after-tax dividends (when enabled) and the monthly
contribution accumulate in a pot that yields `reinvest_yield` a year, taxed at `dividend_tax`; a pot's
contributions in year y start yielding in year y + 1. The outgoings in year y are the annual expenses grown by the
`inflation` assumption, (1 + inflation)^y, as in the Monte Carlo, plus today's loan interest; the crossover year is
the first year whose after-tax income covers them. FIRE ratio = year-0 after-tax income ÷ (annual expenses +
annual loan interest) (None when there are no expenses).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from math import fsum

from lifealm.models.assumptions import Assumptions
from lifealm.models.findings import Finding, Severity
from lifealm.models.fx import FxTable
from lifealm.models.inputs import Account, Dividend, Holding

_YEAR = timedelta(days=365)
# A forecast within this many days of a past payment's anniversary is that payment's announced successor.
REPLACE_WINDOW_DAYS = 45


@dataclass(frozen=True, slots=True)
class HoldingDividend:
    ticker: str
    shares: float
    annual_per_share: float  # in the holding's currency
    source: str  # "trailing" (actuals only), "projection" (forecasts only), "trailing+projection" or "none"
    growth: float
    fx_rate: float | None  # None: no FX rate, excluded from the income (the valuation reports it)
    annual_income: float  # year 0, before tax, base currency (0 when excluded)
    account: str = ""
    tax_rate: float = 0.0  # the account's dividend tax rate

    @property
    def annual_after_tax(self) -> float:
        return self.annual_income * (1.0 - self.tax_rate)


@dataclass(frozen=True, slots=True)
class ProjectionYear:
    year: int  # 0 = the next twelve months
    gross: float  # organic dividends before tax
    organic_after_tax: float
    reinvestment_income: float  # after tax, from the reinvested pot
    income: float  # after tax: organic + reinvestment
    pot: float  # money reinvested so far, at the start of the year
    covers_expenses: bool
    expenses: float = 0.0  # annual expenses grown by inflation to this year


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
    annual_interest: float = 0.0  # every loan's yearly interest, part of the outgoings the dividends must cover

    @property
    def annual_outgoings(self) -> float:
        return self.annual_expenses + self.annual_interest

    @property
    def annual_after_tax(self) -> float:
        return self.years[0].income if self.years else 0.0


def _replaced(actuals: list[Dividend], forecasts: list[Dividend]) -> set[int]:
    """Indexes of the past payments a forecast replaces: nearest anniversary first, one to one, within the window."""
    pairs = sorted((abs((f.ex_date - (a.ex_date + _YEAR)).days), fi, ai)
                   for fi, f in enumerate(forecasts) for ai, a in enumerate(actuals))
    used_forecasts: set[int] = set()
    replaced: set[int] = set()
    for distance, fi, ai in pairs:
        if distance > REPLACE_WINDOW_DAYS:
            break
        if fi not in used_forecasts and ai not in replaced:
            used_forecasts.add(fi)
            replaced.add(ai)
    return replaced


def annual_dividend_per_share(ticker: str, dividends: tuple[Dividend, ...], as_of: date) -> tuple[float, str]:
    """The next twelve months per share: forecasts in the window plus each past payment no forecast replaces."""
    actuals = sorted((d for d in dividends
                      if d.ticker == ticker and not d.is_projection and as_of - _YEAR < d.ex_date <= as_of),
                     key=lambda d: (d.ex_date, d.amount_per_share))
    forecasts = sorted((d for d in dividends
                        if d.ticker == ticker and d.is_projection and as_of < d.ex_date <= as_of + _YEAR),
                       key=lambda d: (d.ex_date, d.amount_per_share))
    replaced = _replaced(actuals, forecasts)
    repeated = [a.amount_per_share for i, a in enumerate(actuals) if i not in replaced]
    total = fsum([f.amount_per_share for f in forecasts] + repeated)
    if forecasts and repeated:
        return total, "trailing+projection"
    if forecasts:
        return total, "projection"
    if repeated:
        return total, "trailing"
    return 0.0, "none"


def _holding_dividend(holding: Holding, dividends: tuple[Dividend, ...], as_of: date,
                      fx: FxTable, default_growth: float, tax_rate: float) -> HoldingDividend:
    per_share, source = annual_dividend_per_share(holding.ticker, dividends, as_of)
    growth = holding.dividend_growth if holding.dividend_growth is not None else default_growth
    rate = fx.rate_for(holding.currency)
    income = per_share * holding.shares * rate if rate is not None else 0.0
    return HoldingDividend(holding.ticker, holding.shares, per_share, source, growth, rate, income,
                           holding.account, tax_rate)


def project_dividends(holdings: tuple[Holding, ...], dividends: tuple[Dividend, ...], *, as_of: date,
                      fx: FxTable, annual_expenses: float, assumptions: Assumptions,
                      accounts: tuple[Account, ...] = (), annual_interest: float = 0.0) -> DividendProjection:
    """The projection; a holding's account not in `accounts` is taxable (taxed at `dividend_tax`)."""
    by_ticker: dict[str, list[Dividend]] = {}
    for row in dividends:
        by_ticker.setdefault(row.ticker, []).append(row)
    by_name = {a.name: a for a in accounts}
    per_holding = tuple(
        _holding_dividend(h, tuple(by_ticker.get(h.ticker, ())), as_of, fx, assumptions.default_dividend_growth,
                          by_name.get(h.account, Account(h.account)).tax_rate(assumptions.dividend_tax))
        for h in holdings
    )
    findings = tuple(Finding("no_dividend_data", Severity.INFO, h.ticker, (("as_of", as_of.isoformat()),))
                     for h in per_holding if h.source == "none")
    keep = 1.0 - assumptions.dividend_tax
    contribution = 12.0 * assumptions.monthly_contribution
    years: list[ProjectionYear] = []
    pot = 0.0
    outgoings = annual_expenses + annual_interest  # today's, for the FIRE ratio
    for year in range(assumptions.projection_years + 1):
        gross = fsum(h.annual_income * (1.0 + h.growth) ** year for h in per_holding)
        organic = fsum(h.annual_after_tax * (1.0 + h.growth) ** year for h in per_holding)
        from_pot = pot * assumptions.reinvest_yield * keep
        income = organic + from_pot
        expenses = annual_expenses * (1.0 + assumptions.inflation) ** year
        covers = expenses > 0 and income >= expenses + annual_interest
        years.append(ProjectionYear(year, gross, organic, from_pot, income, pot, covers, expenses))
        pot += contribution + (income if assumptions.reinvest_dividends else 0.0)
    crossover = next((y.year for y in years if y.covers_expenses), None)
    # Without expenses the ledger cannot say what independence needs: no ratio (a finding says so).
    fire = years[0].income / outgoings if annual_expenses > 0 else None
    return DividendProjection(
        holdings=per_holding, years=tuple(years), annual_expenses=annual_expenses, tax=assumptions.dividend_tax,
        reinvest=assumptions.reinvest_dividends, monthly_contribution=assumptions.monthly_contribution,
        reinvest_yield=assumptions.reinvest_yield, crossover_year=crossover, fire_ratio=fire, findings=findings,
        annual_interest=annual_interest,
    )
