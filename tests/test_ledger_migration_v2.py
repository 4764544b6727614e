"""Schema v2: a v1 ledger with rows in every table (built from the shipped v1 migration) migrates with every row
intact, every table STRICT, and the v1 holdings split into accounts, securities and holdings."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lifealm.errors import LedgerError
from lifealm.ledger.db import migrations, open_ledger
from lifealm.ledger.upgrade_check import raise_v2_blockers, v2_blockers
from lifealm.models.assumptions import Assumptions
from lifealm.models.briefing import build_briefing
from lifealm.models.inputs import (
    CashAccount,
    Dividend,
    Expense,
    FxRate,
    Holding,
    Income,
    LedgerInputs,
    Loan,
    OtherAsset,
    PricePoint,
)
from lifealm.pipeline import read_model_inputs

# The v1 ledger is built with the shipped migrations before the household one (the v1 schema and any change made
# to it since), then migrated by the household migration alone.
HOUSEHOLD = next(m for m in migrations() if m.name == "household")
BEFORE = [m for m in migrations() if m.version < HOUSEHOLD.version]

V1_ROWS = """
INSERT INTO holdings (id, ticker, name, shares, cost_basis, asset_class, added_at, account, currency, dividend_growth)
VALUES (3, '8058.T', '三菱商事', 1200.5, 3000000, 'equity', '2021-04-01', '', 'JPY', 0.08),
       (7, 'VYM', 'Vanguard High Dividend', 300, 27000, 'etf', NULL, 'SBI 特定', 'USD', NULL),
       (9, '9432.T', 'NTT', 10000, 1500000, 'equity', '2020-01-15', '   ', 'JPY', -0.02),
       (12, '2914.T', 'JT', 800, 2400000, 'equity', NULL, 'default', 'JPY', NULL);
INSERT INTO prices VALUES ('8058.T', '2026-11-24', 3150.0), ('8058.T', '2026-11-25', 3170.5),
                          ('VYM', '2026-11-24', 128.37), ('9432.T', '2026-11-25', 152.1);
INSERT INTO dividends (id, ticker, ex_date, pay_date, amount_per_share, is_projection)
VALUES (1, '8058.T', '2026-03-28', '2026-06-20', 50, 0), (2, '8058.T', '2027-03-28', NULL, 55, 1),
       (4, 'VYM', '2026-09-22', '2026-09-26', 0.8123, 0);
INSERT INTO loans (id, name, balance, rate, collateral_type, freeze_pct, margin_call_pct, forced_liq_pct,
                   credit_limit, target_ratio)
VALUES (1, 'SBI margin', 50000000, 0.02, 'portfolio', 0.6, 0.7, 0.85, NULL, 0.65),
       (2, 'bank line', 1000000, 0.035, NULL, NULL, NULL, NULL, 20000000, 0.65),
       (5, 'broker line', 0, 0.03, 'portfolio', 0.5, 0.6, 0.8, 5000000, 0.55);
INSERT INTO cash_accounts (id, name, balance, currency)
VALUES (1, 'みずほ', 4500000, 'JPY'), (2, 'overdraft', -12000.5, 'JPY'), (3, 'Wise', 1234.56, 'USD');
INSERT INTO other_assets (id, name, kind, value, liquid, currency)
VALUES (1, 'home', 'real_estate', 60000000, 0, 'JPY'), (2, 'gold', 'metal', 2000000, 1, 'JPY');
INSERT INTO expenses (id, category, monthly_amount, essential)
VALUES (1, 'living', 600000, 1), (2, 'travel', 200000, 0);
INSERT INTO income (id, source, monthly_amount, kind, annual_change)
VALUES (1, 'consulting', 1000000, 'side', -0.05), (2, 'rent', 80000, 'rent', 0);
INSERT INTO fx_rates VALUES ('USD', '2026-11-24', 151.25), ('EUR', '2026-11-20', 160.5);
INSERT INTO assumptions VALUES ('dividend_tax', '0.20315'), ('mc_paths', '2000');
INSERT INTO snapshots VALUES
    ('2026-11-24', 'CAUTION', 125000000, 4500000, 50000000, 0.4, 140000000, 200000, 0.6, 0.5, 0.9),
    ('2026-11-25', 'SAFE', 126000000, 4500000, 50000000, NULL, 141000000, 200000, NULL, NULL, NULL);
