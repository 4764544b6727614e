"""Export one kind from the ledger as CSV with exactly the columns `lifealm import` accepts."""

from __future__ import annotations

import csv
import sqlite3
from typing import TextIO

from lifealm.ledger.columns import Kind


def format_cell(value: object) -> str:
    """Text that imports back to the same value: shortest round-trip floats, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def export_rows(conn: sqlite3.Connection, kind: Kind) -> sqlite3.Cursor:
    # Ordered by the natural key so the same ledger always exports the same bytes.
    return conn.execute(f"SELECT {kind.select_list} FROM {kind.table} ORDER BY {', '.join(kind.key)}")


def export_csv(conn: sqlite3.Connection, kind: Kind, out: TextIO) -> int:
    """Write the header and every row of `kind` to `out`; return the number of rows."""
    # RFC 4180 line ends: with a bare "\n" terminator the csv module would leave a "\r" inside a name unquoted.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(kind.column_names)
    count = 0
    for row in export_rows(conn, kind):
        writer.writerow([format_cell(v) for v in tuple(row)])
        count += 1
    return count
