-- Splits the user confirmed with `lifealm update --confirm-split TICKER DATE`: the holding's share count was changed
-- once, at that moment, from shares_before to shares_after. `lifealm update` reads this table so a confirmed split
-- no longer holds back the security's new prices, and a second confirmation never changes the count again.
-- No foreign key: the record outlives a schema change of the holdings (a later migration that rebuilds them
-- would otherwise have to rebuild this table too), and it only ever matches a ticker, never joins one.
CREATE TABLE split_confirmations (
    ticker        TEXT NOT NULL CHECK (length(trim(ticker)) > 0),
    split_date    TEXT NOT NULL CHECK (date(split_date) = split_date),
    ratio         TEXT NOT NULL CHECK (length(ratio) > 2),   -- new:old as the source reported it, e.g. '2:1'
    shares_before REAL NOT NULL CHECK (shares_before >= 0),
    shares_after  REAL NOT NULL CHECK (shares_after >= 0),
    confirmed_at  TEXT NOT NULL,                             -- UTC, ISO 8601
    PRIMARY KEY (ticker, split_date)
) WITHOUT ROWID;
