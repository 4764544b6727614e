"""投資信託協会 (toushin-lib) NAV CSV: the whole history of a Japanese mutual fund, stored per unit (口).

The association publishes 基準価額 per 10,000 units and distributions (分配金) per 10,000 units; both are divided
by 10,000 here so that a holding's `shares` count units (口) and price × shares is its value.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

from lifealm.update.config import UpdateConfig
from lifealm.update.http import HttpClient, HttpFailure, HttpResponse, excerpt
from lifealm.update.model import Close, Dividend, PriceAnswer, ProblemKind, Series
from lifealm.update.sources.common import SourceFailure, html_failure, in_window, is_html, problem

NAME = "toushin"
UNITS_PER_QUOTE = Decimal(10_000)  # the NAV and the distribution are quoted per 10,000 口
_SYMBOL = re.compile(r"^([A-Z]{2}[0-9A-Z]{9}[0-9])/([0-9A-Z]{8})$")
_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")


class ToushinSource:
    """Symbol `ISIN/協会コード`, e.g. `JP90C000H1T1/0331418A` (eMAXIS Slim 全世界株式)."""

    name = NAME

    def __init__(self, client: HttpClient, config: UpdateConfig) -> None:
        self._client = client
        self._url = config.toushin_url.rstrip("/") + "/FdsWeb/FDST030000/csv-file-download"

    def fetch(self, symbol: str, start: date | None, end: date) -> PriceAnswer:
        try:
            isin, code = _codes(symbol)
            answer = self._client.get(self._url, {"isinCd": isin, "associFundCd": code})
            series = _read(symbol, answer, start, end)
        except (SourceFailure, HttpFailure) as error:
            return PriceAnswer(NAME, problem=problem(NAME, symbol, error))
        return PriceAnswer(NAME, series=series)


def _codes(symbol: str) -> tuple[str, str]:
    found = _SYMBOL.match(symbol.strip().upper())
    if not found:
        raise SourceFailure(ProblemKind.UNSUPPORTED, "a fund is named as ISIN/協会コード, e.g. "
                            "JP90C000H1T1/0331418A (look both up at toushin-lib.fwg.ne.jp)", symbol)
    return found.group(1), found.group(2)


def _read(symbol: str, answer: HttpResponse, start: date | None, end: date) -> Series:
    if answer.status >= 400:
        kind = ProblemKind.NOT_FOUND if answer.status == 404 else ProblemKind.HTTP_ERROR
        raise SourceFailure(kind, f"answered HTTP {answer.status}", answer.excerpt(), answer.status)
    if is_html(answer):
        raise html_failure(answer, "the NAV CSV")
    text = _decode(answer.body)
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline="")) if any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise SourceFailure(ProblemKind.MALFORMED, f"answered a file that is not CSV ({error})", excerpt(text),
                            answer.status) from error
    if not rows or not _is_header(rows[0]):
        raise SourceFailure(ProblemKind.MALFORMED, "answered something that is not the NAV CSV (no "
                            "年月日,基準価額 header)", excerpt(text), answer.status)
    columns = _columns(rows[0])
    if len(rows) == 1:
        raise SourceFailure(ProblemKind.NOT_FOUND, "has no NAV for this fund: check the ISIN and the 協会コード",
                            excerpt(text), answer.status)
    closes: list[Close] = []
    dividends: list[Dividend] = []
    for line, row in enumerate(rows[1:], start=2):
        day, nav, paid = _row(row, columns, line)
        if not in_window(day, start, end):
            continue
        closes.append(Close(day, nav / UNITS_PER_QUOTE))
        if paid:
            dividends.append(Dividend(day, paid / UNITS_PER_QUOTE))  # paid on the 決算日, which is the ex-date
    return Series(symbol, "JPY", tuple(sorted(closes, key=lambda c: c.day)),
                  tuple(sorted(dividends, key=lambda d: d.ex_date)))


def _decode(body: bytes) -> str:
    """Shift_JIS (CP932) as published, whatever the Content-Type says; UTF-8 if a mirror converted it."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return body.decode("cp932")
    except UnicodeDecodeError as error:
        raise SourceFailure(ProblemKind.MALFORMED, "answered a file that is neither Shift_JIS nor UTF-8",
                            excerpt(body.decode("cp932", errors="replace"))) from error


def _normal(cell: str) -> str:
    return unicodedata.normalize("NFKC", cell).strip()  # full- and half-width brackets both occur


def _is_header(row: list[str]) -> bool:
    names = [_normal(cell) for cell in row]
    return bool(names) and names[0] == "年月日" and any(name.startswith("基準価額") for name in names)


def _columns(header: list[str]) -> tuple[int, int, int | None]:
    names = [_normal(cell) for cell in header]
    nav = next(i for i, name in enumerate(names) if name.startswith("基準価額"))
    paid = next((i for i, name in enumerate(names) if name.startswith("分配金")), None)
    return 0, nav, paid


def _row(row: list[str], columns: tuple[int, int, int | None], line: int) -> tuple[date, Decimal, Decimal | None]:
    day_at, nav_at, paid_at = columns
    try:
        found = _DATE.match(_normal(row[day_at]))
        if not found:
            raise ValueError("not a 年月日 date")
        day = date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        nav = Decimal(_normal(row[nav_at]).replace(",", ""))
        if not nav.is_finite() or nav <= 0:
            raise ValueError("not a positive NAV")
        paid_text = _normal(row[paid_at]).replace(",", "") if paid_at is not None and paid_at < len(row) else ""
        paid = Decimal(paid_text) if paid_text else None
        if paid is not None and (not paid.is_finite() or paid < 0):
            raise ValueError("not a distribution amount")
    except (IndexError, ValueError, InvalidOperation) as error:
        raise SourceFailure(ProblemKind.MALFORMED, f"has a row that cannot be read (line {line}: {error})",
                            excerpt(",".join(row))) from error
    return day, nav, paid if paid else None
