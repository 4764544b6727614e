"""Parse and check one CSV cell against its Column; problems are plain strings, never exceptions."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from datetime import date

from lifealm.ledger.columns import ABSURD, Column, ColumnType


class CellError(ValueError):
    """The cell's problem, phrased for `FILE:LINE: column: problem`."""


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SLASHED = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_TRUE = frozenset(("1", "true", "yes", "y", "t"))
_FALSE = frozenset(("0", "false", "no", "n", "f"))


def parse_number(text: str, col: Column) -> float:
    try:
        value = float(text)
    except ValueError:
        if not _THOUSANDS.match(text):
            raise CellError(f"{text!r} is not a number") from None
        value = float(text.replace(",", ""))  # "1,234,567" as brokers write it
    if not math.isfinite(value):
        raise CellError(f"{text!r} is not a finite number (NaN and infinity are not allowed)")
    if abs(value) > ABSURD:
        raise CellError(f"{text} is absurdly large (more than 1e15); check the unit and the column")
    if col.minimum is not None and (value < col.minimum or (col.min_exclusive and value == col.minimum)):
        raise CellError(f"{text} must be {col.describe_range()}")
    if col.maximum is not None and (value > col.maximum or (col.max_exclusive and value == col.maximum)):
        extra = " (write fractions: 0.60, not 60)" if col.maximum == 1 and value > 1 else ""
        raise CellError(f"{text} must be {col.describe_range()}{extra}")
    return value


class DateParser:
    """ISO dates (YYYY/MM/DD is accepted too); results are cached because price files repeat the same dates."""

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
        slashed = _SLASHED.match(text)
        if slashed:
            text = f"{slashed[1]}-{int(slashed[2]):02d}-{int(slashed[3]):02d}"
        if not _ISO.match(text):
            return CellError(f"{text!r} is not a date in the form YYYY-MM-DD")
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            return CellError(f"{text} is not a real calendar date")


def parse_flag(text: str, col: Column) -> int:
    lowered = text.lower()
    if lowered in _TRUE:
        return 1
    if lowered in _FALSE:
        return 0
    raise CellError(f"{text!r} is not 0/1 (or true/false)")


def parse_currency(text: str, col: Column) -> str:
    if len(text) != 3 or not text.isascii() or not text.isalpha():
        raise CellError(f"{text!r} is not a three-letter currency code such as JPY or USD")
    return text.upper()


def parse_text(text: str, col: Column) -> str:
    control = next((c for c in text if unicodedata.category(c) == "Cc"), None)
    if control is not None:
        # A terminal escape or a line break inside a name has no place in a ledger and can do harm when printed.
        raise CellError(f"contains a control character (U+{ord(control):04X}); remove it")
    if col.choices and text not in col.choices:
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
