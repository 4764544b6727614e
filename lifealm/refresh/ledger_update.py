"""`lifealm update` as a library call: read what to fetch from the ledger, fetch it, write it through the one write
path (validated, all-or-nothing per security, upserted), and return what happened as a frozen value."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from lifealm.errors import ImportValidationError
from lifealm.ledger.db import open_ledger
from lifealm.ledger.load import load_assumptions
from lifealm.ledger.write import write_rows
from lifealm.models.findings import Finding
from lifealm.models.freshness import UpdateReport
from lifealm.refresh.wanted import wanted_currencies, wanted_securities
from lifealm.settings import Settings
from lifealm.update import (
    FxOutcome,
    History,
    Progress,
    SecurityOutcome,
    Sources,
    UpdateConfig,
    UpdateOptions,
    fetch_updates,
)

DIVIDEND_COLUMNS = ("ticker", "ex_date", "amount_per_share", "is_projection")  # a stored pay_date is kept


@dataclass(frozen=True, slots=True)
class Narrowing:
    """What one run asks for: `--since`, `--history max`, `--prices` / `--dividends` / `--fx`, some tickers."""

    since: date | None = None
    history: History = History.INCREMENTAL
    prices: bool = True
    dividends: bool = True
    fx: bool = True
    tickers: frozenset[str] | None = None  # None: every security the household holds


@dataclass(frozen=True, slots=True)
class UpdateLine:
    """One row of the summary table: a security or a currency."""

    subject: str  # the ticker, or the currency code
    kind: str  # "security" or "fx"
    source: str | None  # the link that answered, e.g. "yahoo:7203.T", or "ecb"
    new_rows: int  # rows new to the ledger (closes and dividends, or rates)
    last_date: date | None  # the newest stored close (or rate) after the update
    problem: str | None = None  # why it got nothing, in the source's words; None when it is up to date
    held_back: int = 0  # rows kept back until a split is confirmed


@dataclass(frozen=True, slots=True)
class LedgerUpdate:
    """What `lifealm update` did to the ledger."""

    as_of: date
    lines: tuple[UpdateLine, ...]
    findings: tuple[Finding, ...]
    requests: int  # HTTP requests made, retries included
    seconds: float
    client: str  # "curl_cffi" or "urllib"

    @property
    def failed(self) -> tuple[str, ...]:
        """Securities and currencies that were not brought up to date (a held-back split counts)."""
        return tuple(line.subject for line in self.lines if line.problem is not None)

    @property
    def ok(self) -> bool:
        return not self.failed

    def report(self) -> UpdateReport:
        """The outcome as the briefing shows it."""
        problems = [line for line in self.lines if line.problem is not None]
        first = None
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            first = f"{problems[0].subject}: {problems[0].problem}{more}"
        return UpdateReport(self.failed, first, len(self.lines) - len(problems))


def update_ledger(settings: Settings, *, as_of: date, narrowing: Narrowing = Narrowing(),
                  progress: Progress | None = None, sources: Sources | None = None) -> LedgerUpdate:
    """Fetch what the ledger lacks up to `as_of` and write it; one security's failure never blocks the others."""
    started = time.monotonic()
    config = UpdateConfig.from_settings(settings.update)
    with closing(open_ledger(settings.db)) as conn:
        base = load_assumptions(conn, settings.assumption_overrides).base_currency
        securities = wanted_securities(conn, narrowing.tickers)
        currencies = wanted_currencies(conn, base) if narrowing.tickers is None else ()
        options = UpdateOptions(today=as_of, since=narrowing.since, history=narrowing.history,
                                prices=narrowing.prices, dividends=narrowing.dividends, fx=narrowing.fx,
                                base_currency=base)
        run = sources or Sources.standard(config)
        try:
            result = fetch_updates(securities, currencies, options, config, progress=progress, sources=run)
        finally:
            if sources is None:
                run.close()
        lines = tuple(write_security(conn, outcome) for outcome in result.securities) + tuple(
            _write_fx(conn, outcome) for outcome in result.fx)
    return LedgerUpdate(as_of, lines, result.findings(), result.requests, time.monotonic() - started,
                        run.client.transport.name)


def _number(value: Decimal) -> str:
    return format(value, "f")  # the exact decimal as a cell's text: never float rounding, never 1E+3


def write_security(conn: sqlite3.Connection, outcome: SecurityOutcome) -> UpdateLine:
    """Write one security's closes and dividends together, or neither: the dividends are checked (a dry run)
    before the closes are written, so a refused row of either kind leaves the security as it was."""
    ticker, source = outcome.ticker, outcome.source
    if outcome.problem is not None:
        return UpdateLine(ticker, "security", None, 0, last_close(conn, ticker), outcome.problem)
    prices = [(p.ticker, p.price_date, _number(p.close)) for p in outcome.prices]
    dividends = [(d.ticker, d.ex_date, None, _number(d.amount_per_share), 0) for d in outcome.dividends]
    origin = f"{ticker} from {source}"
    added = 0
    try:
        if dividends:
            write_rows(conn, "dividends", dividends, columns=DIVIDEND_COLUMNS, origin=f"{origin} dividend",
                       dry_run=True)
        if prices:
            added += write_rows(conn, "prices", prices, origin=f"{origin} close").added
        if dividends:
            added += write_rows(conn, "dividends", dividends, columns=DIVIDEND_COLUMNS,
                                origin=f"{origin} dividend").added
    except ImportValidationError as refused:
        return UpdateLine(ticker, "security", source, 0, last_close(conn, ticker), _refusal(refused))
    problem: str | None = None
    if outcome.withheld:
        split = next(s for s in outcome.splits if s.needs_confirmation)
        problem = (f"{outcome.withheld} row(s) held back: {source} reports a {split.numerator.normalize():f}:"
                   f"{split.denominator.normalize():f} split on {split.day.isoformat()}; confirm it with "
                   f"`lifealm update --confirm-split {ticker} {split.day.isoformat()}`")
    return UpdateLine(ticker, "security", source, added, last_close(conn, ticker), problem, outcome.withheld)


def _write_fx(conn: sqlite3.Connection, outcome: FxOutcome) -> UpdateLine:
    currency = outcome.currency
    if outcome.problem is not None:
        return UpdateLine(currency, "fx", None, 0, _last_rate(conn, currency), outcome.problem)
    rows = [(r.currency, r.rate_date, _number(r.rate)) for r in outcome.rates]
    try:
        added = write_rows(conn, "fx", rows, origin=f"{currency} from {outcome.source}").added if rows else 0
    except ImportValidationError as refused:
        return UpdateLine(currency, "fx", outcome.source, 0, _last_rate(conn, currency), _refusal(refused))
    return UpdateLine(currency, "fx", outcome.source, added, _last_rate(conn, currency))


def _refusal(refused: ImportValidationError) -> str:
    return f"the ledger refused the source's rows, nothing was written: {'; '.join(refused.problems[:3])}"


def last_close(conn: sqlite3.Connection, ticker: str) -> date | None:
    row = conn.execute("SELECT max(price_date) FROM prices WHERE ticker = ?", (ticker,)).fetchone()
    return date.fromisoformat(row[0]) if row and row[0] else None


def _last_rate(conn: sqlite3.Connection, currency: str) -> date | None:
    row = conn.execute("SELECT max(rate_date) FROM fx_rates WHERE currency = ?", (currency,)).fetchone()
    return date.fromisoformat(row[0]) if row and row[0] else None
