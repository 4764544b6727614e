-- Snapshots may record the fourth status, NO DATA (the ledger could not answer that day).
-- SQLite cannot alter a CHECK constraint, so the table is rebuilt and every row carried over.

CREATE TABLE snapshots_new (
    snapshot_date           TEXT PRIMARY KEY CHECK (date(snapshot_date) = snapshot_date),
    status                  TEXT NOT NULL CHECK (status IN ('SAFE', 'CAUTION', 'DANGER', 'NO DATA')),
    portfolio_value         REAL NOT NULL,
    cash                    REAL NOT NULL,
    margin_balance          REAL NOT NULL,
    margin_ratio            REAL,
    net_worth               REAL NOT NULL,
    monthly_cashflow        REAL NOT NULL,
    fire_ratio              REAL,
    max_survivable_drawdown REAL,
    success_probability     REAL
);

INSERT INTO snapshots_new (
    snapshot_date, status, portfolio_value, cash, margin_balance, margin_ratio, net_worth, monthly_cashflow,
    fire_ratio, max_survivable_drawdown, success_probability
)
SELECT snapshot_date, status, portfolio_value, cash, margin_balance, margin_ratio, net_worth, monthly_cashflow,
       fire_ratio, max_survivable_drawdown, success_probability
FROM snapshots;

DROP TABLE snapshots;
ALTER TABLE snapshots_new RENAME TO snapshots;
