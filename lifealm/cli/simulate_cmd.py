"""`lifealm simulate`: the Monte Carlo FIRE engine alone, printing JSON with `success_probability` on top."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import click
import numpy as np

from lifealm.cli import cli
from lifealm.cli.options import resolved_as_of, with_settings
from lifealm.errors import LifealmError
from lifealm.ledger.db import open_ledger
from lifealm.ledger.load import load_inputs
from lifealm.models.findings import Finding, Severity
from lifealm.models.montecarlo.config import (
    BONDS,
    ENGINES,
    RULES,
    FundingOrder,
    Household,
    MarketModel,
    SimulationConfig,
    SpendingRule,
    SuccessDefinition,
)
from lifealm.models.montecarlo.engine import run_paths
from lifealm.models.montecarlo.history import SOURCE, ReturnHistory, load_history
from lifealm.models.montecarlo.household import household_plan
from lifealm.models.montecarlo.scenarios import draw_scenarios, historical_start_years
from lifealm.models.montecarlo.solver import solve_max_spending
from lifealm.models.montecarlo.summary import result_to_dict, summarize
from lifealm.settings import Settings

DEFAULT_SEED = 42
DEFAULT_RATE = 0.04
FRACTION = click.FloatRange(0.0, 1.0)
RATE = click.FloatRange(-0.99, 1.0)
STD = click.FloatRange(0.0, 2.0)
MONEY = click.FloatRange(0.0, min_open=False)
MAX_CELLS = 100_000_000  # paths × steps: about 1.5 GiB of scenarios


def _start_years(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    match = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4}))?\s*", text)
    if not match:
        raise click.BadParameter(f"{text!r} is not a year range such as 1928-1966", param_hint="--start-years")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if last < first:
        raise click.BadParameter(f"{text!r}: the last year is before the first", param_hint="--start-years")
    return first, last


def _funding_order(_ctx: click.Context, _param: click.Parameter, value: bool | None) -> FundingOrder | None:
    """--draw-line-first / --sell-first; None keeps the plan's order (sell first)."""
    if value is None:
        return None
    return "line_first" if value else "sell_first"


def _check_combinations(opts: dict[str, Any]) -> None:
    """Combinations that cannot mean anything are usage errors (exit 2), each with the fix."""
    engine = opts["engine"]
    if engine != "parametric":
        given = [name for name in ("mean_return", "volatility", "inflation", "inflation_std")
                 if opts[name] is not None]
        if given:
            flags = ", ".join("--" + name.replace("_", "-") for name in given)
            raise click.UsageError(f"{flags} only apply to --engine parametric; the {engine} engine uses the "
                                   "historical data (drop the option or use --engine parametric)")
    if opts["start_years"] is not None and engine != "historical":
        raise click.UsageError("--start-years only applies to --engine historical")
    if opts["paths"] is not None and engine == "historical":
        raise click.UsageError("--engine historical runs one path per start year; drop --paths "
                               "(choose the start years with --start-years)")
    rule, rate = opts["spending_rule"], opts["withdrawal_rate"]
    if rule == "plan" and opts["initial"] is not None:
        raise click.UsageError("--spending-rule plan uses the ledger's expenses and cannot be combined with "
                               "--initial; choose constant, percent, guardrails or vpw")
    if rule == "plan" and rate is not None:
        raise click.UsageError("--withdrawal-rate does not apply to --spending-rule plan (the plan spends the "
                               "ledger's expenses); use --spending-rule constant")
    if rule == "vpw" and rate is not None:
        raise click.UsageError("--spending-rule vpw sets its own rate from the years left; drop --withdrawal-rate")
    if opts["target_success"] is not None and rule in ("percent", "vpw"):
        raise click.UsageError("--target-success needs a rule with a spending level to solve for "
                               "(plan, constant or guardrails)")


