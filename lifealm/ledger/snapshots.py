"""Write and read the `snapshots` table: one row of headline figures per report date, upserted idempotently."""

from __future__ import annotations

import math
import sqlite3
from datetime import date

from lifealm.errors import LedgerError
from lifealm.ledger.columns import SNAPSHOTS
from lifealm.ledger.screen import screened
from lifealm.models.inputs import Snapshot

_COLUMNS = SNAPSHOTS.column_names
_REQUIRED = frozenset(c.name for c in SNAPSHOTS.columns if c.required)


def _row(snapshot: Snapshot) -> tuple[object, ...]:
    values: list[object] = [snapshot.snapshot_date.isoformat()]
    for name in _COLUMNS[1:]:
        value = getattr(snapshot, name)
        if isinstance(value, float) and not math.isfinite(value):
            if name in _REQUIRED:
                raise LedgerError(
                    f"snapshot {snapshot.snapshot_date}: {name} is {value}, which the ledger cannot store.",
                    hint="check the ledger's prices and balances for the as-of date; the report lists findings",
                )
            value = None  # an infinite ratio is stored as NULL ("not a number we can chart")
        values.append(value)
    return tuple(values)


def write_snapshot(conn: sqlite3.Connection, snapshot: Snapshot) -> None:
    """Insert or replace the row for `snapshot.snapshot_date` in one transaction (running twice changes nothing)."""
    placeholders = ", ".join("?" for _ in _COLUMNS)
    # A report run without the simulation (--no-montecarlo) keeps the day's earlier success probability.
    updates = ", ".join(f"{c} = COALESCE(excluded.{c}, snapshots.{c})" if c == "success_probability"
                        else f"{c} = excluded.{c}" for c in _COLUMNS[1:])
    row = _row(snapshot)
    with conn:  # commits on success, rolls back on error
        conn.execute(
            f"INSERT INTO snapshots ({', '.join(_COLUMNS)}) VALUES ({placeholders}) "
            f"ON CONFLICT (snapshot_date) DO UPDATE SET {updates}",
            row,
        )


def read_snapshots(conn: sqlite3.Connection, *, before: date | None = None) -> tuple[Snapshot, ...]:
    """Every snapshot, oldest first; with `before`, only those strictly before that date."""
    sql = f"SELECT {SNAPSHOTS.select_list} FROM snapshots"
    params: tuple[object, ...] = ()
    if before is not None:
        sql += " WHERE snapshot_date < ?"
        params = (before.isoformat(),)
    rows = conn.execute(sql + " ORDER BY snapshot_date", params).fetchall()
    return tuple(_snapshot(tuple(r)) for r in screened(conn, SNAPSHOTS, rows))


def _number(value: object, column: str, day: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    held = "nothing (NULL)" if value is None else "binary data (a blob)" if isinstance(value, bytes) else "text"
    raise LedgerError(f"snapshots row {day}: {column} holds {held}, not a number.",  # never the value itself
                      hint=f"delete that row (sqlite3 LEDGER \"DELETE FROM snapshots WHERE snapshot_date = '{day}'\"); "
                      "a report for that date writes it again")


def _optional(value: object, column: str, day: object) -> float | None:
    return None if value is None else _number(value, column, day)


def _snapshot(r: tuple[object, ...]) -> Snapshot:
    day = r[0]
    values: dict[str, object] = {"snapshot_date": date.fromisoformat(str(day)), "status": str(r[1])}
    for name, value in zip(_COLUMNS[2:], r[2:], strict=True):
        values[name] = _number(value, name, day) if name in _REQUIRED else _optional(value, name, day)
    return Snapshot(**values)  # type: ignore[arg-type]
