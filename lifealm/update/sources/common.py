"""What every source shares: turning a failed request into a problem, spotting HTML, minor currency units."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

from lifealm.update.http import HttpFailure, HttpResponse, excerpt
from lifealm.update.model import ProblemKind, SourceProblem

# Exchanges that quote in a hundredth of the currency (Yahoo says GBp for London): prices are divided by 100.
MINOR_UNITS: dict[str, tuple[str, Decimal]] = {
    "GBp": ("GBP", Decimal(100)),
    "GBX": ("GBP", Decimal(100)),
    "ZAc": ("ZAR", Decimal(100)),
    "ZAC": ("ZAR", Decimal(100)),
    "ILA": ("ILS", Decimal(100)),
}

# Exceptions that mean "the answer is not in the shape the format promises" while reading a parsed document.
SHAPE_ERRORS = (KeyError, IndexError, TypeError, ValueError, AttributeError, ArithmeticError)

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


class SourceFailure(Exception):
    """Raised inside a source while it reads an answer; its `fetch` turns it into the problem it returns."""

    def __init__(self, kind: ProblemKind, message: str, quoted: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.kind, self.message, self.quoted, self.status = kind, message, quoted, status


def problem(source: str, symbol: str, error: SourceFailure | HttpFailure) -> SourceProblem:
    return SourceProblem(source, symbol, error.kind, error.message, error.quoted, error.status)


def normalise_currency(reported: str) -> tuple[str, Decimal]:
    """The ISO currency and the divisor that turns a price in `reported` units into it (GBp → GBP, 100)."""
    if reported in MINOR_UNITS:
        return MINOR_UNITS[reported]
    return reported.upper(), Decimal(1)


def is_html(answer: HttpResponse) -> bool:
    head = answer.body[:512].lstrip().lower()
    return "html" in answer.headers.get("content-type", "") or head.startswith((b"<!doctype html", b"<html"))


def html_failure(answer: HttpResponse, expected: str) -> SourceFailure:
    """An HTML page where data was expected: a consent wall, a block page, a maintenance notice."""
    found = _TITLE.search(answer.body)
    words = excerpt(found.group(1).decode("utf-8", errors="replace")) if found else answer.excerpt()
    return SourceFailure(ProblemKind.MALFORMED, f"answered with an HTML page where {expected} was expected "
                         "(a consent, block or maintenance page?)", words, answer.status)


def load_json(answer: HttpResponse, expected: str) -> Any:
    """The body as JSON with exact decimals, or a failure that quotes what came instead."""
    if is_html(answer):
        raise html_failure(answer, expected)
    try:
        return json.loads(answer.body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as error:
        raise SourceFailure(ProblemKind.MALFORMED, f"answered with something that is not {expected}",
                            answer.excerpt(), answer.status) from error


def in_window(day: date, start: date | None, end: date) -> bool:
    return (start is None or start <= day) and day <= end


def positive_decimal(value: object) -> Decimal | None:
    """A finite positive number as a Decimal; None for null, zero, negative or not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    return number if number.is_finite() and number > 0 else None
