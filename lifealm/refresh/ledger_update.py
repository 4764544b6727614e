"""`lifealm update` as a library call: read what to fetch from the ledger, fetch it, write it through the one write
path (validated, all-or-nothing per security, upserted), and return what happened as a frozen value."""

from __future__ import annotations

import time
from contextlib import closing
from dataclasses import dataclass
from datetime import date

from lifealm.ledger.db import open_ledger
from lifealm.ledger.load import load_assumptions
from lifealm.models.findings import Finding
from lifealm.models.freshness import UpdateReport
from lifealm.refresh.wanted import wanted_currencies, wanted_securities
from lifealm.refresh.writing import UpdateLine, write_outcomes
from lifealm.settings import Settings
from lifealm.update import (
    History,
    Progress,
    Sources,
    UpdateConfig,
    UpdateOptions,
    fetch_updates,
)


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
        return UpdateReport(self.failed, first, len(self.lines) - len(problems),
                            tuple((line.kind, line.subject, line.problem) for line in problems
                                  if line.problem is not None))


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
        lines = write_outcomes(conn, result.securities, result.fx)
    return LedgerUpdate(as_of, lines, result.findings(), result.requests, time.monotonic() - started,
                        run.client.transport.name)
