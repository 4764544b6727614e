"""The one write path: typed rows of any kind into the ledger, validated, all-or-nothing, upserted on the kind's key."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from lifealm.errors import ImportValidationError, LifealmError
from lifealm.ledger.cells import CellError, parsers
from lifealm.ledger.columns import KINDS, Column, ColumnType, Kind
from lifealm.ledger.constraints import explain
from lifealm.ledger.row_rules import RULE_KINDS, derive, row_problems
from lifealm.ledger.sqlite_errors import ledger_error
from lifealm.ledger.write_carried import carried_problems, write_carried

CHUNK = 20_000
MAX_PROBLEMS = 200  # keep memory bounded on a hopeless input; the count of the rest is still reported


@dataclass(frozen=True, slots=True)
class NumberedRows:
    """Rows that carry their own numbers for messages, such as a file's line numbers: (number, values) pairs."""

    pairs: Iterable[tuple[int, Sequence[object]]]


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What one write did, row by row: each given row is exactly one of added, updated or unchanged."""

    kind: str
    rows: int  # rows given
    added: int  # rows new to the ledger
    updated: int  # rows whose key existed and whose values changed
    unchanged: int  # rows already in the ledger exactly as given (not rewritten)
    removed: int = 0  # with replace=True: stored rows whose key was not among the given rows
    removed_keys: tuple[tuple[object, ...], ...] = ()  # the keys of the removed rows, in key order
    # Without replace, for a kind replaced within a column (holdings, within an account): the stored rows of
    # those accounts that the rows given did not touch; with replace they would have been removed.
    untouched_keys: tuple[tuple[object, ...], ...] = ()
    created_accounts: tuple[tuple[str, str], ...] = ()  # (name, kind) of the accounts a holdings write added


class Problems:
    """Every problem of one write, each as `WHERE: column: problem`; only the first MAX_PROBLEMS are kept."""

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
    """The declared kind called `name` (as on the command line: holdings, prices, cash, fx, …)."""
    try:
        return KINDS[name]
    except KeyError:
        raise LifealmError(f"{name}: unknown import kind.", hint=f"use one of: {', '.join(KINDS)}") from None


# --- SQLite failures, classified by their result code (never by the wording of the message) ---

def failed_write_error(conn: sqlite3.Connection, exc: sqlite3.Error) -> LifealmError:
    """Say what a failed write means for the user (disk full, ledger locked, read-only …), from SQLite's code."""
    row = conn.execute("PRAGMA database_list").fetchone()
    ledger = row[2] if row is not None and row[2] else "the ledger"
    return ledger_error(exc, ledger, outcome="nothing was imported")


# --- validation: each value against its declared column, then the rules that span a row ---

Checker = Callable[[object, Column], object]


def value_checkers(today: date) -> dict[ColumnType, Checker]:
    """Per column type: the stored form of a typed value or of a cell's text, or CellError saying what is wrong.

    Text goes through the CSV cell parsers, so a value means the same whether a file or a program gives it.
    """
    cell = parsers(today)

    def number(value: object, col: Column) -> object:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise CellError(f"{value!r} is not a number")
        return cell[ColumnType.NUMBER](value if isinstance(value, str) else repr(float(value)), col)

    def day(value: object, col: Column) -> object:
        if isinstance(value, datetime):
            raise CellError(f"{value!r} is a date and time, not a date")
        if isinstance(value, date):
            value = value.isoformat()
        if not isinstance(value, str):
            raise CellError(f"{value!r} is not a date")
        return cell[ColumnType.DATE](value, col)

    def flag(value: object, col: Column) -> object:
        if isinstance(value, bool) or value in (0, 1):
            return int(value)
        if not isinstance(value, str):
            raise CellError(f"{value!r} is not 0/1 (or true/false)")
        return cell[ColumnType.FLAG](value, col)

    def text_of(kind: ColumnType) -> Checker:
        def text(value: object, col: Column) -> object:
            if not isinstance(value, str):
                raise CellError(f"{value!r} is not text")
            return cell[kind](value, col)
        return text

    return {ColumnType.NUMBER: number, ColumnType.DATE: day, ColumnType.FLAG: flag,
            ColumnType.TEXT: text_of(ColumnType.TEXT), ColumnType.CURRENCY: text_of(ColumnType.CURRENCY)}


