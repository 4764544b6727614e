"""`lifealm simulate` as one library call: a request in, the Monte Carlo result as JSON-ready data out."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np

from lifealm.errors import LifealmError
from lifealm.models.assumptions import DEFAULT_SEED
from lifealm.models.findings import Finding, Severity
from lifealm.models.montecarlo.config import (
    Engine,
    FundingOrder,
    Household,
    MarketModel,
    Rule,
    SimulationConfig,
    SpendingRule,
    Steps,
    SuccessDefinition,
)
from lifealm.models.montecarlo.engine import run_paths
from lifealm.models.montecarlo.history import SOURCE, ReturnHistory, load_history
from lifealm.models.montecarlo.scenarios import draw_scenarios, historical_start_years
from lifealm.models.montecarlo.solver import solve_max_spending
from lifealm.models.montecarlo.summary import result_to_dict, summarize
from lifealm.settings import Settings

DEFAULT_RATE = 0.04
MAX_CELLS = 100_000_000  # paths × steps: about 1.5 GiB of scenarios
CALCULATOR_YEARS, CALCULATOR_PATHS = 30, 10_000  # --initial: the classic 30-year question


class RequestError(LifealmError):
    """Options that cannot mean anything together, or a run too big for memory: a usage error (exit 2)."""


@dataclass(frozen=True, slots=True)
class SimulateRequest:
    """What `lifealm simulate` was asked, one field per option (None: the ledger plan's or the rule's default)."""

    engine: Engine = "parametric"
    years: int | None = None
    initial: float | None = None
    spending_rule: Rule | None = None
    withdrawal_rate: float | None = None
    inflation_adjust: bool = True
    stocks: float | None = None
    bonds: str | None = None
    start_years: tuple[int, int] | None = None
    paths: int | None = None
    seed: int | None = None
    steps: Steps = "annual"
    mean_return: float | None = None
    volatility: float | None = None
    inflation: float | None = None
    inflation_std: float | None = None
    loan: float | None = None
    credit_line: float | None = None
    funding_order: FundingOrder | None = None
    success: str = "spending"
    target_success: float | None = None


@dataclass(frozen=True, slots=True)
class SimulateOutcome:
    """The JSON document `simulate` prints, and the codes of the ledger's error findings (for a stderr note)."""

    data: dict[str, Any]
    error_codes: tuple[str, ...]


def _spending_rule(request: SimulateRequest) -> Rule:
    if request.spending_rule is not None:
        return request.spending_rule
    if request.withdrawal_rate is not None:
        return "constant"  # --withdrawal-rate alone implies the constant (4 %-rule) spending
    return "constant" if request.initial is not None else "plan"


def _check_combinations(request: SimulateRequest, rule: Rule) -> None:
    """Combinations that cannot mean anything are usage errors, each with the fix."""
    engine = request.engine
    if engine != "parametric":
        given = [name for name in ("mean_return", "volatility", "inflation", "inflation_std")
                 if getattr(request, name) is not None]
        if given:
            flags = ", ".join("--" + name.replace("_", "-") for name in given)
            raise RequestError(f"{flags} only apply to --engine parametric; the {engine} engine uses the "
                               "historical data (drop the option or use --engine parametric)")
    if request.start_years is not None and engine != "historical":
        raise RequestError("--start-years only applies to --engine historical")
    if request.paths is not None and engine == "historical":
        raise RequestError("--engine historical runs one path per start year; drop --paths "
                           "(choose the start years with --start-years)")
    rate = request.withdrawal_rate
    if rule == "plan" and request.initial is not None:
        raise RequestError("--spending-rule plan uses the ledger's expenses and cannot be combined with "
                           "--initial; choose constant, percent, guardrails or vpw")
    if rule == "plan" and rate is not None:
        raise RequestError("--withdrawal-rate does not apply to --spending-rule plan (the plan spends the "
                           "ledger's expenses); use --spending-rule constant")
    if rule == "vpw" and rate is not None:
        raise RequestError("--spending-rule vpw sets its own rate from the years left; drop --withdrawal-rate")
    if request.target_success is not None and rule in ("percent", "vpw"):
        raise RequestError("--target-success needs a rule with a spending level to solve for "
                           "(plan, constant or guardrails)")


def _market(request: SimulateRequest, base: MarketModel, history: ReturnHistory) -> MarketModel:
    changes: dict[str, Any] = {"engine": request.engine}
    for name in ("mean_return", "volatility", "inflation", "inflation_std", "stocks", "bonds"):
        if getattr(request, name) is not None:
            changes[name] = getattr(request, name)
    bonds = changes.get("bonds", base.bonds)
    if request.engine == "parametric" and (changes.get("stocks", base.stocks) < 1.0):
        # parametric bonds: the arithmetic mean and deviation of the chosen historical series
        series = history.bonds(bonds)
        changes["bond_return"] = float(series.mean())
        changes["bond_volatility"] = float(series.std(ddof=1))
    if request.start_years is not None:
        changes["start_years"] = request.start_years
    return replace(base, **changes)


