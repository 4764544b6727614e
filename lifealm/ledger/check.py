"""`lifealm check`: SQLite integrity, foreign keys, and ledger-level consistency reported as findings."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta

from lifealm.ledger.load import LATEST_PRICE_SQL, load_assumptions
from lifealm.models.findings import Finding, Severity


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Integrity problems (the file is damaged: exit 1) and data findings (the plan has gaps: exit 0)."""

    integrity: tuple[str, ...]  # PRAGMA integrity_check lines other than "ok"
    foreign_keys: tuple[str, ...]  # PRAGMA foreign_key_check rows, as "table row N → parent"
    findings: tuple[Finding, ...]

    @property
    def damaged(self) -> bool:
        return bool(self.integrity or self.foreign_keys)


def _integrity(conn: sqlite3.Connection) -> tuple[tuple[str, ...], tuple[str, ...]]:
    try:
        lines = tuple(str(r[0]) for r in conn.execute("PRAGMA integrity_check"))
        foreign = tuple(f"{r[0]} row {r[1]} refers to a missing {r[2]}"
                        for r in conn.execute("PRAGMA foreign_key_check"))
    except sqlite3.DatabaseError as exc:  # a damaged file can fail the check itself
        return (str(exc),), ()
    return (() if lines == ("ok",) else lines), foreign


def ledger_findings(conn: sqlite3.Connection, as_of: date) -> tuple[Finding, ...]:
    """Data gaps the report would otherwise stumble over, in a stable order."""
    found: list[Finding] = []
    stale_days = load_assumptions(conn).stale_price_days
    for (ticker,) in conn.execute("SELECT ticker FROM holdings ORDER BY ticker").fetchall():
        row = conn.execute(LATEST_PRICE_SQL, (ticker, as_of.isoformat())).fetchone()
        if row is None:
            found.append(Finding("missing_price", Severity.ERROR, ticker, (("as_of", as_of.isoformat()),)))
        elif date.fromisoformat(row[0]) < as_of - timedelta(days=stale_days):
            age = (as_of - date.fromisoformat(row[0])).days
            found.append(Finding("stale_price", Severity.WARNING, ticker,
                                 (("price_date", row[0]), ("age_days", age), ("limit_days", stale_days))))
    for (name,) in conn.execute(
        "SELECT name FROM loans WHERE collateral_type = 'portfolio' AND (freeze_pct IS NULL OR "
        "margin_call_pct IS NULL OR forced_liq_pct IS NULL) ORDER BY name"
    ):
        found.append(Finding("loan_without_thresholds", Severity.ERROR, name))
    for name, balance, limit in conn.execute(
        "SELECT name, balance, credit_limit FROM loans WHERE collateral_type IS NULL AND credit_limit IS NOT NULL "
        "AND balance > credit_limit ORDER BY name"
    ):
        found.append(Finding("credit_over_limit", Severity.WARNING, name,
                             (("balance", float(balance)), ("credit_limit", float(limit)))))
    for name, balance in conn.execute("SELECT name, balance FROM cash_accounts WHERE balance < 0 ORDER BY name"):
        found.append(Finding("negative_balance", Severity.WARNING, name, (("balance", float(balance)),)))
    if conn.execute("SELECT count(*) FROM expenses").fetchone()[0] == 0:
        found.append(Finding("no_expenses", Severity.WARNING, "expenses"))
    if conn.execute("SELECT count(*) FROM holdings").fetchone()[0] == 0:
        found.append(Finding("no_holdings", Severity.INFO, "holdings"))
    return tuple(found)


def check_ledger(conn: sqlite3.Connection, as_of: date) -> CheckReport:
    integrity, foreign = _integrity(conn)
    findings = () if integrity else ledger_findings(conn, as_of)
    return CheckReport(integrity, foreign, findings)