def _market(opts: dict[str, Any], base: MarketModel, history: ReturnHistory) -> MarketModel:
    changes: dict[str, Any] = {"engine": opts["engine"]}
    for name in ("mean_return", "volatility", "inflation", "inflation_std", "stocks", "bonds"):
        if opts[name] is not None:
            changes[name] = opts[name]
    bonds = changes.get("bonds", base.bonds)
    if opts["engine"] == "parametric" and (changes.get("stocks", base.stocks) < 1.0):
        # parametric bonds: the arithmetic mean and deviation of the chosen historical series
        series = history.bonds(bonds)
        changes["bond_return"] = float(series.mean())
        changes["bond_volatility"] = float(series.std(ddof=1))
    if opts["start_years"] is not None:
        changes["start_years"] = opts["start_years"]
    return replace(base, **changes)


def _household(opts: dict[str, Any], settings: Settings) -> tuple[SimulationConfig, int, tuple[Finding, ...]]:
    """The ledger's household plan (default) or a calculator portfolio (--initial); the default seed; and the
    data problems found in the ledger while building the plan."""
    if opts["initial"] is not None:
        config = SimulationConfig(household=Household(portfolio=opts["initial"]), years=30, paths=10_000)
        return config, DEFAULT_SEED, ()
    as_of = resolved_as_of(settings)
    conn = open_ledger(settings.db, readonly=True)
    try:
        inputs = load_inputs(conn, as_of, overrides=settings.assumption_overrides)
    finally:
        conn.close()
    if not inputs.holdings and not inputs.expenses:
        raise LifealmError(f"{settings.db}: the ledger has no holdings and no expenses, so there is no plan to "
                           "simulate.", hint="import holdings and expenses (`lifealm import`), run `lifealm "
                           "demo`, or ask a calculator question with --initial AMOUNT")
    plan = household_plan(inputs)
    return plan.config, inputs.assumptions.mc_seed, plan.findings


def build_config(opts: dict[str, Any], settings: Settings,
                 history: ReturnHistory) -> tuple[SimulationConfig, int, tuple[Finding, ...]]:
    """Apply the command-line options to the ledger plan or to a calculator portfolio."""
    if opts["withdrawal_rate"] is not None and opts["spending_rule"] is None:
        opts["spending_rule"] = "constant"  # --withdrawal-rate alone implies the constant (4 %-rule) spending
    if opts["spending_rule"] is None:
        opts["spending_rule"] = "constant" if opts["initial"] is not None else "plan"
    _check_combinations(opts)
    config, seed, findings = _household(opts, settings)
    house = config.household
    if opts["loan"] is not None:
        house = replace(house, loan=opts["loan"])
    if opts["credit_line"] is not None:
        house = replace(house, credit_limit=opts["credit_line"])
        # a standby line exists to absorb margin calls (orthogonal defense), as in the ledger plan
        config = replace(config, defend_margin_call=True)
    if opts["funding_order"] is not None:
        config = replace(config, funding_order=opts["funding_order"])
    spending = SpendingRule(rule=opts["spending_rule"],
                            withdrawal_rate=opts["withdrawal_rate"] if opts["withdrawal_rate"] is not None
                            else DEFAULT_RATE, inflation_adjust=opts["inflation_adjust"])
    definition: SuccessDefinition = ("spending_sustained_without_forced_liquidation"
                                     if opts["success"] == "no-forced-sale" else "spending_sustained")
    config = replace(config, household=house, market=_market(opts, config.market, history), spending=spending,
                     steps=opts["steps"], success_definition=definition)
    if opts["years"] is not None:
        config = replace(config, years=opts["years"])
    if opts["paths"] is not None:
        config = replace(config, paths=opts["paths"])
    cells = config.paths * config.years * config.steps_per_year
    if cells > MAX_CELLS:
        gib = cells * 8 * 2 / 2**30  # two float64 scenario arrays (growth and inflation)
        raise click.UsageError(f"{config.paths:,} paths × {config.years * config.steps_per_year:,} steps would "
                               f"need about {gib:.1f} GiB; use fewer --paths, fewer --years or --steps annual")
    if config.market.engine == "historical":
        try:
            historical_start_years(config, history)
        except ValueError as exc:
            raise click.UsageError(f"--start-years/--years: {exc}") from exc
    return config, opts["seed"] if opts["seed"] is not None else seed, findings


@cli.command("simulate")
@click.option("--engine", type=click.Choice(ENGINES), default="parametric", show_default=True,
              help="parametric (lognormal returns), historical (replay every start year), bootstrap (blocks).")
