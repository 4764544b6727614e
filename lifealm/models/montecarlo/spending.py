"""Spending rules, vectorised over paths: the spending-level rules' annual amount, fixed at the start of each year,
and the percentage-of-balance rules' share of the balance at each payment."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from lifealm.models.montecarlo.config import SimulationConfig, SpendingRule

FloatArray = NDArray[np.float64]


PERCENTAGE_RULES = ("percent", "vpw")


def vpw_fraction(rate: float, payments_left: int) -> float:
    """The share of the balance paid now by a level annuity of `payments_left` payments, the first one now
    (an annuity due) at `rate` per payment: 1 / (1 + v + … + v^(n−1)), v = 1 / (1 + rate).

    Paid from the balance it is a share of, it never exceeds it (for rate > −1), and the last payment is the
    whole balance: the plan cannot run out, whatever the returns.
    """
    if payments_left <= 1:
        return 1.0
    if abs(rate) < 1e-12:
        return 1.0 / payments_left
    v = 1.0 / (1.0 + rate)
    return (1.0 - v) / (1.0 - v**payments_left)


def payment_fraction(rule: SpendingRule, payments_left: int, per_year: int) -> float:
    """Percentage-of-balance rules: the share of the net portfolio paid at this payment (one per step)."""
    if rule.rule == "vpw":
        step_rate = (1.0 + rule.vpw_return) ** (1.0 / per_year) - 1.0
        return vpw_fraction(step_rate, payments_left) * rule.scale
    return rule.withdrawal_rate * rule.scale / per_year


def initial_spending(config: SimulationConfig, net_worth: float) -> float:
    """Year-1 annual spending in today's money (percentage rules: their first payment, at a year's rate, on
    today's net portfolio)."""
    rule = config.spending
    if rule.rule == "plan":
        return config.household.expenses * rule.scale
    if rule.rule in PERCENTAGE_RULES:
        per_year = config.steps_per_year
        return payment_fraction(rule, config.years * per_year, per_year) * per_year * max(net_worth, 0.0)
    return rule.withdrawal_rate * max(net_worth, 0.0) * rule.scale


def year_spending(rule: SpendingRule, year: int, years: int, previous: FloatArray, initial: float,
                  net_worth: FloatArray, index: FloatArray, last_inflation: FloatArray,
                  last_return: FloatArray | None) -> FloatArray:
    """Spending-level rules' spending for year `year` (0-based) given the start-of-year net portfolio and inflation
    index (the percentage rules are paid by `payment_fraction` instead)."""
    adjust = rule.inflation_adjust
    if rule.rule in ("plan", "constant"):
        if year == 0 or not adjust:
            return np.full_like(net_worth, initial)
        return index * initial
    positive = np.maximum(net_worth, 0.0)
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
