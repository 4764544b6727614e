"""Schema creation, refusal of empty and newer files, and `lifealm check` findings."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from demo_ledgers import demo_copy
from ledger_rows import add_holding

from lifealm.cli import _register, cli
from lifealm.errors import LedgerError
from lifealm.ledger.columns import KINDS
from lifealm.ledger.db import SCHEMA_VERSION, create_ledger, open_ledger

TABLES = {"accounts", "securities", "holdings", "prices", "dividends", "loans", "cash_accounts", "other_assets",
          "expenses", "income", "events", "members", "fx_rates", "assumptions", "snapshots", "split_confirmations"}


def run(*args: str) -> tuple[int, str]:
    _register()
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()


def test_init_creates_every_table(ledger_path: Path) -> None:
    code, output = run("init", "--db", str(ledger_path))
    assert code == 0 and str(ledger_path) in output
    assert tables(ledger_path) == TABLES
    conn = sqlite3.connect(ledger_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
    assert {k.table for k in KINDS.values()} <= TABLES
    code, output = run("init", "--db", str(ledger_path))
    assert code == 1 and "already exists" in output


def test_an_empty_file_is_not_migrated_into_a_ledger(ledger_path: Path) -> None:
    ledger_path.write_bytes(b"")
    with pytest.raises(LedgerError, match="not a lifealm ledger"):
        open_ledger(ledger_path)
    assert ledger_path.read_bytes() == b""  # only init and demo create a ledger


def test_newer_version_is_refused_unchanged(ledger_path: Path) -> None:
    create_ledger(ledger_path).close()
    conn = sqlite3.connect(ledger_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = hashlib.sha256(ledger_path.read_bytes()).hexdigest()
    for args in (["check"], ["export", "holdings"], ["demo", "--if-missing"]):
        code, output = run(*args, "--db", str(ledger_path))
        if args[0] == "demo":
            assert code == 0  # --if-missing leaves an existing ledger alone
        else:
            assert code == 1 and "newer lifealm" in output and "fix:" in output
    assert hashlib.sha256(ledger_path.read_bytes()).hexdigest() == before


def test_schema_checks_protect_the_data(ledger_path: Path) -> None:
    conn = create_ledger(ledger_path)
    bad = [
        "INSERT INTO holdings (ticker, shares) VALUES ('A', -1)",
        "INSERT INTO loans (name, balance, rate, kind, freeze_pct, margin_call_pct, forced_liq_pct) "
        "VALUES ('m', 1, 0.02, 'margin', 0.7, 0.6, 0.85)",
        "INSERT INTO loans (name, kind, balance) VALUES ('mortgage', 'amortizing', 1000)",
        "INSERT INTO events (name, event_date, amount) VALUES ('fees', '2031-02-30', 1)",
        "INSERT INTO prices VALUES ('NOPE', '2025-01-01', 1)",
        "INSERT INTO prices VALUES ('A', '2025-02-30', 1)",
    ]
    for sql in bad:
        try:
            conn.execute(sql)
        except sqlite3.IntegrityError:
            continue
        raise AssertionError(f"accepted: {sql}")
    conn.close()


def test_check_reports_findings(ledger_path: Path) -> None:
    conn = create_ledger(ledger_path)
    for ticker in ("A.T", "B.T", "C.T"):
        add_holding(conn, ticker, 1)
    conn.executemany("INSERT INTO prices VALUES (?, ?, ?)", [("A.T", "2025-06-27", 10), ("B.T", "2025-06-01", 10)])
    conn.execute("INSERT INTO loans (name, kind, balance, credit_limit) VALUES ('line', 'credit_line', 12000000, "
                 "10000000)")
    conn.execute("INSERT INTO cash_accounts (name, balance) VALUES ('wallet', -500)")
    conn.commit()
    conn.close()
    code, output = run("check", "--db", str(ledger_path), "--as-of", "2025-06-30")
    assert code == 0, output
    assert "integrity ok" in output
    assert "missing_price: C.T" in output
    assert "stale_price: B.T" in output and "age_days=29" in output
    assert "missing_price: A.T" not in output and "stale_price: A.T" not in output  # its close is fresh
    assert "credit_over_limit: line" in output
    assert "negative_balance: wallet" in output
    assert "no_expenses" in output


def test_check_reports_what_the_report_would(ledger_path: Path) -> None:
    """`lifealm check` shows the models' own findings: a holding priced in USD with no USD rate is not valued."""
    conn = create_ledger(ledger_path)
    add_holding(conn, "AAPL", 10, currency="USD")
    conn.execute("INSERT INTO prices VALUES ('AAPL', '2025-06-27', 200)")
    conn.execute("INSERT INTO expenses (category, monthly_amount) VALUES ('food', 1000)")
    conn.commit()
    conn.close()
    code, output = run("check", "--db", str(ledger_path), "--as-of", "2025-06-30")
    assert code == 0, output
    assert "error: missing_fx_rate: AAPL" in output


def test_check_finds_broken_foreign_keys(ledger_path: Path) -> None:
    create_ledger(ledger_path).close()
    conn = sqlite3.connect(ledger_path)  # foreign keys are off by default in a plain connection
    conn.execute("INSERT INTO prices VALUES ('GHOST', '2025-06-02', 1)")
    conn.execute("INSERT INTO loans (name, kind, balance, rate, credit_limit, collateral_account) "
                 "VALUES ('m', 'credit_line', 1, 0.02, 5, NULL)")
    conn.commit()
    conn.close()
    code, output = run("check", "--db", str(ledger_path), "--as-of", "2025-06-30")
    assert code == 1
    assert "foreign key: prices" in output and "damaged" in output and "fix:" in output


def test_check_on_the_demo_is_clean(ledger_path: Path) -> None:
    demo_copy(ledger_path, as_of=date(2025, 6, 30))  # what `lifealm demo --as-of 2025-06-30` writes
    code, output = run("check", "--db", str(ledger_path), "--as-of", "2025-06-30")
    assert code == 0 and "No findings." in output


def test_new_ledgers_are_private(ledger_path: Path) -> None:
    assert run("init", "--db", str(ledger_path))[0] == 0
    assert ledger_path.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("folder", ["a#b", "c%20d", "e?f"])
def test_read_only_commands_accept_any_path(tmp_path: Path, folder: str) -> None:
    """`#`, `?` and `%` in the ledger's path must not be read as URI syntax by the read-only open."""
    db = tmp_path / folder / "ledger.db"
    db.parent.mkdir()
    create_ledger(db).close()
    code, output = run("check", "--db", str(db), "--as-of", "2025-06-30")
    assert code == 0, output
    assert "integrity ok" in output
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder]  # no stray file made from half the path
