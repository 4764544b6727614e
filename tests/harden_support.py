"""Helpers for the hardening tests: lifealm as a real process, and one demo ledger built per session and copied.

Not a test module (it holds no tests); the test_harden_* modules import it by name.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import demo_ledgers

AS_OF = "2026-11-25"
LIFEALM = (sys.executable, "-m", "lifealm")


def clean_env(**extra: str) -> dict[str, str]:
    """The test's environment without any LIFEALM_* setting, HOME and XDG dirs pointed nowhere useful (but the
    cache folder, which stays the suite's: see conftest.session_folders)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIFEALM_", "XDG_")) or k == "XDG_CACHE_HOME"}
    env.update(extra)
    return env


@dataclass(frozen=True)
class Done:
    """A finished lifealm process."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def lifealm(*args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None,
            timeout: float = 120.0, umask: int | None = None) -> Done:
    """Run `python -m lifealm ARGS` and wait (bounded by `timeout`)."""
    def set_umask() -> None:
        if umask is not None:
            os.umask(umask)

    done = subprocess.run([*LIFEALM, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env=env if env is not None else clean_env(), cwd=cwd,
                          preexec_fn=set_umask if umask is not None else None)
    return Done(done.returncode, done.stdout, done.stderr)


def assert_clean_failure(done: Done) -> None:
    """Exit 1 with an `Error:` sentence and no traceback."""
    assert done.returncode == 1, done.output
    assert "Traceback" not in done.output, done.output
    assert "Error:" in done.stderr, done.output


def demo_copy(target: Path) -> Path:
    """A fresh copy of the test run's demo ledger for AS_OF at `target` (built once, then copied)."""
    return demo_ledgers.demo_copy(target, as_of=date.fromisoformat(AS_OF))