"""

# Tables whose v1 rows carry over column for column.
SAME_COLUMNS = {
    "prices": "ticker, price_date, close_price",
    "dividends": "id, ticker, ex_date, pay_date, amount_per_share, is_projection",
    "cash_accounts": "id, name, balance, currency",
    "other_assets": "id, name, kind, value, liquid, currency",
    "expenses": "id, category, monthly_amount, essential",
    "income": "id, source, monthly_amount, kind, annual_change",
    "fx_rates": "currency, rate_date, rate",
    "assumptions": "name, value",
    "snapshots": "*",
}


def v1_schema(conn: sqlite3.Connection) -> None:
    for migration in BEFORE:
        conn.executescript(f"{migration.sql}\nPRAGMA user_version = {migration.version};")


def build_v1(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = ON")
    v1_schema(conn)
    conn.executescript(V1_ROWS)
    conn.commit()
    conn.close()


def migrate_to_v2(path: Path) -> sqlite3.Connection:
    """The household migration alone, as lifealm applies it (in one transaction)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.executescript(f"BEGIN;\n{HOUSEHOLD.sql}\nCOMMIT;")
    return conn


def rows(conn: sqlite3.Connection, sql: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in conn.execute(sql)]


@pytest.fixture
def migrated(tmp_path: Path) -> tuple[sqlite3.Connection, sqlite3.Connection]:
    """(the v1 ledger, a migrated copy of it)."""
    v1_path, v2_path = tmp_path / "v1.db", tmp_path / "v2.db"
    build_v1(v1_path)
    v2_path.write_bytes(v1_path.read_bytes())
    return sqlite3.connect(v1_path), migrate_to_v2(v2_path)


def test_v1_rows_of_unchanged_tables_carry_over(migrated: tuple[sqlite3.Connection, sqlite3.Connection]) -> None:
    v1, v2 = migrated
    for table, columns in SAME_COLUMNS.items():
        before = rows(v1, f"SELECT {columns} FROM {table} ORDER BY 1, 2")
        assert before, table  # the fixture has rows in every table
        assert rows(v2, f"SELECT {columns} FROM {table} ORDER BY 1, 2") == before, table


def test_each_v1_holding_becomes_a_security_held_in_its_account(
        migrated: tuple[sqlite3.Connection, sqlite3.Connection]) -> None:
    _, v2 = migrated
    assert rows(v2, "SELECT id, ticker, name, currency, asset_class, dividend_growth, haircut, source "
                    "FROM securities ORDER BY id") == [
        (3, "8058.T", "三菱商事", "JPY", "equity", 0.08, 1.0, None),
        (7, "VYM", "Vanguard High Dividend", "USD", "etf", None, 1.0, None),
        (9, "9432.T", "NTT", "JPY", "equity", -0.02, 1.0, None),
        (12, "2914.T", "JT", "JPY", "equity", None, 1.0, None),
    ]
    # An empty (or blank) v1 account and an account literally named 'default' are the same default account.
    assert rows(v2, "SELECT id, account, ticker, shares, cost_basis, added_at FROM holdings ORDER BY id") == [
        (3, "default", "8058.T", 1200.5, 3000000.0, "2021-04-01"),
        (7, "SBI 特定", "VYM", 300.0, 27000.0, None),
        (9, "default", "9432.T", 10000.0, 1500000.0, "2020-01-15"),
        (12, "default", "2914.T", 800.0, 2400000.0, None),
    ]
    # Every v1 holding was taxed and pledged: the accounts keep that (NULL = by kind, taxable).
    assert rows(v2, "SELECT name, kind, pledged, dividend_tax_rate FROM accounts ORDER BY name") == [
        ("SBI 特定", "taxable", None, None), ("default", "taxable", None, None)]


