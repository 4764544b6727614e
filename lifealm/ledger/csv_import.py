"""Import a CSV file into the ledger: read the file into rows of its kind, then hand them to the one write path."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator, Sequence
from datetime import date
from itertools import chain
from operator import itemgetter
from pathlib import Path

from lifealm.errors import LedgerError, LifealmError
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


def _in_account(rows: Iterator[tuple[int, Sequence[object]]], position: int, account: str, path: Path,
                problems: Problems) -> Iterator[tuple[int, Sequence[object]]]:
    """Every row in `account`: an empty account cell takes it, another account is a problem."""
    for line, values in rows:
        given = str(values[position]).strip()
        if given and given != account:
            problems.add(f"{path}:{line}: account: {given!r}, but --account is {account!r}; a file imported with "
                         "--account holds that account only")
        yield line, (*values[:position], account, *values[position + 1:])


def import_csv(conn: sqlite3.Connection, kind_name: str, path: Path, *, encoding: str = "auto",
               today: date | None = None, account: str | None = None, replace: bool = False) -> WriteResult:
    """Validate every row of `path`, then upsert them all in one transaction; nothing is written on any problem.

    A file with the header and no rows writes nothing and gives a result of 0 rows (even with `replace`).
    With `replace` the file is the whole table, or for holdings the whole of each account it names; `account`
    (holdings only) puts every row in that account.
    """
    kind = kind_by_name(kind_name)
    if account is not None and kind.name != "holdings":
        raise LifealmError(f"--account applies to holdings only, not to {kind.name}.",
                           hint="leave --account out, or import a holdings file")
    problems = Problems()
    header, rows = read_rows(path, kind, encoding)
    first = next(rows, None)
    if first is None:  # the export of an empty kind: nothing to write, and a --replace must not empty the table
        return WriteResult(kind.name, 0, 0, 0, 0)
    cells = _cell_rows(header, chain((first,), rows), path, problems)
    present = header.present
    if account is not None:
        cells = _in_account(cells, kind.column_names.index("account"), account, path, problems)
        present = tuple(c for c in kind.column_names if c in present or c == "account")
    return write_rows(conn, kind, NumberedRows(cells), columns=present, origin=str(path), problems=problems,
                      today=today, replace=replace)


def import_file(db: Path, kind_name: str, path: Path, *, encoding: str = "auto",
                today: date | None = None, account: str | None = None, replace: bool = False) -> WriteResult:
    """Open the ledger at `db` (which must exist and be writable) and import `path` into it."""
    kind_by_name(kind_name)
    if not path.is_file():
        raise LifealmError(f"{path}: no such CSV file.", hint="check the path")
    ensure_writable(db)
    conn = open_ledger(db)
    try:
        return import_csv(conn, kind_name, path, encoding=encoding, today=today, account=account, replace=replace)
    finally:
        conn.close()
