"""楽天証券 保有商品一覧 (assetbalance(all)_YYYYMMDD_HHMMSS.csv): 18 columns read by position, one row per account."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from lifealm.ledger.brokers.common import (
    Row,
    account_for,
    currency_of,
    export_date,
    file_date,
    mismatch,
    number,
    required_number,
)
from lifealm.ledger.brokers.records import (
    BrokerAccount,
    BrokerCash,
    BrokerClose,
    BrokerExport,
    BrokerHolding,
)

NAME = "rakuten-assets"
TITLE = "楽天証券 保有商品一覧 CSV (assetbalance(all))"
BROKER = "楽天証券"
VERIFIED = False  # corroborated by several parsers; no real file was seen
FUND_UNIT = 10_000
TOLERANCE = Decimal(1)

# As NFKC leaves it: "［単位］" is "[単位]" four times, so cells are read by position, never by name.
HEADER = ("種別", "銘柄コード・ティッカー", "銘柄", "口座", "保有数量", "[単位]", "平均取得価額", "[単位]", "現在値",
          "[単位]", "現在値(更新日)", "(参考為替)", "前日比", "[単位]", "時価評価額[円]", "時価評価額[外貨]",
          "評価損益[円]", "評価損益[%]")
(KIND, CODE, SECURITY, ACCOUNT, QUANTITY, QUANTITY_UNIT, AVERAGE, AVERAGE_UNIT, PRICE, PRICE_UNIT) = range(10)
VALUE_JPY = 14
STOCKS = ("国内株式", "米国株式")


def detect(rows: list[Row]) -> bool:
    return bool(rows) and (rows[0].first.startswith("■資産合計") or _is_detail_title(rows[0]))


def _is_detail_title(row: Row) -> bool:
    return row.first.startswith("■") and "保有商品詳細" in row.first


def parse(rows: list[Row], path: Path, as_of: date | None) -> BrokerExport:
    """Read the rows of a Rakuten assetbalance(all) CSV; its date is in the file name (or passed as `as_of`)."""
    if not detect(rows):
        raise mismatch(path, rows[0] if rows else None, TITLE, "■資産合計欄 on the first line")
    day = export_date(path, file_date(path), as_of)
    index = next((i for i, row in enumerate(rows) if _is_detail_title(row)), None)
    if index is None:
        raise mismatch(path, None, TITLE, "the section ■ 保有商品詳細")
    total = _asset_total(path, rows[:index])
    if index + 1 >= len(rows):
        raise mismatch(path, None, TITLE, "the column header of ■ 保有商品詳細")
    if rows[index + 1].cells != HEADER:
        raise mismatch(path, rows[index + 1], TITLE, "the 18-column header 種別,銘柄コード・ティッカー,銘柄,…")
    findings: list[str] = []
    accounts: dict[str, BrokerAccount] = {}
    holdings: list[BrokerHolding] = []
    closes: dict[str, BrokerClose] = {}
    cash: list[BrokerCash] = []
    value = Decimal(0)
    for row in rows[index + 2:]:
        if row.first.startswith("■"):
            break
        where = f"{path}:{row.line}"
        if len(row.cells) not in (len(HEADER), len(HEADER) + 1):
            raise mismatch(path, row, TITLE, f"{len(HEADER)} cells like the header (the line may be cut short)")
        value += required_number(row.cell(VALUE_JPY), where, "時価評価額[円]")
        kind = row.cell(KIND)
        if kind == "外貨預り金":
            cash.append(BrokerCash(BROKER, f"{BROKER} 外貨預り金 {row.cell(SECURITY)}",
                                   required_number(row.cell(QUANTITY), where, "保有数量"),
                                   currency_of(row.cell(QUANTITY_UNIT), where), row.line))
            continue
        if kind not in (*STOCKS, "投資信託"):
            findings.append(f"{where}: a {kind[:20]} row is not read (lifealm reads 国内株式, 米国株式, 投資信託 and "
                            "外貨預り金); enter it by hand")
            continue
        account = account_for(BROKER, row.cell(ACCOUNT))
        accounts.setdefault(account.name, account)
        fund = kind == "投資信託"
        unit = FUND_UNIT if fund else 1
        ticker = row.cell(CODE) or row.cell(SECURITY)
        shares = required_number(row.cell(QUANTITY), where, "保有数量")
        currency = currency_of(row.cell(AVERAGE_UNIT), where)
        average = number(row.cell(AVERAGE), where, "平均取得価額")
        quoted = required_number(row.cell(PRICE), where, "現在値")
        if currency_of(row.cell(PRICE_UNIT), where) != currency:
            raise mismatch(path, row, TITLE, "the same currency for 平均取得価額 and 現在値")
        holdings.append(BrokerHolding(account.name, ticker, row.cell(SECURITY), shares,
                                      None if average is None else average * shares / unit, currency,
                                      "fund" if fund else "equity", unit, row.line))
        close = BrokerClose(ticker, day, quoted / unit, quoted, currency, row.line)
        known = closes.setdefault(ticker, close)
        if known.quoted != quoted:
            findings.append(f"{where}: {ticker}: 現在値 {quoted} differs from {known.quoted} on line {known.line}; "
                            "the first is kept")
        if currency == "JPY" and abs(shares * quoted / unit - required_number(row.cell(VALUE_JPY), where, "")) > 1:
            findings.append(f"{where}: {ticker}: 保有数量 × 現在値 does not give its 時価評価額[円]; check the file")
    if total is not None and abs(total - value) > TOLERANCE:
        findings.append(f"{path}: the rows are worth {value} yen but 資産合計 says {total}; the file may be cut "
                        "short: download it again")
    return BrokerExport(NAME, BROKER, path, day, tuple(accounts.values()), tuple(holdings), tuple(closes.values()),
                        cash=tuple(cash), findings=tuple(findings))


def _asset_total(path: Path, rows: list[Row]) -> Decimal | None:
    """The 時価評価額[円] of the 資産合計 row, when the file has one."""
    for row in rows:
        if row.first == "資産合計":
            return number(row.cell(1), f"{path}:{row.line}", "時価評価額[円]")
    return None
