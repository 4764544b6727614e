"""`lifealm check`: SQLite integrity, foreign keys, and ledger-level consistency reported as findings."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

from lifealm.ledger.load import load_inputs
from lifealm.models.briefing import build_briefing
from lifealm.models.findings import Finding, Severity
from lifealm.models.valuation import value_portfolio


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Integrity problems (the file is damaged: exit 1) and data findings (the plan has gaps: exit 0)."""

    integrity: tuple[str, ...]  # PRAGMA integrity_check lines other than "ok"
    foreign_keys: tuple[str, ...]  # PRAGMA foreign_key_check rows, as "table row N → parent"
    findings: tuple[Finding, ...]

    @property
    def damaged(self) -> bool:
        return bool(self.integrity or self.foreign_keys)


def integrity_problems(conn: sqlite3.Connection) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """PRAGMA integrity_check lines other than "ok", and foreign_key_check rows described."""
    try:
        lines = tuple(str(r[0]) for r in conn.execute("PRAGMA integrity_check"))
        foreign = tuple(f"{r[0]} row {r[1]} refers to a missing {r[2]}"
                        for r in conn.execute("PRAGMA foreign_key_check"))
    except sqlite3.DatabaseError as exc:  # a damaged file can fail the check itself
        return (str(exc),), ()
    return (() if lines == ("ok",) else lines), foreign


def ledger_findings(conn: sqlite3.Connection, as_of: date) -> tuple[Finding, ...]:
    """The findings the report would show for `as_of` (the models' own), plus what only the file can tell."""
    # A margin loan without thresholds can only exist if CHECK constraints were bypassed by another tool; the
    # margin model cannot run on it, so it is reported here and only the valuation's findings are added.
    unusable = tuple(
        Finding("loan_without_thresholds", Severity.ERROR, name)
        for (name,) in conn.execute(
            "SELECT name FROM loans WHERE collateral_type = 'portfolio' AND (freeze_pct IS NULL OR "
            "margin_call_pct IS NULL OR forced_liq_pct IS NULL) ORDER BY name"
        )
    )
    inputs = load_inputs(conn, as_of)
    found = unusable + (value_portfolio(inputs).findings if unusable else build_briefing(inputs).findings)
    if not inputs.holdings:
        found += (Finding("no_holdings", Severity.INFO, "holdings"),)
    return found


def check_ledger(conn: sqlite3.Connection, as_of: date) -> CheckReport:
    integrity, foreign = integrity_problems(conn)
    findings = () if integrity else ledger_findings(conn, as_of)
    return CheckReport(integrity, foreign, findings)
