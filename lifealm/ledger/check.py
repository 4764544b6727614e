"""What only the ledger file can tell: SQLite integrity and foreign keys (lifealm.ledger.screen judges the rows)."""

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
