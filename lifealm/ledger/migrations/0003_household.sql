-- lifealm ledger schema v2: the household as it is — accounts, securities, one holding per (account, security),
-- every kind of debt, dated income and expenses, one-off events and the household's members.
-- Every table is STRICT (text cannot enter a REAL column); every constraint is named so that the write path can
-- turn a refusal into a sentence naming the row, the column and the fix.
-- Every v1 row is carried over unchanged: a v1 holding's ticker becomes a security (with its name, currency,
-- asset class and dividend growth) held in the account named by its `account` column ('default' when empty);
-- each such account is taxable and pledged, as every v1 holding was.
-- A date CHECK is `date(x, '+0 days') IS x`: the modifier rolls an impossible day over (2026-02-30 becomes
-- 2026-03-02, which date() alone would return unchanged), and IS, unlike =, is false when date() is NULL
-- (2029-13-01), where a NULL CHECK would pass.

ALTER TABLE holdings RENAME TO holdings_v1;
ALTER TABLE prices RENAME TO prices_v1;
ALTER TABLE dividends RENAME TO dividends_v1;
ALTER TABLE loans RENAME TO loans_v1;
ALTER TABLE cash_accounts RENAME TO cash_accounts_v1;
ALTER TABLE other_assets RENAME TO other_assets_v1;
ALTER TABLE expenses RENAME TO expenses_v1;
ALTER TABLE income RENAME TO income_v1;
ALTER TABLE fx_rates RENAME TO fx_rates_v1;
ALTER TABLE assumptions RENAME TO assumptions_v1;
ALTER TABLE snapshots RENAME TO snapshots_v1;

-- pledged NULL = by kind (taxable yes; NISA, iDeCo and other no); dividend_tax_rate NULL = by kind (taxable and
-- other: the `dividend_tax` assumption; NISA and iDeCo 0). NISA and iDeCo holdings can never be pledged.
CREATE TABLE accounts (
    id                INTEGER PRIMARY KEY,
    name              TEXT    NOT NULL UNIQUE CONSTRAINT account_name_empty CHECK (length(trim(name)) > 0),
    kind              TEXT    NOT NULL DEFAULT 'taxable' CONSTRAINT account_kind CHECK
                      (kind IN ('taxable', 'nisa_growth', 'nisa_tsumitate', 'ideco', 'other')),
    pledged           INTEGER CONSTRAINT account_pledged_flag CHECK (pledged IS NULL OR pledged IN (0, 1)),
    dividend_tax_rate REAL    CONSTRAINT account_dividend_tax_rate CHECK
                      (dividend_tax_rate IS NULL OR (dividend_tax_rate >= 0 AND dividend_tax_rate < 1)),
    CONSTRAINT account_pledged_kind CHECK (pledged IS NULL OR pledged = 0 OR kind IN ('taxable', 'other'))
) STRICT;

-- haircut (掛目): the fraction of the market value a lender counts as collateral.
-- source: the price-source chain `lifealm update` uses (e.g. 'yahoo:7203.T'); NULL = not set.
CREATE TABLE securities (
    id              INTEGER PRIMARY KEY,
    ticker          TEXT NOT NULL UNIQUE CONSTRAINT security_ticker_empty CHECK (length(trim(ticker)) > 0),
    name            TEXT NOT NULL DEFAULT '',
    asset_class     TEXT NOT NULL DEFAULT 'equity',
    currency        TEXT NOT NULL DEFAULT 'JPY' CONSTRAINT security_currency CHECK (length(currency) = 3),
    dividend_growth REAL CONSTRAINT security_dividend_growth CHECK
                    (dividend_growth IS NULL OR (dividend_growth > -1 AND dividend_growth < 1)),
    haircut         REAL NOT NULL DEFAULT 1 CONSTRAINT security_haircut CHECK (haircut >= 0 AND haircut <= 1),
    source          TEXT
) STRICT;

CREATE TABLE holdings (
    id         INTEGER PRIMARY KEY,
    ticker     TEXT NOT NULL REFERENCES securities (ticker) ON UPDATE CASCADE,
    shares     REAL NOT NULL CONSTRAINT holding_shares CHECK (shares >= 0),
    cost_basis REAL NOT NULL DEFAULT 0 CONSTRAINT holding_cost_basis CHECK (cost_basis >= 0),  -- total cost
    added_at   TEXT  -- the acquired date
        CONSTRAINT holding_added_at CHECK (added_at IS NULL OR date(added_at, '+0 days') IS added_at),
    account    TEXT NOT NULL REFERENCES accounts (name) ON UPDATE CASCADE,
    UNIQUE (account, ticker)
) STRICT;
CREATE INDEX holdings_by_ticker ON holdings (ticker);

