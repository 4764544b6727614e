"""Spending rules, vectorised over paths: the annual spending of each path, fixed at the start of each year."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from lifealm.models.montecarlo.config import SimulationConfig, SpendingRule

FloatArray = NDArray[np.float64]


def vpw_fraction(rate: float, years_left: int) -> float:
    """The share of the portfolio an annuity over `years_left` years at `rate` pays out each year."""
    if years_left <= 0:
        return 1.0
    if abs(rate) < 1e-12:
        return 1.0 / years_left
    return rate / (1.0 - (1.0 + rate) ** -years_left)


def initial_spending(config: SimulationConfig, net_worth: float) -> float:
    """Year-1 annual spending in today's money."""
    rule = config.spending
    if rule.rule == "plan":
        return config.household.expenses * rule.scale
    if rule.rule == "vpw":
        return vpw_fraction(rule.vpw_return, config.years) * max(net_worth, 0.0) * rule.scale
    return rule.withdrawal_rate * max(net_worth, 0.0) * rule.scale


def year_spending(rule: SpendingRule, year: int, years: int, previous: FloatArray, initial: float,
                  net_worth: FloatArray, index: FloatArray, last_inflation: FloatArray,
                  last_return: FloatArray | None) -> FloatArray:
    """Spending for year `year` (0-based) given the start-of-year net portfolio and inflation index."""
    adjust = rule.inflation_adjust
    if rule.rule in ("plan", "constant"):
        if year == 0 or not adjust:
            return np.full_like(net_worth, initial)
        return index * initial
    positive = np.maximum(net_worth, 0.0)
    if rule.rule == "percent":
        return positive * (rule.withdrawal_rate * rule.scale)
    if rule.rule == "vpw":
        return positive * (vpw_fraction(rule.vpw_return, years - year) * rule.scale)
    # Guyton-Klinger guardrails
    if year == 0:
        return np.full_like(net_worth, initial)
    initial_rate = _initial_rate(rule)
    # rates are compared as products (spend > rate × portfolio), so an empty portfolio needs no division
    if adjust:
        growth = 1.0 + last_inflation
        if last_return is not None:
            # inflation rule: no raise after a losing year when the current rate is above the initial rate
            growth[(last_return < 0.0) & (previous > positive * initial_rate)] = 1.0
        spend = previous * growth
    else:
        spend = previous.copy()
    factor = np.ones_like(spend)
    if years - year > rule.guardrail_final_years:  # capital preservation: cut when the rate is too high
        factor[spend > positive * (initial_rate * (1.0 + rule.guardrail_band))] = 1.0 - rule.guardrail_adjustment
    # prosperity: raise when the rate has fallen well below the initial one
    factor[spend < positive * (initial_rate * (1.0 - rule.guardrail_band))] = 1.0 + rule.guardrail_adjustment
    spend *= factor
    return spend


def _initial_rate(rule: SpendingRule) -> float:
    return rule.withdrawal_rate * rule.scale
