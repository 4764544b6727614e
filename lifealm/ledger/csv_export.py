"""Export one kind from the ledger as CSV with exactly the columns `lifealm import` accepts (or for Excel)."""

from __future__ import annotations

import csv
import re
import sqlite3
from collections.abc import Callable
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
    return conn.execute(f"SELECT {kind.select_list} FROM {kind.from_clause} ORDER BY {kind.order_by}")


# What makes Excel (and LibreOffice) read a cell as a formula: "=cmd|…", "+…", "-…", "@SUM(…)", and a tab or CR
# before them. Japanese Excel also takes the full-width signs an IME types.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)


def excel_safe(text: str) -> str:
    """The cell with a leading ' when Excel would run it as a formula; a plain number such as -2000 is left."""
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def _write(conn: sqlite3.Connection, kind: Kind, out: TextIO, cell: Callable[[object], str]) -> int:
    # RFC 4180 line ends: with a bare "\n" terminator the csv module would leave a "\r" inside a name unquoted.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(kind.column_names)
    count = 0
    for row in export_rows(conn, kind):
        writer.writerow([cell(v) for v in tuple(row)])
        count += 1
    return count


def export_csv(conn: sqlite3.Connection, kind: Kind, out: TextIO) -> int:
    """Write the header and every row of `kind` to `out`, exactly as import reads them back; return the count."""
    return _write(conn, kind, out, format_cell)


def export_excel_csv(conn: sqlite3.Connection, kind: Kind, out: TextIO) -> int:
    """The same rows for Japanese Excel: a UTF-8 byte-order mark first, formula-like cells neutralised with '.

    Meant for reading, not for import: a neutralised cell comes back with its leading '.
    """
    out.write("\ufeff")  # without it, Japanese Excel reads UTF-8 as Shift_JIS and shows mojibake
    return _write(conn, kind, out, lambda value: excel_safe(format_cell(value)))
