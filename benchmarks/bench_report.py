"""`lifealm report` on the demo ledger: seconds per stage (load, Monte Carlo, models, charts, HTML, PDF, write)."""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from lifealm.demo import build_demo
from lifealm.pipeline import STAGES, build_report
from lifealm.settings import load_settings

AS_OF = date(2026, 11, 25)
WARM_RUNS = 5


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="lifealm-bench-") as tmp:
        root = Path(tmp)
        build_demo(root / "ledger.db", as_of=AS_OF)
        settings = load_settings(db=root / "ledger.db", out=root / "site", environ={})

        started = time.perf_counter()
        cold = build_report(settings, as_of=AS_OF)
        cold_total = time.perf_counter() - started
        print(f"   first run in this process (imports, fonts, Vega bundle): {cold_total:.2f} s")

        runs: list[dict[str, float]] = []
        totals: list[float] = []
        for _ in range(WARM_RUNS):
            started = time.perf_counter()
            outcome = build_report(settings, as_of=AS_OF)
            totals.append(time.perf_counter() - started)
            runs.append(outcome.timings)
        print(f"   warm, median of {WARM_RUNS} runs (seconds):")
        for stage in STAGES:
            print(f"     {stage:<11} {statistics.median(r.get(stage, 0.0) for r in runs):7.3f}")
        print(f"     {'total':<11} {statistics.median(totals):7.3f}   (aim: under 3 s)")
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"   peak RSS of this process: {peak_mb:.0f} MB")
        pdf_kib, html_kib = outcome.pdf_path.stat().st_size / 1024, outcome.html_path.stat().st_size / 1024
        print(f"   PDF {pdf_kib:.0f} KiB, HTML {html_kib:.0f} KiB, status {cold.status}")

        # The command as a user runs it: a fresh process, so imports count too.
        command = [sys.executable, "-m", "lifealm", "report", "--db", str(settings.db), "--out", str(settings.out),
                   "--as-of", AS_OF.isoformat()]
        walls = []
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            walls.append(time.perf_counter() - started)
        print(f"   `lifealm report` as a new process, median of 3: {statistics.median(walls):.2f} s")


if __name__ == "__main__":
    main()
