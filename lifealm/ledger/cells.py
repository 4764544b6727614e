"""Parse and check one CSV cell against its Column; problems are plain strings, never exceptions."""

from __future__ import annotations

import math
import re
import sys
import unicodedata
from collections.abc import Callable
from datetime import date

from lifealm.ledger.columns import ABSURD, Column, ColumnType


class CellError(ValueError):
    """The cell's problem, phrased for `FILE:LINE: column: problem`."""


# Full-width ASCII (what a Japanese IME types: "１２３", "，", "－") read as ASCII; nothing else is translated, so
# Arabic-Indic, Devanagari or superscript digits stay non-ASCII and are refused.
_WIDE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0xFFE5: 0xA5}
_MINUS = str.maketrans({"\u2212": "-", "\u25b2": "-", "\u25b3": "-"})  # − and ▲/△ (Japanese accounting)
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)
_SMALLEST = sys.float_info.min  # below it a float is subnormal: it loses precision and breaks JSON writers
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$", re.ASCII)
_NON_FINITE = re.compile(r"^[+-]?(nan|inf|infinity)$", re.IGNORECASE)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_DATE_PARTS = re.compile(r"^(\d{4})(?:/(\d{1,2})/(\d{1,2})|年(\d{1,2})月(\d{1,2})日)$", re.ASCII)
_TRUE = frozenset(("1", "true", "yes", "y", "t", "はい"))
_FALSE = frozenset(("0", "false", "no", "n", "f", "いいえ"))
# The Japanese words for the values of the columns with fixed choices (income kind, loan collateral).
_CHOICE_WORDS = {"給与": "salary", "給料": "salary", "副業": "side", "年金": "pension", "家賃": "rent",
                 "家賃収入": "rent", "その他": "other", "証券担保": "portfolio"}
_CURRENCY_WORDS = {"円": "JPY", "日本円": "JPY", "ドル": "USD", "米ドル": "USD", "usドル": "USD", "ユーロ": "EUR"}


def narrow(text: str) -> str:
    """Full-width ASCII letters, digits and signs as plain ASCII (only those: no other digit is converted)."""
    return text.translate(_WIDE)


def money_text(text: str) -> str:
    """A number as typed in Japan: "¥1,000,000", "500,000円", "１２３", "▲1,000"; the bare number remains."""
    text = narrow(text).translate(_MINUS).strip()
    sign = ""
    if text[:1] in "+-":
        sign, text = text[0], text[1:].lstrip()
    if text.startswith(("¥", "\\")):  # in Shift_JIS the yen sign is byte 0x5C, which Python reads as a backslash
        text = text[1:].lstrip()
    if text.endswith("円"):
        text = text[:-1].rstrip()
    if sign and text[:1] in "+-":
        return "?"  # "-¥-5" is not a number
    return sign + text


def _unusual_number(text: str) -> tuple[float, str]:
    """A number that is not plain ASCII: ¥/円, full-width, thousands separators; else the reason it is refused."""
    plain = money_text(text)
    if _PLAIN.match(plain):
        return float(plain), plain
    if _THOUSANDS.match(plain):
        return float(plain.replace(",", "")), plain  # "1,234,567" as brokers write it
    if _NON_FINITE.match(plain):
        raise CellError(f"{text!r} is not a finite number (NaN and infinity are not allowed)")
    if not plain.isascii():
        raise CellError(f"{text!r} is not a number (write the digits 0-9; only ¥ and 円 may go with them)")
    raise CellError(f"{text!r} is not a number")