CREATE TABLE prices (
    ticker      TEXT NOT NULL REFERENCES securities (ticker) ON UPDATE CASCADE,
    price_date  TEXT NOT NULL CONSTRAINT price_date CHECK (date(price_date, '+0 days') IS price_date),
    close_price REAL NOT NULL CONSTRAINT price_close CHECK (close_price > 0),
    PRIMARY KEY (ticker, price_date)
) STRICT, WITHOUT ROWID;

CREATE TABLE dividends (
    id               INTEGER PRIMARY KEY,
    ticker           TEXT    NOT NULL REFERENCES securities (ticker) ON UPDATE CASCADE,
    ex_date          TEXT    NOT NULL CONSTRAINT dividend_ex_date CHECK (date(ex_date, '+0 days') IS ex_date),
    pay_date         TEXT
        CONSTRAINT dividend_pay_date CHECK (pay_date IS NULL OR date(pay_date, '+0 days') IS pay_date),
    amount_per_share REAL    NOT NULL CONSTRAINT dividend_amount CHECK (amount_per_share >= 0),
    is_projection    INTEGER NOT NULL DEFAULT 0 CONSTRAINT dividend_projection_flag CHECK (is_projection IN (0, 1)),
    UNIQUE (ticker, ex_date, is_projection)
) STRICT;

-- kind 'margin': secured by the pledged holdings (of `collateral_account` only, when it names one), with the
-- zone thresholds; 'credit_line': an unsecured standby line, `balance` the drawn part of `credit_limit`;
-- 'amortizing': a mortgage, car or education loan repaid by `monthly_payment` (interest included) until
-- `maturity`. Every loan's interest (balance × rate) is a cash outflow.
CREATE TABLE loans (
    id                 INTEGER PRIMARY KEY,
    name               TEXT NOT NULL UNIQUE CONSTRAINT loan_name_empty CHECK (length(trim(name)) > 0),
    kind               TEXT NOT NULL CONSTRAINT loan_kind CHECK (kind IN ('margin', 'credit_line', 'amortizing')),
    balance            REAL NOT NULL DEFAULT 0 CONSTRAINT loan_balance CHECK (balance >= 0),
    rate               REAL NOT NULL DEFAULT 0 CONSTRAINT loan_rate CHECK (rate >= 0 AND rate < 1),
    collateral_account TEXT REFERENCES accounts (name) ON UPDATE CASCADE,
    freeze_pct         REAL,
    margin_call_pct    REAL,
    forced_liq_pct     REAL,
    credit_limit       REAL CONSTRAINT loan_credit_limit CHECK (credit_limit IS NULL OR credit_limit >= 0),
    target_ratio       REAL NOT NULL DEFAULT 0.65,
    monthly_payment    REAL CONSTRAINT loan_monthly_payment CHECK (monthly_payment IS NULL OR monthly_payment > 0),
    maturity           TEXT CONSTRAINT loan_maturity CHECK (maturity IS NULL OR date(maturity, '+0 days') IS maturity),
    CONSTRAINT loan_margin_thresholds CHECK (kind <> 'margin' OR (
        freeze_pct IS NOT NULL AND margin_call_pct IS NOT NULL AND forced_liq_pct IS NOT NULL
        AND 0 < freeze_pct AND freeze_pct <= margin_call_pct
        AND margin_call_pct <= forced_liq_pct AND forced_liq_pct <= 1
        AND 0 < target_ratio AND target_ratio <= forced_liq_pct
    )),
    CONSTRAINT loan_credit_line_limit CHECK (kind <> 'credit_line' OR credit_limit IS NOT NULL),
    CONSTRAINT loan_amortizing_payment CHECK (kind <> 'amortizing' OR monthly_payment IS NOT NULL),
    CONSTRAINT loan_payment_amortizing_only CHECK (monthly_payment IS NULL OR kind = 'amortizing'),
    CONSTRAINT loan_collateral_margin_only CHECK (collateral_account IS NULL OR kind = 'margin')
) STRICT;

