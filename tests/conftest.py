"""Shared test fixtures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

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
    from datetime import date

    from lifealm.demo import build_demo
    from lifealm.pipeline import build_report
    from lifealm.settings import load_settings

    root = tmp_path_factory.mktemp("briefing")
    db = root / "ledger.db"
    build_demo(db, as_of=date.fromisoformat(REPORT_DAY))
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO holdings (ticker, name, shares, cost_basis) VALUES (?, ?, 1000, 900000)",
                     ("EVIL<b>", HOSTILE_NAME))
        conn.execute("INSERT INTO prices VALUES (?, ?, 1000)", ("EVIL<b>", REPORT_DAY))
        conn.execute("INSERT INTO cash_accounts (name, balance) VALUES (?, 1)", ("cash " + HOSTILE_NAME,))
        conn.execute("INSERT INTO expenses (category, monthly_amount) VALUES (?, 1)", ("cat " + HOSTILE_NAME,))
        conn.execute("INSERT INTO income (source, monthly_amount) VALUES (?, 1)", ("src " + HOSTILE_NAME,))
        conn.execute("INSERT INTO other_assets (name, value) VALUES (?, 1)", ("asset " + HOSTILE_NAME,))
    settings = load_settings(db=db, out=root / "site", environ={})
    outcome = build_report(settings, as_of=date.fromisoformat(REPORT_DAY))
    return {"root": root, "db": db, "site": root / "site", "settings": settings, "outcome": outcome}
