"""Import 1,000,000 price rows through the real CLI in a child process: rows/s, peak RSS, and the price query plan."""

from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

from benchmarks.child import run_lifealm
from lifealm.ledger.db import create_ledger, open_ledger
from lifealm.ledger.load import LATEST_PRICE_SQL, load_inputs

ROWS = 1_000_000
TICKERS = 250  # 250 tickers × 4,000 business days = 1,000,000 rows


def _write_files(folder: Path) -> tuple[Path, Path]:
    holdings = folder / "holdings.csv"
    with holdings.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["ticker", "shares"])
        writer.writerows([f"B{i:04d}.T", 100] for i in range(TICKERS))
    days: list[str] = []
    day = date(2010, 1, 4)
    while len(days) < ROWS // TICKERS:
        if day.weekday() < 5:
            days.append(day.isoformat())
        day += timedelta(days=1)
    prices = folder / "prices.csv"
    with prices.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["ticker", "price_date", "close_price"])
        for i in range(TICKERS):
            ticker = f"B{i:04d}.T"
            writer.writerows((ticker, d, f"{1000 + (i * 7 + n) % 500}.5") for n, d in enumerate(days))
    return holdings, prices


def _run(args: list[str]) -> tuple[float, int]:
    """Run `lifealm` in a child process; return wall seconds and the child's own peak RSS in MiB."""
    done = run_lifealm(*args)
    return done.seconds, done.peak_rss_mib


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = folder / "ledger.db"
        holdings, prices = _write_files(folder)
        print(f"   price file: {ROWS:,} rows, {prices.stat().st_size / 1e6:.1f} MB")
        subprocess.run([sys.executable, "-m", "lifealm", "init", "--db", str(db)], check=True,
                       stdout=subprocess.DEVNULL)
        _run(["import", "holdings", str(holdings), "--db", str(db)])
        seconds, peak = _run(["import", "prices", str(prices), "--db", str(db)])
        print(f"   first import:  {seconds:.2f} s, {ROWS / seconds:,.0f} rows/s, peak RSS of the child {peak} MiB")
        seconds, peak = _run(["import", "prices", str(prices), "--db", str(db)])
        print(f"   same file again: {seconds:.2f} s, {ROWS / seconds:,.0f} rows/s, peak RSS {peak} MiB")
        print(f"   ledger size: {db.stat().st_size / 1e6:.1f} MB")
        conn = open_ledger(db, readonly=True)
        plan = conn.execute("EXPLAIN QUERY PLAN " + LATEST_PRICE_SQL, ("B0001.T", "2020-01-01")).fetchall()
        print("   latest-price query plan: " + "; ".join(str(row[3]) for row in plan))
        started = time.perf_counter()
        for i in range(TICKERS):
            conn.execute(LATEST_PRICE_SQL, (f"B{i:04d}.T", "2020-01-01")).fetchone()
        print(f"   latest price for {TICKERS} tickers: {(time.perf_counter() - started) * 1000:.1f} ms")
        conn.close()
        _scale_load(folder / "scale.db")


def _scale_load(db: Path) -> None:
    """load_inputs on a ledger grown for twenty years: 300 holdings × 5,000 days of prices, daily snapshots."""
    conn = create_ledger(db)
    tickers = [f"S{i:03d}.T" for i in range(300)]
    days = [(date(2006, 1, 2) + timedelta(days=n)).isoformat() for n in range(7300)]
    business = [d for d in days if date.fromisoformat(d).weekday() < 5][:5000]
    conn.execute("INSERT INTO accounts (name) VALUES ('default')")
    conn.executemany("INSERT INTO securities (ticker) VALUES (?)", [(t,) for t in tickers])
    conn.executemany("INSERT INTO holdings (ticker, shares, cost_basis, account) VALUES (?, 100, 100000, 'default')",
                     [(t,) for t in tickers])
    conn.executemany("INSERT INTO prices VALUES (?, ?, ?)",
                     ((t, d, 1000.0 + n % 97) for t in tickers for n, d in enumerate(business)))
    conn.executemany("INSERT INTO snapshots VALUES (?, 'SAFE', 1e8, 4e6, 5e7, 0.5, 5e7, 2e5, 0.4, 0.6, 0.9)",
                     [(d,) for d in days])
    conn.commit()
    rows = conn.execute("SELECT count(*) FROM prices").fetchone()[0]
    as_of = date.fromisoformat(business[-1])
    timings = []
    tracemalloc.start()
    for _ in range(5):
        started = time.perf_counter()
        inputs = load_inputs(conn, as_of)
        timings.append(time.perf_counter() - started)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    conn.close()
    print(f"   load_inputs on {rows:,} price rows, {len(inputs.holdings)} holdings, {len(inputs.snapshots):,} "
          f"snapshots: median {sorted(timings)[2] * 1000:.0f} ms, peak Python memory {peak / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
