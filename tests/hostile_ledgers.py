"""Hostile ledgers: the demo ledger with one cell edited by another tool (sqlite3), each carrying a marker value.

Not a test module. Every case is what SQLite's loose typing lets a plain UPDATE store around `lifealm import`:
text or a blob in a numeric column, NULL, NaN/infinity, a subnormal number, out-of-order thresholds, an
impossible date, a huge or malformed name. The CHECK constraints are switched off (`PRAGMA
ignore_check_constraints`) as another tool could, and for a NULL the table's NOT NULL is dropped from the schema.
Each case says what lifealm must make of it: a finding (the row left out, exit 0), an error (exit 1 naming the
table, row and column), a warning (text no page can draw as it is, kept and shown cut or replaced, exit 0),
nothing at all (an odd but valid value), or, since schema v2's STRICT tables, nothing to make: SQLite itself
refuses text or a blob where a number belongs.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

AS_OF = "2026-11-25"
FINDING, ERROR, SHOWN, VALID, STRICT = "finding", "error", "shown", "valid", "strict"
TICKER = "0101.T"  # a demo security, held in the margin account and in the NISA account
ACCOUNT = "特定口座 (margin)"  # the pledged taxable account
NISA = "NISA 成長投資枠"
MARGIN = "証券担保ローン margin loan"
LINE = "コミットメントライン standby credit line"
MORTGAGE = "住宅ローン mortgage"
LATEST_PRICE = f"ticker = '{TICKER}' AND price_date = '{AS_OF}'"


@dataclass(frozen=True)
class Case:
    """One hostile edit: the SQL, the marker values that must never be printed, and the expected outcome."""

    id: str
    sql: tuple[str, ...]
    expect: str  # FINDING, ERROR, SHOWN, VALID or STRICT
    table: str = ""  # where the finding or error points
    column: str = ""
    markers: tuple[str, ...] = ()
    loosen: str = ""  # a table whose NOT NULL constraints are dropped first (to plant a NULL)

    @property
    def marker(self) -> str:
        return f"QZX{re.sub(r'[^A-Za-z0-9]', '', self.id)}MARK"


def _num(value: float) -> tuple[str, ...]:
    """How a number could be printed: repr, %g, with thousands separators."""
    return (repr(value), f"{value:g}", f"{value:,}")


def _case(id: str, sql: str | tuple[str, ...], expect: str, table: str = "", column: str = "", *,
          markers: tuple[str, ...] = (), loosen: str = "", text: bool = False) -> Case:
    """`{M}` in the SQL is the case's text marker (then it is one of the markers too)."""
    case = Case(id, (sql,) if isinstance(sql, str) else sql, expect, table, column, markers, loosen)
    if text or any("{M}" in s for s in case.sql):
        return Case(id, tuple(s.replace("{M}", case.marker) for s in case.sql), expect, table, column,
                    (case.marker, *markers), loosen)
    return case


def _h(setting: str) -> str:
    return f"UPDATE holdings SET {setting} WHERE ticker = '{TICKER}' AND account = '{ACCOUNT}'"


def _sec(setting: str) -> str:
    return f"UPDATE securities SET {setting} WHERE ticker = '{TICKER}'"


def _loan(setting: str, name: str = MARGIN) -> str:
    return f"UPDATE loans SET {setting} WHERE name = '{name}'"


SOURCE = _sec("source = '{M}'")  # a free-text cell of the same security, where a marker can go when the bad value
# itself cannot carry one (a NULL, an infinity)
USD = (_sec("currency = 'USD'"), "INSERT INTO fx_rates VALUES ('USD', '2026-11-20', 151.0)")
BAD = 0.9371  # a distinctive fraction: its every printed form is a marker
FLAG = 827193646  # a distinctive integer for a 0/1 column (a short one could occur in any briefing's figures)

