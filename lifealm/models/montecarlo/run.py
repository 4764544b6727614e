"""Runs a configured simulation: draw the scenarios, step the paths, summarise (rng passed in by the caller)."""

from __future__ import annotations

import numpy as np

from lifealm.models.montecarlo.config import SimulationConfig
from lifealm.models.montecarlo.engine import run_paths
from lifealm.models.montecarlo.history import ReturnHistory
from lifealm.models.montecarlo.result import MonteCarloResult
from lifealm.models.montecarlo.scenarios import draw_scenarios
from lifealm.models.montecarlo.summary import summarize


def simulate(config: SimulationConfig, rng: np.random.Generator, *, history: ReturnHistory | None = None,
             seed: int | None = None) -> MonteCarloResult:
    """One Monte Carlo run. `history` is needed by the historical and bootstrap engines; `seed` is only recorded."""
    scenarios = draw_scenarios(config, rng, history)
    return summarize(config, scenarios, run_paths(config, scenarios), seed)