def _household(request: SimulateRequest, settings: Settings,
               as_of: date) -> tuple[SimulationConfig, int, tuple[Finding, ...], dict[str, Any]]:
    """The ledger's household plan (default) or a calculator portfolio (--initial); the default seed; the data
    problems found in the ledger while building the plan; and why the horizon is as long as it is."""
    if request.initial is not None:
        config = SimulationConfig(household=Household(portfolio=request.initial), years=CALCULATOR_YEARS,
                                  paths=CALCULATOR_PATHS)
        return config, DEFAULT_SEED, (), {"basis": "calculator", "member": None, "to_age": None}
    # The ledger's loader and models, imported here: a calculator question (--initial) never needs them.
    from lifealm.models.horizon import plan_horizon
    from lifealm.models.montecarlo.household import household_plan
    from lifealm.pipeline import load_model_inputs

    loaded = load_model_inputs(settings, as_of)
    inputs = loaded.inputs
    if not inputs.holdings and not inputs.expenses:
        raise LifealmError(f"{settings.db}: the ledger has no holdings and no expenses, so there is no plan to "
                           "simulate.", hint="import holdings and expenses (`lifealm import`), run `lifealm "
                           "demo`, or ask a calculator question with --initial AMOUNT")
    plan = household_plan(inputs)
    horizon = plan_horizon(inputs)
    why = {"basis": horizon.basis, "member": horizon.member, "to_age": horizon.to_age}
    return plan.config, inputs.assumptions.mc_seed, loaded.file_findings + plan.findings, why


def build_config(request: SimulateRequest, settings: Settings, as_of: date, history: ReturnHistory
                 ) -> tuple[SimulationConfig, int, tuple[Finding, ...], dict[str, Any]]:
    """Apply the request to the ledger plan or to a calculator portfolio: the configuration, seed, findings and
    the horizon (its years and why: `basis` plan_to_age, past_plan_to_age, mc_years, calculator or --years)."""
    rule = _spending_rule(request)
    _check_combinations(request, rule)
    config, seed, findings, why = _household(request, settings, as_of)
    house = config.household
    if request.loan is not None:
        house = house.with_one_margin_loan(request.loan)
    if request.credit_line is not None:
        house = replace(house, credit_limit=request.credit_line)
        # a standby line exists to absorb margin calls (orthogonal defense), as in the ledger plan
        config = replace(config, defend_margin_call=True)
    if request.funding_order is not None:
        config = replace(config, funding_order=request.funding_order)
    spending = SpendingRule(rule=rule,
                            withdrawal_rate=request.withdrawal_rate if request.withdrawal_rate is not None
                            else DEFAULT_RATE, inflation_adjust=request.inflation_adjust)
    definition: SuccessDefinition = ("spending_sustained_without_forced_liquidation"
                                     if request.success == "no-forced-sale" else "spending_sustained")
    config = replace(config, household=house, market=_market(request, config.market, history), spending=spending,
                     steps=request.steps, success_definition=definition)
    if request.years is not None:
        config = replace(config, years=request.years)
        why = {"basis": "--years", "member": None, "to_age": None}
    if request.paths is not None:
        config = replace(config, paths=request.paths)
    cells = config.paths * config.years * config.steps_per_year
    if cells > MAX_CELLS:
        gib = cells * 8 * 2 / 2**30  # two float64 scenario arrays (growth and inflation)
        raise RequestError(f"{config.paths:,} paths × {config.years * config.steps_per_year:,} steps would "
                           f"need about {gib:.1f} GiB; use fewer --paths, fewer --years or --steps annual")
    if config.market.engine == "historical":
        try:
            historical_start_years(config, history)
        except ValueError as exc:
            raise RequestError(f"--start-years/--years: {exc}") from exc
    return config, request.seed if request.seed is not None else seed, findings, {"years": config.years, **why}


def run_simulation(request: SimulateRequest, settings: Settings, as_of: date) -> SimulateOutcome:
    """Run the Monte Carlo FIRE engine as requested; the result as `simulate` prints it, findings included."""
    history = load_history()
    config, seed, findings, horizon = build_config(request, settings, as_of, history)
    rng = np.random.default_rng(seed)
    try:
        scenarios = draw_scenarios(config, rng, history)
    except ValueError as exc:
        raise RequestError(str(exc)) from exc
    result = summarize(config, scenarios, run_paths(config, scenarios), seed)
    data = result_to_dict(result)
    if config.market.engine != "parametric":
        data["data_source"] = SOURCE
    if request.target_success is not None:
        solved = solve_max_spending(config, scenarios, request.target_success)
        data["solver"] = {"target": solved.target, "feasible": solved.feasible,
                          "annual_spending": solved.annual_spending, "withdrawal_rate": solved.withdrawal_rate,
                          "success_probability": solved.success_probability}
    # the ledger's data problems, as in briefing.json: a holding left unvalued is shown, never dropped silently
    data["horizon"] = horizon  # how many years and why (the ledger plan: as briefing.json says)
    data["findings"] = [f.to_dict() for f in findings]
    errors = tuple(sorted({f.code for f in findings if f.severity is Severity.ERROR}))
    return SimulateOutcome(data, errors)
