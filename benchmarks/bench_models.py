"""Time every model (valuation → briefing JSON) on the demo ledger and on a larger synthetic household."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
import tracemalloc
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from lifealm.ledger.db import open_ledger
from lifealm.models.briefing import build_briefing
from lifealm.models.briefing_json import briefing_to_json
from lifealm.models.inputs import (
    CashAccount,
    Dividend,
    Expense,
    Holding,
    Income,
    LedgerInputs,
    Loan,
    PricePoint,
    Snapshot,
)

AS_OF = date(2026, 11, 24)


def demo_inputs() -> LedgerInputs | None:
    """The `lifealm demo` ledger read by the loader, or None when that part of lifealm is unavailable."""
    try:
        from lifealm.demo import build_demo
        from lifealm.ledger.load import load_inputs
    except ImportError:
        return None
    path = Path(tempfile.mkdtemp(prefix="lifealm-bench-")) / "demo.db"
    build_demo(path, as_of=AS_OF)
    conn = open_ledger(path)
    try:
        return load_inputs(conn, AS_OF)
    finally:
        conn.close()


def synthetic_inputs(holdings: int, price_days: int) -> LedgerInputs:
    tickers = [f"T{i:04d}" for i in range(holdings)]
    return LedgerInputs(
        as_of=AS_OF,
        holdings=tuple(Holding(t, t, 100 + i, 1e6, dividend_growth=0.05) for i, t in enumerate(tickers)),
        prices=tuple(PricePoint(t, AS_OF - timedelta(days=d), 1_000.0 + d) for t in tickers for d in range(price_days)),
        dividends=tuple(Dividend(t, AS_OF - timedelta(days=d), 10.0) for t in tickers for d in (30, 120, 210, 300)),
        loans=(Loan("margin", 5e8, 0.02, "portfolio", 0.6, 0.7, 0.85), Loan("line", 0.0, 0.03, None, credit_limit=1e7)),
        cash_accounts=tuple(CashAccount(f"bank{i}", 1e6) for i in range(5)),
        expenses=tuple(Expense(f"e{i}", 50_000.0) for i in range(20)),
        income=(Income("salary", 1e6, "salary"),),
        snapshots=tuple(Snapshot(AS_OF - timedelta(days=d), "SAFE", 1e9, 5e6, 5e8, 0.5, 5e8, 0.0, 0.5, 0.4, 0.9)
                        for d in range(365, 0, -1)),
    )


def full_run(inputs: LedgerInputs) -> str:
    return json.dumps(briefing_to_json(build_briefing(inputs)), allow_nan=False)


def measure(label: str, inputs: LedgerInputs, repeats: int) -> None:
    full_run(inputs)  # warm-up: imports and caches
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        full_run(inputs)
        times.append((time.perf_counter() - started) * 1000)
    tracemalloc.start()
    full_run(inputs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"   {label}: {len(inputs.holdings)} holdings, {len(inputs.prices)} prices, "
          f"{len(inputs.dividends)} dividends, {len(inputs.snapshots)} snapshots")
    print(f"     models + briefing JSON: median {statistics.median(times):.2f} ms, "
          f"min {min(times):.2f} ms, max {max(times):.2f} ms over {repeats} runs; "
          f"peak traced memory {peak / 1024:.0f} KiB", flush=True)


def main() -> None:
    demo = demo_inputs()
    if demo is None:
        print("   demo ledger unavailable (lifealm.demo/ledger.load missing); synthetic inputs only")
    else:
        measure("demo ledger", demo, repeats=200)
        measure("demo ledger, 1 % steps to 100 %, 40-year projection", replace(demo, assumptions=replace(
            demo.assumptions, stress_step=0.01, stress_max=1.0, projection_years=40)), repeats=200)
    measure("synthetic large", synthetic_inputs(holdings=500, price_days=20), repeats=20)


if __name__ == "__main__":
    main()