def _validated(kind: Kind, pairs: Iterable[tuple[int, Sequence[object]]], origin: str, present: frozenset[str],
               today: date, problems: Problems) -> Iterator[tuple[object, ...]]:
    """Yield (number, ok, *values) per row, values checked and normalised; every problem goes to `problems`.

    Refused rows are yielded too (ok = 0, bad values NULL) so their keys and tickers are still checked against
    the rest: the caller then sees every problem in one go.
    """
    width = len(kind.columns)
    checkers, cell = value_checkers(today), parsers(today)
    # A cell's text goes straight to its parser (the million-row import path); typed values to their checker.
    plan = [(i, col, cell[col.type], checkers[col.type]) for i, col in enumerate(kind.columns)]
    needs_row_check = kind.name in RULE_KINDS
    for number, values in pairs:
        if len(values) != width:
            problems.add(f"{origin}:{number}: row: expected {width} values ({', '.join(kind.column_names)}), "
                         f"found {len(values)}")
            continue
        out: list[object] = [number, 1]
        ok = True
        for i, col, parse, check in plan:
            value = values[i]
            if type(value) is str:  # a cell's text: surrounding blanks never count, an empty cell is None
                value = value.strip() or None
            if value is None:
                if col.required:
                    problems.add(f"{origin}:{number}: {col.name}: empty, but a value is required")
                    ok = False
                out.append(col.default)
                continue
            try:
                out.append(parse(value, col) if type(value) is str else check(value, col))
            except CellError as exc:
                problems.add(f"{origin}:{number}: {col.name}: {exc}")
                out.append(None)
                ok = False
        if ok and needs_row_check:
            named = derive(kind, dict(zip(kind.column_names, out[2:], strict=True)))
            out[2:] = list(named.values())
            found = row_problems(kind, named, present, f"{origin}:{number}")
            for problem in found:
                problems.add(problem)
            ok = not found
        out[1] = int(ok)
        yield tuple(out)


# --- staging and the one transaction ---

_SAVEPOINT = "write_rows"


def _begin(conn: sqlite3.Connection, begin: str = "BEGIN IMMEDIATE") -> bool:
    """Start this write's transaction; inside the caller's own (several kinds written as one), a savepoint.

    Return whether it is nested, for `_commit` and `_rollback`."""
    nested = conn.in_transaction
    conn.execute(f"SAVEPOINT {_SAVEPOINT}" if nested else begin)
    return nested


def _commit(conn: sqlite3.Connection, nested: bool) -> None:
    conn.execute(f"RELEASE {_SAVEPOINT}" if nested else "COMMIT")


def _rollback(conn: sqlite3.Connection, nested: bool) -> None:
    if nested:
        conn.execute(f"ROLLBACK TO {_SAVEPOINT}")
        conn.execute(f"RELEASE {_SAVEPOINT}")
    else:
        conn.execute("ROLLBACK")

def _stage(conn: sqlite3.Connection, kind: Kind, valid: Iterator[tuple[object, ...]]) -> tuple[int, int]:
    """Stage the rows in a TEMP table (never the ledger file); return how many rows and how many valid ones."""
    cols = ", ".join(f'"{c}"' for c in kind.column_names)
    conn.execute("DROP TABLE IF EXISTS temp.import_stage")
    conn.execute(f"CREATE TEMP TABLE import_stage (line INTEGER PRIMARY KEY, ok INTEGER NOT NULL, {cols})")
    marks = ", ".join("?" * (len(kind.columns) + 2))
    sql = f"INSERT INTO temp.import_stage VALUES ({marks})"
    total = good = 0
    nested = _begin(conn, "BEGIN")
    try:
        chunk: list[tuple[object, ...]] = []
        for row in valid:
            chunk.append(row)
            good += row[1]  # type: ignore[operator]
            if len(chunk) >= CHUNK:
                conn.executemany(sql, chunk)
                total += len(chunk)
                chunk.clear()
        conn.executemany(sql, chunk)
        total += len(chunk)
    except BaseException:
        _rollback(conn, nested)
        conn.execute("DROP TABLE IF EXISTS temp.import_stage")
        raise
    _commit(conn, nested)
    return total, good