@click.option("--years", type=click.IntRange(1, 100), help="Horizon in years (ledger plan: mc_years; --initial: 30).")
@click.option("--initial", type=click.FloatRange(0.0, min_open=True),
              help="Ask a calculator question about this portfolio; no ledger is read.")
@click.option("--spending-rule", type=click.Choice(RULES),
              help="plan (the ledger's expenses; the default), constant (4 % rule), percent, guardrails, vpw.")
@click.option("--withdrawal-rate", type=click.FloatRange(0.0, 1.0),
              help="Initial withdrawal as a fraction of the portfolio (alone: implies --spending-rule constant).")
@click.option("--inflation-adjust/--no-inflation-adjust", default=True, show_default=True,
              help="Raise spending with the simulated inflation.")
@click.option("--stocks", type=FRACTION, help="Fraction in stocks; the rest in --bonds, rebalanced every step.")
@click.option("--bonds", type=click.Choice(BONDS), help="Bond series: baa corporates, 10-year T-bonds or T-bills.")
@click.option("--start-years", "start_years", callback=lambda _c, _p, v: _start_years(v),
              help="Historical start years, e.g. 1928-1966 (default: every year with a full horizon).")
@click.option("--paths", type=click.IntRange(1, 10_000_000), help="Number of simulated paths.")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help="Random seed (default: mc_seed, 42).")
@click.option("--steps", type=click.Choice(["annual", "monthly"]), default="annual", show_default=True)
@click.option("--mean-return", type=RATE, help="Parametric: annual arithmetic mean stock return.")
@click.option("--volatility", type=STD, help="Parametric: annual standard deviation of the stock return.")
@click.option("--inflation", type=RATE, help="Parametric: mean annual inflation.")
@click.option("--inflation-std", type=STD, help="Parametric: standard deviation of annual inflation.")
@click.option("--loan", type=MONEY, help="Secured margin loan balance (replaces the ledger's).")
@click.option("--credit-line", type=MONEY, help="Standby (unsecured) credit line limit.")
@click.option("--draw-line-first/--sell-first", "funding_order", default=None, callback=_funding_order,
              help="How a deficit left after cash is funded: draw the standby line before selling "
              "holdings, or sell first and draw the line only when the holdings are gone (default: sell first).")
@click.option("--success", "success", type=click.Choice(["spending", "no-forced-sale"]), default="spending",
              show_default=True, help="What counts as success: spending sustained for the whole horizon, or that "
              "and never a forced liquidation.")
@click.option("--target-success", type=click.FloatRange(0.0, 1.0, min_open=True),
              help="Also solve for the highest spending that keeps this success rate.")
@with_settings(as_of=True)
def simulate_command(settings: Settings, **opts: Any) -> None:
    """Run the Monte Carlo FIRE engine and print its result as JSON."""
    history = load_history()
    config, seed, findings = build_config(dict(opts), settings, history)
    rng = np.random.default_rng(seed)
    try:
        scenarios = draw_scenarios(config, rng, history)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    result = summarize(config, scenarios, run_paths(config, scenarios), seed)
    data = result_to_dict(result)
    if config.market.engine != "parametric":
        data["data_source"] = SOURCE
    if opts["target_success"] is not None:
        solved = solve_max_spending(config, scenarios, opts["target_success"])
        data["solver"] = {"target": solved.target, "feasible": solved.feasible,
                          "annual_spending": solved.annual_spending, "withdrawal_rate": solved.withdrawal_rate,
                          "success_probability": solved.success_probability}
    # the ledger's data problems, as in briefing.json: a holding left unvalued is shown, never dropped silently
    data["findings"] = [f.to_dict() for f in findings]
    click.echo(json.dumps(data, indent=2))
    problems = sorted({f.code for f in findings if f.severity is Severity.ERROR})
    if problems:  # stdout stays pure JSON; the note on stderr keeps a data problem from passing unseen
        click.echo(f"Warning: the ledger has data problems that change this plan ({', '.join(problems)}); "
                   "see \"findings\" and run `lifealm check`.", err=True)
