"""Read the ledger into the frozen LedgerInputs the models take, for one as-of date, in a reproducible order."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from types import MappingProxyType
from typing import Any, TypeVar

from lifealm.errors import LifealmError
from lifealm.ledger.columns import KINDS, Column, ColumnType, Kind
from lifealm.ledger.screen import screened
from lifealm.ledger.snapshots import read_snapshots
from lifealm.models.assumptions import Assumptions, AssumptionsError, apply_overrides, consistency_problems
from lifealm.models.inputs import (
    Account,
    CashAccount,
    Dividend,
    Event,
    Expense,
    FxRate,
    Holding,
    Income,
    LedgerInputs,
    Loan,
    Member,
    OtherAsset,
    PricePoint,
)

PRICES, FX = KINDS["prices"], KINDS["fx"]
# Served by the (ticker, price_date) primary key: one index seek per holding, whatever the history length.
LATEST_PRICE_SQL = (
    f"SELECT {PRICES.select_list} FROM prices WHERE ticker = ? AND price_date <= ? ORDER BY price_date DESC LIMIT 1"
)
# SQLite returns the other columns from the row holding the MAX (a documented bare-column rule).
LATEST_FX_SQL = (
    f"SELECT {FX.select_list}, MAX(rate_date) FROM fx_rates WHERE rate_date <= ? GROUP BY currency ORDER BY currency"
)

Record = TypeVar("Record")


def _reader(col: Column) -> Callable[[Any], object]:
    """How a stored value becomes the model input's value: ISO text to a date, 0/1 to a bool, REAL to float."""
    if col.type is ColumnType.DATE:
        return lambda v: None if v is None else date.fromisoformat(v)
    if col.type is ColumnType.FLAG:
        return lambda v: None if v is None else bool(v)  # NULL: "by default" (an account's pledged flag)
    if col.type is ColumnType.NUMBER:
        return lambda v: None if v is None else float(v)
    return lambda v: v


def records(conn: sqlite3.Connection, kind: Kind, record: Callable[..., Record], tail: str = "",
            params: Sequence[object] = (), *, sql: str | None = None) -> tuple[Record, ...]:
    """Rows of `kind` as model input records, each column passed by its declared field name.

    `tail` follows `SELECT <the kind's columns> FROM <its table>` (WHERE, ORDER BY); `sql` replaces the whole
    statement (its first columns must be the kind's, in declaration order).
    """
    plan = [(col.field or col.name, _reader(col)) for col in kind.columns]
    query = sql or f"SELECT {kind.select_list} FROM {kind.from_clause} {tail}"
    return tuple(record(**{name: read(value) for (name, read), value in zip(plan, row, strict=False)})
                 for row in screened(conn, kind, conn.execute(query, tuple(params))))


def stored_assumptions(conn: sqlite3.Connection) -> dict[str, object]:
    """The ledger's assumptions table as name → stored text."""
    kind = KINDS["assumptions"]
    rows = conn.execute(f"SELECT {kind.select_list} FROM {kind.table} ORDER BY name")
    return {str(r[0]): r[1] for r in screened(conn, kind, rows)}


def load_assumptions(conn: sqlite3.Connection, overrides: Mapping[str, object] = MappingProxyType({})) -> Assumptions:
    """Defaults, then the ledger's assumptions table, then `overrides` (the config file's [assumptions])."""
    return assumptions_from(stored_assumptions(conn), overrides)


def assumptions_from(stored: Mapping[str, object], overrides: Mapping[str, object]) -> Assumptions:
    """Defaults, then `stored` (the ledger's table, from `stored_assumptions`), then `overrides`."""
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


def _latest_prices(conn: sqlite3.Connection, holdings: tuple[Holding, ...], as_of: date) -> tuple[PricePoint, ...]:
    day = as_of.isoformat()
    return tuple(point for holding in holdings
                 for point in records(conn, PRICES, PricePoint, params=(holding.ticker, day), sql=LATEST_PRICE_SQL))


def load_inputs(conn: sqlite3.Connection, as_of: date, *,
                overrides: Mapping[str, object] = MappingProxyType({})) -> LedgerInputs:
    """Everything the models need for `as_of`: latest prices and FX on or before it, snapshots strictly before it.

    Actual dividends after `as_of` are left out (they were not known then); projections are all included.
    """
    stored = stored_assumptions(conn)  # read (and screened) once: a bad row is named once
    assumptions = assumptions_from(stored, overrides)
    day = (as_of.isoformat(),)
    accounts = records(conn, KINDS["accounts"], Account, "ORDER BY name")
    holdings = records(conn, KINDS["holdings"], Holding, "ORDER BY o.account, o.ticker")
    dividends = records(conn, KINDS["dividends"], Dividend, "WHERE is_projection = 1 OR ex_date <= ? "
                        "ORDER BY ticker, ex_date, is_projection", day)
    loans = records(conn, KINDS["loans"], Loan, "ORDER BY name")
    cash = records(conn, KINDS["cash"], CashAccount, "ORDER BY name")
    other = records(conn, KINDS["other-assets"], OtherAsset, "ORDER BY name")
    expenses = records(conn, KINDS["expenses"], Expense, "ORDER BY category")
    income = records(conn, KINDS["income"], Income, "ORDER BY source")
    events = records(conn, KINDS["events"], Event, "ORDER BY event_date, name")
    members = records(conn, KINDS["members"], Member, "ORDER BY birth_date, name")
    fx = records(conn, FX, FxRate, params=day, sql=LATEST_FX_SQL)
    snapshots = read_snapshots(conn, before=as_of)  # type-checked: a damaged row is an error, not a figure
    return LedgerInputs(
        as_of=as_of, base_currency=assumptions.base_currency, accounts=accounts, holdings=holdings,
        prices=_latest_prices(conn, holdings, as_of), dividends=dividends, loans=loans, cash_accounts=cash,
        other_assets=other, expenses=expenses, income=income, events=events, members=members, fx_rates=fx,
        snapshots=snapshots,
        assumptions=assumptions,
        mc_years_set="mc_years" in stored or "mc_years" in overrides,
    )