CREATE TABLE cash_accounts (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE CONSTRAINT cash_name_empty CHECK (length(trim(name)) > 0),
    balance  REAL NOT NULL,   -- may be negative (an overdraft): reported as a finding, not refused
    currency TEXT NOT NULL DEFAULT 'JPY' CONSTRAINT cash_currency CHECK (length(currency) = 3)
) STRICT;

CREATE TABLE other_assets (
    id       INTEGER PRIMARY KEY,
    name     TEXT    NOT NULL UNIQUE CONSTRAINT other_asset_name_empty CHECK (length(trim(name)) > 0),
    kind     TEXT    NOT NULL DEFAULT 'other',
    value    REAL    NOT NULL CONSTRAINT other_asset_value CHECK (value >= 0),
    liquid   INTEGER NOT NULL DEFAULT 0 CONSTRAINT other_asset_liquid_flag CHECK (liquid IN (0, 1)),
    currency TEXT    NOT NULL DEFAULT 'JPY' CONSTRAINT other_asset_currency CHECK (length(currency) = 3)
) STRICT;

-- start_date / end_date: the first and last day the stream runs (NULL: from always / for ever).
CREATE TABLE expenses (
    id             INTEGER PRIMARY KEY,
    category       TEXT    NOT NULL UNIQUE CONSTRAINT expense_category_empty CHECK (length(trim(category)) > 0),
    monthly_amount REAL    NOT NULL CONSTRAINT expense_amount CHECK (monthly_amount >= 0),
    essential      INTEGER NOT NULL DEFAULT 1 CONSTRAINT expense_essential_flag CHECK (essential IN (0, 1)),
    start_date     TEXT
        CONSTRAINT expense_start_date CHECK (start_date IS NULL OR date(start_date, '+0 days') IS start_date),
    end_date       TEXT
        CONSTRAINT expense_end_date CHECK (end_date IS NULL OR date(end_date, '+0 days') IS end_date),
    CONSTRAINT expense_dates_order CHECK (start_date IS NULL OR end_date IS NULL OR start_date <= end_date)
) STRICT;

CREATE TABLE income (
    id             INTEGER PRIMARY KEY,
    source         TEXT NOT NULL UNIQUE CONSTRAINT income_source_empty CHECK (length(trim(source)) > 0),
    monthly_amount REAL NOT NULL CONSTRAINT income_amount CHECK (monthly_amount >= 0),
    kind           TEXT NOT NULL DEFAULT 'other'
                   CONSTRAINT income_kind CHECK (kind IN ('salary', 'side', 'pension', 'rent', 'other')),
    annual_change  REAL NOT NULL DEFAULT 0
                   CONSTRAINT income_annual_change CHECK (annual_change > -1 AND annual_change < 1),
    start_date     TEXT
        CONSTRAINT income_start_date CHECK (start_date IS NULL OR date(start_date, '+0 days') IS start_date),
    end_date       TEXT CONSTRAINT income_end_date CHECK (end_date IS NULL OR date(end_date, '+0 days') IS end_date),
    CONSTRAINT income_dates_order CHECK (start_date IS NULL OR end_date IS NULL OR start_date <= end_date)
) STRICT;

-- One-off amounts on a date: school fees, a car, a retirement allowance (退職金). basis 'real' = in today's money
-- (grown with inflation to the date), 'nominal' = the amount as it will be paid.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL CONSTRAINT event_name_empty CHECK (length(trim(name)) > 0),
    event_date TEXT NOT NULL CONSTRAINT event_date CHECK (date(event_date, '+0 days') IS event_date),
    amount     REAL NOT NULL CONSTRAINT event_amount CHECK (amount >= 0),
    direction  TEXT NOT NULL DEFAULT 'expense' CONSTRAINT event_direction CHECK (direction IN ('income', 'expense')),
    basis      TEXT NOT NULL DEFAULT 'real' CONSTRAINT event_basis CHECK (basis IN ('real', 'nominal')),
    UNIQUE (name, event_date)
) STRICT;

CREATE TABLE members (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE CONSTRAINT member_name_empty CHECK (length(trim(name)) > 0),
    birth_date TEXT NOT NULL CONSTRAINT member_birth_date CHECK (date(birth_date, '+0 days') IS birth_date)
) STRICT;

CREATE TABLE fx_rates (
    currency  TEXT NOT NULL CONSTRAINT fx_currency CHECK (length(currency) = 3),
    rate_date TEXT NOT NULL CONSTRAINT fx_rate_date CHECK (date(rate_date, '+0 days') IS rate_date),
    rate      REAL NOT NULL CONSTRAINT fx_rate CHECK (rate > 0),   -- base currency per one unit of `currency`
    PRIMARY KEY (currency, rate_date)
) STRICT, WITHOUT ROWID;

