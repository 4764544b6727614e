"""The model parameters as `lifealm assumptions` lists them: meaning, range, default, value in force, source."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass, fields
from pathlib import Path

from lifealm.config_schema import key_line
from lifealm.ledger.db import open_ledger
from lifealm.ledger.load import assumptions_from, stored_assumptions
from lifealm.models.assumptions import Assumptions, bounds_of
from lifealm.render.filters import plain
from lifealm.settings import Settings

# What each parameter means, in the words the README uses; a test checks every field of Assumptions is here.
MEANINGS = {
    "base_currency": "the currency every figure is shown in (three letters)",
    "caution_ratio": "margin ratio from which the status is CAUTION (SAFE below it; DANGER from the loan's freeze)",
    "stale_price_days": "a close older than this many calendar days is reported as stale",
    "stress_step": "the stress ladder's step between market drops (a fraction: 0.05 = 5 %)",
    "stress_max": "the largest market drop on the stress ladder",
    "dividend_tax": "tax withheld on dividends in a taxable account (Japan: 20.315 %)",
    "default_dividend_growth": "yearly dividend growth of a holding that sets none itself",
    "reinvest_dividends": "whether after-tax dividends are reinvested in the dividend snowball",
    "monthly_contribution": "money added each month to the reinvested pot, in the base currency",
    "reinvest_yield": "yield assumed on reinvested dividends and contributions",
    "projection_years": "years the dividend snowball projects",
    "mc_paths": "Monte Carlo paths simulated",
    "mc_years": "Monte Carlo horizon in years (when set; else until the youngest adult member is plan_to_age)",
    "plan_to_age": "age of the youngest adult member (18 or more) the plan must last to, unless mc_years is set",
    "mc_seed": "the Monte Carlo random seed (the same ledger gives the same briefing)",
    "market_return": "expected yearly market return in the Monte Carlo",
    "market_volatility": "yearly volatility of the market return in the Monte Carlo",
    "inflation": "yearly inflation of expenses (Monte Carlo mean, and the dividend crossover's expense growth)",
    "inflation_std": "standard deviation of yearly inflation in the Monte Carlo",
    "dividend_growth_std": "standard deviation of yearly dividend growth in the Monte Carlo",
}


@dataclass(frozen=True, slots=True)
class AssumptionRow:
    name: str
    meaning: str
    allowed: str
    default: object
    value: object
    source: str  # "config FILE:LINE", "ledger", "default"


def _allowed(name: str, default: object) -> str:
    if isinstance(default, bool):
        return "true or false"
    bounds = bounds_of(name)
    if bounds is None:
        return "three letters, e.g. JPY" if name == "base_currency" else "text"
    low, high = bounds
    kind = "whole number" if isinstance(default, int) else "number"
    return f"{kind} {plain(low)} … {plain(high)}"


def _config_lines(config_path: Path | None, names: set[str]) -> dict[str, int]:
    """name -> line of `name = …` in the config's [assumptions] table (the config schema's key_line)."""
    if config_path is None or not config_path.is_file() or not names:
        return {}
    text = config_path.read_text("utf-8", errors="replace")
    found = {name: key_line(text, "assumptions", name) for name in names}
    return {name: line for name, line in found.items() if line}


def assumption_rows(in_force: Assumptions, stored: Mapping[str, object], overrides: Mapping[str, object],
                    config_path: Path | None) -> list[AssumptionRow]:
    """One row per parameter: the config wins over the ledger's table, which wins over the default."""
    defaults = Assumptions()
    lines = _config_lines(config_path, set(overrides))
    rows = []
    for f in fields(Assumptions):
        if f.name in overrides:
            source = f"config {config_path}:{lines[f.name]}" if f.name in lines else f"config {config_path}"
        elif f.name in stored:
            source = "ledger"
        else:
            source = "default"
        default = getattr(defaults, f.name)
        rows.append(AssumptionRow(f.name, MEANINGS.get(f.name, ""), _allowed(f.name, default), default,
                                  getattr(in_force, f.name), source))
    return rows




def assumptions_in_force(settings: Settings) -> list[AssumptionRow]:
    """Every parameter of the ledger and config in `settings`, with the value in force and where it came from."""
    with closing(open_ledger(settings.db, readonly=True)) as conn:
        stored = stored_assumptions(conn)
        in_force = assumptions_from(stored, settings.assumption_overrides)
    return assumption_rows(in_force, stored, settings.assumption_overrides, settings.config_path)
