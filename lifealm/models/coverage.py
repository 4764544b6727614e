"""Whether the ledger can answer "Am I safe?" at all: the missing data that turns the status into NO DATA.

The briefing cannot answer when there is nothing to value (no holdings with shares), when none of the held
holdings can be valued on the as-of date (no close on or before it, or no exchange rate for its currency), or
when no expenses are recorded (the household's needs are unknown). Each gap is an ERROR finding whose code
names it; a holding that merely lacks a price while others are valued stays an ordinary `missing_price` finding.
"""

from __future__ import annotations

from lifealm.models.cashflow import CashFlow
from lifealm.models.findings import Finding, Severity
from lifealm.models.inputs import LedgerInputs
from lifealm.models.valuation import Valuation

# The codes in the order the page lists them (what to add first).
NO_DATA_CODES = ("no_holdings", "no_prices", "no_fx_rates", "no_expenses")


def missing_data(inputs: LedgerInputs, valuation: Valuation, flow: CashFlow) -> tuple[Finding, ...]:
    """The gaps that leave the ledger unable to answer; empty when the briefing can be trusted to answer."""
    day = inputs.as_of.isoformat()
    held = [h for h in valuation.holdings if h.shares > 0]
    found: list[Finding] = []
    if not held:
        found.append(Finding("no_holdings", Severity.ERROR, "holdings", (("holdings", len(inputs.holdings)),)))
    elif all(h.value is None for h in held):
        unpriced = sum(1 for h in held if h.price is None)
        if unpriced:
            found.append(Finding("no_prices", Severity.ERROR, "prices",
                                 (("as_of", day), ("holdings_without_price", unpriced))))
        if unpriced < len(held):  # the rest have a price but no exchange rate
            found.append(Finding("no_fx_rates", Severity.ERROR, "fx_rates",
                                 (("as_of", day), ("holdings_without_rate", len(held) - unpriced))))
    if flow.monthly_expenses <= 0:
        found.append(Finding("no_expenses", Severity.ERROR, "expenses", (("expenses", len(inputs.expenses)),)))
    return tuple(found)
