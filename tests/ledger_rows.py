"""Test helper: rows written straight into a schema-v2 ledger with sqlite3 (as another tool would)."""

from __future__ import annotations

import sqlite3


def add_holding(conn: sqlite3.Connection, ticker: str, shares: float, *, name: str = "", cost_basis: float = 0.0,
                account: str = "default", currency: str = "JPY", asset_class: str = "equity",
                haircut: float = 1.0) -> None:
    """A holding of `ticker` in `account`, adding the account (taxable) and the security when they are new."""
    conn.execute("INSERT OR IGNORE INTO accounts (name) VALUES (?)", (account,))
    conn.execute("INSERT OR IGNORE INTO securities (ticker, name, currency, asset_class, haircut) "
                 "VALUES (?, ?, ?, ?, ?)", (ticker, name, currency, asset_class, haircut))
    conn.execute("INSERT INTO holdings (ticker, shares, cost_basis, account) VALUES (?, ?, ?, ?)",
                 (ticker, shares, cost_basis, account))
