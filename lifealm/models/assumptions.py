"""Model parameters with documented defaults; overridden by the ledger's `assumptions` table and the config."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from lifealm.finite import number_problem

DEFAULT_SEED = 42  # the one default random seed: the briefing's Monte Carlo, `simulate` and the demo


@dataclass(frozen=True, slots=True)
class Assumptions:
    """Every tunable number the models use. Ratios and rates are fractions."""

    base_currency: str = "JPY"
    # status and valuation
    caution_ratio: float = 0.50  # SAFE below this margin ratio, CAUTION from here to the freeze threshold
    stale_price_days: int = 5  # a close older than this many calendar days is a stale-price finding
    # stress ladder
    stress_step: float = 0.05
    stress_max: float = 0.70
    # dividends and FIRE
    dividend_tax: float = 0.20315  # Japanese tax on listed-stock dividends
    default_dividend_growth: float = 0.05
    reinvest_dividends: bool = True
    monthly_contribution: float = 0.0
    reinvest_yield: float = 0.045  # yield assumed on reinvested money and contributions
    projection_years: int = 10
    # Monte Carlo
    mc_paths: int = 10_000
    mc_years: int = 40  # the horizon when set, or when no member is an adult (else: plan_to_age)
    plan_to_age: int = 95  # the plan lasts until the youngest adult member is this old (unless mc_years is set)
    mc_seed: int = DEFAULT_SEED
    market_return: float = 0.07
    market_volatility: float = 0.20
    inflation: float = 0.02
    inflation_std: float = 0.01
    dividend_growth_std: float = 0.03


class AssumptionsError(ValueError):
    """One or more assumption values are invalid; `problems` lists each as `name: problem`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


_BOUNDS: dict[str, tuple[float, float]] = {
    "caution_ratio": (0.0, 1.0),
    "stale_price_days": (0, 3650),
    "stress_step": (0.001, 1.0),
    "stress_max": (0.001, 1.0),
    "dividend_tax": (0.0, 1.0),
    "default_dividend_growth": (-0.99, 0.99),
    "monthly_contribution": (0.0, 1e15),
    "reinvest_yield": (0.0, 1.0),
    "projection_years": (1, 100),
    "mc_paths": (1, 10_000_000),
    "mc_years": (1, 100),
    "plan_to_age": (60, 118),  # an adult (18 or more) reaches 118 within the horizon's 100 years
    "mc_seed": (0, 2**63 - 1),
    "market_return": (-0.99, 1.0),
    "market_volatility": (0.0, 2.0),
    "inflation": (-0.5, 1.0),
    "inflation_std": (0.0, 1.0),
    "dividend_growth_std": (0.0, 1.0),
}


def _coerce(name: str, kind: Any, raw: object) -> object:
    if kind in ("bool", bool):
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise ValueError("expected true or false")
    if kind in ("int", int):
        if isinstance(raw, bool):
            raise ValueError("expected a whole number")
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        return int(str(raw).strip())
    if kind in ("float", float):
        if isinstance(raw, bool):
            raise ValueError("expected a number")
        value = float(str(raw).strip())
        if number_problem(value) is not None:
            raise ValueError("expected a finite number (not NaN, infinite or subnormal)")
        return value
    text = str(raw).strip()
    if name == "base_currency" and (len(text) != 3 or not text.isalpha()):
        raise ValueError("expected a three-letter currency code such as JPY")
    return text.upper() if name == "base_currency" else text


MAX_SIMULATION_CELLS = 100_000_000  # mc_paths × mc_years × steps: beyond this the scenarios outgrow memory


def consistency_problems(a: Assumptions) -> list[str]:
    """Rules that span several assumptions (checked on the merged set, not value by value)."""
    problems = []
    if a.stress_step > a.stress_max:
        problems.append(f"stress_step {a.stress_step:g} is larger than stress_max {a.stress_max:g}, so the stress "
                        "ladder would have no steps")
    if a.mc_paths * a.mc_years > MAX_SIMULATION_CELLS:
        problems.append(f"mc_paths × mc_years = {a.mc_paths * a.mc_years:,} is more than the simulation can hold "
                        f"in memory ({MAX_SIMULATION_CELLS:,})")
    return problems


def bounds_of(name: str) -> tuple[float, float] | None:
    """The accepted range (inclusive) of a numeric assumption; None when it has none (text, true/false)."""
    return _BOUNDS.get(name)


def known_names() -> tuple[str, ...]:
    return tuple(f.name for f in fields(Assumptions))


def coerce_assumption(name: str, raw: object) -> object:
    """The typed value of assumption `name` given as `raw` (a TOML value or the ledger's text); ValueError says why
    it is not valid (unknown name, wrong type, out of range), phrased to follow `NAME: `."""
    types = {f.name: f.type for f in fields(Assumptions)}
    if name not in types:
        raise ValueError(f"unknown assumption (known: {', '.join(known_names())})")
    try:
        value = _coerce(name, types[name], raw)
    except ValueError as exc:
        raise ValueError(f"{raw!r} is not valid ({exc})") from None
    low_high = _BOUNDS.get(name)
    if low_high and isinstance(value, int | float) and not low_high[0] <= value <= low_high[1]:
        raise ValueError(f"{value} is outside {low_high[0]}..{low_high[1]}")
    return value


def apply_overrides(base: Assumptions, values: Mapping[str, object], *, source: str) -> Assumptions:
    """Return `base` with `values` applied; every bad name or value is listed at once in AssumptionsError."""
    problems: list[str] = []
    changes: dict[str, object] = {}
    for name, raw in values.items():
        try:
            changes[name] = coerce_assumption(name, raw)
        except ValueError as exc:
            problems.append(f"{source}: {name}: {exc}")
    if problems:
        raise AssumptionsError(problems)
    return replace(base, **changes)  # type: ignore[arg-type]
