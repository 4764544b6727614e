"""Before schema v2: find the v1 cells that its STRICT tables and date checks would refuse, and name each one.

A v1 ledger written only by lifealm always migrates. One edited by hand can hold text or a blob in a numeric
column (v1 tables are not STRICT, and `'abc' >= 0` is true) or an impossible date (v1 compares `date(x) = x`,
which lets 2026-02-30 through, and 2029-13-01 too since the comparison is NULL). The migration would stop at the
first such cell with SQLite's own words; this lists every one by table, row key and column — never the value —
so the user can correct them and migrate.
"""

from __future__ import annotations

import sqlite3

from lifealm.errors import LedgerError

# v1 table -> (key columns naming a row, {column: storage type in v2}); every name is fixed here, never from input.
# Dates are checked separately.
V1_COLUMNS: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "holdings": (("ticker",), {"ticker": "TEXT", "name": "TEXT", "shares": "REAL", "cost_basis": "REAL",
                               "asset_class": "TEXT", "account": "TEXT", "currency": "TEXT",
                               "dividend_growth": "REAL", "added_at": "TEXT"}),
    "prices": (("ticker", "price_date"), {"close_price": "REAL", "ticker": "TEXT", "price_date": "TEXT"}),
    "dividends": (("ticker", "ex_date"), {"ticker": "TEXT", "ex_date": "TEXT", "pay_date": "TEXT",
                                          "amount_per_share": "REAL", "is_projection": "INTEGER"}),
    "loans": (("name",), {"name": "TEXT", "balance": "REAL", "rate": "REAL", "collateral_type": "TEXT",
                          "freeze_pct": "REAL", "margin_call_pct": "REAL", "forced_liq_pct": "REAL",
                          "credit_limit": "REAL", "target_ratio": "REAL"}),
    "cash_accounts": (("name",), {"name": "TEXT", "balance": "REAL", "currency": "TEXT"}),
    "other_assets": (("name",), {"name": "TEXT", "kind": "TEXT", "value": "REAL", "liquid": "INTEGER",
                                 "currency": "TEXT"}),
    "expenses": (("category",), {"category": "TEXT", "monthly_amount": "REAL", "essential": "INTEGER"}),
    "income": (("source",), {"source": "TEXT", "monthly_amount": "REAL", "kind": "TEXT", "annual_change": "REAL"}),
    "fx_rates": (("currency", "rate_date"), {"currency": "TEXT", "rate_date": "TEXT", "rate": "REAL"}),
    "assumptions": (("name",), {"name": "TEXT", "value": "TEXT"}),
    "snapshots": (("snapshot_date",), {
        "snapshot_date": "TEXT", "status": "TEXT", "portfolio_value": "REAL", "cash": "REAL",
        "margin_balance": "REAL", "margin_ratio": "REAL", "net_worth": "REAL", "monthly_cashflow": "REAL",
        "fire_ratio": "REAL", "max_survivable_drawdown": "REAL", "success_probability": "REAL"}),
}
V1_DATES: dict[str, tuple[str, ...]] = {
    "holdings": ("added_at",), "prices": ("price_date",), "dividends": ("ex_date", "pay_date"),
    "fx_rates": ("rate_date",), "snapshots": ("snapshot_date",),
}
# What SQLite storage classes a STRICT column of each type refuses (v1's column affinity already turned
# number-like text into numbers, so any text left in a numeric column is not a number).
_REFUSED = {"REAL": ("text", "blob"), "INTEGER": ("text", "blob", "real"), "TEXT": ("blob",)}
_WHAT = {"REAL": "a number", "INTEGER": "a whole number (0 or 1)", "TEXT": "text"}
MAX_LISTED = 50


def _row_name(table: str, keys: tuple[str, ...], row: sqlite3.Row | tuple[object, ...]) -> str:
    parts = [f"{key} {'(blob)' if isinstance(value, bytes) else value}" for key, value in zip(keys, row, strict=True)]
    return f"table {table}, row {', '.join(parts)}"


def v2_blockers(conn: sqlite3.Connection) -> list[str]:
    """Every v1 cell schema v2 would refuse, as `table T, row KEY: column C: …` (values never shown)."""
    found: list[str] = []
    for table, (keys, columns) in V1_COLUMNS.items():
        key_sql = ", ".join(keys)
        for column, kind in columns.items():
            refused = ", ".join(f"'{t}'" for t in _REFUSED[kind])
            for row in conn.execute(f"SELECT {key_sql}, typeof({column}) FROM {table} "
                                    f"WHERE typeof({column}) IN ({refused}) ORDER BY {key_sql}"):
                found.append(f"{_row_name(table, keys, tuple(row)[:-1])}: {column}: holds "
                             f"{tuple(row)[-1]} where {_WHAT[kind]} belongs")
        for column in V1_DATES.get(table, ()):
            for row in conn.execute(f"SELECT {key_sql} FROM {table} WHERE {column} IS NOT NULL "
                                    f"AND date({column}, '+0 days') IS NOT {column} ORDER BY {key_sql}"):
                found.append(f"{_row_name(table, keys, tuple(row))}: {column}: is not a date written YYYY-MM-DD")
    return found


def raise_v2_blockers(conn: sqlite3.Connection, path: object) -> None:
    """Refuse to migrate, naming every cell to correct, when schema v2 would refuse some of the v1 rows."""
    found = v2_blockers(conn)
    if not found:
        return
    shown = "\n".join(f"  {line}" for line in found[:MAX_LISTED])
    more = f"\n  … and {len(found) - MAX_LISTED} more" if len(found) > MAX_LISTED else ""
    raise LedgerError(
        f"{path}: the ledger cannot be upgraded to schema v2 (typed columns) until {len(found)} cell(s) edited "
        f"outside lifealm are corrected; nothing was changed:\n{shown}{more}",
        hint="correct those cells (with the sqlite3 shell, or by exporting with an older lifealm, fixing the CSV "
        "and importing it), then run the command again",
    )
