"""Margin ratio, zone and the headline status from the secured (portfolio-collateral) loans.

Secured loans that share their collateral are one position: their balances are added, and each threshold is the
strictest (lowest) across them, because the tightest rule is the one that acts first. Loans at several brokers,
each secured by its own account, are one position each (see lifealm.models.positions). With no secured loan the ratio
is 0 and the status SAFE. A positive balance against a zero portfolio gives an infinite ratio (`math.inf`), which
is the Forced-liquidation zone and DANGER; the JSON writes it as null with `ratio_infinite: true`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from math import fsum

from lifealm.models.inputs import Loan


class Zone(StrEnum):
    """Where the margin ratio sits relative to the loan's thresholds."""

    SAFE = "SAFE"
    FROZEN = "FROZEN"  # no new borrowing on the secured line
    MARGIN_CALL = "MARGIN_CALL"
    FORCED_LIQUIDATION = "FORCED_LIQUIDATION"


class Status(StrEnum):
    """The headline answer to "Am I safe?", declared from least to most severe (the order `run --fail-on` uses)."""

    SAFE = "SAFE"
    CAUTION = "CAUTION"
    DANGER = "DANGER"
    NO_DATA = "NO DATA"  # the ledger cannot answer: see lifealm.models.coverage


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Loan-to-collateral ratios (fractions) at which each zone begins, and the restore target after a call."""

    freeze: float
    margin_call: float
    forced_liquidation: float
    target: float


@dataclass(frozen=True, slots=True)
class MarginPosition:
    balance: float  # combined secured balance L
    collateral: float  # portfolio value V
    ratio: float  # L / V; 0 when L = 0; math.inf when L > 0 and V = 0
    thresholds: Thresholds | None  # None: no secured loan
    zone: Zone
    status: Status
    caution_ratio: float
    secured_loans: tuple[Loan, ...]

    @property
    def ratio_infinite(self) -> bool:
        return math.isinf(self.ratio)

    @property
    def has_loan(self) -> bool:
        """Something is drawn on a secured loan: the one test the charts, the page and the e-mail share."""
        return self.balance > 0 and self.thresholds is not None


def secured_loans(loans: Iterable[Loan]) -> tuple[Loan, ...]:
    return tuple(loan for loan in loans if loan.is_secured)


def combined_thresholds(loans: Iterable[Loan]) -> Thresholds | None:
    """The strictest (lowest) of each threshold across the secured loans; None when there is none."""
    secured = [loan for loan in loans if loan.is_secured]
    if not secured:
        return None
    freeze = min(_required(loan.freeze_pct, loan, "freeze_pct") for loan in secured)
    call = min(_required(loan.margin_call_pct, loan, "margin_call_pct") for loan in secured)
    forced = min(_required(loan.forced_liq_pct, loan, "forced_liq_pct") for loan in secured)
    target = min(loan.target_ratio for loan in secured)
    # The minimum of each column can break the ordering across loans; keep freeze ≤ call ≤ forced, target ≤ forced.
    call = max(call, freeze)
    forced = max(forced, call)
    return Thresholds(freeze, call, forced, min(target, forced))


def _required(value: float | None, loan: Loan, column: str) -> float:
    if value is None or not 0 < value <= 1:
        # The schema refuses this for a secured loan; hand-built inputs can still carry it.
        raise ValueError(f"secured loan {loan.name!r}: {column} must be in (0, 1], got {value!r}")
    return value


def ratio_of(balance: float, collateral: float) -> float:
    """L / V without dividing by zero: 0 when nothing is owed, infinity when something is owed on nothing."""
    if balance <= 0:
        return 0.0
    if collateral <= 0:
        return math.inf
    return balance / collateral


def zone_for(ratio: float, thresholds: Thresholds | None) -> Zone:
    """≥ forced liquidation, ≥ margin call, ≥ freeze, else Safe (each zone starts at its threshold)."""
    if thresholds is None:
        return Zone.SAFE
    if ratio >= thresholds.forced_liquidation:
        return Zone.FORCED_LIQUIDATION
    if ratio >= thresholds.margin_call:
        return Zone.MARGIN_CALL
    if ratio >= thresholds.freeze:
        return Zone.FROZEN
    return Zone.SAFE


def status_for(ratio: float, thresholds: Thresholds | None, caution_ratio: float) -> Status:
    """SAFE below the caution ratio, CAUTION below freeze, DANGER at or above freeze."""
    if thresholds is not None and ratio >= thresholds.freeze:
        return Status.DANGER
    if ratio >= caution_ratio and ratio > 0:
        return Status.CAUTION
    return Status.SAFE


@dataclass(frozen=True, slots=True)
class RepayNow:
    """What must be repaid today, with no further fall, to get the ratio back to each threshold and the target.

    Repaying x lowers the balance with the collateral unchanged, so the ratio (L − x)/V reaches a level t at
    x = L − V·t; each amount is 0 when the ratio is already below that level. `amount` is what the household
    should repay now: to the target after a margin call or worse (what the broker demands), back under the freeze
    level when only frozen, 0 when safe. It comes from cash first, then the standby line; `covered` says whether
    the two together reach it.
    """

    zone: Zone
    to_freeze: float
    to_margin_call: float
    to_forced_liquidation: float
    to_target: float
    goal: str  # "target", "freeze" or "none": which of the amounts `amount` is
    amount: float
    from_cash: float
    from_credit_line: float
    shortfall: float
    covered: bool


def _to_level(balance: float, collateral: float, level: float) -> float:
    return max(0.0, balance - max(0.0, collateral) * level)


def repay_now(position: MarginPosition, cash: float, credit_available: float) -> RepayNow:
    """The repayments the position calls for today, and how cash, then the standby line, would pay them."""
    t = position.thresholds
    if t is None or position.balance <= 0:
        return RepayNow(position.zone, 0.0, 0.0, 0.0, 0.0, "none", 0.0, 0.0, 0.0, 0.0, True)
    L, V = position.balance, position.collateral
    to_freeze, to_call = _to_level(L, V, t.freeze), _to_level(L, V, t.margin_call)
    to_forced, to_target = _to_level(L, V, t.forced_liquidation), _to_level(L, V, t.target)
    if position.zone in (Zone.MARGIN_CALL, Zone.FORCED_LIQUIDATION):
        goal, amount = "target", to_target
    elif position.zone is Zone.FROZEN:
        goal, amount = "freeze", to_freeze
    else:
        goal, amount = "none", 0.0
    from_cash = min(amount, max(0.0, cash))
    from_line = min(amount - from_cash, max(0.0, credit_available))
    shortfall = amount - from_cash - from_line
    return RepayNow(position.zone, to_freeze, to_call, to_forced, to_target, goal, amount, from_cash, from_line,
                    shortfall, shortfall <= 0.0)


def margin_position(portfolio_value: float, loans: Iterable[Loan], *, caution_ratio: float) -> MarginPosition:
    secured = secured_loans(loans)
    balance = fsum(loan.balance for loan in secured)
    thresholds = combined_thresholds(secured)
    ratio = ratio_of(balance, portfolio_value)
    return MarginPosition(
        balance=balance, collateral=portfolio_value, ratio=ratio, thresholds=thresholds,
        zone=zone_for(ratio, thresholds), status=status_for(ratio, thresholds, caution_ratio),
        caution_ratio=caution_ratio, secured_loans=secured,
    )
