"""SBI証券 保有証券一覧 CSV (SaveFile.csv): a 合計 block then a detail section per account (layout unverified)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from lifealm.ledger.brokers.common import (
    Row,
    account_for,
    export_date,
    file_date,
    mismatch,
    number,
    required_number,
)
from lifealm.ledger.brokers.records import BrokerAccount, BrokerClose, BrokerExport, BrokerHolding

NAME = "sbi-holdings"
TITLE = "SBI証券 保有証券一覧 CSV"
BROKER = "SBI証券"
VERIFIED = False  # no real file was seen: the layout comes from third-party parsers that agree
FUND_UNIT = 10_000
TOLERANCE = Decimal(1)

_SECTION = re.compile(r"^(?P<asset>株式|投資信託|外国株式)\((?:(?P<how>現物|金額)/)?(?P<wrapper>.+)\)$")
STOCK_HEADER = ("銘柄コード", "銘柄名称", "保有株数", "売却注文中", "取得単価", "現在値", "取得金額", "評価額",
                "評価損益")
FUND_HEADER = ("ファンド名", "保有口数", "売却注文中", "取得単価", "基準価額", "取得金額", "評価額", "評価損益",
               "分配金受取方法")


def detect(rows: list[Row]) -> bool:
    return bool(rows) and rows[0].first == "保有証券一覧"


def parse(rows: list[Row], path: Path, as_of: date | None) -> BrokerExport:
    """Read the rows of an SBI 保有証券一覧 CSV into accounts, holdings and closes dated `as_of` (or the file's)."""
    if not detect(rows):
        raise mismatch(path, rows[0] if rows else None, TITLE, "保有証券一覧 on the first line")
    day = export_date(path, file_date(path), as_of)
    findings: list[str] = []
    totals: dict[str, tuple[Decimal, Row]] = {}  # section title → its 評価額合計 and where it was announced
    accounts: dict[str, BrokerAccount] = {}
    holdings: list[BrokerHolding] = []
    closes: dict[str, BrokerClose] = {}
    index = 1
    while index < len(rows):
        title = rows[index]
        if title.first.endswith("合計") and _SECTION.match(title.first[:-2]):
            if index + 2 >= len(rows) or rows[index + 1].first != "評価額合計":
                raise mismatch(path, rows[index + 1] if index + 1 < len(rows) else None, TITLE,
                               f"the header 評価額合計,評価損益合計 below {title.first}")
            figures = rows[index + 2]
            totals[title.first[:-2]] = (required_number(figures.first, f"{path}:{figures.line}", "評価額合計"),
                                        title)
            index += 3
            continue
        section = _SECTION.match(title.first)
        if section is None:
            raise mismatch(path, title, TITLE, "a section title such as 株式（特定預り） or its 合計")
        fund = section["asset"] == "投資信託"
        expected = FUND_HEADER if fund else STOCK_HEADER
        if index + 1 >= len(rows) or rows[index + 1].cells[:len(expected)] != expected:
            raise mismatch(path, rows[index + 1] if index + 1 < len(rows) else None, TITLE,
                           f"the header {','.join(expected[:3])},… of {title.first}")
        index += 2
        account = account_for(BROKER, section["wrapper"])
        value = Decimal(0)
        count = 0
        while index < len(rows) and not _SECTION.match(rows[index].first.removesuffix("合計")):
            row = rows[index]
            index += 1
            count += 1
            value += _holding(path, row, fund, account, day, holdings, closes, findings)
        if section["asset"] == "外国株式":
            findings.append(f"{path}:{title.line}: {title.first}: {count} foreign stock position(s) not read "
                            "(the file does not give their currency); enter them by hand")
            continue
        accounts.setdefault(account.name, account)
        announced = totals.pop(title.first, None)
        if announced is None:
            findings.append(f"{path}:{title.line}: {title.first} has no 合計 block to check it against")
        elif abs(announced[0] - value) > TOLERANCE:
            findings.append(f"{path}:{title.line}: the rows of {title.first} are worth {value} but its 合計 says "
                            f"{announced[0]}; the file may be cut short: download it again")
    for name, (_, row) in totals.items():
        raise mismatch(path, None, TITLE, f"section {name} announced by its 合計 on line {row.line}")
    return BrokerExport(NAME, BROKER, path, day, tuple(accounts.values()), tuple(holdings), tuple(closes.values()),
                        findings=tuple(findings))


def _holding(path: Path, row: Row, fund: bool, account: BrokerAccount, day: date,
             holdings: list[BrokerHolding], closes: dict[str, BrokerClose], findings: list[str]) -> Decimal:
    """Append the row's holding and close; return its 評価額."""
    where = f"{path}:{row.line}"
    width = len(FUND_HEADER if fund else STOCK_HEADER)
    if len(row.cells) < width - 1:
        raise mismatch(path, row, TITLE, f"{width} cells like the header")
    if fund:
        ticker = name = row.first
        shares, unit_cost, price, cost, value = (row.cell(1), row.cell(3), row.cell(4), row.cell(5), row.cell(6))
    else:
        ticker, name = row.first, row.cell(1)
        shares, unit_cost, price, cost, value = (row.cell(2), row.cell(4), row.cell(5), row.cell(6), row.cell(7))
    unit = FUND_UNIT if fund else 1
    quantity = required_number(shares, where, "保有口数" if fund else "保有株数")
    quoted = required_number(price, where, "基準価額" if fund else "現在値")
    per_share = number(unit_cost, where, "取得単価")
    total = number(cost, where, "取得金額")
    computed = None if per_share is None else per_share * quantity / unit
    if total is not None and computed is not None and abs(total - computed) > TOLERANCE + quantity / unit / 2:
        findings.append(f"{where}: {ticker}: 取得金額 {total} differs from 取得単価 × 数量 = {computed}; "
                        "取得金額 is kept")
    holdings.append(BrokerHolding(account.name, ticker, name, quantity, total if total is not None else computed,
                                  "JPY", "fund" if fund else "equity", unit, row.line))
    closes.setdefault(ticker, BrokerClose(ticker, day, quoted / unit, quoted, "JPY", row.line))
    return required_number(value, where, "評価額")
