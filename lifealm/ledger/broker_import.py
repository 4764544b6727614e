"""A broker export written into the ledger in one transaction through the one write path: its accounts, securities,
each account's holdings (replaced: the file is the whole account), the 現在値 as closes and received dividends."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from lifealm.errors import LifealmError
from lifealm.ledger.brokers import (
    FORMATS,
    BrokerAccount,
    BrokerDividend,
    BrokerExport,
    BrokerHolding,
    read_broker_export,
)
from lifealm.ledger.columns import KINDS
from lifealm.ledger.csv_import import ensure_writable
from lifealm.ledger.db import open_ledger
from lifealm.ledger.write import NumberedRows, WriteResult, write_rows

# The holdings columns a broker file gives; dividend_growth and haircut are the user's and are left as stored.
_HOLDING_COLUMNS = ("ticker", "name", "shares", "cost_basis", "asset_class", "added_at", "account", "currency")


@dataclass(frozen=True, slots=True)
class AccountImport:
    """One account of the file: whether it is new, and what happened to its holdings."""

    name: str
    kind: str
    tax_free: bool
    created: bool
    added: int
    updated: int
    unchanged: int
    removed: tuple[tuple[str, str], ...]  # (ticker, name) of each holding that the file no longer has


@dataclass(frozen=True, slots=True)
class BrokerImportResult:
    """What importing one broker file wrote; findings are the parser's and the import's, as FILE:LINE text."""

    format: str
    broker: str
    path: Path
    as_of: date | None
    accounts: tuple[AccountImport, ...]
    securities_added: int
    closes: WriteResult | None
    dividends: WriteResult | None
    findings: tuple[str, ...]


def _plain(value: Decimal | None) -> str | None:
    """A Decimal as the text of a cell (never in exponent notation), for the write path's number parser."""
    return None if value is None else format(value, "f")


def _write_accounts(conn: sqlite3.Connection, accounts: Sequence[BrokerAccount], origin: str,
                    today: date) -> None:
    """Each account with its kind; a tax-free one (NISA, 旧NISA, iDeCo) also never pledged and untaxed, while a
    taxable account's pledged flag and tax rate stay as the user set them."""
    taxable = [KINDS["accounts"].row(name=a.name, kind=a.kind) for a in accounts if not a.tax_free]
    tax_free = [KINDS["accounts"].row(name=a.name, kind=a.kind, pledged=0, dividend_tax_rate=0.0)
                for a in accounts if a.tax_free]
    if taxable:
        write_rows(conn, "accounts", taxable, columns=("name", "kind"), origin=origin, today=today)
    if tax_free:
        write_rows(conn, "accounts", tax_free, columns=("name", "kind", "pledged", "dividend_tax_rate"),
                   origin=origin, today=today)


def _holding_rows(conn: sqlite3.Connection, holdings: Sequence[BrokerHolding]) -> NumberedRows:
    """The account's holdings as rows numbered by their line; a cost or date the file lacks keeps the stored one."""
    pairs: list[tuple[int, Sequence[object]]] = []
    for h in holdings:
        stored = conn.execute("SELECT cost_basis, added_at FROM holdings WHERE account = ? AND ticker = ?",
                              (h.account, h.ticker)).fetchone()
        cost: object = _plain(h.cost_basis) if h.cost_basis is not None else (stored[0] if stored else None)
        added: object = h.acquired if h.acquired is not None else (stored[1] if stored else None)
        pairs.append((h.line, KINDS["holdings"].row(ticker=h.ticker, name=h.name, shares=_plain(h.shares),
                                                    cost_basis=cost, asset_class=h.asset_class, added_at=added,
                                                    account=h.account, currency=h.currency)))
    return NumberedRows(pairs)


def _security_names(conn: sqlite3.Connection) -> dict[str, str]:
    return {str(t): str(n) for t, n in conn.execute("SELECT ticker, name FROM securities")}


def _dividend_rows(dividends: Sequence[BrokerDividend], path: Path,
                   findings: list[str]) -> list[tuple[int, Sequence[object]]]:
    """One actual dividend per security and day; the same payment in two accounts is one dividend per share."""
    kept: dict[tuple[str, date], BrokerDividend] = {}
    for d in dividends:
        first = kept.setdefault((d.ticker, d.pay_date), d)
        if first is not d and first.per_share != d.per_share:
            findings.append(f"{path}:{d.line}: {d.ticker} paid {d.per_share} per share on {d.pay_date.isoformat()} "
                            f"but {first.per_share} on line {first.line}; the ledger keeps line {first.line}'s")
    # The file has no ex-dates: the pay date stands in for it (the dividend's key in the ledger).
    return [(d.line, KINDS["dividends"].row(ticker=d.ticker, ex_date=d.pay_date, pay_date=d.pay_date,
                                            amount_per_share=_plain(d.per_share), is_projection=0))
            for d in kept.values()]


