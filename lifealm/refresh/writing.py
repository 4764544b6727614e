"""Write an update's rows through the one write path in a few calls, yet all-or-nothing per security.

One `write_rows` call per kind for all securities (a call per security would scan the prices table twice each
time, for its counts); when the ledger refuses a row, the security it belongs to is set aside with the ledger's
words and the call is repeated without it, so one security's bad row never blocks the others. A security's
dividends are checked (a dry run) before any close is written, and written only for the securities whose closes
went in: a security gets both kinds or neither.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from lifealm.errors import ImportValidationError
from lifealm.ledger.write import NumberedRows, write_rows
from lifealm.update import FxOutcome, SecurityOutcome

DIVIDEND_COLUMNS = ("ticker", "ex_date", "amount_per_share", "is_projection")  # a stored pay_date is kept
_ORIGIN = "update"
_ROW = re.compile(r"^update:(\d+): ")
Rows = Mapping[str, Sequence[tuple[object, ...]]]


@dataclass(frozen=True, slots=True)
class UpdateLine:
    """One row of the summary table: a security or a currency."""

    subject: str  # the ticker, or the currency code
    kind: str  # "security" or "fx"
    source: str | None  # the link that answered, e.g. "yahoo:7203.T", or "ecb"
    new_rows: int  # rows new to the ledger (closes and dividends, or rates)
    last_date: date | None  # the newest stored close (or rate) after the update
    problem: str | None = None  # why it got nothing, in the source's (or the ledger's) words; None: up to date
    held_back: int = 0  # rows kept back until a split is confirmed


def number(value: Decimal) -> str:
    return format(value, "f")  # the exact decimal as a cell's text: never float rounding, never 1E+3


def write_per_subject(conn: sqlite3.Connection, kind: str, rows: Rows, refused: dict[str, str], *,
                      columns: Sequence[str] | None = None, dry_run: bool = False) -> None:
    """Write the rows of every subject not already in `refused` in one call; a subject with a refused row goes
    into `refused` (with the ledger's words) and the rest are written without it."""
    pending = {subject: list(found) for subject, found in rows.items() if found and subject not in refused}
    while pending:
        owner: dict[int, str] = {}
        numbered: list[tuple[int, tuple[object, ...]]] = []
        for subject, found in pending.items():
            for row in found:
                owner[len(numbered) + 1] = subject
                numbered.append((len(numbered) + 1, row))
        try:
            write_rows(conn, kind, NumberedRows(numbered), columns=columns, origin=_ORIGIN, dry_run=dry_run)
            return
        except ImportValidationError as error:
            blamed: dict[str, list[str]] = {}
            for problem in error.problems:
                match = _ROW.match(problem)
                if match and int(match.group(1)) in owner:
                    blamed.setdefault(owner[int(match.group(1))], []).append(f"{kind}: {problem[match.end():]}")
            if not blamed:  # a refusal tied to no row: every subject of this call
                blamed = {subject: [f"{kind}: {error.message}"] for subject in pending}
            for subject, words in blamed.items():
                refused[subject] = ("the ledger refused the source's rows, nothing was written: "
                                    + "; ".join(words[:3]))
                pending.pop(subject, None)


def _new(conn: sqlite3.Connection, sql: str, subject: str, days: list[date]) -> int:
    """How many of `days` the ledger does not hold yet for `subject` (one index range read)."""
    if not days:
        return 0
    stored = {row[0] for row in conn.execute(sql, (subject, min(days).isoformat()))}
    return sum(1 for day in set(days) if day.isoformat() not in stored)


_STORED_CLOSES = "SELECT price_date FROM prices WHERE ticker = ? AND price_date >= ?"
_STORED_DIVIDENDS = "SELECT ex_date FROM dividends WHERE ticker = ? AND is_projection = 0 AND ex_date >= ?"
_STORED_RATES = "SELECT rate_date FROM fx_rates WHERE currency = ? AND rate_date >= ?"


def write_outcomes(conn: sqlite3.Connection, securities: Sequence[SecurityOutcome],
                   currencies: Sequence[FxOutcome]) -> tuple[UpdateLine, ...]:
    """Write every answered security's closes and dividends and every currency's rates; one line each."""
    answered = [o for o in securities if o.problem is None]
    prices = {o.ticker: [(p.ticker, p.price_date, number(p.close)) for p in o.prices] for o in answered}
    dividends = {o.ticker: [(d.ticker, d.ex_date, None, number(d.amount_per_share), 0) for d in o.dividends]
                 for o in answered}
    new = {o.ticker: _new(conn, _STORED_CLOSES, o.ticker, [p.price_date for p in o.prices])
           + _new(conn, _STORED_DIVIDENDS, o.ticker, [d.ex_date for d in o.dividends]) for o in answered}
    refused: dict[str, str] = {}
    write_per_subject(conn, "dividends", dividends, refused, columns=DIVIDEND_COLUMNS, dry_run=True)
    write_per_subject(conn, "prices", prices, refused)
    write_per_subject(conn, "dividends", dividends, refused, columns=DIVIDEND_COLUMNS)
    lines = [_security_line(conn, o, new.get(o.ticker, 0), refused.get(o.ticker)) for o in securities]

    rated = [o for o in currencies if o.problem is None]
    rates = {o.currency: [(r.currency, r.rate_date, number(r.rate)) for r in o.rates] for o in rated}
    new_rates = {o.currency: _new(conn, _STORED_RATES, o.currency, [r.rate_date for r in o.rates]) for o in rated}
    write_per_subject(conn, "fx", rates, refused)
    for o in currencies:
        problem = o.problem or refused.get(o.currency)
        lines.append(UpdateLine(o.currency, "fx", o.source, 0 if problem else new_rates.get(o.currency, 0),
                                _last(conn, "SELECT max(rate_date) FROM fx_rates WHERE currency = ?", o.currency),
                                problem))
    return tuple(lines)


def _security_line(conn: sqlite3.Connection, outcome: SecurityOutcome, new: int, refusal: str | None) -> UpdateLine:
    ticker, source = outcome.ticker, outcome.source
    last = last_close(conn, ticker)
    if outcome.problem is not None:
        return UpdateLine(ticker, "security", None, 0, last, outcome.problem)
    if refusal is not None:
        return UpdateLine(ticker, "security", source, 0, last, refusal)
    problem: str | None = None
    if outcome.withheld:
        split = next(s for s in outcome.splits if s.needs_confirmation)
        problem = (f"{outcome.withheld} row(s) held back: {source} reports a {split.numerator.normalize():f}:"
                   f"{split.denominator.normalize():f} split on {split.day.isoformat()}; confirm it with "
                   f"`lifealm update --confirm-split {ticker} {split.day.isoformat()}`")
    return UpdateLine(ticker, "security", source, new, last, problem, outcome.withheld)


def last_close(conn: sqlite3.Connection, ticker: str) -> date | None:
    return _last(conn, "SELECT max(price_date) FROM prices WHERE ticker = ?", ticker)


def _last(conn: sqlite3.Connection, sql: str, subject: str) -> date | None:
    row = conn.execute(sql, (subject,)).fetchone()
    return date.fromisoformat(row[0]) if row and row[0] else None
