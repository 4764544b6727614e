"""SBI証券 ポートフォリオ CSV (New_file.csv): sections per account, lot rows, 合計 footers and a 総合計."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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
    slash_date,
    without_trailing_empty,
)
from lifealm.ledger.brokers.records import (
    BrokerAccount,
    BrokerClose,
    BrokerExport,
    BrokerFormatError,
    BrokerHolding,
)

NAME = "sbi-portfolio"
TITLE = "SBI証券 ポートフォリオ CSV"
BROKER = "SBI証券"
VERIFIED = True
FUND_UNIT = 10_000
TOLERANCE = Decimal(1)  # yen: the broker rounds each figure it prints

_SECTION = re.compile(r"^(?P<asset>株式|投資信託|外国株式)\((?P<how>[^/()]+)/(?P<wrapper>.+)\)$")
_COUNT = re.compile(r"^総件数:(\d+)件$")
_RANGE = re.compile(r"^選択範囲:(\d+)-(\d+)件$")
_CODE = re.compile(r"^[0-9][0-9A-Z]{3}$")
_FOOTER_HEADER = "評価額"


def detect(rows: list[Row]) -> bool:
    return bool(rows) and rows[0].first == "ポートフォリオ一覧"


@dataclass
class _Position:
    row: Row
    code: str
    name: str
    shares: Decimal = Decimal(0)
    cost: Decimal | None = Decimal(0)
    value: Decimal = Decimal(0)
    close: Decimal = Decimal(0)
    acquired: date | None = None
    lots: list[int] = field(default_factory=list)


def _columns(path: Path, row: Row) -> dict[str, int]:
    cells = without_trailing_empty(row.cells)
    if not cells or cells[0] not in ("銘柄(コード)", "ファンド名"):
        raise mismatch(path, row, TITLE, "the column header 銘柄（コード） or ファンド名")
    names = {name: index for index, name in enumerate(cells)}
    for alias, name in (("建付日", "買付日"), ("建単価", "取得単価")):  # the margin variant
        if alias in names:
            names.setdefault(name, names[alias])
    for needed in ("数量", "現在値", "評価額"):
        if needed not in names:
            raise mismatch(path, row, TITLE, f"a {needed} column in the header")
    return names


def parse(rows: list[Row], path: Path, as_of: date | None) -> BrokerExport:
    """Read the rows of an SBI ポートフォリオ CSV into accounts, holdings and closes dated `as_of` (or the file's)."""
    if not detect(rows):
        raise mismatch(path, rows[0] if rows else None, TITLE, "ポートフォリオ一覧 on the first line")
    findings: list[str] = []
    index = 1
    total = shown_to = None
    while index < len(rows) and not _SECTION.match(rows[index].first):
        row = rows[index]
        if (count := _COUNT.match(row.first)) is not None:
            total = int(count[1])
        elif (shown := _RANGE.match(row.first)) is not None:
            shown_to = int(shown[2])
        elif not (row.first in ("個別表示", "一括表示") or row.first.startswith(("PTS", "ページ:"))):
            raise mismatch(path, row, TITLE, "a section title such as 株式（現物/特定預り）")
        index += 1
    if total is not None and shown_to is not None and shown_to < total:
        raise BrokerFormatError(f"{path}: the file holds rows 1-{shown_to} of {total}: it is one page of several.",
                                hint="show every row on one page in ポートフォリオ and download the CSV again")
    day = export_date(path, file_date(path), as_of)
    accounts: dict[str, BrokerAccount] = {}
    holdings: list[BrokerHolding] = []
    closes: dict[str, BrokerClose] = {}
    footers = Decimal(0)
    while True:
        if index >= len(rows):
            raise mismatch(path, None, TITLE, "its 総合計 line")
        title = rows[index]
        if title.first == "総合計":
            grand = _footer(path, rows, index)
            if abs(grand - footers) > TOLERANCE:
                findings.append(f"{path}:{title.line}: 総合計 says {grand} but the sections' 合計 add up to "
                                f"{footers}; download the file again")
            if index + 3 < len(rows):
                raise mismatch(path, rows[index + 3], TITLE, "nothing after the 総合計 figures")
            break
        section = _SECTION.match(title.first)
        if section is None:
            raise mismatch(path, title, TITLE, "a section title such as 株式（現物/特定預り） or 総合計")
        account = account_for(BROKER, section["wrapper"])
        index += 1
        if index >= len(rows):
            raise mismatch(path, None, TITLE, f"the column header of section {title.first}")
        columns = _columns(path, rows[index])
        index += 1
        positions: list[_Position] = []
        while index < len(rows) and rows[index].first != title.first + "合計":
            if _SECTION.match(rows[index].first) or rows[index].first == "総合計":
                raise mismatch(path, rows[index], TITLE, f"the 合計 line of section {title.first}")
            _add_lot(path, rows[index], columns, section["asset"], positions)
            index += 1
        if index >= len(rows):
            raise BrokerFormatError(f"{path}:{rows[-1].line}: the file ends inside section {title.first} (begun "
                                    f"on line {title.line}) with no 合計 line: it looks cut short.",
                                    hint="download the CSV from the broker again")
        footer = _footer(path, rows, index)
        footers += footer
        index += 3
        value = sum((p.value for p in positions), Decimal(0))
        if abs(value - footer) > TOLERANCE:
            findings.append(f"{path}:{rows[index - 3].line}: the rows of {title.first} are worth {value} but its 合計 "
                            f"says {footer}; download the file again")
        if section["asset"] == "外国株式":
            # The layout does not say in which currency a foreign stock's prices are: nothing is guessed.
            findings.append(f"{path}:{title.line}: {title.first}: {len(positions)} foreign stock position(s) not "
                            "read (the file does not give their currency); enter them by hand")
            continue
        accounts.setdefault(account.name, account)
        fund = section["asset"] == "投資信託"
        if "取得単価" not in columns:
            source = "taken from 参考単価" if "参考単価" in columns else "left empty"
            findings.append(f"{path}:{title.line}: {title.first}: the section has no 取得単価; the cost is {source}")
        for position in positions:
            unit = FUND_UNIT if fund else 1
            holdings.append(BrokerHolding(
                account.name, position.code, position.name, position.shares,
                None if position.cost is None else position.cost / unit, "JPY", "fund" if fund else "equity",
                unit, position.row.line, position.acquired))
            close = BrokerClose(position.code, day, position.close / unit, position.close, "JPY", position.row.line)
            known = closes.setdefault(position.code, close)
            if known.quoted != close.quoted:
                findings.append(f"{path}:{position.row.line}: {position.code}: 現在値 {close.quoted} differs from "
                                f"{known.quoted} on line {known.line}; the first is kept")
    return BrokerExport(NAME, BROKER, path, day, tuple(accounts.values()), tuple(holdings),
                        tuple(closes.values()), findings=tuple(findings))


def _add_lot(path: Path, row: Row, columns: dict[str, int], asset: str, positions: list[_Position]) -> None:
    where = f"{path}:{row.line}"
    cells = without_trailing_empty(row.cells)
    if len(cells) != len(columns) and len(cells) < max(columns.values()) + 1:
        raise mismatch(path, row, TITLE, f"{max(columns.values()) + 1} cells like the header")
    if asset == "投資信託":
        code = name = row.first
    else:
        code, _, name = row.first.partition(" ")
        if asset == "株式" and not _CODE.match(code):
            raise mismatch(path, row, TITLE, "a stock cell like \"4063 信越化\" (code, space, name)")
    shares = required_number(cells[columns["数量"]], where, "数量")
    price = required_number(cells[columns["現在値"]], where, "現在値")
    value = required_number(cells[columns["評価額"]], where, "評価額")
    unit_cost_column = "取得単価" if "取得単価" in columns else "参考単価" if "参考単価" in columns else None
    unit_cost = None if unit_cost_column is None else number(cells[columns[unit_cost_column]], where,
                                                              unit_cost_column)
    bought = slash_date(cells[columns["買付日"]], where, "買付日") if "買付日" in columns else None
    last = positions[-1] if positions else None
    if last is None or last.code != code:
        # 個別表示 prints one row per lot, each repeating the whole position's 評価額: it is counted once.
        last = _Position(row, code, name, value=value, close=price)
        positions.append(last)
    elif last.value != value or last.close != price:
        raise BrokerFormatError(f"{where}: {code}: a lot row whose 評価額 or 現在値 differs from the position's "
                                f"(line {last.row.line}); the file is not a ポートフォリオ export lifealm knows.",
                                hint="export it again (一括表示 shows one row per position)")
    last.lots.append(row.line)
    last.shares += shares
    last.cost = None if last.cost is None or unit_cost is None else last.cost + unit_cost * shares
    if bought is not None and (last.acquired is None or bought < last.acquired):
        last.acquired = bought


def _footer(path: Path, rows: list[Row], index: int) -> Decimal:
    """The 評価額 of a 合計 (or 総合計) block: its title, a header row, a row of figures."""
    if index + 2 >= len(rows):
        raise mismatch(path, None, TITLE, f"the figures of {rows[index].first}")
    header, figures = rows[index + 1], rows[index + 2]
    if header.first != _FOOTER_HEADER:
        raise mismatch(path, header, TITLE, f"the header 評価額,含み損益,… below {rows[index].first}")
    return required_number(figures.first, f"{path}:{figures.line}", "評価額")
