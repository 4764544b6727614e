"""`lifealm simulate`: its options mapped to one `lifealm.simulate` call, the JSON result printed."""

from __future__ import annotations

import json
import re
from typing import Any

import click

from lifealm.cli import cli
from lifealm.cli.options import FiniteFloat, resolved_as_of, with_settings
from lifealm.models.assumptions import DEFAULT_SEED
from lifealm.models.montecarlo.config import BONDS, ENGINES, RULES, FundingOrder
from lifealm.settings import Settings

FRACTION = FiniteFloat(0.0, 1.0)
RATE = FiniteFloat(-0.99, 1.0)
STD = FiniteFloat(0.0, 2.0)
MONEY = FiniteFloat(0.0, min_open=False)


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


@cli.command("simulate")
@click.option("--engine", type=click.Choice(ENGINES), default="parametric", show_default=True,
              help="parametric (lognormal returns), historical (replay every start year), bootstrap (blocks).")
@click.option("--years", type=click.IntRange(1, 100),
              help="Horizon in years (ledger plan: until the youngest adult member is plan_to_age, or mc_years "
                   "if set; --initial: 30).")
@click.option("--initial", type=FiniteFloat(0.0, min_open=True),
              help="Ask a calculator question about this portfolio; no ledger is read.")
@click.option("--spending-rule", type=click.Choice(RULES),
              help="plan (the ledger's expenses; the default), constant (4 % rule), percent, guardrails, vpw.")
@click.option("--withdrawal-rate", type=FiniteFloat(0.0, 1.0),
              help="Initial withdrawal as a fraction of the portfolio (alone: implies --spending-rule constant).")
@click.option("--inflation-adjust/--no-inflation-adjust", default=True, show_default=True,
              help="Raise spending with the simulated inflation.")
@click.option("--stocks", type=FRACTION, help="Fraction in stocks; the rest in --bonds, rebalanced every step.")
@click.option("--bonds", type=click.Choice(BONDS), help="Bond series: baa corporates, 10-year T-bonds or T-bills.")
@click.option("--start-years", "start_years", callback=lambda _c, _p, v: _start_years(v),
              help="Historical start years, e.g. 1928-1966 (default: every year with a full horizon).")
@click.option("--paths", type=click.IntRange(1, 10_000_000), help="Number of simulated paths.")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help=f"Random seed (default: mc_seed, {DEFAULT_SEED}).")
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
@click.option("--target-success", type=FiniteFloat(0.0, 1.0, min_open=True),
              help="Also solve for the highest spending that keeps this success rate.")
@with_settings(as_of=True)
def simulate_command(settings: Settings, **opts: Any) -> None:
    """Run the Monte Carlo FIRE engine and print its result as JSON."""
    from lifealm.simulate import RequestError, SimulateRequest, run_simulation  # numpy: loaded on use

    try:
        outcome = run_simulation(SimulateRequest(**opts), settings, resolved_as_of(settings))
    except RequestError as exc:
        raise click.UsageError(exc.message) from exc
    click.echo(json.dumps(outcome.data, indent=2))
    if outcome.error_codes:  # stdout stays pure JSON; the note on stderr keeps a data problem from passing unseen
        click.echo(f"Warning: the ledger has data problems that change this plan ({', '.join(outcome.error_codes)}); "
                   "see \"findings\" and run `lifealm check`.", err=True)
