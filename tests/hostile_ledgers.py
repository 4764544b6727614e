"""Hostile ledgers: the demo ledger with one cell edited by another tool (sqlite3), each carrying a marker value.

Not a test module. Every case is what SQLite's loose typing lets a plain UPDATE store around `lifealm import`:
text or a blob in a numeric column, NULL, NaN/infinity, a subnormal number, out-of-order thresholds, an
impossible date, a huge or malformed name. The CHECK constraints are switched off (`PRAGMA
ignore_check_constraints`) as another tool could, and for a NULL the table's NOT NULL is dropped from the schema.
Each case says what lifealm must make of it: a finding (the row left out, exit 0), an error (exit 1 naming the
table, row and column), a warning (text no page can draw as it is, kept and shown cut or replaced, exit 0), or
nothing at all (an odd but valid value).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

AS_OF = "2026-11-25"
FINDING, ERROR, SHOWN, VALID = "finding", "error", "shown", "valid"
TICKER = "0101.T"  # a demo holding in the margin account
MARGIN = "証券担保ローン margin loan"
LINE = "コミットメントライン standby credit line"
LATEST_PRICE = f"ticker = '{TICKER}' AND price_date = '{AS_OF}'"


@dataclass(frozen=True)
class Case:
    """One hostile edit: the SQL, the marker values that must never be printed, and the expected outcome."""

    id: str
    sql: tuple[str, ...]
    expect: str  # FINDING, ERROR, SHOWN or VALID
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
    return f"UPDATE holdings SET {setting} WHERE ticker = '{TICKER}'"


def _loan(setting: str, name: str = MARGIN) -> str:
    return f"UPDATE loans SET {setting} WHERE name = '{name}'"


USD = ("INSERT INTO fx_rates VALUES ('USD', '2026-11-20', 151.0)", _h("currency = 'USD'"))
BAD = 0.9371  # a distinctive fraction: its every printed form is a marker
FLAG = 827193646  # a distinctive integer for a 0/1 column (a short one could occur in any briefing's figures)

CASES: tuple[Case, ...] = (
    # holdings: the row is left out (the portfolio only gets smaller), with a finding
    _case("holding shares text", _h("shares = '{M}'"), FINDING, "holdings", "shares"),
    _case("holding shares blob", _h("shares = CAST('{M}' AS BLOB)"), FINDING, "holdings", "shares"),
    _case("holding shares number-like text", _h("shares = '1,000{M}'"), FINDING, "holdings", "shares"),
    _case("holding shares NULL", _h("shares = NULL, account = '{M}'"), FINDING, "holdings", "shares",
          loosen="holdings"),
    _case("holding shares +inf", _h("shares = 1e999, account = '{M}'"), FINDING, "holdings", "shares"),
    _case("holding shares -inf", _h("shares = -1e999, account = '{M}'"), FINDING, "holdings", "shares"),
    _case("holding shares subnormal", _h("shares = 2.5e-320"), FINDING, "holdings", "shares",
          markers=("2.5e-320",)),
    _case("holding shares absurd", _h("shares = 9.371e18"), FINDING, "holdings", "shares", markers=_num(9.371e18)),
    _case("holding shares negative", _h(f"shares = -{BAD}"), FINDING, "holdings", "shares", markers=_num(-BAD)),
    _case("holding cost text", _h("cost_basis = '{M}'"), FINDING, "holdings", "cost_basis"),
    _case("holding cost blob with a NUL", _h("cost_basis = CAST(char(0) || '{M}' AS BLOB)"), FINDING, "holdings",
          "cost_basis"),
    _case("holding growth out of range", _h("dividend_growth = 1.9371"), FINDING, "holdings", "dividend_growth",
          markers=_num(1.9371)),
    _case("holding growth text", _h("dividend_growth = '{M}'"), FINDING, "holdings", "dividend_growth"),
    _case("holding added_at impossible", _h("added_at = '2026-02-30'"), FINDING, "holdings", "added_at",
          markers=("2026-02-30",)),
    _case("holding added_at garbage", _h("added_at = '{M}'"), FINDING, "holdings", "added_at"),
    _case("holding added_at a number", _h("added_at = 20260931"), FINDING, "holdings", "added_at",
          markers=("20260931",)),
    _case("holding added_at slashes", _h("added_at = '2026/09/31'"), FINDING, "holdings", "added_at",
          markers=("2026/09/31",)),
    _case("holding name escape", _h("name = '{M}' || char(27) || '[31m'"), SHOWN, "holdings", "name"),
    _case("holding name newline", _h("name = '{M}' || char(10) || 'x'"), SHOWN, "holdings", "name"),
    _case("holding name huge", _h("name = '{M}' || printf('%.10000c', 'x')"), SHOWN, "holdings", "name"),
    _case("holding name NULL", _h("name = NULL, account = '{M}'"), FINDING, "holdings", "name", loosen="holdings"),
    _case("holding asset_class blob", _h("asset_class = CAST('{M}' AS BLOB)"), FINDING, "holdings",
          "asset_class"),
    _case("holding ticker escape", _h("ticker = 'T' || char(27) || '[31m', account = '{M}'"), SHOWN, "holdings",
          "ticker"),
    _case("holding ticker huge", _h("ticker = printf('%.600c', 'y'), account = '{M}'"), SHOWN, "holdings",
          "ticker"),
    _case("holding ticker blank", _h("ticker = '   ', account = '{M}'"), FINDING, "holdings", "ticker"),
    _case("holding currency malformed", _h("currency = 'q{M}'"), FINDING, "holdings", "currency"),
    _case("holding currency lower case", _h("currency = 'usd', account = '{M}'"), FINDING, "holdings", "currency"),
    # prices: the latest close is unusable, so the holding is left unvalued (never valued at an older close)
    _case("price text", f"UPDATE prices SET close_price = '{{M}}' WHERE {LATEST_PRICE}", FINDING, "prices",
          "close_price"),
    _case("price negative", f"UPDATE prices SET close_price = -{BAD} WHERE {LATEST_PRICE}", FINDING, "prices",
          "close_price", markers=_num(-BAD)),
    _case("price subnormal", f"UPDATE prices SET close_price = 1e-320 WHERE {LATEST_PRICE}", FINDING, "prices",
          "close_price", markers=("1e-320", "9.99989e-321")),
    _case("price +inf", f"UPDATE prices SET close_price = 1e999 WHERE {LATEST_PRICE}", FINDING, "prices",
          "close_price"),
    _case("price NULL", f"UPDATE prices SET close_price = NULL WHERE {LATEST_PRICE}", FINDING, "prices",
          "close_price", loosen="prices"),
    _case("price date malformed", f"UPDATE prices SET price_date = '2026-11-24 {{M}}' WHERE {LATEST_PRICE}",
          FINDING, "prices", "price_date"),
    # dividends: a payment left out only lowers the projected income
    _case("dividend amount text", f"UPDATE dividends SET amount_per_share = '{{M}}' WHERE ticker = '{TICKER}'",
          FINDING, "dividends", "amount_per_share"),
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
    _case("loan balance text", _loan("balance = '{M}'"), ERROR, "loans", "balance"),
    _case("loan balance blob", _loan("balance = CAST('{M}' AS BLOB)"), ERROR, "loans", "balance"),
    _case("loan balance NULL", _loan("balance = NULL"), ERROR, "loans", "balance", loosen="loans"),
    _case("loan balance subnormal", _loan("balance = 4.9371e-320"), ERROR, "loans", "balance",
          markers=("4.9371e-320", "4.94e-320")),
    _case("loan rate +inf", _loan("rate = 1e999"), ERROR, "loans", "rate"),
    _case("loan thresholds out of order", _loan(f"freeze_pct = {BAD}"), ERROR, "loans", "freeze_pct",
          markers=_num(BAD)),
    _case("loan threshold NULL", _loan("margin_call_pct = NULL"), ERROR, "loans", "margin_call_pct"),
    _case("loan forced above one", _loan("forced_liq_pct = 1.9371"), ERROR, "loans", "forced_liq_pct",
          markers=_num(1.9371)),
    _case("loan threshold text", _loan("forced_liq_pct = '{M}'"), ERROR, "loans", "forced_liq_pct"),
    _case("loan target above forced", _loan(f"target_ratio = {BAD}"), ERROR, "loans", "target_ratio",
          markers=_num(BAD)),
    _case("loan credit line without limit", _loan("credit_limit = NULL", LINE), ERROR, "loans", "credit_limit"),
    _case("loan collateral malformed", _loan("collateral_type = '{M}'", LINE), ERROR, "loans", "collateral_type"),
    _case("loan name escape", _loan("name = 'Margin' || char(27) || ']0;x' || char(7)"), SHOWN, "loans", "name"),
    _case("loan name huge", _loan("name = printf('%.5000c', 'z')"), SHOWN, "loans", "name"),
    _case("loan name blob", _loan("name = CAST('{M}' AS BLOB)"), ERROR, "loans", "name"),
    # cash: a balance may be an overdraft, so an unreadable one cannot be left out
    _case("cash balance text", "UPDATE cash_accounts SET balance = '{M}' WHERE id = 1", ERROR, "cash_accounts",
          "balance"),
    _case("cash balance NULL", "UPDATE cash_accounts SET balance = NULL WHERE id = 1", ERROR, "cash_accounts",
          "balance", loosen="cash_accounts"),
    _case("cash balance absurd", "UPDATE cash_accounts SET balance = -9.371e300 WHERE id = 1", ERROR,
          "cash_accounts", "balance", markers=_num(-9.371e300)),
    _case("cash currency blob", "UPDATE cash_accounts SET currency = X'4a5059' WHERE id = 1", ERROR,
          "cash_accounts", "currency"),
    # expenses: leaving spending out would flatter the plan
    _case("expense amount text", "UPDATE expenses SET monthly_amount = '{M}' WHERE id = 1", ERROR, "expenses",
          "monthly_amount"),
    _case("expense amount -inf", "UPDATE expenses SET monthly_amount = -1e999 WHERE id = 1", ERROR, "expenses",
          "monthly_amount"),
    _case("expense essential not 0 or 1", f"UPDATE expenses SET essential = {FLAG} WHERE id = 1", ERROR, "expenses",
          "essential", markers=(str(FLAG),)),
    _case("expense category newline", "UPDATE expenses SET category = 'food' || char(10) || 'x' WHERE id = 1",
          SHOWN, "expenses", "category"),
    # income and other assets: leaving them out only lowers what the household has
    _case("income amount text", "UPDATE income SET monthly_amount = '{M}' WHERE id = 1", FINDING, "income",
          "monthly_amount"),
    _case("income kind malformed", "UPDATE income SET kind = '{M}' WHERE id = 1", FINDING, "income", "kind"),
    _case("income change above one", "UPDATE income SET annual_change = 1.9371 WHERE id = 1", FINDING, "income",
          "annual_change", markers=_num(1.9371)),
    _case("other asset value text", "UPDATE other_assets SET value = '{M}'", FINDING, "other_assets", "value"),
    _case("other asset liquid text", "UPDATE other_assets SET liquid = '{M}'", FINDING, "other_assets", "liquid"),
    # FX: an unusable latest rate leaves the foreign holding unvalued
    _case("fx rate text", (*USD, "UPDATE fx_rates SET rate = '{M}'"), FINDING, "fx_rates", "rate"),
    _case("fx rate negative", (*USD, "UPDATE fx_rates SET rate = -1.9371"), FINDING, "fx_rates", "rate",
          markers=_num(-1.9371)),
    _case("fx rate subnormal", (*USD, "UPDATE fx_rates SET rate = 3.1415e-315"), FINDING, "fx_rates", "rate",
          markers=("3.1415e-315",)),
    _case("fx date malformed", (*USD, "UPDATE fx_rates SET rate_date = '2026-11-2 {M}'"), FINDING, "fx_rates",
          "rate_date"),
    # assumptions: a model parameter cannot be guessed
    _case("assumption value text", "INSERT INTO assumptions VALUES ('mc_paths', '{M}')", ERROR, "assumptions",
          "value"),
    _case("assumption value blob", "INSERT INTO assumptions VALUES ('stress_step', CAST('{M}' AS BLOB))", ERROR,
          "assumptions", "value"),
    _case("assumption value nan", "INSERT INTO assumptions VALUES ('market_volatility', 'nan')", ERROR,
          "assumptions", "value"),
    _case("assumption unknown name", "INSERT INTO assumptions VALUES ('{M}', '1')", ERROR, "assumptions", "name"),
    # snapshots: a past briefing left out of the history
    _case("snapshot figure text", "UPDATE snapshots SET net_worth = '{M}' WHERE snapshot_date = '2026-11-20'",
          FINDING, "snapshots", "net_worth"),
    _case("snapshot status malformed", "UPDATE snapshots SET status = '{M}' WHERE snapshot_date = '2026-11-20'",
          FINDING, "snapshots", "status"),
    _case("snapshot figure +inf", "UPDATE snapshots SET cash = 1e999 WHERE snapshot_date = '2026-11-20'",
          FINDING, "snapshots", "cash"),
    _case("snapshot date impossible", "UPDATE snapshots SET snapshot_date = '2026-09-31' "
          "WHERE snapshot_date = '2026-11-20'", FINDING, "snapshots", "snapshot_date", markers=("2026-09-31",)),
    # odd but valid: lifealm takes them as they are
    _case("holding added_at far future", _h("added_at = '9999-12-31'"), VALID),
    _case("holding added_at year one", _h("added_at = '0001-01-01'"), VALID),
    _case("dividend pay_date far future", f"UPDATE dividends SET pay_date = '9999-12-31' WHERE ticker = "
          f"'{TICKER}'", VALID),
    _case("holding name noncharacter", _h("name = '{M}' || char(65535) || char(8238)"), SHOWN, "holdings", "name"),
    _case("holding name right-to-left override", _h("name = '{M}' || char(8238) || 'gnp.exe'"), VALID),
    _case("holding shares at the limit", _h("shares = 1e15"), VALID),
)


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
