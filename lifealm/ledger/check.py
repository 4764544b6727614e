"""What only the ledger file can tell: SQLite integrity, foreign keys, and rows the models could not take."""

from __future__ import annotations

import sqlite3


def integrity_problems(conn: sqlite3.Connection) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """PRAGMA integrity_check lines other than "ok", and foreign_key_check rows described."""
    try:
        lines = tuple(str(r[0]) for r in conn.execute("PRAGMA integrity_check"))
        foreign = tuple(f"{r[0]} row {r[1]} refers to a missing {r[2]}"
                        for r in conn.execute("PRAGMA foreign_key_check"))
    except sqlite3.DatabaseError as exc:  # a damaged file can fail the check itself
        return (str(exc),), ()
    return (() if lines == ("ok",) else lines), foreign


def loans_without_thresholds(conn: sqlite3.Connection) -> tuple[str, ...]:
    """Names of margin loans missing a threshold (only possible when another tool bypassed the CHECK constraints)."""
    return tuple(
        str(name) for (name,) in conn.execute(
            "SELECT name FROM loans WHERE kind = 'margin' AND (freeze_pct IS NULL OR "
            "margin_call_pct IS NULL OR forced_liq_pct IS NULL) ORDER BY name"
        )
    )
