"""The highest spending that keeps a target success rate: bisection over one fixed set of scenarios.

Reusing the same draws for every trial (common random numbers) makes the success rate a deterministic,
non-increasing step function of the spending level, so bisection converges to one well-defined answer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from lifealm.models.montecarlo.config import SimulationConfig
from lifealm.models.montecarlo.engine import run_paths
from lifealm.models.montecarlo.scenarios import Scenarios
from lifealm.models.montecarlo.summary import failure_steps


@dataclass(frozen=True, slots=True)
class SolverResult:
    target: float  # the success rate to keep
    feasible: bool  # False: even zero spending misses the target (e.g. forced liquidations)
    scale: float  # multiplier of the configured spending (the plan's expenses or the withdrawal rate)
    annual_spending: float  # year-1 spending at that scale
    withdrawal_rate: float | None  # year-1 spending ÷ the initial net portfolio
    success_probability: float  # at the returned scale (≥ target when feasible)
    iterations: int


def success_at(config: SimulationConfig, scenarios: Scenarios, scale: float) -> tuple[float, float]:
    """Success rate and year-1 spending with the spending rule scaled by `scale`."""
    scaled = replace(config, spending=replace(config.spending, scale=scale))
    outcomes = run_paths(scaled, scenarios)
    return float((failure_steps(scaled, outcomes) < 0).mean()), outcomes.initial_spending


def solve_max_spending(config: SimulationConfig, scenarios: Scenarios, target: float,
                       *, relative_tolerance: float = 1e-6, max_iterations: int = 200) -> SolverResult:
    """The largest spending scale whose success rate is at least `target` (0 < target ≤ 1)."""
    if not 0.0 < target <= 1.0:
        raise ValueError(f"target success rate {target} must be in (0, 1]")
    house = config.household
    net = house.net_worth
    iterations = 0
    low_success, low_spending = success_at(config, scenarios, 0.0)
    iterations += 1
    if low_success < target:
        return SolverResult(target, False, 0.0, 0.0, 0.0 if net > 0 else None, low_success, iterations)
    low, high = 0.0, 1.0
    while iterations < max_iterations:  # bracket: double until the target is missed
        success, spending = success_at(config, scenarios, high)
        iterations += 1
        if success < target:
            break
        low, low_success, low_spending = high, success, spending
        high *= 2.0
    while iterations < max_iterations and high - low > relative_tolerance * max(high, 1e-12):
        middle = 0.5 * (low + high)
        success, spending = success_at(config, scenarios, middle)
        iterations += 1
        if success >= target:
            low, low_success, low_spending = middle, success, spending
        else:
            high = middle
    rate = low_spending / net if net > 0 and np.isfinite(net) else None
    return SolverResult(target, True, low, low_spending, rate, low_success, iterations)
