"""Monte Carlo FIRE: the probability that the household sustains its spending, with leverage inside each path.

The ledger household's plan is `lifealm.models.montecarlo.household`, not re-exported here: it loads the ledger
models, which a calculator question (`lifealm simulate --initial`) does not need.
"""

from lifealm.models.montecarlo.config import (
    Household,
    IncomeStream,
    MarketModel,
    SimulationConfig,
    SpendingRule,
    classic,
    series_defaults,
)
from lifealm.models.montecarlo.result import MonteCarloResult
from lifealm.models.montecarlo.run import simulate
from lifealm.models.montecarlo.solver import SolverResult, solve_max_spending
from lifealm.models.montecarlo.summary import result_to_dict

__all__ = [
    "Household",
    "IncomeStream",
    "MarketModel",
    "MonteCarloResult",
    "SimulationConfig",
    "SolverResult",
    "SpendingRule",
    "classic",
    "result_to_dict",
    "series_defaults",
    "simulate",
    "solve_max_spending",
]
