"""The demo ledger, built once per test session per (as-of date, seed) and handed out as fresh copies.

Building the demo runs the models for 90 past days; copying the finished file costs a millisecond. Under
pytest-xdist the workers of one run share the cache (a lock per ledger), so each ledger is built once per run.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from datetime import date
from pathlib import Path

_cache: Path | None = None


def use_cache(folder: Path) -> None:
    """Where the built ledgers live for this session (set once by conftest)."""
    global _cache
    folder.mkdir(parents=True, exist_ok=True)
    _cache = folder


def _built(as_of: date, seed: int) -> Path:
    from lifealm.demo import build_demo

    if _cache is None:
        raise RuntimeError("demo_ledgers.use_cache() was not called: run the tests with pytest")
    built = _cache / f"demo-{as_of.isoformat()}-seed{seed}.db"
    with (_cache / f"{built.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker may be building the same ledger right now
        if not built.exists():
            build_demo(built, as_of=as_of, seed=seed)
    return built


def demo_copy(dest: Path, *, as_of: date, seed: int = 42) -> Path:
    """A fresh copy of the demo ledger for `as_of` at `dest` (what `lifealm demo --as-of … --seed …` writes)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_built(as_of, seed), dest)
    os.chmod(dest, 0o600)  # as build_demo leaves it: the ledger is private
    return dest