def _missing_securities(conn: sqlite3.Connection, dividends: Sequence[BrokerDividend]) -> list[tuple[int, Sequence[
        object]]]:
    """The securities a dividend file names that the ledger lacks: added with the file's name and currency."""
    known = set(_security_names(conn))
    rows: dict[str, tuple[int, Sequence[object]]] = {}
    for d in dividends:
        if d.ticker not in known and d.ticker not in rows:
            rows[d.ticker] = (d.line, KINDS["securities"].row(
                ticker=d.ticker, name=d.name, currency=d.currency,
                asset_class="fund" if d.ticker == d.name else "equity"))
    return list(rows.values())


def _other_accounts_of_broker(conn: sqlite3.Connection, export: BrokerExport) -> list[str]:
    """Accounts of the same broker in the ledger that still hold something but are not in the file."""
    named = {a.name for a in export.accounts}
    return [str(name) for (name,) in conn.execute(
        "SELECT DISTINCT account FROM holdings WHERE substr(account, 1, length(?)) = ? ORDER BY account",
        (f"{export.broker} ", f"{export.broker} ")) if name not in named]


def write_broker_export(conn: sqlite3.Connection, export: BrokerExport, *, today: date | None = None
                        ) -> BrokerImportResult:
    """Write everything `export` says in one transaction, or nothing at all (a LifealmError says why)."""
    today = today or date.today()
    origin = str(export.path)
    findings = list(export.findings)
    if conn.isolation_level is not None:
        conn.isolation_level = None  # explicit BEGIN/COMMIT: every write below is a savepoint inside this one
    conn.execute("BEGIN IMMEDIATE")
    try:
        existing = {str(n) for (n,) in conn.execute("SELECT name FROM accounts")}
        before = len(_security_names(conn))
        _write_accounts(conn, export.accounts, origin, today)
        names = _security_names(conn)
        accounts: list[AccountImport] = []
        for account in export.accounts:
            held = [h for h in export.holdings if h.account == account.name]
            if not held:
                continue
            result = write_rows(conn, "holdings", _holding_rows(conn, held), columns=_HOLDING_COLUMNS,
                                replace=True, origin=origin, today=today)
            removed = tuple((str(key[1]), names.get(str(key[1]), "")) for key in result.removed_keys)
            accounts.append(AccountImport(account.name, account.kind, account.tax_free, account.name not in existing,
                                          result.added, result.updated, result.unchanged, removed))
        for name in _other_accounts_of_broker(conn, export) if export.holdings or not export.dividends else ():
            findings.append(f"{origin}: account {name!r} is in the ledger but not in the file; its holdings were "
                            "left as they are (remove a sold one with `lifealm remove holdings ACCOUNT TICKER`)")
        closes = None
        if export.closes:
            closes = write_rows(conn, "prices", NumberedRows(
                (c.line, KINDS["prices"].row(ticker=c.ticker, price_date=c.price_date, close_price=_plain(c.close)))
                for c in export.closes), origin=origin, today=today)
        dividends = None
        if export.dividends:
            missing = _missing_securities(conn, export.dividends)
            if missing:
                write_rows(conn, "securities", NumberedRows(missing),
                           columns=("ticker", "name", "asset_class", "currency"), origin=origin, today=today)
            dividends = write_rows(conn, "dividends", NumberedRows(_dividend_rows(export.dividends, export.path,
                                                                                  findings)),
                                   origin=origin, today=today)
            findings.append(f"{origin}: the file has no ex-dates: each dividend is dated by its 入金日 (pay date) "
                            "in the ledger's ex_date too")
        for cash in export.cash:
            findings.append(f"{origin}:{cash.line}: the cash balance {cash.amount} {cash.currency} ({cash.name}) is "
                            "not imported; add it with `lifealm import cash` if you want it counted")
        securities_added = len(_security_names(conn)) - before
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return BrokerImportResult(export.format, export.broker, export.path, export.as_of, tuple(accounts),
                              securities_added, closes, dividends, tuple(findings))


def import_broker_file(conn: sqlite3.Connection, path: Path, fmt: str | None, as_of: date | None = None, *,
                       encoding: str = "auto", today: date | None = None) -> BrokerImportResult:
    """Read `path` as broker format `fmt` (None: detected) and write it into the ledger in one transaction."""
    if not path.is_file():
        raise LifealmError(f"{path}: no such file.", hint="check the path")
    return write_broker_export(conn, read_broker_export(path, fmt, as_of=as_of, encoding=encoding), today=today)


def import_broker(db: Path, path: Path, fmt: str | None, as_of: date | None = None, *,
                  encoding: str = "auto", today: date | None = None) -> BrokerImportResult:
    """Open the ledger at `db` (which must exist and be writable) and import the broker file `path` into it."""
    if fmt is not None and fmt not in FORMATS:
        raise LifealmError(f"--from {fmt}: unknown broker format.", hint=f"use auto or one of: {', '.join(FORMATS)}")
    if not path.is_file():
        raise LifealmError(f"{path}: no such file.", hint="check the path")
    ensure_writable(db)
    conn = open_ledger(db)
    try:
        return import_broker_file(conn, path, fmt, as_of, encoding=encoding, today=today)
    finally:
        conn.close()
