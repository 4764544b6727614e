-- lifealm ledger schema v1: every table a household's plan needs, in one SQLite file.
-- Money is in the base currency unless a `currency` column says otherwise; ratios are fractions.

CREATE TABLE holdings (
    id              INTEGER PRIMARY KEY,
    ticker          TEXT    NOT NULL UNIQUE CHECK (length(trim(ticker)) > 0),
    name            TEXT    NOT NULL DEFAULT '',
    shares          REAL    NOT NULL CHECK (shares >= 0),
    cost_basis      REAL    NOT NULL DEFAULT 0 CHECK (cost_basis >= 0),   -- total cost, not per share
    asset_class     TEXT    NOT NULL DEFAULT 'equity',
    added_at        TEXT    CHECK (added_at IS NULL OR date(added_at) = added_at),
    account         TEXT    NOT NULL DEFAULT '',
    currency        TEXT    NOT NULL DEFAULT 'JPY' CHECK (length(currency) = 3),
    dividend_growth REAL    CHECK (dividend_growth IS NULL OR (dividend_growth > -1 AND dividend_growth < 1))
);

CREATE TABLE prices (
    ticker      TEXT NOT NULL REFERENCES holdings (ticker) ON UPDATE CASCADE,
    price_date  TEXT NOT NULL CHECK (date(price_date) = price_date),
    close_price REAL NOT NULL CHECK (close_price > 0),
    PRIMARY KEY (ticker, price_date)
) WITHOUT ROWID;

CREATE TABLE dividends (
    id               INTEGER PRIMARY KEY,
    ticker           TEXT    NOT NULL REFERENCES holdings (ticker) ON UPDATE CASCADE,
    ex_date          TEXT    NOT NULL CHECK (date(ex_date) = ex_date),
    pay_date         TEXT    CHECK (pay_date IS NULL OR date(pay_date) = pay_date),
    amount_per_share REAL    NOT NULL CHECK (amount_per_share >= 0),
    is_projection    INTEGER NOT NULL DEFAULT 0 CHECK (is_projection IN (0, 1)),
    UNIQUE (ticker, ex_date, is_projection)
);

-- collateral_type 'portfolio' = securities-backed margin loan; NULL = unsecured standby credit line.
-- For a credit line, balance is the drawn amount and credit_limit the facility size.
CREATE TABLE loans (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    balance         REAL NOT NULL DEFAULT 0 CHECK (balance >= 0),
    rate            REAL NOT NULL DEFAULT 0 CHECK (rate >= 0 AND rate < 1),
    collateral_type TEXT CHECK (collateral_type IS NULL OR collateral_type = 'portfolio'),
    freeze_pct      REAL,
    margin_call_pct REAL,
    forced_liq_pct  REAL,
    credit_limit    REAL CHECK (credit_limit IS NULL OR credit_limit >= 0),
    target_ratio    REAL NOT NULL DEFAULT 0.65,
    CHECK (collateral_type IS NULL OR (
        freeze_pct IS NOT NULL AND margin_call_pct IS NOT NULL AND forced_liq_pct IS NOT NULL
        AND 0 < freeze_pct AND freeze_pct <= margin_call_pct
        AND margin_call_pct <= forced_liq_pct AND forced_liq_pct <= 1
        AND 0 < target_ratio AND target_ratio <= forced_liq_pct
    )),
    CHECK (collateral_type IS NOT NULL OR credit_limit IS NOT NULL)
);

CREATE TABLE cash_accounts (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    balance  REAL NOT NULL,   -- may be negative (an overdraft): reported as a finding, not refused
    currency TEXT NOT NULL DEFAULT 'JPY' CHECK (length(currency) = 3)
);

CREATE TABLE other_assets (
    id       INTEGER PRIMARY KEY,
    name     TEXT    NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    kind     TEXT    NOT NULL DEFAULT 'other',
    value    REAL    NOT NULL CHECK (value >= 0),
    liquid   INTEGER NOT NULL DEFAULT 0 CHECK (liquid IN (0, 1)),
    currency TEXT    NOT NULL DEFAULT 'JPY' CHECK (length(currency) = 3)
);

CREATE TABLE expenses (
    id             INTEGER PRIMARY KEY,
    category       TEXT    NOT NULL UNIQUE CHECK (length(trim(category)) > 0),
    monthly_amount REAL    NOT NULL CHECK (monthly_amount >= 0),
    essential      INTEGER NOT NULL DEFAULT 1 CHECK (essential IN (0, 1))
);

CREATE TABLE income (
    id             INTEGER PRIMARY KEY,
    source         TEXT NOT NULL UNIQUE CHECK (length(trim(source)) > 0),
    monthly_amount REAL NOT NULL CHECK (monthly_amount >= 0),
    kind           TEXT NOT NULL DEFAULT 'other'
                   CHECK (kind IN ('salary', 'side', 'pension', 'rent', 'other')),
    annual_change  REAL NOT NULL DEFAULT 0 CHECK (annual_change > -1 AND annual_change < 1)
);

CREATE TABLE fx_rates (
    currency  TEXT NOT NULL CHECK (length(currency) = 3),
    rate_date TEXT NOT NULL CHECK (date(rate_date) = rate_date),
    rate      REAL NOT NULL CHECK (rate > 0),   -- units of base currency per one unit of `currency`
    PRIMARY KEY (currency, rate_date)
) WITHOUT ROWID;

-- Model parameters, so the whole plan lives in one file; names and defaults in lifealm/models/assumptions.py.
CREATE TABLE assumptions (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row per report date: the headline figures, for history charts and "since the last briefing".
CREATE TABLE snapshots (
    snapshot_date           TEXT PRIMARY KEY CHECK (date(snapshot_date) = snapshot_date),
    status                  TEXT NOT NULL CHECK (status IN ('SAFE', 'CAUTION', 'DANGER')),
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
