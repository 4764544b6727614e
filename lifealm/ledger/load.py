"""Read the ledger into the frozen LedgerInputs the models take, for one as-of date, in a reproducible order."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import date

from lifealm.errors import LifealmError
from lifealm.ledger.snapshots import read_snapshots
from lifealm.models.assumptions import Assumptions, AssumptionsError, apply_overrides, consistency_problems
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

# Served by the (ticker, price_date) primary key: one index seek per holding, whatever the history length.
LATEST_PRICE_SQL = (
    "SELECT price_date, close_price FROM prices WHERE ticker = ? AND price_date <= ? "
    "ORDER BY price_date DESC LIMIT 1"
)
# SQLite returns the other columns from the row holding the MAX (a documented bare-column rule).
LATEST_FX_SQL = (
    "SELECT currency, MAX(rate_date) AS rate_date, rate FROM fx_rates WHERE rate_date <= ? "
    "GROUP BY currency ORDER BY currency"
)


def _date(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _req_date(text: str) -> date:
    return date.fromisoformat(text)


def load_assumptions(conn: sqlite3.Connection, overrides: Mapping[str, object] = {}) -> Assumptions:
    """Defaults, then the ledger's assumptions table, then `overrides` (the config file's [assumptions])."""
    stored = {str(r[0]): r[1] for r in conn.execute("SELECT name, value FROM assumptions ORDER BY name")}
    try:
        result = apply_overrides(Assumptions(), stored, source="ledger table assumptions")
    except AssumptionsError as exc:
        raise LifealmError("invalid assumptions in the ledger:\n" + "\n".join(exc.problems),
                           hint="correct them with `lifealm export assumptions`, edit, `lifealm import "
                           "assumptions FILE`") from exc
    try:
        result = apply_overrides(result, overrides, source="config [assumptions]")
    except AssumptionsError as exc:
        raise LifealmError("invalid assumptions in the config file:\n" + "\n".join(exc.problems),
                           hint="fix or remove those keys in the [assumptions] table of the config file") from exc
    problems = consistency_problems(result)
    if problems:
        raise LifealmError("the assumptions (ledger table and config file together) do not fit each other:\n"
                           + "\n".join(problems), hint="change one of the values named above in the ledger "
                           "(`lifealm import assumptions FILE`) or in the config file's [assumptions]")
    return result


def _holdings(conn: sqlite3.Connection) -> tuple[Holding, ...]:
    return tuple(
        Holding(ticker=r["ticker"], name=r["name"], shares=float(r["shares"]), cost_basis=float(r["cost_basis"]),
                asset_class=r["asset_class"], account=r["account"], currency=r["currency"],
                dividend_growth=r["dividend_growth"], added_at=_date(r["added_at"]))
        for r in conn.execute("SELECT * FROM holdings ORDER BY ticker")
    )


def _latest_prices(conn: sqlite3.Connection, holdings: tuple[Holding, ...], as_of: date) -> tuple[PricePoint, ...]:
    found = []
    day = as_of.isoformat()
    for holding in holdings:
        row = conn.execute(LATEST_PRICE_SQL, (holding.ticker, day)).fetchone()
        if row is not None:
            found.append(PricePoint(holding.ticker, _req_date(row[0]), float(row[1])))
    return tuple(found)


def _rows(conn: sqlite3.Connection, sql: str, *params: object) -> list[sqlite3.Row]:
    conn.row_factory = sqlite3.Row
    return list(conn.execute(sql, params))


def load_inputs(conn: sqlite3.Connection, as_of: date, *, overrides: Mapping[str, object] = {}) -> LedgerInputs:
    """Everything the models need for `as_of`: latest prices and FX on or before it, snapshots strictly before it.

    Actual dividends after `as_of` are left out (they were not known then); projections are all included.
    """
    conn.row_factory = sqlite3.Row
    assumptions = load_assumptions(conn, overrides)
    day = as_of.isoformat()
    holdings = _holdings(conn)
    dividends = tuple(
        Dividend(r["ticker"], _req_date(r["ex_date"]), float(r["amount_per_share"]), bool(r["is_projection"]),
                 _date(r["pay_date"]))
        for r in _rows(conn, "SELECT * FROM dividends WHERE is_projection = 1 OR ex_date <= ? "
                       "ORDER BY ticker, ex_date, is_projection", day)
    )
    loans = tuple(
        Loan(r["name"], float(r["balance"]), float(r["rate"]), r["collateral_type"], r["freeze_pct"],
             r["margin_call_pct"], r["forced_liq_pct"], r["credit_limit"], float(r["target_ratio"]))
        for r in _rows(conn, "SELECT * FROM loans ORDER BY name")
    )
    cash = tuple(CashAccount(r["name"], float(r["balance"]), r["currency"])
                 for r in _rows(conn, "SELECT * FROM cash_accounts ORDER BY name"))
    other = tuple(OtherAsset(r["name"], r["kind"], float(r["value"]), bool(r["liquid"]), r["currency"])
                  for r in _rows(conn, "SELECT * FROM other_assets ORDER BY name"))
    expenses = tuple(Expense(r["category"], float(r["monthly_amount"]), bool(r["essential"]))
                     for r in _rows(conn, "SELECT * FROM expenses ORDER BY category"))
    income = tuple(Income(r["source"], float(r["monthly_amount"]), r["kind"], float(r["annual_change"]))
                   for r in _rows(conn, "SELECT * FROM income ORDER BY source"))
    fx = tuple(FxRate(r["currency"], _req_date(r["rate_date"]), float(r["rate"]))
               for r in _rows(conn, LATEST_FX_SQL, day))
    snapshots = read_snapshots(conn, before=as_of)  # type-checked: a damaged row is an error, not a figure
    return LedgerInputs(
        as_of=as_of, base_currency=assumptions.base_currency, holdings=holdings,
        prices=_latest_prices(conn, holdings, as_of), dividends=dividends, loans=loans, cash_accounts=cash,
        other_assets=other, expenses=expenses, income=income, fx_rates=fx, snapshots=snapshots,
        assumptions=assumptions,
    )
