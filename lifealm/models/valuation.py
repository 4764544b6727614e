"""Portfolio valuation: each holding at its own latest close on or before the as-of date, in the base currency,
and the total of each account.

A holding that cannot be valued (no price on or before the as-of date, or no FX rate for its currency) is kept in
the result with `value=None`, excluded from the total and reported as an ERROR finding — never valued at 0
silently and never dropped; the margin ratio then errs on the side of caution. (The series valued every ticker
at the single global latest price date, so a ticker without a price that day vanished from the portfolio.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from math import fsum

from lifealm.models.findings import Finding, Severity
from lifealm.models.fx import FxTable, build_fx_table
from lifealm.models.inputs import Holding, LedgerInputs, PricePoint


@dataclass(frozen=True, slots=True)
class HoldingValue:
    """One holding, valued. Money fields are in the base currency; `price` is in the holding's currency."""

    ticker: str
    name: str
    asset_class: str
    account: str
    currency: str
    shares: float
    price: float | None
    price_date: date | None
    price_age_days: int | None
    fx_rate: float | None  # base currency per unit of `currency`; 1 for the base currency
    value: float | None  # None: could not be valued (see findings), excluded from the total
    cost: float | None
    unrealized_pnl: float | None
    weight: float | None  # share of the valued portfolio; None when unvalued or the total is 0
    stale: bool


@dataclass(frozen=True, slots=True)
class AccountValue:
    """One account's holdings, valued (base currency); an account with no holdings is worth 0."""

    name: str
    kind: str
    pledged: bool  # its holdings are collateral for a margin loan
    value: float  # sum over its valued holdings
    cost: float  # cost of its valued holdings
    unrealized_pnl: float
    holdings_count: int
    unvalued_count: int


@dataclass(frozen=True, slots=True)
class Valuation:
    as_of: date
    base_currency: str
    holdings: tuple[HoldingValue, ...]  # in the input order of the holdings
    value: float  # sum over valued holdings
    cost: float  # cost of the valued holdings only, so P&L compares like with like
    unrealized_pnl: float
    unvalued_count: int
    findings: tuple[Finding, ...]
    # The ledger's accounts in their input order, then any account only a holding names (in first-seen order).
    accounts: tuple[AccountValue, ...] = ()

    @property
    def unrealized_pnl_ratio(self) -> float | None:
        return self.unrealized_pnl / self.cost if self.cost > 0 else None


def latest_prices(prices: Iterable[PricePoint], as_of: date) -> dict[str, PricePoint]:
    """Per ticker, the close with the latest date on or before `as_of` (independent of row order)."""
    best: dict[str, PricePoint] = {}
    for point in prices:
        if point.price_date > as_of or not point.close > 0:
            continue
        current = best.get(point.ticker)
        if current is None or (point.price_date, point.close) > (current.price_date, current.close):
            best[point.ticker] = point
    return best


def _value_one(
    holding: Holding, point: PricePoint | None, fx: FxTable, inputs: LedgerInputs, findings: list[Finding]
) -> HoldingValue:
    as_of = inputs.as_of
    rate = fx.rate_for(holding.currency)
    price = point.close if point else None
    price_date = point.price_date if point else None
    age = (as_of - price_date).days if price_date else None
    stale = age is not None and age > inputs.assumptions.stale_price_days
    if point is None:
        findings.append(Finding("missing_price", Severity.ERROR, holding.ticker,
                                (("as_of", as_of.isoformat()), ("shares", holding.shares))))
    elif stale:
        findings.append(Finding("stale_price", Severity.WARNING, holding.ticker,
                                (("price_date", price_date.isoformat() if price_date else None),
                                 ("age_days", age), ("limit_days", inputs.assumptions.stale_price_days))))
    if rate is None:
        findings.append(Finding("missing_fx_rate", Severity.ERROR, holding.ticker,
                                (("currency", holding.currency), ("as_of", as_of.isoformat()))))
    value = price * holding.shares * rate if price is not None and rate is not None else None
    cost = holding.cost_basis * rate if rate is not None else None
    pnl = value - cost if value is not None and cost is not None else None
    return HoldingValue(
        ticker=holding.ticker, name=holding.name, asset_class=holding.asset_class, account=holding.account,
        currency=holding.currency, shares=holding.shares, price=price, price_date=price_date,
        price_age_days=age, fx_rate=rate, value=value, cost=cost, unrealized_pnl=pnl, weight=None, stale=stale,
    )


def value_portfolio(inputs: LedgerInputs) -> Valuation:
    """Value every holding at its own latest close ≤ as_of, converted at the latest FX rate ≤ as_of."""
    fx = build_fx_table(inputs.fx_rates, base_currency=inputs.base_currency, as_of=inputs.as_of)
    latest = latest_prices(inputs.prices, inputs.as_of)
    findings: list[Finding] = []
    rows = [_value_one(h, latest.get(h.ticker), fx, inputs, findings) for h in inputs.holdings]
    # fsum: the total is exact to the last bit whatever the holdings' order.
    total = fsum(r.value for r in rows if r.value is not None)
    cost = fsum(r.cost for r in rows if r.value is not None and r.cost is not None)
    weighted = tuple(
        _with_weight(r, r.value / total if r.value is not None and total > 0 else None) for r in rows
    )
    return Valuation(
        as_of=inputs.as_of, base_currency=inputs.base_currency, holdings=weighted, value=total, cost=cost,
        unrealized_pnl=total - cost, unvalued_count=sum(1 for r in rows if r.value is None),
        findings=tuple(findings), accounts=value_accounts(inputs, weighted),
    )


def value_accounts(inputs: LedgerInputs, rows: tuple[HoldingValue, ...]) -> tuple[AccountValue, ...]:
    """Each account's total over its valued holdings, with its kind and whether it is pledged."""
    names = list(dict.fromkeys([a.name for a in inputs.accounts] + [r.account for r in rows]))
    result = []
    for name in names:
        account = inputs.account(name)
        mine = [r for r in rows if r.account == name]
        valued = [r for r in mine if r.value is not None]
        value = fsum(r.value for r in valued if r.value is not None)
        cost = fsum(r.cost for r in valued if r.cost is not None)
        result.append(AccountValue(name=name, kind=account.kind, pledged=account.is_pledged, value=value, cost=cost,
                                   unrealized_pnl=value - cost, holdings_count=len(mine),
                                   unvalued_count=len(mine) - len(valued)))
    return tuple(result)


def _with_weight(row: HoldingValue, weight: float | None) -> HoldingValue:
    return replace(row, weight=weight)
