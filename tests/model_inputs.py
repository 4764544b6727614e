"""The one factory for model inputs: frozen `LedgerInputs` built from positions (a holding and its close).

Test modules keep their own worked numbers (the series' ¥125M portfolio, a two-stock plan, …) but build them
here, so a change to the input types is made once. `sample_inputs()` is the series household most model tests
share; `montecarlo_result()` a small fixed Monte Carlo result for the briefing's JSON and page, `household_run()` the
same as the briefing takes it (with the plan's findings).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from lifealm.models.findings import Finding
from lifealm.models.inputs import (
    CashAccount,
    Dividend,
    Expense,
    Holding,
    Income,
    LedgerInputs,
    Loan,
    PricePoint,
)
from lifealm.models.montecarlo.household import HouseholdRun
from lifealm.models.montecarlo.result import MonteCarloResult, Percentiles, YearCount, YearPercentiles

AS_OF = date(2026, 11, 24)
# The series' loans: a ¥50M margin loan (freeze 60 %, call 70 %, forced sale 85 %) and a ¥10M standby line.
MARGIN = Loan("margin", 50_000_000.0, 0.02, "portfolio", 0.60, 0.70, 0.85)
STANDBY = Loan("standby", 0.0, 0.03, None, credit_limit=10_000_000.0)


@dataclass(frozen=True, slots=True)
class Position:
    holding: Holding
    price: PricePoint | None  # None: the holding has no close at all


def position(ticker: str, shares: float, close: float | None, cost: float = 0.0, *, name: str | None = None,
             on: date = AS_OF, **holding: Any) -> Position:
    """A holding (other `Holding` fields as keywords) and its close on `on`; `close=None` leaves it unpriced."""
    held = Holding(ticker, ticker.lower() if name is None else name, shares, cost, **holding)
    return Position(held, None if close is None else PricePoint(ticker, on, close))


def ledger_inputs(*positions: Position, as_of: date = AS_OF, **fields: Any) -> LedgerInputs:
    """Inputs holding `positions`; any other `LedgerInputs` field as a keyword (`holdings` and `prices` given
    here are added after the positions' own)."""
    holdings = tuple(p.holding for p in positions) + tuple(fields.pop("holdings", ()))
    prices = tuple(p.price for p in positions if p.price is not None) + tuple(fields.pop("prices", ()))
    return LedgerInputs(as_of=as_of, holdings=holdings, prices=prices, **fields)


def sample_inputs(**changes: Any) -> LedgerInputs:
    """The series household: ¥125M in two stocks plus a small late-priced one, the margin loan, the standby line,
    ¥4.5M of cash, ¥800k a month of expenses and a declining side income; `changes` replace whole fields."""
    base = ledger_inputs(
        position("A", 15_000, 5_000.0, 60_000_000.0),
        position("B", 50_000, 1_000.0, 30_000_000.0),
        position("LATE", 100, 500.0, 10_000.0, on=AS_OF - timedelta(days=2)),
        dividends=(Dividend("A", AS_OF - timedelta(days=40), 78.0), Dividend("B", AS_OF - timedelta(days=40), 24.0)),
        loans=(MARGIN, STANDBY),
        cash_accounts=(CashAccount("bank", 4_500_000.0),),
        expenses=(Expense("living", 800_000.0),),
        income=(Income("side work", 1_000_000.0, "side", -0.05),),
    )
    return replace(base, **changes)


def household_run(p: float, findings: tuple[Finding, ...] = ()) -> HouseholdRun:
    """`montecarlo_result(p)` as the plan's run the briefing takes, with the findings of building the plan."""
    return HouseholdRun(montecarlo_result(p), findings)


def montecarlo_result(p: float) -> MonteCarloResult:
    """A two-year result with success probability `p` and fixed percentiles 1…5."""
    pct = Percentiles(1.0, 2.0, 3.0, 4.0, 5.0)
    return MonteCarloResult(
        success_probability=p, standard_error=0.002, success_definition="spending_sustained", engine="parametric",
        steps="annual", spending_rule="plan", paths=10_000, years=2, seed=42, real=True,
        net_worth=(YearPercentiles(0, pct), YearPercentiles(1, pct)), terminal_wealth=pct,
        failure_years=(YearCount(2, 12),), margin_call_probability=0.1, forced_liquidation_probability=0.05,
        first_margin_call_years=(), first_forced_liquidation_years=(),
    )
