"""Run `python -m lifealm …` as a child process and measure that child alone (wall time, its own peak RSS)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class ChildRun:
    seconds: float
    peak_rss_mib: int  # this child's own peak, not the largest child the benchmark process ever waited for
    stdout: str
    stderr: str


def run_lifealm(*args: str) -> ChildRun:
    """Run lifealm with `args`; raise with its stderr if it fails."""
    # Output goes to files, not pipes: wait4 must reap the child itself to get its own rusage.
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "lifealm", *args], stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    code = os.waitstatus_to_exitcode(status)
    child.returncode = code
    if code != 0:
        raise RuntimeError(f"lifealm {' '.join(args)} exited {code}: {stderr}")
    return ChildRun(seconds, usage.ru_maxrss // 1024, stdout, stderr)  # ru_maxrss is KiB on Linux
