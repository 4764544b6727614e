"""Import a CSV file into the ledger: validate every row first (staged in a TEMP table), then upsert atomically."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lifealm.errors import ImportValidationError, LedgerError, LifealmError
from lifealm.ledger.cells import CellError, parsers
from lifealm.ledger.columns import KINDS, Kind
from lifealm.ledger.csv_read import Header, read_rows
from lifealm.ledger.db import open_ledger
from lifealm.models.assumptions import Assumptions, AssumptionsError, apply_overrides

CHUNK = 20_000
MAX_PROBLEMS = 200  # keep memory bounded on a hopeless file; the count of the rest is still reported


@dataclass(frozen=True, slots=True)
class ImportResult:
    kind: str
    path: Path
    rows: int  # data rows read
    added: int  # rows that were new to the ledger
    updated: int  # rows whose key already existed and whose values changed
    unchanged: int  # rows already in the ledger exactly as in the file (not rewritten)


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []
        self.count = 0

    def add(self, text: str) -> None:
        self.count += 1
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(text)

    def raise_if_any(self, kind: Kind) -> None:
        if not self.count:
            return
        error = ImportValidationError(self.items, hint=f"fix the rows named above and import again; "
                                      f"`lifealm import --help` lists the {kind.name} columns")
        if self.count > len(self.items):  # only the first problems were kept: say how many there are in all
            shown = "\n".join(self.items[:50])
            error.message = (f"{self.count} problem(s) found; nothing was written to the ledger:\n{shown}\n"
                             f"… and {self.count - 50} more problems")
        raise error


def kind_by_name(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise LifealmError(f"{name}: unknown import kind.", hint=f"use one of: {', '.join(KINDS)}") from None


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


def _check_row(kind: Kind, values: dict[str, object], present: frozenset[str], where: str,
               problems: _Problems) -> None:
    """Checks that span several cells of one row."""
    if kind.name == "loans" and "collateral_type" in present:
        # Without collateral_type the file updates some columns of existing loans (say, the balance): the rest
        # stay as stored, so the schema's own CHECK judges the merged row (reported as FILE:LINE on refusal).
        thresholds = [values.get(n) for n in ("freeze_pct", "margin_call_pct", "forced_liq_pct")]
        if values.get("collateral_type") == "portfolio":
            if any(t is None for t in thresholds):
                problems.add(f"{where}: freeze_pct/margin_call_pct/forced_liq_pct: a portfolio (margin) loan "
                             "needs all three thresholds, e.g. 0.60, 0.70, 0.85")
            else:
                freeze, call, forced = (float(t) for t in thresholds)  # type: ignore[arg-type]
                if not freeze <= call <= forced:
                    problems.add(f"{where}: freeze_pct/margin_call_pct/forced_liq_pct: thresholds out of order "
                                 f"({freeze:g}, {call:g}, {forced:g}); need 0 < freeze ≤ margin call ≤ forced ≤ 1")
                target = values.get("target_ratio")
                if isinstance(target, float) and target > forced:
                    problems.add(f"{where}: target_ratio: {target:g} is above forced_liq_pct {forced:g}")
        elif values.get("credit_limit") is None:
            problems.add(f"{where}: credit_limit: an unsecured credit line (empty collateral_type) needs its "
                         "credit_limit; for a margin loan set collateral_type to portfolio")
    elif kind.name == "assumptions":
        try:
            apply_overrides(Assumptions(), {str(values["name"]): values["value"]}, source=where)
        except AssumptionsError as exc:
            for problem in exc.problems:
                problems.add(problem)


def _parse(kind: Kind, header: Header, rows: Iterator[tuple[int, list[str]]], path: Path, today: date,
           problems: _Problems) -> Iterator[tuple[object, ...]]:
    """Yield (line, ok, *values) for every row of the right width; report every bad cell.

    Rows with a bad cell are yielded too (ok = 0, bad cells None) so their tickers are still checked against
    holdings: the user then sees every problem of the file in one go.
    """
    by_type = parsers(today)
    plan = [(col, pos, by_type[col.type]) for col, pos in zip(kind.columns, header.positions, strict=True)]
    needs_row_check = kind.name in ("loans", "assumptions")
    present = frozenset(header.present)
    for line, cells in rows:
        if len(cells) != header.width:
            problems.add(f"{path}:{line}: row: expected {header.width} cells like the header, found {len(cells)}")
            continue
        out: list[object] = [line, 1]
        ok = True
        for col, pos, parse in plan:
            text = cells[pos].strip() if pos >= 0 else ""
            if not text:
                if col.required:
                    problems.add(f"{path}:{line}: {col.name}: empty, but a value is required")
                    ok = False
                out.append(col.default)
                continue
            try:
                out.append(parse(text, col))
            except CellError as exc:
                problems.add(f"{path}:{line}: {col.name}: {exc}")
                out.append(None)
                ok = False
        if ok and needs_row_check:
            before = problems.count
            _check_row(kind, dict(zip(kind.column_names, out[2:], strict=True)), present, f"{path}:{line}",
                       problems)
            ok = problems.count == before
        out[1] = int(ok)
        yield tuple(out)


def _stage(conn: sqlite3.Connection, kind: Kind, valid: Iterator[tuple[object, ...]]) -> int:
    """Stage the parsed rows in a TEMP table (never the ledger file); return how many are valid."""
    cols = ", ".join(f'"{c}"' for c in kind.column_names)
    conn.execute("DROP TABLE IF EXISTS temp.import_stage")
    conn.execute(f"CREATE TEMP TABLE import_stage (line INTEGER PRIMARY KEY, ok INTEGER NOT NULL, {cols})")
    marks = ", ".join("?" * (len(kind.columns) + 2))
    sql = f"INSERT INTO temp.import_stage VALUES ({marks})"
    total = 0
    conn.execute("BEGIN")
    try:
        chunk: list[tuple[object, ...]] = []
        for row in valid:
            chunk.append(row)
            total += row[1]  # type: ignore[operator]
            if len(chunk) >= CHUNK:
                conn.executemany(sql, chunk)
                chunk.clear()
        conn.executemany(sql, chunk)
    except BaseException:
        conn.execute("ROLLBACK")
        conn.execute("DROP TABLE IF EXISTS temp.import_stage")
        raise
    conn.execute("COMMIT")
    return total


def _cross_checks(conn: sqlite3.Connection, kind: Kind, path: Path, problems: _Problems) -> None:
    keys = ", ".join(kind.key)
    for row in conn.execute(
        f"SELECT {keys}, group_concat(line) FROM (SELECT * FROM temp.import_stage WHERE ok = 1 ORDER BY line) "
        f"GROUP BY {keys} HAVING count(*) > 1 ORDER BY min(line) LIMIT {MAX_PROBLEMS}"
    ):
        lines = str(row[-1]).split(",")
        shown = ", ".join(str(v) for v in tuple(row)[:-1])
        for line in lines[1:]:
            problems.add(f"{path}:{line}: {'/'.join(kind.key)}: duplicate key ({shown}), first on line {lines[0]}")
    if kind.needs_holding:
        for row in conn.execute(
            "SELECT ticker, min(line), count(*) FROM temp.import_stage s "
            "WHERE s.ticker IS NOT NULL AND NOT EXISTS (SELECT 1 FROM main.holdings h WHERE h.ticker = s.ticker) "
            f"GROUP BY ticker ORDER BY min(line) LIMIT {MAX_PROBLEMS}"
        ):
            problems.add(f"{path}:{row[1]}: ticker: {row[0]!r} is not in holdings ({row[2]} row(s)); "
                         "import it with `lifealm import holdings` first, or check the spelling")


def _upsert_sql(kind: Kind, header: Header, where: str) -> str:
    """INSERT … ON CONFLICT DO UPDATE from the staged rows `s` matching `where`.

    Only the columns the file has are updated, so a partial file never resets other columns to defaults. The
    columns it lacks are taken from the stored row when there is one: SQLite checks CHECK constraints on the row
    as inserted, before the conflict turns it into an update, so that row must already be the merged one.
    Rows that would not change are not rewritten, so re-importing the same file leaves the ledger's bytes alone.
    """
    names = kind.column_names
    cols = ", ".join(f'"{c}"' for c in names)
    exists = f'e."{kind.key[0]}" IS NOT NULL'
    values = ", ".join(f's."{c}"' if c in header.present or c in kind.key
                       else f'CASE WHEN {exists} THEN e."{c}" ELSE s."{c}" END' for c in names)
    join = " AND ".join(f'e."{k}" = s."{k}"' for k in kind.key)
    updates = [c for c in header.present if c not in kind.key]
    changed = " OR ".join(f'{kind.table}."{c}" IS NOT excluded."{c}"' for c in updates)
    assignments = ", ".join(f'"{c}" = excluded."{c}"' for c in updates)
    action = f"DO UPDATE SET {assignments} WHERE {changed}" if updates else "DO NOTHING"
    return (f"INSERT INTO main.{kind.table} ({cols}) SELECT {values} FROM temp.import_stage s "
            f"LEFT JOIN main.{kind.table} e ON {join} WHERE {where} ON CONFLICT ({', '.join(kind.key)}) {action}")


def _locate_refusal(conn: sqlite3.Connection, kind: Kind, header: Header, path: Path) -> str:
    """Find the first row the ledger refuses, by inserting row by row inside a transaction that is rolled back."""
    sql = _upsert_sql(kind, header, "s.line = ?")
    conn.execute("BEGIN IMMEDIATE")
    try:
        for (line,) in conn.execute("SELECT line FROM temp.import_stage WHERE ok = 1 ORDER BY line").fetchall():
            try:
                conn.execute(sql, (line,))
            except sqlite3.IntegrityError as exc:
                return f"{path}:{line}: row: the ledger refused it ({exc})"
    finally:
        conn.execute("ROLLBACK")
    return f"{path}: the ledger refused the import"


def _operational_error(conn: sqlite3.Connection, exc: sqlite3.OperationalError) -> LifealmError:
    """Say what a failed write means for the user: disk full, ledger busy or read-only."""
    row = conn.execute("PRAGMA database_list").fetchone()
    ledger = row[2] if row is not None and row[2] else "the ledger"
    text = str(exc)
    if "full" in text:
        return LedgerError(f"{ledger}: the disk is full (the ledger's or the temporary directory's); nothing was "
                           "imported.", hint="free some space (or set TMPDIR to a roomier disk) and import again")
    if "locked" in text or "busy" in text:
        return LedgerError(f"{ledger}: the ledger is in use by another lifealm command; nothing was imported.",
                           hint="wait for it to finish and import again")
    if "readonly" in text or "read-only" in text:
        return LedgerError(f"{ledger}: the ledger is read-only; nothing was imported.",
                           hint=f"make it writable (chmod u+w {ledger}) or import into another ledger with --db")
    return LedgerError(f"{ledger}: the import failed ({text}); nothing was imported.",
                       hint="run `lifealm check` on the ledger, then import again")


def import_csv(conn: sqlite3.Connection, kind_name: str, path: Path, *, encoding: str = "auto",
               today: date | None = None) -> ImportResult:
    """Validate every row of `path`, then upsert them all in one transaction; nothing is written on any problem."""
    try:
        return _import_csv(conn, kind_name, path, encoding=encoding, today=today)
    except sqlite3.OperationalError as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise _operational_error(conn, exc) from exc


def _import_csv(conn: sqlite3.Connection, kind_name: str, path: Path, *, encoding: str,
                today: date | None) -> ImportResult:
    kind = kind_by_name(kind_name)
    problems = _Problems()
    header, rows = read_rows(path, kind, encoding)
    conn.isolation_level = None  # explicit BEGIN/COMMIT below
    staged = _stage(conn, kind, _parse(kind, header, rows, path, today or date.today(), problems))
    try:
        if staged == 0 and problems.count == 0:
            raise ImportValidationError([f"{path}: no rows after the header"],
                                        hint="add at least one data row below the header")
        _cross_checks(conn, kind, path, problems)
        problems.raise_if_any(kind)
        before = int(conn.execute(f"SELECT count(*) FROM main.{kind.table}").fetchone()[0])
        conn.execute("BEGIN IMMEDIATE")
        try:
            changes = conn.execute(_upsert_sql(kind, header, "s.ok = 1 ORDER BY s.line")).rowcount
        except sqlite3.IntegrityError:
            conn.execute("ROLLBACK")
            raise ImportValidationError([_locate_refusal(conn, kind, header, path)],
                                        hint="fix that row and import again") from None
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        after = int(conn.execute(f"SELECT count(*) FROM main.{kind.table}").fetchone()[0])
    finally:
        conn.execute("DROP TABLE IF EXISTS temp.import_stage")
    added = after - before
    return ImportResult(kind.name, path, staged, added, changes - added, staged - changes)


def import_file(db: Path, kind_name: str, path: Path, *, encoding: str = "auto",
                today: date | None = None) -> ImportResult:
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
