"""What `lifealm update` asks for: every security the household holds and every foreign currency it uses, with
what the ledger already has (the newest stored date, the dividends on file, the splits already confirmed).

The one place that knows where a security's source chain lives: the `source` column of `securities`
(`yahoo:7203.T,toushin:…`); when it is empty the chain is derived from the ticker (`lifealm.update.default_chain`,
applied by the fetcher when `source` is None).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import date

from lifealm.update import FxRequest, SecurityRequest

# A security held only with 0 shares needs no price; one held in several accounts is asked once.
_HELD_SECURITY = "EXISTS (SELECT 1 FROM holdings h WHERE h.ticker = s.ticker AND h.shares > 0)"
_HELD = f"""
SELECT s.ticker, s.currency, nullif(trim(s.source), ''),
       (SELECT max(p.price_date) FROM prices p WHERE p.ticker = s.ticker)
FROM securities s WHERE {_HELD_SECURITY} ORDER BY s.ticker
"""
_USED_CURRENCIES = f"""
SELECT s.currency FROM securities s WHERE {_HELD_SECURITY}
UNION SELECT currency FROM cash_accounts UNION SELECT currency FROM other_assets ORDER BY 1
"""


def wanted_securities(conn: sqlite3.Connection, tickers: frozenset[str] | None = None) -> tuple[SecurityRequest, ...]:
    """One request per held security (only `tickers`, when given), each with what the ledger already holds."""
    dividends: dict[str, set[date]] = defaultdict(set)
    for ticker, ex_date in conn.execute("SELECT ticker, ex_date FROM dividends WHERE is_projection = 0"):
        dividends[ticker].add(date.fromisoformat(ex_date))
    confirmed: dict[str, set[date]] = defaultdict(set)
    for ticker, day in conn.execute("SELECT ticker, split_date FROM split_confirmations"):
        confirmed[ticker].add(date.fromisoformat(day))
    return tuple(
        SecurityRequest(ticker, currency, source=source,  # None: the chain comes from the ticker (default_chain)
                        last_stored=date.fromisoformat(last) if last else None,
                        known_dividends=frozenset(dividends[ticker]), confirmed_splits=frozenset(confirmed[ticker]))
        for ticker, currency, source, last in conn.execute(_HELD)
        if tickers is None or ticker in tickers)


def wanted_currencies(conn: sqlite3.Connection, base: str) -> tuple[FxRequest, ...]:
    """Every currency the holdings, cash accounts and other assets use, other than the base currency."""
    last = {str(c): date.fromisoformat(d) for c, d in
            conn.execute("SELECT currency, max(rate_date) FROM fx_rates GROUP BY currency")}
    return tuple(FxRequest(str(c).upper(), last.get(str(c).upper())) for (c,) in conn.execute(_USED_CURRENCIES)
                 if str(c).upper() != base.upper())
