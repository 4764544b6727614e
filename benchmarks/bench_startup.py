"""Whole commands against their floors, measured in one run: `lifealm report` ÷ importing its libraries, and
`lifealm simulate` (10,000 paths × 480 months) ÷ the same model in plain numpy (benchmarks/plain_montecarlo.py).

Every figure is a fresh child process timed by its wall clock. The four commands run interleaved, round after
round, so that the load other users put on a shared machine falls on all of them alike; the ratios are taken
between medians of the same run. The report writes into a site that already has its Vega bundle (as every
morning but the first), on the demo ledger.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from lifealm.demo import build_demo

AS_OF = date(2026, 11, 25)
ROUNDS = 7
REPORT_AIM, SIMULATE_AIM = 2.0, 1.5
# What `lifealm report` needs at most to import: the floor (pandas included, which the report no longer loads).
LIBRARIES = "import numpy, pandas, altair, jinja2, click, weasyprint, vl_convert"
PLAIN = Path(__file__).with_name("plain_montecarlo.py")
SIMULATE_ARGS = ("simulate", "--initial", "100000000", "--years", "40", "--steps", "monthly", "--paths", "10000")


def _wall(command: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return time.perf_counter() - started, done.stdout


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> None:
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="lifealm-startup-") as tmp:
        root = Path(tmp)
        db = root / "ledger.db"
        build_demo(db, as_of=AS_OF)
        commands = {
            "libraries": [python, "-c", LIBRARIES],
            "report": [python, "-m", "lifealm", "report", "--db", str(db), "--out", str(root / "site"),
                       "--as-of", AS_OF.isoformat()],
            "plain numpy": [python, str(PLAIN)],
            "simulate": [python, "-m", "lifealm", *SIMULATE_ARGS],
        }
        outputs = {name: _wall(command)[1] for name, command in commands.items()}  # warm-up: caches, .pyc, bundle
        same = json.loads(outputs["plain numpy"])["success_probability"] == \
            json.loads(outputs["simulate"])["success_probability"]
        print(f"   {os.cpu_count()} cores; load average (1, 5, 15 min) before: {_load()}", flush=True)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(ROUNDS):
            for name, command in commands.items():
                times[name].append(_wall(command)[0])
        print(f"   load average after: {_load()}")
        median = {name: statistics.median(values) for name, values in times.items()}
        print(f"   wall seconds, new process, median of {ROUNDS} interleaved rounds (fastest–slowest):")
        for name, values in times.items():
            print(f"     {name:<12} {median[name]:6.2f}   ({min(values):.2f}–{max(values):.2f})")
        report_ratio = median["report"] / median["libraries"]
        simulate_ratio = median["simulate"] / median["plain numpy"]
        print(f"   report ÷ library imports: {report_ratio:.2f}× (aim ≤ {REPORT_AIM:g}×): "
              f"{'met' if report_ratio <= REPORT_AIM else 'MISSED'}")
        print(f"   simulate 10,000 × 480 ÷ plain numpy: {simulate_ratio:.2f}× (aim ≤ {SIMULATE_AIM:g}×): "
              f"{'met' if simulate_ratio <= SIMULATE_AIM else 'MISSED'}; same success probability: "
              f"{'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