def test_loans_gain_their_kind(migrated: tuple[sqlite3.Connection, sqlite3.Connection]) -> None:
    v1, v2 = migrated
    common = "id, name, balance, rate, freeze_pct, margin_call_pct, forced_liq_pct, credit_limit, target_ratio"
    assert rows(v2, f"SELECT {common} FROM loans ORDER BY id") == rows(v1, f"SELECT {common} FROM loans ORDER BY id")
    assert rows(v2, "SELECT name, kind, collateral_account, monthly_payment, maturity FROM loans ORDER BY id") == [
        ("SBI margin", "margin", None, None, None), ("bank line", "credit_line", None, None, None),
        ("broker line", "margin", None, None, None)]


def test_v2_is_strict_consistent_and_complete(migrated: tuple[sqlite3.Connection, sqlite3.Connection]) -> None:
    _, v2 = migrated
    tables = {r[1]: r[5] for r in v2.execute("PRAGMA table_list") if r[0] == "main"
              and not r[1].startswith("sqlite_")}
    assert set(tables) == {"accounts", "securities", "holdings", "prices", "dividends", "loans", "cash_accounts",
                           "other_assets", "expenses", "income", "events", "members", "fx_rates", "assumptions",
                           "snapshots"}
    assert all(tables.values()), tables  # every table STRICT
    assert rows(v2, "PRAGMA foreign_key_check") == []
    assert rows(v2, "PRAGMA integrity_check") == [("ok",)]
    for table in ("events", "members"):
        assert rows(v2, f"SELECT count(*) FROM {table}") == [(0,)]
    for table in ("income", "expenses"):
        assert rows(v2, f"SELECT count(*) FROM {table} WHERE start_date IS NOT NULL OR end_date IS NOT NULL") \
            == [(0,)]


@pytest.mark.parametrize(("sql", "message"), [
    ("UPDATE holdings SET shares = 'abc'", "cannot store TEXT value in REAL column holdings.shares"),
    ("UPDATE loans SET balance = x'00'", "cannot store BLOB value in REAL column loans.balance"),
    ("UPDATE prices SET close_price = 'cheap'", "cannot store TEXT value in REAL column prices.close_price"),
    ("UPDATE accounts SET kind = 'nisa_growth', pledged = 1", "CHECK constraint failed: account_pledged_kind"),
    ("UPDATE securities SET haircut = 1.2", "CHECK constraint failed: security_haircut"),
    ("INSERT INTO loans (name, kind, balance) VALUES ('mortgage', 'amortizing', 1)",
     "CHECK constraint failed: loan_amortizing_payment"),
    ("INSERT INTO loans (name, kind, credit_limit, collateral_account) VALUES ('x', 'credit_line', 1, 'default')",
     "CHECK constraint failed: loan_collateral_margin_only"),
    ("INSERT INTO holdings (account, ticker, shares) VALUES ('default', '8058.T', 1)",
     "UNIQUE constraint failed: holdings.account, holdings.ticker"),
    ("INSERT INTO holdings (account, ticker, shares) VALUES ('nowhere', '8058.T', 1)",
     "FOREIGN KEY constraint failed"),
    ("DELETE FROM securities WHERE ticker = 'VYM'", "FOREIGN KEY constraint failed"),
    ("INSERT INTO income (source, monthly_amount, start_date, end_date) VALUES ('x', 1, '2030-01-01', '2029-01-01')",
     "CHECK constraint failed: income_dates_order"),
    ("INSERT INTO events (name, event_date, amount, basis) VALUES ('car', '2029-04-01', 3e6, 'future')",
     "CHECK constraint failed: event_basis"),
])
def test_v2_refuses_what_does_not_fit(migrated: tuple[sqlite3.Connection, sqlite3.Connection],
                                      sql: str, message: str) -> None:
    _, v2 = migrated
    with pytest.raises(sqlite3.IntegrityError, match=message):
        v2.execute(sql)


