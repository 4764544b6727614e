"""A confirmed split's per-share rows: the forecast dividends on or after the split date, onto the new share basis.

A forecast (`is_projection = 1`) is per share of the share count the ledger held when it was written. The
confirmation is the moment that count changes, so the forecasts on file then, with an ex-date on or after the
split, are on the old basis: each is divided by the split's factor (shares after per share before), and shares ×
per-share income stays what it was. Paid dividends (`is_projection = 0`) are never rescaled here: one paid before
the split was paid on the old shares and is a record of what was paid; one on or after it was paid per new share.
Forecasts written after the confirmation are on the new basis and are never touched, because this runs only in
the transaction that records the confirmation (a second confirmation finds the record and changes nothing).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from lifealm.ledger.columns import KINDS
from lifealm.ledger.write import write_rows

FORECAST_COLUMNS = ("ticker", "ex_date", "is_projection", "amount_per_share")  # a stored pay_date is kept
_FORECASTS = ("SELECT ex_date, amount_per_share FROM dividends WHERE ticker = ? AND is_projection = 1 "
              "AND ex_date >= ? ORDER BY ex_date")


@dataclass(frozen=True, slots=True)
class RescaledForecast:
    """One forecast row on the new basis: its key and its new amount per share."""

    ticker: str
    ex_date: date
    amount_per_share: Decimal


def rescaled_forecasts(conn: sqlite3.Connection, ticker: str, day: date,
                       factor: Decimal) -> tuple[RescaledForecast, ...]:
    """The forecasts of `ticker` with an ex-date on or after `day`, each divided by `factor` in exact decimals
    (÷3 on 90 is 30, never 29.999…; a 1:10 reverse split, factor 0.1, multiplies by 10)."""
    if factor <= 0:
        raise ValueError(f"a split factor must be positive, not {factor}")
    return tuple(RescaledForecast(ticker, date.fromisoformat(str(ex)), Decimal(repr(float(amount))) / factor)
                 for ex, amount in conn.execute(_FORECASTS, (ticker, day.isoformat())))


def write_rescaled(conn: sqlite3.Connection, rows: Sequence[RescaledForecast], *, today: date) -> int:
    """Write the rescaled forecasts through the one write path (inside the caller's transaction, as a savepoint);
    return how many rows were given. Only the amount changes: the pay date on file is kept."""
    if not rows:
        return 0
    values = [KINDS["dividends"].row(ticker=r.ticker, ex_date=r.ex_date, is_projection=1,
                                     amount_per_share=format(r.amount_per_share, "f")) for r in rows]
    result = write_rows(conn, "dividends", values, columns=FORECAST_COLUMNS, origin="split", today=today)
    return result.rows
