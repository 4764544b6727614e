"""Remove ledger rows by key, all or nothing, refusing (with the reason) a row that other rows depend on."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from lifealm.errors import ImportValidationError, LifealmError
from lifealm.ledger.cells import CellError, parsers
from lifealm.ledger.columns import Kind
from lifealm.ledger.constraints import explain
from lifealm.ledger.sqlite_errors import ledger_error
from lifealm.ledger.write import kind_by_name


@dataclass(frozen=True, slots=True)
class RemoveResult:
    kind: str
    removed: tuple[tuple[object, ...], ...]  # the keys removed, as given
    also_removed: tuple[str, ...]  # what went with them: "12 prices and 2 dividends of 8058.T"


def _dependents(conn: sqlite3.Connection, kind: Kind, key: tuple[object, ...]) -> list[str]:
    """Why the row cannot go: the rows that refer to it (empty when nothing does)."""
    reasons: list[str] = []
    if kind.name == "accounts":
        held = [str(r[0]) for r in conn.execute("SELECT ticker FROM holdings WHERE account = ? ORDER BY ticker", key)]
        if held:
            reasons.append(f"it still holds {len(held)} holding(s) ({', '.join(held[:10])}"
                           f"{', …' if len(held) > 10 else ''}); remove them with `lifealm remove holdings`, or "
                           "import the account's holdings with --replace")
        loans = [str(r[0]) for r in conn.execute("SELECT name FROM loans WHERE collateral_account = ?", key)]
        if loans:
            reasons.append(f"margin loan(s) {', '.join(loans)} name it as collateral; change their "
                           "collateral_account first")
    elif kind.name == "securities":
        accounts = [str(r[0]) for r in conn.execute("SELECT account FROM holdings WHERE ticker = ? ORDER BY account",
                                                    key)]
        if accounts:
            reasons.append(f"it is held in {', '.join(accounts)}; remove those holdings first "
                           "(`lifealm remove holdings ACCOUNT TICKER`)")
    return reasons


def _parsed_keys(kind: Kind, values: Sequence[str]) -> list[tuple[object, ...]]:
    width = len(kind.key)
    if not values or len(values) % width:
        raise LifealmError(f"remove {kind.name}: give the key of each row to remove: "
                           f"{' '.join(k.upper() for k in kind.key)} (got {len(values)} value(s)).",
                           hint=f"for example: lifealm remove {kind.name} {' '.join(k.upper() for k in kind.key)}")
    cell = parsers(date.max)  # a key is matched, not imported: a future date is not a typo here
    columns = {c.name: c for c in kind.columns}
    keys: list[tuple[object, ...]] = []
    problems: list[str] = []
    for start in range(0, len(values), width):
        parts: list[object] = []
        for name, text in zip(kind.key, values[start:start + width], strict=True):
            col = columns[name]
            try:
                parts.append(cell[col.type](text.strip(), col))
            except CellError as exc:
                problems.append(f"{kind.name} key {start // width + 1}: {name}: {exc}")
        keys.append(tuple(parts))
    if problems:
        raise ImportValidationError(problems, hint="correct the keys and run the command again")
    return keys


def remove_rows(conn: sqlite3.Connection, kind_name: str, values: Sequence[str]) -> RemoveResult:
    """Remove the rows of `kind_name` whose keys are `values` (the key's columns in order, row after row).

    Nothing is removed unless every key names a row and no row is needed by another. A security's own prices
    and dividends go with it.
    """
    kind = kind_by_name(kind_name)
    keys = _parsed_keys(kind, values)
    match = " AND ".join(f'"{k}" = ?' for k in kind.key)
    problems: list[str] = []
    for key in dict.fromkeys(keys):
        shown = f"{kind.name} {' / '.join(str(v) for v in key)}"
        if conn.execute(f"SELECT 1 FROM {kind.table} WHERE {match}", key).fetchone() is None:
            problems.append(f"{shown}: no such row in the ledger (`lifealm export {kind.name}` lists them)")
        problems += [f"{shown}: cannot be removed: {reason}" for reason in _dependents(conn, kind, key)]
    if problems:
        raise ImportValidationError(problems, hint="nothing was removed; deal with the rows named above first")
    also: list[str] = []
    conn.isolation_level = None
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for key in dict.fromkeys(keys):
                if kind.name == "securities":
                    prices = conn.execute("DELETE FROM prices WHERE ticker = ?", key).rowcount
                    dividends = conn.execute("DELETE FROM dividends WHERE ticker = ?", key).rowcount
                    if prices or dividends:
                        also.append(f"{prices} price(s) and {dividends} dividend(s) of {key[0]}")
                conn.execute(f"DELETE FROM {kind.table} WHERE {match}", key)
        except sqlite3.IntegrityError as exc:
            conn.execute("ROLLBACK")
            where = f"{kind.name} {' / '.join(str(v) for v in key)}"
            raise ImportValidationError([explain(exc, where=where, table=kind.table, removing=True)],
                                        hint="nothing was removed") from None
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        row = conn.execute("PRAGMA database_list").fetchone()
        raise ledger_error(exc, row[2] if row is not None and row[2] else "the ledger",
                           outcome="nothing was removed") from exc
    return RemoveResult(kind.name, tuple(dict.fromkeys(keys)), tuple(also))