def test_one_security_in_two_accounts_and_a_mortgage_fit(
        migrated: tuple[sqlite3.Connection, sqlite3.Connection]) -> None:
    _, v2 = migrated
    v2.execute("INSERT INTO accounts (name, kind) VALUES ('楽天 NISA', 'nisa_growth')")
    v2.execute("INSERT INTO holdings (account, ticker, shares, cost_basis) VALUES ('楽天 NISA', '8058.T', 100, 1)")
    v2.execute("INSERT INTO loans (name, kind, balance, rate, monthly_payment, maturity) "
               "VALUES ('mortgage', 'amortizing', 30000000, 0.008, 95000, '2055-03-31')")
    v2.execute("UPDATE accounts SET name = '楽天 成長' WHERE name = '楽天 NISA'")  # renames cascade
    assert rows(v2, "SELECT account, shares FROM holdings WHERE ticker = '8058.T' ORDER BY account") == [
        ("default", 1200.5), ("楽天 成長", 100.0)]
    assert rows(v2, "PRAGMA foreign_key_check") == []


def test_hand_edited_v1_cells_that_v2_refuses_are_each_named_without_their_value(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    build_v1(path)
    conn = sqlite3.connect(path)
    conn.executescript("""
        UPDATE holdings SET shares = 'SECRET-MARKER' WHERE ticker = 'VYM';
        UPDATE loans SET balance = x'00ff' WHERE name = 'bank line';
        UPDATE expenses SET monthly_amount = 'lots' WHERE category = 'travel';
        UPDATE fx_rates SET rate_date = '2026-02-30' WHERE currency = 'EUR';
        UPDATE holdings SET name = x'01' WHERE ticker = '9432.T';
    """)
    conn.commit()
    assert v2_blockers(conn) == [
        "table holdings, row ticker 9432.T: name: holds blob where text belongs",
        "table holdings, row ticker VYM: shares: holds text where a number belongs",
        "table loans, row name bank line: balance: holds blob where a number belongs",
        "table expenses, row category travel: monthly_amount: holds text where a number belongs",
        "table fx_rates, row currency EUR, rate_date 2026-02-30: rate_date: is not a date written YYYY-MM-DD",
    ]
    with pytest.raises(LedgerError) as caught:
        raise_v2_blockers(conn, path)
    assert "5 cell(s)" in str(caught.value) and "SECRET-MARKER" not in str(caught.value)
    # Without the check, SQLite stops at the first cell with its own words: that is what the check replaces.
    conn.close()
    with pytest.raises(sqlite3.IntegrityError, match="cannot store"):
        migrate_to_v2(path)


def test_a_clean_v1_ledger_has_no_blockers(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    build_v1(path)
    assert v2_blockers(sqlite3.connect(path)) == []


_name = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12).filter(
    lambda s: s.strip() != "")
_money = st.floats(0, 1e12, allow_nan=False)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(holdings=st.lists(st.tuples(_name, _money, _money, st.sampled_from(["", " ", "SBI", "楽天", "default"]),
                                   st.sampled_from(["JPY", "USD"]),
                                   st.one_of(st.none(), st.floats(-0.99, 0.99))),
                         unique_by=lambda h: h[0], max_size=8),
       cash=st.lists(st.tuples(_name, st.floats(-1e9, 1e12, allow_nan=False)), unique_by=lambda c: c[0],
                     max_size=4))
def test_any_v1_holdings_and_cash_carry_over(tmp_path: Path, holdings: list[tuple[str, float, float, str, str,
                                                                                   float | None]],
                                             cash: list[tuple[str, float]]) -> None:
    path = tmp_path / f"prop-{abs(hash((tuple(holdings), tuple(cash))))}.db"
    conn = sqlite3.connect(path)
    v1_schema(conn)
    conn.executemany("INSERT INTO holdings (ticker, name, shares, cost_basis, account, currency, dividend_growth) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)", [(t, t * 2, s, c, a, cur, g) for t, s, c, a, cur, g in holdings])
    conn.executemany("INSERT INTO cash_accounts (name, balance) VALUES (?, ?)", cash)
    conn.commit()
    before = rows(conn, "SELECT ticker, name, shares, cost_basis, account, currency, dividend_growth FROM holdings")
    cash_before = rows(conn, "SELECT name, balance, currency FROM cash_accounts ORDER BY name")
    conn.close()
    v2 = migrate_to_v2(path)
    after = rows(v2, "SELECT h.ticker, s.name, h.shares, h.cost_basis, h.account, s.currency, s.dividend_growth "
                     "FROM holdings h JOIN securities s ON s.ticker = h.ticker")
    expected = {(t, n, sh, c, "default" if a.strip() == "" else a, cur, g) for t, n, sh, c, a, cur, g in before}
    assert set(after) == expected
    assert rows(v2, "SELECT name, balance, currency FROM cash_accounts ORDER BY name") == cash_before
    assert {r[0] for r in rows(v2, "SELECT name FROM accounts")} == {h[4] for h in expected}
    v2.close()


def _v1_inputs(conn: sqlite3.Connection, as_of: date) -> LedgerInputs:
    """The model inputs read from a v1 ledger by hand (a reader independent of lifealm's v2 loader)."""
    def day(text: object) -> date | None:
        return None if text is None else date.fromisoformat(str(text))

    q = conn.execute
    return LedgerInputs(
        as_of=as_of,
        holdings=tuple(Holding(t, n, s, c, a, acct.strip() or "default", cur, g, day(added))
                       for t, n, s, c, a, added, acct, cur, g in q(
                           "SELECT ticker, name, shares, cost_basis, asset_class, added_at, account, currency, "
                           "dividend_growth FROM holdings ORDER BY ticker")),
        prices=tuple(PricePoint(t, date.fromisoformat(d), c) for t, d, c in q("SELECT * FROM prices")),
        dividends=tuple(Dividend(t, date.fromisoformat(e), a, bool(p), day(pd)) for t, e, pd, a, p in q(
            "SELECT ticker, ex_date, pay_date, amount_per_share, is_projection FROM dividends")),
        loans=tuple(Loan(n, b, r, ct, f, m, fl, cl, tr) for n, b, r, ct, f, m, fl, cl, tr in q(
            "SELECT name, balance, rate, collateral_type, freeze_pct, margin_call_pct, forced_liq_pct, "
            "credit_limit, target_ratio FROM loans")),
        cash_accounts=tuple(CashAccount(*r) for r in q("SELECT name, balance, currency FROM cash_accounts")),
        other_assets=tuple(OtherAsset(n, k, v, bool(li), c) for n, k, v, li, c in q(
            "SELECT name, kind, value, liquid, currency FROM other_assets")),
        expenses=tuple(Expense(c, m, bool(e)) for c, m, e in q(
            "SELECT category, monthly_amount, essential FROM expenses")),
        income=tuple(Income(*r) for r in q("SELECT source, monthly_amount, kind, annual_change FROM income")),
        fx_rates=tuple(FxRate(c, date.fromisoformat(d), r) for c, d, r in q("SELECT * FROM fx_rates")),
        assumptions=replace(Assumptions(), mc_paths=2000),
    )


def test_the_reports_figures_are_identical_before_and_after_the_migration(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    build_v1(path)
    as_of = date(2026, 11, 25)
    with closing(sqlite3.connect(path)) as conn:
        before = build_briefing(_v1_inputs(conn, as_of))
    with closing(open_ledger(path)) as conn:  # lifealm's own migration, then lifealm's loader
        after = build_briefing(read_model_inputs(conn, as_of, {"mc_paths": 2000}).inputs)
    assert after.snapshot.status == before.snapshot.status
    figures = ("portfolio_value", "cash", "margin_balance", "margin_ratio", "net_worth",
               "monthly_cashflow", "fire_ratio", "max_survivable_drawdown")
    assert before.margin.balance > 0 and before.valuation.value > 0 and before.dividends.fire_ratio
    for name in figures:
        assert getattr(after.snapshot, name) == pytest.approx(getattr(before.snapshot, name), rel=1e-12), name
    assert [f.code for f in after.findings] == [f.code for f in before.findings]
