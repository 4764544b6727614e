"""`lifealm update --confirm-split TICKER DATE`: the user confirms a split a source reported.

The share count of every account holding the security changes once (each × the ratio, or the count the user
gives when one account holds it; the total cost basis stays, so the cost per share is divided by the ratio), its
forecast dividends on or after the split date are put on the new share basis (`split_forecasts`), and the
confirmation is recorded in `split_confirmations`, all in one transaction, so a repeated confirmation never
changes anything twice and a failure changes nothing. Then the security's history is fetched again and upserted,
so every stored close is on the new scale.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal

from lifealm.errors import LifealmError
from lifealm.ledger.columns import KINDS
from lifealm.ledger.db import open_ledger
from lifealm.ledger.load import load_assumptions
from lifealm.ledger.screen import ledger_name
from lifealm.ledger.sqlite_errors import ledger_error
from lifealm.ledger.write import write_rows
from lifealm.refresh.ledger_update import LedgerUpdate
from lifealm.refresh.split_forecasts import rescaled_forecasts, write_rescaled
from lifealm.refresh.wanted import wanted_securities
from lifealm.refresh.writing import write_outcomes
from lifealm.settings import Settings
from lifealm.update import History, Sources, SplitFinding, UpdateConfig, UpdateOptions, fetch_updates

HOLDING_COLUMNS = ("ticker", "account", "shares")  # only the count changes: the total cost basis stays


@dataclass(frozen=True, slots=True)
class SplitConfirmation:
    """What the confirmation did, and the re-fetch that followed."""

    ticker: str
    day: date
    ratio: str
    shares_before: float
    shares_after: float
    already: bool  # confirmed before: the share count (and every forecast) was left alone
    update: LedgerUpdate
    forecasts_rescaled: int = 0  # forecast dividend rows on or after the split put on the new basis

    @property
    def message(self) -> str:
        if self.already:
            return (f"{self.ticker}: the {self.ratio} split of {self.day.isoformat()} was already confirmed "
                    f"({self.shares_before:g} → {self.shares_after:g} shares); the share count and the forecast "
                    "dividends were left alone.")
        return (f"{self.ticker}: confirmed the {self.ratio} split of {self.day.isoformat()}: "
                f"{self.shares_before:g} → {self.shares_after:g} shares; {self.forecasts_rescaled} forecast "
                f"dividend row(s) from {self.day.isoformat()} on rescaled to the new share basis; the history was "
                "fetched again.")


def confirm_split(settings: Settings, *, ticker: str, day: date, as_of: date, shares: float | None = None,
                  sources: Sources | None = None) -> SplitConfirmation:
    """Confirm the split of `ticker` on `day` that its source reports, then fetch its history again."""
    started = time.monotonic()
    config = UpdateConfig.from_settings(settings.update)
    with closing(open_ledger(settings.db)) as conn:
        wanted = wanted_securities(conn, frozenset({ticker}))
        if not wanted:
            raise LifealmError(f"{ticker}: not among the ledger's holdings (with shares).",
                               hint="check the ticker's spelling with `lifealm export holdings`")
        first = conn.execute("SELECT min(price_date) FROM prices WHERE ticker = ?", (ticker,)).fetchone()[0]
        since = min(date.fromisoformat(first), day) if first else None
        # Every stored close is fetched again (on the new scale), and the dividends on file are re-read too:
        # a source's dividends are split-adjusted like its closes.
        request = replace(wanted[0], known_dividends=frozenset(), confirmed_splits=wanted[0].confirmed_splits | {day})
        options = UpdateOptions(today=as_of, since=since, history=History.MAX if since is None else
                                History.INCREMENTAL, fx=False,
                                base_currency=load_assumptions(conn, settings.assumption_overrides).base_currency)
        result = fetch_updates([request], [], options, config, sources=sources)
        outcome = result.securities[0]
        if outcome.problem is not None:
            raise LifealmError(f"{ticker}: the split cannot be confirmed: {outcome.problem}",
                               hint="try again later; nothing was changed")
        split = _reported(outcome.splits, ticker, day)
        before, after, rescaled, already = _record(conn, split, shares, today=as_of)
        lines = write_outcomes(conn, [outcome], [])
    update = LedgerUpdate(as_of, lines, outcome.findings(), result.requests, time.monotonic() - started,
                          "")
    ratio = f"{split.numerator.normalize():f}:{split.denominator.normalize():f}"
    return SplitConfirmation(ticker, day, ratio, before, after, already, update, rescaled)


def _reported(splits: tuple[SplitFinding, ...], ticker: str, day: date) -> SplitFinding:
    for split in splits:
        if split.day == day:
            return split
    reported = ", ".join(f"{s.day.isoformat()} ({s.numerator.normalize():f}:{s.denominator.normalize():f})"
                         for s in splits) or "none"
    raise LifealmError(f"{ticker}: the source reports no split on {day.isoformat()} (splits it reports: {reported}).",
                       hint="give the date the update's finding names; nothing was changed")


def _record(conn: sqlite3.Connection, split: SplitFinding, shares: float | None, *,
            today: date) -> tuple[float, float, int, bool]:
    """Change the share counts, put the forecast dividends on the new basis and record the confirmation, all in one
    transaction (the ledger rows through the one write path); a second time changes nothing."""
    ticker, day = split.ticker, split.day.isoformat()
    stored = conn.execute("SELECT shares_before, shares_after FROM split_confirmations WHERE ticker = ? AND "
                          "split_date = ?", (ticker, day)).fetchone()
    if stored is not None:
        return float(stored[0]), float(stored[1]), 0, True
    held = [(int(row[0]), float(row[1]), str(row[2])) for row in
            conn.execute("SELECT id, shares, account FROM holdings WHERE ticker = ? ORDER BY id", (ticker,))]
    if shares is not None and len(held) > 1:
        raise LifealmError(f"{ticker}: held in {len(held)} accounts ({', '.join(a for _, _, a in held)}), so one "
                           "--shares count cannot say how many each holds.",
                           hint="confirm without --shares (each account's count × the ratio), then correct an "
                           "account with `lifealm import holdings FILE --account NAME`")
    # Each account's count × the ratio, in exact decimals (2:1 on 100 shares is 200, never 199.99999…).
    counts = {account: shares if shares is not None else float(Decimal(repr(count)) * split.factor)
              for _, count, account in held}
    before, after = sum(count for _, count, _ in held), sum(counts.values())
    ratio = f"{split.numerator.normalize():f}:{split.denominator.normalize():f}"
    holdings = [KINDS["holdings"].row(ticker=ticker, account=account, shares=n) for account, n in counts.items()]
    if conn.isolation_level is not None:
        conn.isolation_level = None  # explicit BEGIN/COMMIT (set once: setting it may commit)
    # One transaction around every write: a share count changed without its record would be multiplied again by
    # the next confirmation, and forecasts rescaled without it would be divided again.
    conn.execute("BEGIN IMMEDIATE")
    try:
        write_rows(conn, "holdings", holdings, columns=HOLDING_COLUMNS, origin="split", today=today)
        rescaled = write_rescaled(conn, rescaled_forecasts(conn, ticker, split.day, split.factor), today=today)
        conn.execute("INSERT INTO split_confirmations VALUES (?, ?, ?, ?, ?, ?)",
                     (ticker, day, ratio, before, after, datetime.now(UTC).isoformat(timespec="seconds")))
    except (sqlite3.Error, LifealmError) as error:
        _rollback(conn)
        raise _unconfirmed(conn, ticker, error) from error
    except BaseException:
        _rollback(conn)
        raise
    conn.execute("COMMIT")
    return before, after, rescaled, False


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:  # a failed write may have rolled back already (write_rows, or a full disk)
        conn.execute("ROLLBACK")


def _unconfirmed(conn: sqlite3.Connection, ticker: str, error: sqlite3.Error | LifealmError) -> LifealmError:
    """What a failed confirmation says: the ledger's words (never a cell's value), and that nothing changed."""
    if isinstance(error, sqlite3.Error):
        return ledger_error(error, ledger_name(conn), outcome="the split was not confirmed and nothing was changed")
    return LifealmError(f"{ticker}: the split cannot be confirmed, nothing was changed: {error.message}",
                        hint=error.hint)
