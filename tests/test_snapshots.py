"""Snapshots on a real SQLite ledger: idempotent upsert, round trip, history across days."""

from __future__ import annotations

import math
import sqlite3
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from model_inputs import ledger_inputs, position

from lifealm.errors import LedgerError
from lifealm.ledger.db import create_ledger, migrations, open_ledger
from lifealm.ledger.snapshots import read_snapshots, write_snapshot
from lifealm.models.briefing import build_briefing
from lifealm.models.inputs import CashAccount, Expense, Loan, PricePoint, Snapshot

DAY = date(2026, 11, 24)


def snap(day: date, **changes: object) -> Snapshot:
    base = Snapshot(day, "SAFE", 125e6, 4.5e6, 50e6, 0.4, 79.5e6, 200_000.0, 0.38, 0.66, None)
    return replace(base, **changes)  # type: ignore[arg-type]


def rows(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return [tuple(r) for r in conn.execute("SELECT * FROM snapshots ORDER BY snapshot_date")]


def test_write_is_idempotent_and_upserts(ledger_path: Path) -> None:
    conn = create_ledger(ledger_path)
    write_snapshot(conn, snap(DAY))
    first = rows(conn)
    write_snapshot(conn, snap(DAY))
    assert rows(conn) == first and len(first) == 1
    write_snapshot(conn, snap(DAY, status="CAUTION", margin_ratio=0.55))
    assert len(rows(conn)) == 1
    conn.close()
    reopened = open_ledger(ledger_path)
    assert read_snapshots(reopened) == (snap(DAY, status="CAUTION", margin_ratio=0.55),)


def test_read_before_and_order(ledger_path: Path) -> None:
    conn = create_ledger(ledger_path)
    for offset in (2, 0, 1):
        write_snapshot(conn, snap(DAY - timedelta(days=offset), success_probability=0.9))
    assert [s.snapshot_date for s in read_snapshots(conn)] == [DAY - timedelta(days=d) for d in (2, 1, 0)]
    assert [s.snapshot_date for s in read_snapshots(conn, before=DAY)] == [DAY - timedelta(days=2),
                                                                           DAY - timedelta(days=1)]
    assert read_snapshots(conn)[0].success_probability == 0.9


def test_infinite_ratio_is_stored_as_null_and_nan_money_is_refused(ledger_path: Path) -> None:
    conn = create_ledger(ledger_path)
    write_snapshot(conn, snap(DAY, margin_ratio=math.inf, status="DANGER"))
    assert read_snapshots(conn)[0].margin_ratio is None
    with pytest.raises(LedgerError, match="net_worth"):
        write_snapshot(conn, snap(DAY + timedelta(days=1), net_worth=math.nan))
    assert len(rows(conn)) == 1  # nothing half-written


def test_briefing_snapshot_round_trip_feeds_the_next_days_history(ledger_path: Path) -> None:
    conn = create_ledger(ledger_path)
    day1 = ledger_inputs(
        position("A", 25_000, 5_000.0, 1e8, on=DAY), as_of=DAY,
        loans=(Loan("margin", 50e6, 0.02, "portfolio", 0.6, 0.7, 0.85),), cash_accounts=(CashAccount("bank", 1e6),),
        expenses=(Expense("living", 500_000.0),),
    )
    b1 = build_briefing(day1)
    write_snapshot(conn, b1.snapshot)
    write_snapshot(conn, b1.snapshot)
    day2_date = DAY + timedelta(days=1)
    day2 = replace(day1, as_of=day2_date, prices=(*day1.prices, PricePoint("A", day2_date, 3_500.0)),
                   snapshots=read_snapshots(conn, before=day2_date))
    b2 = build_briefing(day2)
    assert b1.status.value == "SAFE" and b2.status.value == "CAUTION"  # 50/87.5 = 0.571
    assert b2.history.changes[0].field == "status" and b2.history.changes[0].previous == "SAFE"
    write_snapshot(conn, b2.snapshot)
    stored = read_snapshots(conn)
    assert [s.status for s in stored] == ["SAFE", "CAUTION"]
    assert stored[1].portfolio_value == 87_500_000.0


def test_a_run_without_the_simulation_keeps_the_days_success_probability(ledger_path: Path) -> None:
    conn = create_ledger(ledger_path)
    write_snapshot(conn, snap(DAY, success_probability=0.93))
    write_snapshot(conn, snap(DAY, portfolio_value=126e6, success_probability=None))  # --no-montecarlo
    (stored,) = read_snapshots(conn)
    assert (stored.portfolio_value, stored.success_probability) == (126e6, 0.93)
    conn.close()


def test_loading_a_damaged_snapshot_is_an_error_naming_the_row(ledger_path: Path) -> None:
    conn = create_ledger(ledger_path)
    write_snapshot(conn, snap(DAY - timedelta(days=1)))
    with pytest.raises(sqlite3.IntegrityError, match=r"cannot store TEXT value in REAL column snapshots\.net_worth"):
        conn.execute("UPDATE snapshots SET net_worth = 'abc'")  # typed (STRICT) since schema v2
    conn.close()
    # A table that is not typed (schema v1, as another tool could have left it) is still read with care.
    old = sqlite3.connect(":memory:")
    old.executescript(migrations()[0].sql)
    old.execute("INSERT INTO snapshots VALUES ('2026-11-23', 'SAFE', 1, 1, 0, NULL, 'abc', 0, NULL, NULL, NULL)")
    with pytest.raises(LedgerError, match=r"snapshots row snapshot_date '2026-11-23': net_worth: holds text where "
                       r"a number belongs") as raised:
        read_snapshots(old, before=DAY)
    assert "'abc'" not in str(raised.value)  # the stored value itself is never quoted
