"""Import a CSV file into the ledger: read the file into rows of its kind, then hand them to the one write path."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator, Sequence
from datetime import date
from operator import itemgetter
from pathlib import Path

from lifealm.errors import ImportValidationError, LedgerError, LifealmError
from lifealm.ledger.csv_read import Header, read_rows
from lifealm.ledger.db import open_ledger
from lifealm.ledger.write import NumberedRows, Problems, WriteResult, kind_by_name, write_rows


def ensure_writable(path: Path) -> None:
    """Refuse a read-only ledger up front (even for root, whose writes the mode bits would not stop)."""
    if not path.exists():
        return
    mode = path.stat().st_mode
    if not mode & stat.S_IWUSR or not os.access(path, os.W_OK):
        raise LedgerError(f"{path}: the ledger is read-only; nothing was imported.",
                          hint=f"make it writable (chmod u+w {path}) or import into another ledger with --db")
    if not os.access(path.parent, os.W_OK):
        raise LedgerError(f"{path.parent}: the ledger's directory is not writable (SQLite needs a journal there).",
                          hint=f"make the directory writable (chmod u+w {path.parent})")


def _cell_rows(header: Header, rows: Iterator[tuple[int, list[str]]], path: Path,
               problems: Problems) -> Iterator[tuple[int, Sequence[object]]]:
    """(line, the cells in the kind's column order); a column the file lacks reads as an empty cell."""
    # One extra empty cell at index `width` stands in for every absent column (position -1).
    pick = itemgetter(*(pos if pos >= 0 else header.width for pos in header.positions))
    for line, cells in rows:
        if len(cells) != header.width:
            problems.add(f"{path}:{line}: row: expected {header.width} cells like the header, found {len(cells)}")
            continue
        cells.append("")
        values = pick(cells)
        yield line, values if isinstance(values, tuple) else (values,)


def import_csv(conn: sqlite3.Connection, kind_name: str, path: Path, *, encoding: str = "auto",
               today: date | None = None) -> WriteResult:
    """Validate every row of `path`, then upsert them all in one transaction; nothing is written on any problem."""
    kind = kind_by_name(kind_name)
    problems = Problems()
    header, rows = read_rows(path, kind, encoding)
    result = write_rows(conn, kind, NumberedRows(_cell_rows(header, rows, path, problems)),
                        columns=header.present, origin=str(path), problems=problems, today=today)
    if result.rows == 0:
        raise ImportValidationError([f"{path}: no rows after the header"],
                                    hint="add at least one data row below the header")
    return result


def import_file(db: Path, kind_name: str, path: Path, *, encoding: str = "auto",
                today: date | None = None) -> WriteResult:
    """Open the ledger at `db` (which must exist and be writable) and import `path` into it."""
    kind_by_name(kind_name)
    if not path.is_file():
        raise LifealmError(f"{path}: no such CSV file.", hint="check the path")
    ensure_writable(db)
    conn = open_ledger(db)
    try:
        return import_csv(conn, kind_name, path, encoding=encoding, today=today)
    finally:
        conn.close()
