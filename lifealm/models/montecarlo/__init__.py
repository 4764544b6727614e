"""Monte Carlo FIRE: the probability that the household sustains its spending, with leverage inside each path."""

from lifealm.models.montecarlo.config import (
    Household,
    IncomeStream,
    MarketModel,
    SimulationConfig,
    SpendingRule,
    classic,
    series_defaults,
)
from lifealm.models.montecarlo.household import HouseholdPlan, household_config, household_plan, simulate_household
from lifealm.models.montecarlo.result import MonteCarloResult
from lifealm.models.montecarlo.run import simulate
from lifealm.models.montecarlo.solver import SolverResult, solve_max_spending
from lifealm.models.montecarlo.summary import result_to_dict

__all__ = [
    "Household",
    "HouseholdPlan",
    "IncomeStream",
    "MarketModel",
    "MonteCarloResult",
    "SimulationConfig",
    "SolverResult",
    "SpendingRule",
    "classic",
    "household_config",
    "household_plan",
    "result_to_dict",
    "series_defaults",
    "simulate",
    "simulate_household",
    "solve_max_spending",
]
