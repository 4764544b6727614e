"""Shared test fixtures: the demo ledger cache, the shared daily briefing, and the briefing.json contract check."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from briefing_contract import STAND_INS
from demo_ledgers import demo_copy, use_cache


def pytest_itemcollected(item: pytest.Item) -> None:
    """Under pytest-xdist (`--dist loadgroup`) a module's tests run on one worker, so its module fixtures are
    built once; modules sharing an expensive once-per-session build run together, so it is built once too.

    Marked as each test is collected: pytest-xdist reads the groups in its own collection_modifyitems hook, which
    may run before this conftest's."""
    group = item.nodeid.split("::")[0]
    if "briefing_site" in getattr(item, "fixturenames", ()):
        group = "briefing_site"
    elif getattr(getattr(item, "module", None), "trust_site", None) is not None:
        group = "trust_site"
    item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session", autouse=True)
def session_folders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Everything the suite writes stays under pytest's temporary directory, where the contract check looks.

    `tempfile` (used by helpers that build once per session and by CliRunner) is pointed there too. The demo
    ledgers (`demo_ledgers.demo_copy`) are cached here; under pytest-xdist one level up, shared by the workers.
    """
    base = tmp_path_factory.getbasetemp()
    use_cache((base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "demo-ledgers")
    scratch = base / "tempfile"
    scratch.mkdir(exist_ok=True)
    previous = tempfile.tempdir, os.environ.get("XDG_CACHE_HOME")
    tempfile.tempdir = str(scratch)
    os.environ["XDG_CACHE_HOME"] = str(base / "cache")  # lifealm's compiled templates, for every lifealm it runs
    try:
        yield
    finally:
        tempfile.tempdir = previous[0]
        if previous[1] is None:
            os.environ.pop("XDG_CACHE_HOME", None)
        else:
            os.environ["XDG_CACHE_HOME"] = previous[1]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.fixture(scope="session", autouse=True)
def briefing_contract(tmp_path_factory: pytest.TempPathFactory, session_folders: None) -> Iterator[set[str]]:
    """Every briefing.json the suite produces validates against the shipped schema; yields the checked digests.

    Checked twice, so no test can produce one that escapes: in this process as the text is made (wherever it is
    written), and at the end of the session every briefing.json under pytest's temporary directory (written by
    `lifealm` subprocesses too), except the hand-written stand-ins a test names in briefing_contract.STAND_INS.
    """
    from lifealm.render import pages
    from lifealm.schema import briefing_problems

    checked: set[str] = set()
    broken: list[str] = []
    make_text = pages.briefing_json_text

    def checked_text(doc: Any) -> str:
        problems = briefing_problems(doc)
        if problems:
            broken.append(f"a briefing made in-process: {problems[:5]}")
            raise AssertionError("briefing.json breaks the shipped schema:\n  " + "\n  ".join(problems[:20]))
        text = make_text(doc)
        checked.add(_digest(text))
        return text

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pages, "briefing_json_text", checked_text)
        yield checked
    for path in sorted(tmp_path_factory.getbasetemp().rglob("briefing.json")):
        if path.resolve() in STAND_INS:
            continue
        text = path.read_text("utf-8")
        if _digest(text) in checked:
            continue
        try:
            problems = briefing_problems(json.loads(text))
        except ValueError as exc:
            problems = [f"not JSON: {exc}"]
        if problems:
            broken.append(f"{path}: {problems[:5]}")
    if broken:
        pytest.fail("briefing.json files that break the shipped schema:\n" + "\n".join(broken), pytrace=False)

# Every briefing page rendered by any test is checked for claims that contradict briefing.json.
pytest_plugins = ("page_claims",)


@pytest.fixture
def ledger_path(tmp_path: Path) -> Path:
    """A path for a ledger that does not exist yet."""
    return tmp_path / "ledger.db"


# --- the daily briefing: ONE report, built once per test session and shared by the report/PDF/browser tests ---

HOSTILE_NAME = "<script>alert(1)</script> \"q\" & 'x' </p>"
REPORT_DAY = "2026-11-25"


@pytest.fixture(scope="session")
def briefing_site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo ledger plus hostile text in every text field, reported once; returns paths and the outcome."""
    import sqlite3

    from ledger_rows import add_holding

    from lifealm.pipeline import build_report
    from lifealm.settings import load_settings

    root = tmp_path_factory.mktemp("briefing")
    db = demo_copy(root / "ledger.db", as_of=date.fromisoformat(REPORT_DAY))
    with sqlite3.connect(db) as conn:
        add_holding(conn, "EVIL<b>", 1000, name=HOSTILE_NAME, cost_basis=900000, account="特定口座 (margin)")
        conn.execute("INSERT INTO prices VALUES (?, ?, 1000)", ("EVIL<b>", REPORT_DAY))
        conn.execute("INSERT INTO cash_accounts (name, balance) VALUES (?, 1)", ("cash " + HOSTILE_NAME,))
        conn.execute("INSERT INTO expenses (category, monthly_amount) VALUES (?, 1)", ("cat " + HOSTILE_NAME,))
        conn.execute("INSERT INTO income (source, monthly_amount) VALUES (?, 1)", ("src " + HOSTILE_NAME,))
        conn.execute("INSERT INTO other_assets (name, value) VALUES (?, 1)", ("asset " + HOSTILE_NAME,))
    settings = load_settings(db=db, out=root / "site", environ={})
    outcome = build_report(settings, as_of=date.fromisoformat(REPORT_DAY))
    return {"root": root, "db": db, "site": root / "site", "settings": settings, "outcome": outcome}
