"""Margin loans at several brokers: one margin position per pledged account, and the figures they share.

Each broker computes the margin ratio of its own pledged account and calls margin or sells on its own. So when
every margin loan names a collateral account and at least two accounts are named (each known and pledged), the
loans are grouped by account and each group is a position: its balance against that account's collateral (its
pledged holdings × haircut) under its own loans' thresholds. Loans that share collateral — one names no account
(it is secured by every pledged account), they all name the same one, or an account cannot be used (its finding
says why) — stay one combined position, exactly as `margin_position` has always treated them.

The cash and the standby line are one defense shared by every position. At a market drop d (the same fall for
every account) the cash needed is the sum over the positions of what each needs, and the household survives d
when the defense covers that sum. With x = 1 − d and c_i = C_i·forced_i, need(x) = Σ max(0, L_i − c_i·x) is
piecewise linear and decreasing in x, so the largest survivable drop d* solves need(1 − d*) = D exactly on the
segment between two breakpoints L_i / c_i. The position that fails first is the one forced-sold at the smallest
drop (ties: the higher ratio); the headline, the ladder's ratio and zone and the zone triggers quote it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from itertools import pairwise
from math import fsum

from lifealm.models.collateral import Collateral
from lifealm.models.defense import Defense, LineComparison, compare_with_and_without_line
from lifealm.models.inputs import Loan
from lifealm.models.margin import MarginPosition, RepayNow, Status, Zone, margin_position, repay_now, secured_loans
from lifealm.models.stress import (
    _REL_TOL,
    LadderStep,
    StressResult,
    ZoneTrigger,
    ladder_step,
    stress_test,
    zone_trigger_drawdown,
)


@dataclass(frozen=True, slots=True)
class AccountPosition:
    """One broker's margin position: the loans secured by one account (or the combined loans) and their figures."""

    account: str | None  # the one pledged account securing the loans; None when combined over several or none
    accounts: tuple[str, ...]  # the accounts whose pledged holdings are the collateral
    margin: MarginPosition  # balance, collateral, ratio, thresholds, zone and status of this position alone
    forced_liquidation_drawdown: float | None  # the drop at which this broker sells; None: nothing owed


@dataclass(frozen=True, slots=True)
class Positions:
    positions: tuple[AccountPosition, ...]  # one per account when split, else the one combined position
    first: int  # index of the position that fails first (forced-sold at the smallest drop)

    @property
    def split(self) -> bool:
        return len(self.positions) > 1

    @property
    def headline(self) -> AccountPosition:
        return self.positions[self.first]

    @property
    def status(self) -> Status:
        """The worst status over the positions."""
        order = list(Status)
        return max((p.margin.status for p in self.positions), key=order.index)


def loans_by_account(loans: tuple[Loan, ...], collateral: Collateral) -> tuple[tuple[str, tuple[Loan, ...]], ...]:
    """The margin loans grouped by the pledged account each names, in ledger order; () when they share collateral."""
    secured = secured_loans(loans)
    named = [loan.collateral_account for loan in secured]
    if any(name is None or name not in collateral.accounts for name in named):
        return ()
    accounts = tuple(dict.fromkeys(name for name in named if name is not None))
    if len(accounts) < 2:
        return ()
    return tuple((account, tuple(loan for loan in secured if loan.collateral_account == account))
                 for account in accounts)


def _forced_drawdown(margin: MarginPosition) -> float | None:
    if margin.thresholds is None:
        return None
    return zone_trigger_drawdown(margin.balance, margin.collateral, margin.thresholds.forced_liquidation)


def _position(account: str | None, accounts: tuple[str, ...], margin: MarginPosition) -> AccountPosition:
    return AccountPosition(account, accounts, margin, _forced_drawdown(margin))


def _fails_first(positions: tuple[AccountPosition, ...]) -> int:
    def key(index: int) -> tuple[bool, float, float]:
        p = positions[index]
        drop = p.forced_liquidation_drawdown
        return (drop is None, 0.0 if drop is None else drop, -p.margin.ratio)
    return min(range(len(positions)), key=key)


def measure_positions(loans: tuple[Loan, ...], collateral: Collateral, *, caution_ratio: float) -> Positions:
    """Each broker's position when the loans name distinct accounts, else the one combined position."""
    groups = loans_by_account(loans, collateral)
    if not groups:
        combined = margin_position(collateral.value, loans, caution_ratio=caution_ratio)
        only = collateral.accounts[0] if len(collateral.accounts) == 1 else None
        return Positions((_position(only, collateral.accounts, combined),), 0)
    positions = tuple(
        _position(account, (account,), margin_position(collateral.in_account(account)[0], group,
                                                       caution_ratio=caution_ratio))
        for account, group in groups)
    return Positions(positions, _fails_first(positions))


def headline_margin(positions: Positions) -> MarginPosition:
    """The position that fails first, carrying the worst status over all the positions."""
    return replace(positions.headline.margin, status=positions.status)