def _cross_checks(conn: sqlite3.Connection, kind: Kind, present: tuple[str, ...], origin: str,
                  problems: Problems) -> None:
    keys = ", ".join(kind.key)
    for row in conn.execute(
        f"SELECT {keys}, group_concat(line) FROM (SELECT * FROM temp.import_stage WHERE ok = 1 ORDER BY line) "
        f"GROUP BY {keys} HAVING count(*) > 1 ORDER BY min(line) LIMIT {MAX_PROBLEMS}"
    ):
        lines = str(row[-1]).split(",")
        shown = ", ".join(str(v) for v in tuple(row)[:-1])
        for line in lines[1:]:
            problems.add(f"{origin}:{line}: {'/'.join(kind.key)}: duplicate key ({shown}), first on line {lines[0]}")
    if kind.needs_security:
        for row in conn.execute(
            "SELECT ticker, min(line), count(*) FROM temp.import_stage s WHERE s.ticker IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM main.securities h WHERE h.ticker = s.ticker) "
            f"GROUP BY ticker ORDER BY min(line) LIMIT {MAX_PROBLEMS}"
        ):
            problems.add(f"{origin}:{row[1]}: ticker: {row[0]!r} is not a security in the ledger ({row[2]} row(s)); "
                         "import it with `lifealm import holdings` (or `securities`) first, or check the spelling")
    for problem in carried_problems(conn, kind, present, origin):
        problems.add(problem)


def _upsert_sql(kind: Kind, present: Sequence[str], where: str) -> str:
    """INSERT … ON CONFLICT DO UPDATE from the staged rows `s` matching `where`.

    Only the given columns are updated, so partial rows never reset other columns to defaults. The columns not
    given are taken from the stored row when there is one (the declared default otherwise): SQLite checks
    CHECK constraints on the row as inserted, before the conflict turns it into an update, so that row must
    already be the merged one. Rows that would not change are not rewritten, so writing the same rows again
    leaves the ledger's bytes alone.
    """
    names = tuple(c.name for c in kind.own_columns)
    present = [c for c in present if c in names]
    cols = ", ".join(f'"{c}"' for c in names)
    exists = f'e."{kind.key[0]}" IS NOT NULL'

    values = ", ".join(f's."{c}"' if c in present or c in kind.key
                       else f'CASE WHEN {exists} THEN e."{c}" ELSE s."{c}" END' for c in names)
    join = " AND ".join(f'e."{k}" = s."{k}"' for k in kind.key)
    updates = [c for c in present if c not in kind.key]
    changed = " OR ".join(f'{kind.table}."{c}" IS NOT excluded."{c}"' for c in updates)
    assignments = ", ".join(f'"{c}" = excluded."{c}"' for c in updates)
    action = f"DO UPDATE SET {assignments} WHERE {changed}" if updates else "DO NOTHING"
    return (f"INSERT INTO main.{kind.table} ({cols}) SELECT {values} FROM temp.import_stage s "
            f"LEFT JOIN main.{kind.table} e ON {join} WHERE {where} ON CONFLICT ({', '.join(kind.key)}) {action}")


def _not_given(kind: Kind) -> str:
    """The stored rows a replace removes: those whose key is not among the staged rows (within their scope)."""
    match = " AND ".join(f's."{k}" = {kind.table}."{k}"' for k in kind.key)
    where = f"NOT EXISTS (SELECT 1 FROM temp.import_stage s WHERE s.ok = 1 AND {match})"
    if kind.replace_within:
        col = kind.replace_within
        where += f' AND "{col}" IN (SELECT "{col}" FROM temp.import_stage WHERE ok = 1)'
    return where


def _keys_not_given(conn: sqlite3.Connection, kind: Kind) -> tuple[tuple[object, ...], ...]:
    keys = ", ".join(f'"{k}"' for k in kind.key)
    return tuple(tuple(r) for r in conn.execute(
        f"SELECT {keys} FROM main.{kind.table} WHERE {_not_given(kind)} ORDER BY {keys}"))


def _locate_refusal(conn: sqlite3.Connection, kind: Kind, present: Sequence[str], origin: str) -> str:
    """Find the first row the ledger refuses, by inserting row by row inside a transaction that is rolled back."""
    sql = _upsert_sql(kind, present, "s.line = ?")
    nested = _begin(conn)
    try:
        for (line,) in conn.execute("SELECT line FROM temp.import_stage WHERE ok = 1 ORDER BY line").fetchall():
            try:
                conn.execute(sql, (line,))
            except sqlite3.IntegrityError as exc:
                return explain(exc, where=f"{origin}:{line}", table=kind.table)
    finally:
        _rollback(conn, nested)
    return f"{origin}: the ledger refused the rows"


