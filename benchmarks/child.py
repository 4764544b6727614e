"""Run `python -m lifealm …` as a child process and measure that child alone (wall time, its own peak RSS)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Run by a small interpreter of its own, which times the command and reads its peak RSS: a child forked straight
# from the benchmark process would count that process's memory in its own peak (Linux keeps the pre-exec high-water
# mark), so after the Monte Carlo benchmarks every report would read 475 MiB.
_MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.run(sys.argv[2:]).returncode
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as out:
    json.dump({"seconds": seconds, "peak_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}, out)
sys.exit(code)
"""


@dataclass(frozen=True)
class ChildRun:
    seconds: float
    peak_rss_mib: int  # this child's own peak (its print processes included), not the benchmark process's
    stdout: str
    stderr: str


def run_lifealm(*args: str) -> ChildRun:
    """Run lifealm with `args`; raise with its stderr if it fails."""
    with tempfile.TemporaryDirectory(prefix="lifealm-child-") as tmp:
        figures = Path(tmp) / "figures.json"
        done = subprocess.run([sys.executable, "-c", _MEASURE, str(figures), sys.executable, "-m", "lifealm", *args],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"lifealm {' '.join(args)} exited {done.returncode}: {done.stderr}")
        measured = json.loads(figures.read_text())
    return ChildRun(measured["seconds"], measured["peak_kib"] // 1024, done.stdout, done.stderr)  # KiB on Linux