-- Model parameters, so the whole plan lives in one file; names and defaults in lifealm/models/assumptions.py.
CREATE TABLE assumptions (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- One row per report date: the headline figures, for history charts and "since the last briefing".
CREATE TABLE snapshots (
    snapshot_date           TEXT PRIMARY KEY
        CONSTRAINT snapshot_date CHECK (date(snapshot_date, '+0 days') IS snapshot_date),
    status                  TEXT NOT NULL
                            CONSTRAINT snapshot_status CHECK (status IN ('SAFE', 'CAUTION', 'DANGER', 'NO DATA')),
    portfolio_value         REAL NOT NULL,
    cash                    REAL NOT NULL,
    margin_balance          REAL NOT NULL,
    margin_ratio            REAL,
    net_worth               REAL NOT NULL,
    monthly_cashflow        REAL NOT NULL,
    fire_ratio              REAL,
    max_survivable_drawdown REAL,
    success_probability     REAL
) STRICT;

-- Carry every v1 row over. Ids are kept, so a security has the id of the v1 holding it came from.
INSERT INTO accounts (name, kind)
    SELECT DISTINCT CASE WHEN trim(account) = '' THEN 'default' ELSE account END, 'taxable'
    FROM holdings_v1 ORDER BY 1;
INSERT INTO securities (id, ticker, name, currency, asset_class, dividend_growth)
    SELECT id, ticker, name, currency, asset_class, dividend_growth FROM holdings_v1 ORDER BY id;
INSERT INTO holdings (id, ticker, shares, cost_basis, added_at, account)
    SELECT id, ticker, shares, cost_basis, added_at, CASE WHEN trim(account) = '' THEN 'default' ELSE account END
    FROM holdings_v1 ORDER BY id;
INSERT INTO prices (ticker, price_date, close_price)
    SELECT ticker, price_date, close_price FROM prices_v1;
INSERT INTO dividends (id, ticker, ex_date, pay_date, amount_per_share, is_projection)
    SELECT id, ticker, ex_date, pay_date, amount_per_share, is_projection FROM dividends_v1 ORDER BY id;
INSERT INTO loans (id, name, kind, balance, rate, freeze_pct, margin_call_pct, forced_liq_pct, credit_limit,
                   target_ratio)
    SELECT id, name, CASE WHEN collateral_type = 'portfolio' THEN 'margin' ELSE 'credit_line' END, balance, rate,
           freeze_pct, margin_call_pct, forced_liq_pct, credit_limit, target_ratio
    FROM loans_v1 ORDER BY id;
INSERT INTO cash_accounts (id, name, balance, currency)
    SELECT id, name, balance, currency FROM cash_accounts_v1 ORDER BY id;
INSERT INTO other_assets (id, name, kind, value, liquid, currency)
    SELECT id, name, kind, value, liquid, currency FROM other_assets_v1 ORDER BY id;
INSERT INTO expenses (id, category, monthly_amount, essential)
    SELECT id, category, monthly_amount, essential FROM expenses_v1 ORDER BY id;
INSERT INTO income (id, source, monthly_amount, kind, annual_change)
    SELECT id, source, monthly_amount, kind, annual_change FROM income_v1 ORDER BY id;
INSERT INTO fx_rates (currency, rate_date, rate)
    SELECT currency, rate_date, rate FROM fx_rates_v1;
INSERT INTO assumptions (name, value)
    SELECT name, value FROM assumptions_v1;
INSERT INTO snapshots
    SELECT snapshot_date, status, portfolio_value, cash, margin_balance, margin_ratio, net_worth, monthly_cashflow,
           fire_ratio, max_survivable_drawdown, success_probability FROM snapshots_v1;

-- Children before parents, so no foreign key is ever left dangling.
DROP TABLE prices_v1;
DROP TABLE dividends_v1;
DROP TABLE holdings_v1;
DROP TABLE loans_v1;
DROP TABLE cash_accounts_v1;
DROP TABLE other_assets_v1;
DROP TABLE expenses_v1;
DROP TABLE income_v1;
DROP TABLE fx_rates_v1;
DROP TABLE assumptions_v1;
DROP TABLE snapshots_v1;