def _owed(positions: Positions) -> list[MarginPosition]:
    return [p.margin for p in positions.positions if p.margin.thresholds is not None and p.margin.balance > 0]


def shared_max_survivable_drawdown(owed: list[tuple[float, float]], defense: float) -> float:
    """The largest drop d with Σ max(0, L_i − c_i·(1 − d)) ≤ defense, for (L_i, c_i = C_i·forced_i) pairs."""
    usable = max(0.0, defense)
    owed = [(balance, c) for balance, c in owed if balance > 0]

    def need(x: float) -> float:
        return fsum(max(0.0, balance - c * x) for balance, c in owed)

    if need(0.0) <= usable:
        return 1.0
    if need(1.0) > usable:
        return 0.0
    points = sorted({0.0, 1.0} | {min(1.0, balance / c) for balance, c in owed if c > 0})
    for low, high in pairwise(points):
        if need(high) <= usable:
            # On (low, high) need is linear: the positions still owing there are those owing at its middle.
            middle = (low + high) / 2.0
            active = [(balance, c) for balance, c in owed if balance - c * middle > 0]
            slope = fsum(c for _, c in active)
            # A flat segment (rounding at a breakpoint) means the defense is already enough at `low`.
            x = (fsum(balance for balance, _ in active) - usable) / slope if slope > 0 else low
            return min(1.0, max(0.0, 1.0 - min(high, max(low, x))))
    return 0.0  # not reached: need(1) ≤ usable ends the loop at the last segment


def _step(head: MarginPosition, owed: list[MarginPosition], defense: float, drawdown: float) -> LadderStep:
    own = ladder_step(head.balance, head.collateral, defense, drawdown, head.thresholds)
    steps = [ladder_step(m.balance, m.collateral, defense, drawdown, m.thresholds) for m in owed]
    forced = fsum(s.repay_to_avoid_liquidation for s in steps)
    total = fsum(m.balance for m in owed)
    survives = forced <= max(0.0, defense) + _REL_TOL * max(1.0, total)
    return replace(own, repay_to_avoid_liquidation=forced, repay_to_target=fsum(s.repay_to_target for s in steps),
                   survives=survives)


def shared_stress(positions: Positions, defense: float, steps: tuple[float, ...]) -> StressResult:
    """The ladder with each drop's needs added over the positions, the headline's triggers and the shared d*."""
    head = positions.headline.margin
    if not positions.split:
        return stress_test(head.balance, head.collateral, defense, head.thresholds, steps)
    owing = _owed(positions)
    ladder = tuple(_step(head, owing, defense, d) for d in steps)
    t = head.thresholds
    triggers = () if t is None else tuple(
        ZoneTrigger(zone, level, zone_trigger_drawdown(head.balance, head.collateral, level))
        for zone, level in ((Zone.FROZEN, t.freeze), (Zone.MARGIN_CALL, t.margin_call),
                            (Zone.FORCED_LIQUIDATION, t.forced_liquidation)))
    owed = [(m.balance, max(0.0, m.collateral) * m.thresholds.forced_liquidation)
            for m in owing if m.thresholds is not None]
    d_star = shared_max_survivable_drawdown(owed, defense) if owed else 1.0
    return StressResult(head.balance, head.collateral, defense, ladder, triggers, d_star)


def shared_repay_now(positions: Positions, cash: float, credit_available: float) -> RepayNow:
    """Each position's repayment today added up, paid from cash first, then the standby line."""
    if not positions.split:
        return repay_now(positions.headline.margin, cash, credit_available)
    each = [repay_now(p.margin, 0.0, 0.0) for p in positions.positions]
    zones = list(Zone)
    zone = max((r.zone for r in each), key=zones.index)
    goals = {r.goal for r in each}
    goal = "target" if "target" in goals else "freeze" if "freeze" in goals else "none"
    amount = fsum(r.amount for r in each)
    from_cash = min(amount, max(0.0, cash))
    from_line = min(amount - from_cash, max(0.0, credit_available))
    shortfall = amount - from_cash - from_line
    return RepayNow(zone, fsum(r.to_freeze for r in each), fsum(r.to_margin_call for r in each),
                    fsum(r.to_forced_liquidation for r in each), fsum(r.to_target for r in each), goal, amount,
                    from_cash, from_line, shortfall, shortfall <= 0.0)


def shared_line_comparison(positions: Positions, defense: Defense, collateral: float,
                           steps: tuple[float, ...]) -> LineComparison:
    """The shared stress with and without the standby lines; `collateral` is every position's collateral."""
    if not positions.split:
        head = positions.headline.margin
        return compare_with_and_without_line(head.balance, collateral, defense, head.thresholds, steps)
    with_line = shared_stress(positions, defense.total, steps)
    without_line = shared_stress(positions, defense.cash, steps)
    bought = with_line.max_survivable_drawdown - without_line.max_survivable_drawdown
    return LineComparison(with_line, without_line, bought, defense.credit_available, collateral * bought)


def any_without_collateral(positions: Positions) -> bool:
    return any(math.isinf(p.margin.ratio) for p in positions.positions)
