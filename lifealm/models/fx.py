"""Currency conversion at the latest rate on or before the as-of date (base currency converts at 1)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from lifealm.models.findings import Finding, Severity
from lifealm.models.inputs import FxRate


@dataclass(frozen=True, slots=True)
class FxTable:
    """The latest usable rate per currency; `rate_for` returns None when a currency cannot be converted."""

    base_currency: str
    as_of: date
    latest: tuple[FxRate, ...]  # one per currency, sorted by currency

    def rate_for(self, currency: str) -> float | None:
        if currency.upper() == self.base_currency.upper():
            return 1.0
        found = self.point_for(currency)
        return None if found is None else found.rate

    def point_for(self, currency: str) -> FxRate | None:
        wanted = currency.upper()
        for rate in self.latest:
            if rate.currency.upper() == wanted:
                return rate
        return None


def build_fx_table(rates: Iterable[FxRate], *, base_currency: str, as_of: date) -> FxTable:
    """Keep, per currency, the rate with the latest date on or before `as_of` (row order does not matter)."""
    best: dict[str, FxRate] = {}
    for rate in rates:
        if rate.rate_date > as_of or not rate.rate > 0:
            continue
        key = rate.currency.upper()
        current = best.get(key)
        # Ties on the date (impossible in the ledger, possible in hand-built inputs) break on the rate so the
        # answer never depends on row order.
        if current is None or (rate.rate_date, rate.rate) > (current.rate_date, current.rate):
            best[key] = rate
    return FxTable(base_currency, as_of, tuple(best[k] for k in sorted(best)))


def stale_fx_findings(fx: FxTable, currencies: Iterable[str], *, stale_days: int) -> tuple[Finding, ...]:
    """A WARNING per used currency whose latest rate is older than `stale_days` (missing rates are reported
    where the amount is, as ERROR findings)."""
    found: list[Finding] = []
    for currency in sorted({c.upper() for c in currencies} - {fx.base_currency.upper()}):
        point = fx.point_for(currency)
        if point is None:
            continue
        age = (fx.as_of - point.rate_date).days
        if age > stale_days:
            found.append(Finding("stale_fx_rate", Severity.WARNING, currency,
                                 (("rate_date", point.rate_date.isoformat()), ("age_days", age),
                                  ("limit_days", stale_days))))
    return tuple(found)
