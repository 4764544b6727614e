"""The stress ladder, the drop that triggers each zone and the exact maximum survivable drawdown.

With L the secured balance, V the portfolio value, D the defense and a drop d, the collateral is V·(1 − d) and
  repay_to_avoid_liquidation = max(0, L − V·(1 − d)·forced),  repay_to_target = max(0, L − V·(1 − d)·target),
  survives = repay_to_avoid_liquidation ≤ D,   d_zone = 1 − L / (V·threshold),   d* = 1 − (L − D) / (V·forced),
each drop clipped to [0, 1]. A negative defense (an overdraft larger than the credit) repays nothing, so it is
treated as 0 here: it cannot make a drop that needs no repayment fatal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from lifealm.models.margin import Thresholds, Zone, ratio_of, zone_for

# Money is compared with a tolerance of 1e-12 of the balance so that a step landing exactly on d* is not lost
# to floating-point rounding (a trillionth of the loan is far below one yen).
_REL_TOL = 1e-12


@dataclass(frozen=True, slots=True)
class LadderStep:
    drawdown: float  # fraction, 0.05 = a 5 % drop
    collateral: float
    ratio: float  # math.inf when the collateral is 0 and something is owed
    zone: Zone
    repay_to_avoid_liquidation: float
    repay_to_target: float
    survives: bool


@dataclass(frozen=True, slots=True)
class ZoneTrigger:
    zone: Zone
    threshold: float
    drawdown: float | None  # the drop at which the zone begins; 0 = already there; None = never (nothing owed)


@dataclass(frozen=True, slots=True)
class StressResult:
    balance: float
    collateral: float
    defense: float
    ladder: tuple[LadderStep, ...]
    triggers: tuple[ZoneTrigger, ...]  # FROZEN, MARGIN_CALL, FORCED_LIQUIDATION; empty without a secured loan
    max_survivable_drawdown: float


def drawdown_steps(step: float, maximum: float) -> tuple[float, ...]:
    """0 (today, no fall), step, 2·step, … up to and including `maximum` (rounded so 0.05·14 is exactly 0.70)."""
    if step <= 0 or maximum <= 0:
        return (0.0,)
    count = math.floor(maximum / step + 1e-9)
    return tuple(min(1.0, round(k * step, 10)) for k in range(0, count + 1))


def _clip(x: float) -> float:
    return min(1.0, max(0.0, x))


def zone_trigger_drawdown(balance: float, collateral: float, threshold: float) -> float | None:
    """d_zone = 1 − L/(V·threshold), clipped to [0, 1]; None when nothing is owed (no drop triggers it)."""
    if balance <= 0:
        return None
    if collateral <= 0:
        return 0.0
    return _clip(1.0 - balance / (collateral * threshold))


def max_survivable_drawdown(balance: float, collateral: float, defense: float, forced: float) -> float:
    """d* = 1 − (L − D)/(V·forced) clipped to [0, 1]; 1 when the defense covers the whole balance."""
    usable = max(0.0, defense)
    if balance <= usable:
        return 1.0
    if collateral <= 0:
        return 0.0
    return _clip(1.0 - (balance - usable) / (collateral * forced))


def ladder_step(balance: float, collateral: float, defense: float, drawdown: float,
                thresholds: Thresholds | None) -> LadderStep:
    after = collateral * (1.0 - drawdown)
    ratio = ratio_of(balance, after)
    if thresholds is None or balance <= 0:
        repay_forced = repay_target = 0.0
    else:
        repay_forced = max(0.0, balance - after * thresholds.forced_liquidation)
        repay_target = max(0.0, balance - after * thresholds.target)
    survives = repay_forced <= max(0.0, defense) + _REL_TOL * max(1.0, balance)
    return LadderStep(drawdown, after, ratio, zone_for(ratio, thresholds), repay_forced, repay_target, survives)


def stress_test(balance: float, collateral: float, defense: float, thresholds: Thresholds | None,
                steps: tuple[float, ...]) -> StressResult:
    """The ladder over `steps`, the zone triggers and d* for one defense figure."""
    ladder = tuple(ladder_step(balance, collateral, defense, d, thresholds) for d in steps)
    if thresholds is None:
        return StressResult(balance, collateral, defense, ladder, (), 1.0)
    triggers = tuple(
        ZoneTrigger(zone, t, zone_trigger_drawdown(balance, collateral, t))
        for zone, t in ((Zone.FROZEN, thresholds.freeze), (Zone.MARGIN_CALL, thresholds.margin_call),
                        (Zone.FORCED_LIQUIDATION, thresholds.forced_liquidation))
    )
    d_star = max_survivable_drawdown(balance, collateral, defense, thresholds.forced_liquidation)
    return StressResult(balance, collateral, defense, ladder, triggers, d_star)