CASES: tuple[Case, ...] = (
    # holdings and their securities: the row is left out (the portfolio only gets smaller), with a finding
    _case("holding shares text", _h("shares = '{M}'"), STRICT, "holdings", "shares"),
    _case("holding shares blob", _h("shares = CAST('{M}' AS BLOB)"), STRICT, "holdings", "shares"),
    _case("holding shares NULL", (_h("shares = NULL"), SOURCE), FINDING, "holdings", "shares", loosen="holdings"),
    _case("holding shares +inf", (_h("shares = 1e999"), SOURCE), FINDING, "holdings", "shares"),
    _case("holding shares -inf", (_h("shares = -1e999"), SOURCE), FINDING, "holdings", "shares"),
    _case("holding shares subnormal", _h("shares = 2.5e-320"), FINDING, "holdings", "shares",
          markers=("2.5e-320",)),
    _case("holding shares absurd", _h("shares = 9.371e18"), FINDING, "holdings", "shares", markers=_num(9.371e18)),
    _case("holding shares negative", _h(f"shares = -{BAD}"), FINDING, "holdings", "shares", markers=_num(-BAD)),
    _case("holding cost text", _h("cost_basis = '{M}'"), STRICT, "holdings", "cost_basis"),
    _case("holding cost blob with a NUL", _h("cost_basis = CAST(char(0) || '{M}' AS BLOB)"), STRICT, "holdings",
          "cost_basis"),
    _case("holding cost NULL", (_h("cost_basis = NULL"), SOURCE), FINDING, "holdings", "cost_basis",
          loosen="holdings"),
    _case("holding added_at impossible", _h("added_at = '2026-02-30'"), FINDING, "holdings", "added_at",
          markers=("2026-02-30",)),
    _case("holding added_at garbage", _h("added_at = '{M}'"), FINDING, "holdings", "added_at"),
    _case("holding added_at a number", _h("added_at = 20260931"), FINDING, "holdings", "added_at",
          markers=("20260931",)),
    _case("holding added_at slashes", _h("added_at = '2026/09/31'"), FINDING, "holdings", "added_at",
          markers=("2026/09/31",)),
    _case("security growth out of range", _sec("dividend_growth = 1.9371"), FINDING, "holdings", "dividend_growth",
          markers=_num(1.9371)),
    _case("security growth text", _sec("dividend_growth = '{M}'"), STRICT, "holdings", "dividend_growth"),
    _case("security haircut above one", _sec("haircut = 1.9371"), FINDING, "holdings", "haircut",
          markers=_num(1.9371)),
    _case("security haircut NULL", (_sec("haircut = NULL"), SOURCE), FINDING, "holdings", "haircut",
          loosen="securities"),
    _case("security name escape", _sec("name = '{M}' || char(27) || '[31m'"), SHOWN, "holdings", "name"),
    _case("security name newline", _sec("name = '{M}' || char(10) || 'x'"), SHOWN, "holdings", "name"),
    _case("security name huge", _sec("name = '{M}' || printf('%.10000c', 'x')"), SHOWN, "holdings", "name"),
    _case("security name NULL", (_sec("name = NULL"), SOURCE), FINDING, "holdings", "name", loosen="securities"),
    _case("security asset_class blob", _sec("asset_class = CAST('{M}' AS BLOB)"), STRICT, "holdings",
          "asset_class"),
    _case("security ticker escape", (SOURCE, _sec("ticker = 'T' || char(27) || '[31m'")), SHOWN, "holdings",
          "ticker"),
    _case("security ticker huge", (SOURCE, _sec("ticker = printf('%.600c', 'y')")), SHOWN, "holdings", "ticker"),
    _case("security ticker blank", (SOURCE, _sec("ticker = '   '")), FINDING, "holdings", "ticker"),
    _case("security currency malformed", _sec("currency = 'q{M}'"), FINDING, "holdings", "currency"),
    _case("security currency lower case", (_sec("currency = 'usd'"), SOURCE), FINDING, "holdings", "currency"),
    # prices: the latest close is unusable, so the holding is left unvalued (never valued at an older close)
    _case("price text", f"UPDATE prices SET close_price = '{{M}}' WHERE {LATEST_PRICE}", STRICT, "prices",
          "close_price"),
    _case("price negative", f"UPDATE prices SET close_price = -{BAD} WHERE {LATEST_PRICE}", FINDING, "prices",
          "close_price", markers=_num(-BAD)),
    _case("price subnormal", f"UPDATE prices SET close_price = 1e-320 WHERE {LATEST_PRICE}", FINDING, "prices",
          "close_price", markers=("1e-320", "9.99989e-321")),
    _case("price +inf", (f"UPDATE prices SET close_price = 1e999 WHERE {LATEST_PRICE}", SOURCE), FINDING,
          "prices", "close_price"),
    _case("price NULL", (f"UPDATE prices SET close_price = NULL WHERE {LATEST_PRICE}", SOURCE), FINDING, "prices",
          "close_price", loosen="prices"),
    _case("price date malformed", f"UPDATE prices SET price_date = '2026-11-24 {{M}}' WHERE {LATEST_PRICE}",
          FINDING, "prices", "price_date"),
    # dividends: a payment left out only lowers the projected income
    _case("dividend amount text", f"UPDATE dividends SET amount_per_share = '{{M}}' WHERE ticker = '{TICKER}'",
          STRICT, "dividends", "amount_per_share"),
    _case("dividend amount negative", f"UPDATE dividends SET amount_per_share = -{BAD} WHERE ticker = '{TICKER}'",
          FINDING, "dividends", "amount_per_share", markers=_num(-BAD)),
    _case("dividend ex_date impossible", f"UPDATE dividends SET ex_date = '2023-02-29' WHERE ticker = '{TICKER}' "
          f"AND ex_date = (SELECT min(ex_date) FROM dividends WHERE ticker = '{TICKER}')", FINDING, "dividends",
          "ex_date", markers=("2023-02-29",)),
    _case("dividend projection flag not 0 or 1", f"UPDATE dividends SET is_projection = {FLAG} WHERE ticker = "
          f"'{TICKER}'", FINDING, "dividends", "is_projection", markers=(str(FLAG),)),
    _case("dividend pay_date garbage", f"UPDATE dividends SET pay_date = '{{M}}' WHERE ticker = '{TICKER}'",
          FINDING, "dividends", "pay_date"),
    # loans: leaving a debt out could flatter the answer, so every command stops and names the cell
    _case("loan balance text", _loan("balance = '{M}'"), STRICT, "loans", "balance"),
    _case("loan balance blob", _loan("balance = CAST('{M}' AS BLOB)"), STRICT, "loans", "balance"),
    _case("loan balance NULL", _loan("balance = NULL"), ERROR, "loans", "balance", loosen="loans"),
    _case("loan balance subnormal", _loan("balance = 4.9371e-320"), ERROR, "loans", "balance",
          markers=("4.9371e-320", "4.94e-320")),
    _case("loan rate +inf", _loan("rate = 1e999"), ERROR, "loans", "rate"),
    _case("loan thresholds out of order", _loan(f"freeze_pct = {BAD}"), ERROR, "loans", "freeze_pct",
          markers=_num(BAD)),
    _case("loan threshold NULL", _loan("margin_call_pct = NULL"), ERROR, "loans", "margin_call_pct"),
    _case("loan forced above one", _loan("forced_liq_pct = 1.9371"), ERROR, "loans", "forced_liq_pct",
          markers=_num(1.9371)),
    _case("loan threshold text", _loan("forced_liq_pct = '{M}'"), STRICT, "loans", "forced_liq_pct"),
    _case("loan target above forced", _loan(f"target_ratio = {BAD}"), ERROR, "loans", "target_ratio",
          markers=_num(BAD)),
    _case("loan credit line without limit", _loan("credit_limit = NULL", LINE), ERROR, "loans", "credit_limit"),
    _case("loan credit line with collateral", _loan(f"collateral_account = '{ACCOUNT}'", LINE), ERROR, "loans",
          "collateral_account"),
    _case("loan kind malformed", _loan("kind = '{M}'", LINE), ERROR, "loans", "kind"),
    _case("mortgage without payment", _loan("monthly_payment = NULL", MORTGAGE), ERROR, "loans",
          "monthly_payment"),
    _case("mortgage payment negative", _loan(f"monthly_payment = -{BAD}", MORTGAGE), ERROR, "loans",
          "monthly_payment", markers=_num(-BAD)),
    _case("mortgage maturity impossible", _loan("maturity = '2036-02-30'", MORTGAGE), ERROR, "loans", "maturity",
          markers=("2036-02-30",)),
    _case("loan name escape", _loan("name = 'Margin' || char(27) || ']0;x' || char(7)"), SHOWN, "loans", "name"),
    _case("loan name huge", _loan("name = printf('%.5000c', 'z')"), SHOWN, "loans", "name"),
    _case("loan name blob", _loan("name = CAST('{M}' AS BLOB)"), STRICT, "loans", "name"),
    # cash: a balance may be an overdraft, so an unreadable one cannot be left out
    _case("cash balance text", "UPDATE cash_accounts SET balance = '{M}' WHERE id = 1", STRICT, "cash_accounts",
          "balance"),
    _case("cash balance NULL", "UPDATE cash_accounts SET balance = NULL WHERE id = 1", ERROR, "cash_accounts",
          "balance", loosen="cash_accounts"),
    _case("cash balance absurd", "UPDATE cash_accounts SET balance = -9.371e300 WHERE id = 1", ERROR,
          "cash_accounts", "balance", markers=_num(-9.371e300)),
    _case("cash currency lower case", "UPDATE cash_accounts SET currency = 'jpy' WHERE id = 1", ERROR,
          "cash_accounts", "currency"),
    _case("cash currency blob", "UPDATE cash_accounts SET currency = X'4a5059' WHERE id = 1", STRICT,
          "cash_accounts", "currency"),
    # expenses: leaving spending out would flatter the plan
    _case("expense amount text", "UPDATE expenses SET monthly_amount = '{M}' WHERE id = 1", STRICT, "expenses",
          "monthly_amount"),
    _case("expense amount -inf", "UPDATE expenses SET monthly_amount = -1e999 WHERE id = 1", ERROR, "expenses",
          "monthly_amount"),
    _case("expense essential not 0 or 1", f"UPDATE expenses SET essential = {FLAG} WHERE id = 1", ERROR, "expenses",
          "essential", markers=(str(FLAG),)),
    _case("expense start impossible", "UPDATE expenses SET start_date = '2027-02-29' WHERE id = 1", ERROR,
          "expenses", "start_date", markers=("2027-02-29",)),
    _case("expense end garbage", "UPDATE expenses SET end_date = '{M}' WHERE id = 1", ERROR, "expenses",
          "end_date"),
    # a stream that ends before it starts (the schema's CHECK switched off): what was meant cannot be guessed, and
    # counting it for no month would flatter the plan as much as leaving it out
    _case("expense ends before it starts", "UPDATE expenses SET start_date = '2047-09-13', end_date = '2047-09-12' "
          "WHERE id = 1", ERROR, "expenses", "start_date/end_date", markers=("2047-09-13", "2047-09-12")),
    _case("expense ends a year before it starts", "UPDATE expenses SET start_date = '2046-10-19', end_date = "
          "'2045-10-27' WHERE id = 2", ERROR, "expenses", "start_date/end_date", markers=("2046-10-19", "2045-10-27")),
    _case("expense category newline", "UPDATE expenses SET category = 'food' || char(10) || 'x' WHERE id = 1",
          SHOWN, "expenses", "category"),
    # income and other assets: leaving them out only lowers what the household has
    _case("income amount text", "UPDATE income SET monthly_amount = '{M}' WHERE id = 1", STRICT, "income",
          "monthly_amount"),
    _case("income kind malformed", "UPDATE income SET kind = '{M}' WHERE id = 1", FINDING, "income", "kind"),
    _case("income change above one", "UPDATE income SET annual_change = 1.9371 WHERE id = 1", FINDING, "income",
          "annual_change", markers=_num(1.9371)),
    _case("income start garbage", "UPDATE income SET start_date = '{M}' WHERE id = 1", FINDING, "income",
          "start_date"),
    _case("income end impossible", "UPDATE income SET end_date = '2028-02-30' WHERE id = 2", FINDING, "income",
          "end_date", markers=("2028-02-30",)),
    _case("income ends before it starts", "UPDATE income SET start_date = '2047-09-13', end_date = '2047-09-12' "
          "WHERE id = 1", FINDING, "income", "start_date/end_date", markers=("2047-09-13", "2047-09-12")),
    _case("income ends before it starts, the end's month passed", "UPDATE income SET start_date = '2039-07-17', "
          "end_date = '2019-03-13' WHERE id = 2", FINDING, "income", "start_date/end_date",
          markers=("2039-07-17", "2019-03-13")),
    _case("other asset value text", "UPDATE other_assets SET value = '{M}'", STRICT, "other_assets", "value"),
    _case("other asset value -inf", "UPDATE other_assets SET value = -1e999, kind = '{M}'", FINDING,
          "other_assets", "value"),
    _case("other asset liquid not 0 or 1", f"UPDATE other_assets SET liquid = {FLAG}", FINDING, "other_assets",
          "liquid", markers=(str(FLAG),)),
    # FX: an unusable latest rate leaves the foreign holding unvalued
    _case("fx rate text", (*USD, "UPDATE fx_rates SET rate = '{M}'"), STRICT, "fx_rates", "rate"),
    _case("fx rate negative", (*USD, "UPDATE fx_rates SET rate = -1.9371"), FINDING, "fx_rates", "rate",
          markers=_num(-1.9371)),
    _case("fx rate subnormal", (*USD, "UPDATE fx_rates SET rate = 3.1415e-315"), FINDING, "fx_rates", "rate",
          markers=("3.1415e-315",)),
    _case("fx date malformed", (*USD, "UPDATE fx_rates SET rate_date = '2026-11-2 {M}'"), FINDING, "fx_rates",
          "rate_date"),
    # assumptions: a model parameter cannot be guessed
    _case("assumption value text", "INSERT INTO assumptions VALUES ('mc_paths', '{M}')", ERROR, "assumptions",
          "value"),
    _case("assumption value blob", "INSERT INTO assumptions VALUES ('stress_step', CAST('{M}' AS BLOB))", STRICT,
          "assumptions", "value"),
    _case("assumption value nan", "INSERT INTO assumptions VALUES ('market_volatility', 'nan')", ERROR,
          "assumptions", "value"),
    _case("assumption unknown name", "INSERT INTO assumptions VALUES ('{M}', '1')", ERROR, "assumptions", "name"),
    # snapshots: a past briefing left out of the history
    _case("snapshot figure text", "UPDATE snapshots SET net_worth = '{M}' WHERE snapshot_date = '2026-11-20'",
          STRICT, "snapshots", "net_worth"),
    _case("snapshot status malformed", "UPDATE snapshots SET status = '{M}' WHERE snapshot_date = '2026-11-20'",
          FINDING, "snapshots", "status"),
    _case("snapshot figure +inf", "UPDATE snapshots SET cash = 1e999 WHERE snapshot_date = '2026-11-20'",
          FINDING, "snapshots", "cash"),
    _case("snapshot date impossible", "UPDATE snapshots SET snapshot_date = '2026-09-31' "
          "WHERE snapshot_date = '2026-11-20'", FINDING, "snapshots", "snapshot_date", markers=("2026-09-31",)),
    # accounts: an account left out would make its holdings count as pledged collateral, so the load stops
    _case("account kind malformed", f"UPDATE accounts SET kind = '{{M}}' WHERE name = '{NISA}'", ERROR, "accounts",
          "kind"),
    _case("account NISA pledged", f"UPDATE accounts SET pledged = 1 WHERE name = '{NISA}'", ERROR, "accounts",
          "pledged"),
    _case("account tax rate above one", f"UPDATE accounts SET dividend_tax_rate = 1.9371 WHERE name = '{NISA}'",
          ERROR, "accounts", "dividend_tax_rate", markers=_num(1.9371)),
    _case("account pledged not 0 or 1", f"UPDATE accounts SET pledged = {FLAG} WHERE name = '{ACCOUNT}'", ERROR,
          "accounts", "pledged", markers=(str(FLAG),)),
    _case("account name escape", f"UPDATE accounts SET name = 'NISA' || char(27) || '[2J' WHERE name = '{NISA}'",
          SHOWN, "accounts", "name"),
    _case("account name blob", f"UPDATE accounts SET name = CAST('{{M}}' AS BLOB) WHERE name = '{NISA}'", STRICT,
          "accounts", "name"),
    # events: a one-off expense left out would flatter the plan
    _case("event amount negative", f"UPDATE events SET amount = -{BAD} WHERE id = 1", ERROR, "events", "amount",
          markers=_num(-BAD)),
    _case("event amount +inf", "UPDATE events SET amount = 1e999 WHERE id = 1", ERROR, "events", "amount"),
    _case("event date impossible", "UPDATE events SET event_date = '2031-02-30' WHERE id = 1", ERROR, "events",
          "event_date", markers=("2031-02-30",)),
    _case("event direction malformed", "UPDATE events SET direction = '{M}' WHERE id = 1", ERROR, "events",
          "direction"),
    _case("event amount text", "UPDATE events SET amount = '{M}' WHERE id = 1", STRICT, "events", "amount"),
    _case("event name newline", "UPDATE events SET name = 'car' || char(10) || 'x' WHERE id = 5", SHOWN, "events",
          "name"),
    # members: an age left off the page
    _case("member birth date impossible", "UPDATE members SET birth_date = '1977-02-30' WHERE id = 1", FINDING,
          "members", "birth_date", markers=("1977-02-30",)),
    _case("member birth date garbage", "UPDATE members SET birth_date = '{M}' WHERE id = 1", FINDING, "members",
          "birth_date"),
    _case("member birth date NULL", "UPDATE members SET birth_date = NULL WHERE id = 1", FINDING, "members",
          "birth_date", loosen="members"),
    _case("member name escape", "UPDATE members SET name = 'Taro' || char(27) || '[31m' WHERE id = 1", SHOWN,
          "members", "name"),
    # odd but valid: lifealm takes them as they are
    _case("holding added_at far future", _h("added_at = '9999-12-31'"), VALID),
    _case("holding added_at year one", _h("added_at = '0001-01-01'"), VALID),
    _case("dividend pay_date far future", f"UPDATE dividends SET pay_date = '9999-12-31' WHERE ticker = "
          f"'{TICKER}'", VALID),
    _case("security name noncharacter", _sec("name = '{M}' || char(65535) || char(8238)"), SHOWN, "holdings",
          "name"),
    _case("security name right-to-left override", _sec("name = '{M}' || char(8238) || 'gnp.exe'"), VALID),
    _case("holding shares at the limit", _h("shares = 1e15"), VALID),
    _case("member born on a leap day", "UPDATE members SET birth_date = '2000-02-29' WHERE id = 3", VALID),
    _case("event in the far future", "UPDATE events SET event_date = '2099-12-31' WHERE id = 5", VALID),
)
RUN = tuple(case for case in CASES if case.expect != STRICT)  # the cases SQLite lets in: run through the commands


