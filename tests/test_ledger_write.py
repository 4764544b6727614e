"""The one write path: typed rows validated, all-or-nothing, upserted on the key, counted; SQLite failures by code."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from lifealm.errors import ImportValidationError, LedgerError, LifealmError
from lifealm.ledger.db import create_ledger, open_ledger
from lifealm.ledger.sqlite_errors import Failure, classify
from lifealm.ledger.write import WriteResult, failed_write_error, write_rows

TODAY = date(2026, 6, 30)


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    conn = create_ledger(tmp_path / "ledger.db")
    write_rows(conn, "holdings", [("7203.T", "Toyota", 100.0, 250_000.0, "equity", date(2020, 1, 6), "", "JPY",
                                   None, None)], today=TODAY)
    return conn


def _prices(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return [tuple(r) for r in conn.execute("SELECT ticker, price_date, close_price FROM prices ORDER BY price_date")]


def test_typed_rows_are_stored_and_counted(conn: sqlite3.Connection) -> None:
    rows = [("7203.T", date(2026, 6, 29), 2500), ("7203.T", "2026-06-30", 2510.5)]
    assert write_rows(conn, "prices", rows, today=TODAY) == WriteResult("prices", 2, 2, 0, 0)
    assert _prices(conn) == [("7203.T", "2026-06-29", 2500.0), ("7203.T", "2026-06-30", 2510.5)]
    again = write_rows(conn, "prices", [("7203.T", date(2026, 6, 29), 2500.0), ("7203.T", date(2026, 6, 30), 2520)],
                       today=TODAY)
    assert again == WriteResult("prices", 2, 0, 1, 1)
    assert _prices(conn)[1] == ("7203.T", "2026-06-30", 2520.0)


def test_replace_makes_the_rows_the_whole_table(conn: sqlite3.Connection) -> None:
    write_rows(conn, "cash", [("bank", 1000.0, "JPY"), ("broker", 5.0, "JPY"), ("old", 1.0, "USD")])
    result = write_rows(conn, "cash", [("bank", 1000.0, "JPY"), ("broker", 7.0, "JPY")], replace=True)
    assert result == WriteResult("cash", 2, 0, 1, 1, removed=1, removed_keys=(("old",),))
    assert [r[0] for r in conn.execute("SELECT name FROM cash_accounts ORDER BY name")] == ["bank", "broker"]


def test_every_problem_is_listed_and_nothing_is_written(conn: sqlite3.Connection) -> None:
    rows = [("7203.T", date(2026, 6, 29), 2500.0),
            ("7203.T", date(2026, 7, 1), 2500.0),  # after today
            ("9999.T", date(2026, 6, 29), 10.0),  # not in holdings
            ("7203.T", date(2026, 6, 28), float("nan")),
            ("7203.T", date(2026, 6, 27), True),  # a bool is not a price
            ("7203.T", None, 1.0),
            ("7203.T", date(2026, 6, 29), 2600.0)]  # the key of the first row again
    with pytest.raises(ImportValidationError) as caught:
        write_rows(conn, "prices", rows, origin="yahoo", today=TODAY)
    problems = caught.value.problems
    assert any(p.startswith("yahoo:2: price_date: ") and "future" in p for p in problems)
    assert any(p.startswith("yahoo:3: ticker: '9999.T' is not a security in the ledger") for p in problems)
    assert any(p.startswith("yahoo:4: close_price: ") and "finite" in p for p in problems)
    assert any(p.startswith("yahoo:5: close_price: True is not a number") for p in problems)
    assert "yahoo:6: price_date: empty, but a value is required" in problems
    assert any(p.startswith("yahoo:7: ticker/price_date: duplicate key") for p in problems)
    assert len(problems) == 6
    assert _prices(conn) == []


def test_partial_columns_keep_the_stored_values(conn: sqlite3.Connection) -> None:
    write_rows(conn, "loans", [("margin", "portfolio", 1e6, 0.02, None, 0.6, 0.7, 0.85, None, 0.65, None, None)])
    result = write_rows(conn, "loans", [("margin", None, 2e6, None, None, None, None, None, None, None, None, None)],
                        columns=("name", "balance"))
    assert result == WriteResult("loans", 1, 0, 1, 0)
    row = conn.execute("SELECT balance, rate, kind, forced_liq_pct FROM loans").fetchone()
    assert tuple(row) == (2e6, 0.02, "margin", 0.85)
    with pytest.raises(LifealmError, match="unknown loans column"):
        write_rows(conn, "loans", [], columns=("name", "blance"))


def test_a_row_the_schema_refuses_is_named(conn: sqlite3.Connection) -> None:
    write_rows(conn, "loans", [("margin", "margin", 1e6, 0.02, None, 0.6, 0.7, 0.85, None, 0.65, None, None)])
    with pytest.raises(ImportValidationError) as caught:  # target above forced, only the merged row shows it
        write_rows(conn, "loans", [("margin", None, None, None, None, None, None, None, None, 0.9, None, None)],
                   columns=("name", "target_ratio"), origin="broker.csv")
    problem = caught.value.problems[0]
    assert problem.startswith("broker.csv:1: freeze_pct/margin_call_pct/forced_liq_pct/target_ratio: a margin loan")
    assert "constraint" not in problem and "CHECK" not in problem  # a sentence, never SQLite's own text


def test_sqlite_failures_are_classified_by_their_code(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    create_ledger(db).close()
    reader = open_ledger(db, readonly=True)
    with pytest.raises(sqlite3.OperationalError) as readonly:
        reader.execute("INSERT INTO assumptions VALUES ('mc_paths', '10')")
    assert classify(readonly.value) is Failure.READONLY
    assert "read-only" in str(failed_write_error(reader, readonly.value))
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    writer = sqlite3.connect(db, timeout=0)
    with pytest.raises(sqlite3.OperationalError) as busy:
        writer.execute("INSERT INTO assumptions VALUES ('mc_paths', '10')")
    assert classify(busy.value) is Failure.LOCKED
    error = failed_write_error(writer, busy.value)
    assert isinstance(error, LedgerError) and "locked by another process" in str(error)
    holder.execute("ROLLBACK")
    for conn in (reader, holder, writer):
        conn.close()