def write_rows(conn: sqlite3.Connection, kind: Kind | str, rows: Iterable[Sequence[object]] | NumberedRows, *,
               replace: bool = False, columns: Sequence[str] | None = None, origin: str = "row",
               problems: Problems | None = None, today: date | None = None, dry_run: bool = False) -> WriteResult:
    """Write typed `rows` of `kind` (values in the kind's column order) in one transaction, or nothing at all.

    A value is typed (float, date, bool …) or the text of a cell, parsed as a CSV cell is; None is empty (the
    column's default). Every value is checked against its declared column; every problem
    is listed at once as `ORIGIN:NUMBER: column: problem` in an ImportValidationError, and then nothing is
    written. Rows are numbered 1, 2, … in those messages unless given as NumberedRows; `problems` may
    already hold what the caller's reader found (a row of the wrong width, say). Rows are upserted on the kind's
    key; only `columns` (default: all) are written to rows that exist. With `replace`, the rows given are the
    whole table: stored rows whose key is not among them are removed. With `dry_run`, every check runs and the
    write is applied and rolled back: the result (or the error) is what the write would do, and nothing changes.
    """
    spec = kind_by_name(kind) if isinstance(kind, str) else kind
    found = problems if problems is not None else Problems()
    present = tuple(c for c in spec.column_names if columns is None or c in columns)
    unknown = sorted(set(columns or ()) - set(spec.column_names))
    if unknown:
        raise LifealmError(f"{origin}: unknown {spec.name} column(s): {', '.join(unknown)}",
                           hint=f"use the columns of {spec.name}: {', '.join(spec.column_names)}")
    try:
        return _write(conn, spec, rows, replace=replace, present=present, origin=origin,
                      problems=found, today=today or date.today(), dry_run=dry_run)
    except (sqlite3.OperationalError, sqlite3.DatabaseError) as exc:
        if isinstance(exc, sqlite3.IntegrityError):
            raise
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise failed_write_error(conn, exc) from exc


def _write(conn: sqlite3.Connection, kind: Kind, rows: Iterable[Sequence[object]] | NumberedRows, *,
           replace: bool, present: tuple[str, ...], origin: str, problems: Problems, today: date,
           dry_run: bool = False) -> WriteResult:
    if conn.isolation_level is not None:  # explicit BEGIN/COMMIT below (set once: setting it may commit)
        conn.isolation_level = None
    pairs = rows.pairs if isinstance(rows, NumberedRows) else enumerate(rows, start=1)
    _, staged = _stage(conn, kind, _validated(kind, pairs, origin, frozenset(present), today, problems))
    try:
        _cross_checks(conn, kind, present, origin, problems)
        problems.raise_if_any(kind)
        count = f"SELECT count(*) FROM main.{kind.table}"
        before = int(conn.execute(count).fetchone()[0])
        nested = _begin(conn)
        try:
            created = write_carried(conn, kind, present) if kind.carried else ()
            changes = conn.execute(_upsert_sql(kind, present, "s.ok = 1 ORDER BY s.line")).rowcount
            after = int(conn.execute(count).fetchone()[0])
            not_given = _keys_not_given(conn, kind) if replace or kind.replace_within else ()
            if replace:
                conn.execute(f"DELETE FROM main.{kind.table} WHERE {_not_given(kind)}")
        except sqlite3.IntegrityError as exc:
            _rollback(conn, nested)
            refusal = (explain(exc, where=origin, table=kind.table, removing=True) if replace
                       and "FOREIGN KEY" in str(exc) else _locate_refusal(conn, kind, present, origin))
            raise ImportValidationError([refusal], hint="fix that row and write again") from None
        except BaseException:
            _rollback(conn, nested)
            raise
        if dry_run:
            _rollback(conn, nested)
        else:
            _commit(conn, nested)
    finally:
        conn.execute("DROP TABLE IF EXISTS temp.import_stage")
    added = after - before
    removed = not_given if replace else ()
    return WriteResult(kind.name, staged, added, changes - added, staged - changes, len(removed), removed,
                       () if replace else not_given, created)