def _loosen(conn: sqlite3.Connection, table: str) -> None:
    """Drop the table's NOT NULL constraints from the stored schema (the file format is unchanged by it)."""
    (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
    version = conn.execute("PRAGMA schema_version").fetchone()[0]
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                 (re.sub(r"\b(REAL|TEXT|INTEGER)(\s+)NOT NULL", r"\1\2", sql), table))  # not "IS NOT NULL"
    conn.execute(f"PRAGMA schema_version = {version + 1}")
    conn.execute("PRAGMA writable_schema = OFF")


def plant(case: Case, ledger: Path) -> None:
    """Apply the case's edit to `ledger` as another tool would; the edit must change a row."""
    conn = sqlite3.connect(ledger, isolation_level=None)
    try:
        if case.loosen:
            _loosen(conn, case.loosen)
            conn.close()
            conn = sqlite3.connect(ledger, isolation_level=None)
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute("PRAGMA foreign_keys = ON")  # a renamed ticker carries its prices and dividends along
        conn.execute("BEGIN")
        for statement in case.sql:
            if conn.execute(statement).rowcount < 1:
                raise AssertionError(f"{case.id}: the edit changed nothing: {statement}")
        conn.execute("COMMIT")
    finally:
        conn.close()


# --- rows edited into a schema-v1 ledger (before the typed tables), met by the upgrade ---

