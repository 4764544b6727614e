"""What every broker layout shares: strict decoding into NFKC rows, broker numbers, account wrappers, file dates."""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from lifealm.ledger.brokers.records import AccountKind, BrokerAccount, BrokerFormatError
from lifealm.ledger.csv_read import decoded_lines, resolve_encoding

MAX_FILE_BYTES = 50 << 20  # a broker export is a few hundred lines; anything this big is another file
PLACEHOLDERS = frozenset(("", "-", "--", "---", "----/--/--", "未取得"))
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$", re.ASCII)
_DATE = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$", re.ASCII)
_FILE_DATE = re.compile(r"(?<!\d)(20\d{2})(\d{2})(\d{2})(?!\d)|(?<!\d)(20\d{2})-(\d{2})-(\d{2})(?!\d)", re.ASCII)
_UNITS = ("口", "株", "円")


@dataclass(frozen=True, slots=True)
class Row:
    """One non-blank CSV record: its first line number and its cells, NFKC-normalised and stripped."""

    line: int
    cells: tuple[str, ...]

    def cell(self, index: int) -> str:
        return self.cells[index] if index < len(self.cells) else ""

    @property
    def first(self) -> str:
        return self.cell(0)


def nfkc(text: str) -> str:
    """Full-width letters, digits and brackets as ASCII ("（" → "(", "ｅＭＡＸＩＳ" → "eMAXIS"), spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def read_broker_rows(path: Path, encoding: str = "auto") -> list[Row]:
    """The file's non-blank records, decoded in one encoding (UTF-8 or cp932 for "auto") or refused."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BrokerFormatError(f"{path}: cannot read the file ({exc.strerror}).", hint="check the path") from exc
    if size == 0:
        raise BrokerFormatError(f"{path}: the file is empty.", hint="download the CSV from the broker again")
    if size > MAX_FILE_BYTES:
        raise BrokerFormatError(f"{path}: {size} bytes is far more than a broker export holds.",
                                hint="check that you chose the broker's CSV file")
    reader = csv.reader(decoded_lines(path, resolve_encoding(path, encoding)))
    rows: list[Row] = []
    start = 1
    try:
        for cells in reader:
            normal = tuple(nfkc(cell) for cell in cells)
            if any(normal):
                rows.append(Row(start, normal))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise BrokerFormatError(f"{path}:{reader.line_num}: not valid CSV ({exc}).",
                                hint="download the CSV from the broker again") from exc
    return rows


def without_trailing_empty(cells: Sequence[str]) -> tuple[str, ...]:
    """SBI ends every line with a comma: drop the one empty cell it makes (only that one)."""
    return tuple(cells[:-1]) if cells and cells[-1] == "" else tuple(cells)


def number(text: str, where: str, column: str) -> Decimal | None:
    """A broker number: "1,250,000", "+24200", "-0.77", "20口"; None for a placeholder ("-", "--", "")."""
    if text in PLACEHOLDERS:
        return None
    plain = text[:-1] if text.endswith(_UNITS) else text
    if not _NUMBER.match(plain):
        raise BrokerFormatError(f"{where}: {column}: {text[:40]!r} is not a number.",
                                hint="the file does not follow the broker's layout; download it again")
    try:
        return Decimal(plain.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise BrokerFormatError(f"{where}: {column}: {text[:40]!r} is not a number.") from None


def required_number(text: str, where: str, column: str) -> Decimal:
    value = number(text, where, column)
    if value is None:
        raise BrokerFormatError(f"{where}: {column}: the cell is empty ({text!r}) but a number is needed.",
                                hint="the file does not follow the broker's layout; download it again")
    return value


def slash_date(text: str, where: str, column: str) -> date | None:
    """A date written 2026/06/10; None for the placeholder ----/--/--."""
    if text in PLACEHOLDERS:
        return None
    found = _DATE.match(text)
    try:
        if found is None:
            raise ValueError(text)
        return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        raise BrokerFormatError(f"{where}: {column}: {text[:40]!r} is not a date like 2026/06/10.",
                                hint="the file does not follow the broker's layout; download it again") from None


def wrapper_of(text: str) -> tuple[str, AccountKind, bool]:
    """The tax wrapper in one spelling, its account kind and whether it is tax-free, from any broker's wording."""
    plain = text.replace("預り", "").replace("(", "").replace(")", "").replace(" ", "")
    if "旧NISA" in plain or plain in ("つみたてNISA", "一般NISA", "ジュニアNISA"):
        return ("旧つみたてNISA" if "つみたて" in plain else "旧NISA"), "other", True
    if "つみたて投資枠" in plain:
        return "NISAつみたて投資枠", "nisa_tsumitate", True
    if "成長投資枠" in plain:
        return "NISA成長投資枠", "nisa_growth", True
    if "iDeCo" in plain or "確定拠出" in plain:
        return "iDeCo", "ideco", True
    if plain in ("特定", "一般", "特定・一般"):
        return plain, "taxable", False
    return plain or "-", "other", False


def account_for(broker: str, wrapper_text: str) -> BrokerAccount:
    wrapper, kind, tax_free = wrapper_of(wrapper_text)
    return BrokerAccount(f"{broker} {wrapper}", kind, tax_free, wrapper)


def currency_of(unit: str, where: str) -> str:
    """The ISO code of a unit cell: 円 → JPY, USD/USドル/米ドル → USD, a three-letter code as it is."""
    if unit in ("円", "JPY"):
        return "JPY"
    if unit in ("USドル", "米ドル", "ドル", "USD"):
        return "USD"
    if re.fullmatch(r"[A-Z]{3}", unit):
        return unit
    raise BrokerFormatError(f"{where}: {unit[:20]!r} is not a currency unit lifealm knows (円, USD, …).",
                            hint="the file does not follow the broker's layout; download it again")


def file_date(path: Path) -> date | None:
    """The date in a file name such as assetbalance(all)_20260723_215900.csv (YYYYMMDD or YYYY-MM-DD)."""
    for found in _FILE_DATE.finditer(path.name):
        parts = [int(p) for p in found.groups() if p is not None]
        try:
            return date(parts[0], parts[1], parts[2])
        except ValueError:
            continue
    return None


def export_date(path: Path, in_file: date | None, given: date | None) -> date:
    """The date the file's prices are from: the file's own (name or content), else the date passed in."""
    if in_file is not None and given is not None and in_file != given:
        raise BrokerFormatError(f"{path}: the file is dated {in_file.isoformat()} but --date says "
                                f"{given.isoformat()}.", hint="leave out --date, or check that it is the right file")
    found = in_file or given
    if found is None:
        raise BrokerFormatError(f"{path}: the file does not say which day its prices are from.",
                                hint="pass the day it was downloaded with --date YYYY-MM-DD")
    return found


def mismatch(path: Path, row: Row | None, format_title: str, expected: str) -> BrokerFormatError:
    """The first line that does not match the layout, shown briefly (never a whole row of holdings)."""
    if row is None:
        return BrokerFormatError(f"{path}: the file ends before {expected}: it looks cut short "
                                 f"(read as {format_title}).", hint="download the CSV from the broker again")
    shown = ",".join(row.cells[:3])[:60]
    return BrokerFormatError(f"{path}:{row.line}: does not match {format_title}: expected {expected}, "
                             f"found {shown!r}.",
                             hint="download the CSV from the broker again, or check that --from names its format")