def parse_number(text: str, col: Column) -> float:
    try:
        # The common case first (a price file is all plain numbers): float() is fast, but it also reads "1_000"
        # and digits of any script, which are refused, so those go the strict way.
        value, plain = float(text), text
        strict = not text.isascii() or "_" in text
    except ValueError:
        strict = True
    if strict:
        value, plain = _unusual_number(text)
    if not math.isfinite(value):
        if _NON_FINITE.match(plain.strip()):
            raise CellError(f"{text!r} is not a finite number (NaN and infinity are not allowed)")
        raise CellError(f"{text} is absurdly large (more than 1e15); check the unit and the column")
    if -_SMALLEST < value < _SMALLEST:
        if value != 0:
            raise CellError(f"{text} is too small to store exactly (below 1e-307); check the unit and the column")
        if re.search(r"[1-9]", plain.split("e")[0].split("E")[0]):
            raise CellError(f"{text} is too small to store (it would become 0); check the unit and the column")
    if abs(value) > ABSURD:
        raise CellError(f"{text} is absurdly large (more than 1e15); check the unit and the column")
    if col.minimum is not None and (value < col.minimum or (col.min_exclusive and value == col.minimum)):
        raise CellError(f"{text} must be {col.describe_range()}")
    if col.maximum is not None and (value > col.maximum or (col.max_exclusive and value == col.maximum)):
        extra = " (write fractions: 0.60, not 60)" if col.maximum == 1 and value > 1 else ""
        raise CellError(f"{text} must be {col.describe_range()}{extra}")
    return value


class DateParser:
    """ISO dates, also 2026/11/2 and 2026年11月2日 (full-width digits too); cached: price files repeat dates."""

    def __init__(self, today: date) -> None:
        self.today = today.isoformat()
        self._cache: dict[str, str | CellError] = {}

    def __call__(self, text: str, col: Column) -> str:
        result = self._cache.get(text)
        if result is None:
            result = self._parse(text)
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[text] = result
        if isinstance(result, CellError):
            raise result
        if col.not_future and result > self.today:  # ISO dates compare correctly as text
            raise CellError(f"{text} is in the future (today is {self.today}); a typo?")
        return result

    @staticmethod
    def _parse(text: str) -> str | CellError:
        iso = text
        parts = _DATE_PARTS.match(narrow(text).replace(" ", ""))
        if parts:
            year, month, day = (int(p) for p in parts.groups() if p is not None)
            iso = f"{year:04d}-{month:02d}-{day:02d}"
        if not _ISO.match(iso):
            return CellError(f"{text!r} is not a date in the form YYYY-MM-DD (or 2026/11/2, 2026年11月2日)")
        try:
            return date.fromisoformat(iso).isoformat()
        except ValueError:
            return CellError(f"{text}: no such date (not a real calendar date)")


def parse_date(text: str) -> date:
    """One date in any form the CSV import accepts (the --as-of option uses it too); CellError says why not."""
    result = DateParser._parse(text.strip())
    if isinstance(result, CellError):
        raise result
    return date.fromisoformat(result)


def parse_flag(text: str, col: Column) -> int:
    lowered = narrow(text).lower()
    if lowered in _TRUE:
        return 1
    if lowered in _FALSE:
        return 0
    raise CellError(f"{text!r} is not 0/1 (or true/false)")


def parse_currency(text: str, col: Column) -> str:
    text = narrow(text).strip()
    word = _CURRENCY_WORDS.get(text.lower())
    if word is not None:
        return word
    if len(text) != 3 or not text.isascii() or not text.isalpha():
        raise CellError(f"{text!r} is not a three-letter currency code such as JPY or USD")
    return text.upper()


def parse_text(text: str, col: Column) -> str:
    control = next((c for c in text if unicodedata.category(c) == "Cc"), None)
    if control is not None:
        # A terminal escape or a line break inside a name has no place in a ledger and can do harm when printed.
        raise CellError(f"contains a control character (U+{ord(control):04X}); remove it")
    if col.choices and text not in col.choices:
        word = _CHOICE_WORDS.get(text, text)
        # a word of the series' v1 columns or of a broker's file, for the value it stands for
        word = dict(col.synonyms).get(word.lower(), word)
        if word in col.choices:
            return word
        raise CellError(f"{text!r} is not one of {', '.join(col.choices)}")
    if len(text) > 500:
        raise CellError("the text is longer than 500 characters")
    return text


Parser = Callable[[str, Column], object]


def parsers(today: date) -> dict[ColumnType, Parser]:
    return {
        ColumnType.NUMBER: parse_number,
        ColumnType.DATE: DateParser(today),
        ColumnType.FLAG: parse_flag,
        ColumnType.CURRENCY: parse_currency,
        ColumnType.TEXT: parse_text,
    }
