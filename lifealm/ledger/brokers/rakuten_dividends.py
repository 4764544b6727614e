"""楽天証券 配当・分配金 CSV: one header, one row per payment, read by column name."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from lifealm.ledger.brokers.common import (
    Row,
    currency_of,
    mismatch,
    number,
    required_number,
    slash_date,
    wrapper_of,
)
from lifealm.ledger.brokers.records import BrokerDividend, BrokerExport

NAME = "rakuten-dividends"
TITLE = "楽天証券 配当・分配金 CSV"
BROKER = "楽天証券"
VERIFIED = False  # corroborated by several parsers; no real file was seen

# As NFKC leaves them, so full- and half-width brackets both match.
COLUMNS = {
    "pay_date": "入金日", "product": "商品", "account": "口座", "code": "銘柄コード", "name": "銘柄",
    "currency": "受取通貨", "per_share": "単価[円/現地通貨]", "shares": "数量[株/口]",
    "gross": "配当・分配金合計(税引前)[円/現地通貨]", "tax": "税額合計[円/現地通貨]",
    "received": "受取金額[円/現地通貨]",
}


def detect(rows: list[Row]) -> bool:
    return bool(rows) and rows[0].cells[:4] == ("入金日", "商品", "口座", "銘柄コード")


def parse(rows: list[Row], path: Path, as_of: date | None) -> BrokerExport:
    """Read every received dividend; `as_of` is not needed (each row has its own 入金日)."""
    if not detect(rows):
        raise mismatch(path, rows[0] if rows else None, TITLE, "the header 入金日,商品,口座,銘柄コード,…")
    header = rows[0]
    names = {name: index for index, name in enumerate(header.cells)}
    missing = [name for name in COLUMNS.values() if name not in names]
    if missing:
        raise mismatch(path, header, TITLE, f"the columns {', '.join(missing)}")
    at = {key: names[name] for key, name in COLUMNS.items()}
    dividends: list[BrokerDividend] = []
    findings: list[str] = []
    for row in rows[1:]:
        where = f"{path}:{row.line}"
        if len(row.cells) < len(header.cells):
            raise mismatch(path, row, TITLE, f"{len(header.cells)} cells like the header (the line may be cut short)")
        pay_date = slash_date(row.cell(at["pay_date"]), where, "入金日")
        if pay_date is None:
            raise mismatch(path, row, TITLE, "a 入金日 like 2025/12/09")
        wrapper, kind, _ = wrapper_of(row.cell(at["account"]))
        shares = required_number(row.cell(at["shares"]), where, "数量")
        gross = required_number(row.cell(at["gross"]), where, "配当・分配金合計")
        tax = number(row.cell(at["tax"]), where, "税額合計") or Decimal(0)
        received = required_number(row.cell(at["received"]), where, "受取金額")
        ticker = row.cell(at["code"]) or row.cell(at["name"])
        if shares <= 0:
            raise mismatch(path, row, TITLE, "a 数量 above zero")
        if gross - tax != received:
            findings.append(f"{where}: {ticker}: 税引前 {gross} − 税額 {tax} is not 受取金額 {received}")
        dividends.append(BrokerDividend(
            f"{BROKER} {wrapper}", kind, ticker, row.cell(at["name"]), pay_date, shares,
            number(row.cell(at["per_share"]), where, "単価"), gross, tax, received,
            currency_of(row.cell(at["currency"]), where), row.line))
    return BrokerExport(NAME, BROKER, path, None, (), (), (), dividends=tuple(dividends), findings=tuple(findings))