V1_ROWS = """
INSERT INTO holdings (ticker, name, shares, cost_basis) VALUES ('8058.T', 'Mitsubishi', 1200, 3000000);
INSERT INTO prices VALUES ('8058.T', '2026-11-24', 3150.0);
INSERT INTO loans (name, balance, rate, collateral_type, freeze_pct, margin_call_pct, forced_liq_pct)
VALUES ('SBI margin', 500000, 0.02, 'portfolio', 0.6, 0.7, 0.85);
INSERT INTO cash_accounts (name, balance) VALUES ('bank', 4500000);
INSERT INTO expenses (category, monthly_amount) VALUES ('living', 300000);
"""

V1_CASES: tuple[Case, ...] = (
    _case("v1 shares text", "UPDATE holdings SET shares = '{M}'", ERROR, "holdings", "shares"),
    _case("v1 close blob", "UPDATE prices SET close_price = CAST('{M}' AS BLOB)", ERROR, "prices", "close_price"),
    _case("v1 added_at impossible", "UPDATE holdings SET added_at = '2026-02-30'", ERROR, "holdings", "added_at",
          markers=("2026-02-30",)),
    _case("v1 expense text", "UPDATE expenses SET monthly_amount = '{M}'", ERROR, "expenses", "monthly_amount"),
    _case("v1 thresholds out of order", f"UPDATE loans SET freeze_pct = {BAD}", ERROR, "loans", "freeze_pct",
          markers=_num(BAD)),
    _case("v1 expense negative", f"UPDATE expenses SET monthly_amount = -{BAD}", ERROR, "expenses",
          "monthly_amount", markers=_num(-BAD)),
    _case("v1 cash +inf", "UPDATE cash_accounts SET balance = 1e999", ERROR, "cash_accounts", "balance"),
)


def v1_ledger(path: Path, case: Case) -> Path:
    """A schema-v1 ledger (the shipped migrations before the household one) with the case's edit."""
    from lifealm.ledger.db import migrations

    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for migration in migrations():
            if migration.name == "household":
                break
            conn.executescript(f"{migration.sql}\nPRAGMA user_version = {migration.version};")
        conn.executescript(V1_ROWS)
    finally:
        conn.close()
    plant(case, path)
    return path
