"""Monte Carlo engine speed and memory: the briefing's household simulation and the series' defaults, annual and
monthly, each against the time it takes only to draw its random numbers."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from benchmarks.bench_models import demo_inputs
from lifealm.models.montecarlo.config import MarginLoan, SimulationConfig, classic, series_defaults
from lifealm.models.montecarlo.household import household_plan
from lifealm.models.montecarlo.run import simulate

REPEATS = 9


def _best_pair(first: Callable[[], object], second: Callable[[], object]) -> tuple[float, float]:
    """Best wall time of each of two functions, run alternately so that background load hits both alike."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(REPEATS):
        for func, bucket in ((first, times[0]), (second, times[1])):
            started = time.perf_counter()
            func()
            bucket.append(time.perf_counter() - started)
    return min(times[0]), min(times[1])


def _peak_mib(func: Callable[[], object]) -> float:
    tracemalloc.start()
    func()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def _draw_floor(config: SimulationConfig) -> None:
    """Only the random numbers the run needs: stock and inflation shocks per step, dividend growth per year."""
    rng = np.random.default_rng(42)
    steps = config.years * config.steps_per_year
    rng.standard_normal(size=(steps, config.paths))
    rng.standard_normal(size=(steps, config.paths))
    rng.standard_normal(size=(config.years, config.paths))


def measure(label: str, config: SimulationConfig) -> None:
    def run() -> object:
        return simulate(config, np.random.default_rng(42), seed=42)

    run()  # warm up imports and caches
    full, floor = _best_pair(run, lambda: _draw_floor(config))
    peak = _peak_mib(run)
    result = simulate(config, np.random.default_rng(42), seed=42)
    print(f"   {label}: {config.paths:,} paths × {config.years * config.steps_per_year} steps: "
          f"{full * 1000:.0f} ms (draws alone {floor * 1000:.0f} ms, ratio {full / floor:.2f}×), "
          f"peak traced memory {peak:.0f} MiB, success {result.success_probability:.4f}", flush=True)


def main() -> None:
    demo = demo_inputs()
    if demo is None:
        print("   demo ledger unavailable: the briefing's household simulation is not measured")
    else:
        plan = household_plan(demo).config  # what the report runs (`run_household`)
        measure(f"briefing's household (demo ledger, the plan's {plan.steps} steps)", plan)
        if plan.steps != "monthly":
            measure("briefing's household (demo ledger), monthly", replace(plan, steps="monthly"))
    measure("calculator question, no loan (`simulate --initial`), annual", classic(100_000_000.0, years=40))
    config = series_defaults()
    measure("series defaults, annual", config)
    measure("series defaults, monthly", replace(config, steps="monthly"))
    # every household feature at once: cash, a standby line drawn first, margin calls defended, guardrails
    house = replace(config.household, cash=4_500_000.0, credit_limit=30_000_000.0)
    full = replace(config, household=house, funding_order="line_first", defend_margin_call=True,
                   spending=replace(config.spending, rule="guardrails", withdrawal_rate=0.05))
    measure("+ cash, standby line, defense, guardrails, annual", full)
    measure("+ cash, standby line, defense, guardrails, monthly", replace(full, steps="monthly"))
    # the series' loan at two brokers: ¥40M against ¥100M and ¥10M against ¥25M of the portfolio
    house = replace(config.household, loan=0.0, margin_loans=(
        MarginLoan(40_000_000.0, 0.02, collateral_fraction=0.8, pledged_share=0.8),
        MarginLoan(10_000_000.0, 0.02, collateral_fraction=0.2, pledged_share=0.2)))
    measure("series defaults at two brokers, monthly", replace(config, household=house, steps="monthly"))
