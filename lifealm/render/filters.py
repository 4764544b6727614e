"""The one place numbers become text: Jinja filters for money, percentages, deltas and dates."""

from __future__ import annotations

import json
import math
from datetime import date
from typing import Any

from markupsafe import Markup

# Currencies whose amounts carry no minor unit (ISO 4217 exponent 0); the rest show two decimals.
_NO_DECIMALS = frozenset({"JPY", "KRW", "VND", "CLP", "ISK", "HUF", "TWD", "IDR"})
_SYMBOLS = {"JPY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "KRW": "₩", "CNY": "CN¥", "AUD": "A$", "CAD": "C$"}
MISSING = "—"  # shown where a figure does not exist (no loan, no snapshot yet)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def money(value: object, currency: str = "JPY") -> str:
    """¥125,000,000 for yen; $1,234.50 for currencies with a minor unit; a minus sign before the symbol."""
    if not _is_number(value):
        return MISSING
    amount = float(value)  # type: ignore[arg-type]
    digits = 0 if currency in _NO_DECIMALS else 2
    symbol = _SYMBOLS.get(currency, currency + " ")
    text = f"{abs(amount):,.{digits}f}"
    if text.strip("0.,") == "":
        amount = 0.0  # no "−¥0"
    return f"{'−' if amount < 0 else ''}{symbol}{text}"


def signed_money(value: object, currency: str = "JPY") -> str:
    """A change in money with its sign: +¥1,200,000 / −¥300,000 / ±¥0."""
    if not _is_number(value):
        return MISSING
    text = money(value, currency)
    if float(value) > 0 and text != money(0, currency):  # type: ignore[arg-type]
        return "+" + text
    return text if text.startswith("−") else "±" + text


def percent(value: object, digits: int = 1) -> str:
    """A fraction as a percentage: 0.4 → 40.0 %."""
    if not _is_number(value):
        return MISSING
    text = f"{float(value) * 100:.{digits}f}"  # type: ignore[arg-type]
    if text.startswith("-"):
        text = "−" + text[1:]
    return f"{text} %"


def _toward_zero(value: float, digits: int) -> float:
    scale = 10 ** (digits + 2)
    return float(math.trunc(value * scale + math.copysign(1e-6, value)) / scale)


def percent_down(value: object, digits: int = 1) -> str:
    """A fraction as a percentage rounded toward zero: a survivable fall of 0.6659 is 66.5 %, never 66.6 %.

    Survival figures are shown this way so the report never promises a larger fall than the model allows.
    """
    if not _is_number(value):
        return MISSING
    return percent(_toward_zero(float(value), digits), digits)  # type: ignore[arg-type]


def points_down(previous: object, current: object, digits: int = 1) -> str:
    """The change between two survival figures as shown by percent_down, so the delta matches what is read."""
    if not (_is_number(previous) and _is_number(current)):
        return MISSING
    shown = _toward_zero(float(current), digits) - _toward_zero(float(previous), digits)  # type: ignore[arg-type]
    return points(shown, digits)


def points(value: object, digits: int = 1) -> str:
    """A change between two fractions in percentage points, signed: +1.2 pt / −0.4 pt."""
    if not _is_number(value):
        return MISSING
    scaled = round(float(value) * 100, digits)  # type: ignore[arg-type]
    sign = "+" if scaled > 0 else "−" if scaled < 0 else "±"
    return f"{sign}{abs(scaled):.{digits}f} pt"


def points_plain(value: object) -> str:
    """A drawdown difference in words: 0.09 → "9 points" (one decimal below one point)."""
    if not _is_number(value):
        return MISSING
    scaled = float(value) * 100  # type: ignore[arg-type]
    text = f"{scaled:.0f}" if abs(scaled) >= 1 else f"{scaled:.1f}"
    return f"{text} point{'' if text == '1' else 's'}"


def plain(value: object) -> str:
    """An assumption value as written in the ledger: 0.07, 10000, true."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, int):
        return str(value)
    return MISSING if value is None else str(value)


def number(value: object, digits: int = 0) -> str:
    """A plain number with thousands separators (share counts, paths)."""
    if not _is_number(value):
        return MISSING
    amount = float(value)  # type: ignore[arg-type]
    if digits == 0 and not amount.is_integer():
        # Fractional shares: up to four decimals, trailing zeros dropped; a non-zero amount never shows as 0.
        fraction = f"{abs(amount):.4f}".rstrip("0").partition(".")[2]
        if not fraction and abs(amount) < 1:
            return ("−" if amount < 0 else "") + "<0.0001"
        digits = len(fraction)
    text = f"{abs(amount):,.{digits}f}"
    return ("−" if amount < 0 else "") + text


def iso_date(value: object) -> str:
    """A date as YYYY-MM-DD (ISO strings pass through)."""
    if isinstance(value, date):
        return value.isoformat()
    return MISSING if value is None else str(value)


def script_json(value: Any) -> Markup:
    """JSON safe inside <script type="application/json">: no `</script>`, `<!--` or `&` can end or bend it."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


FILTERS = {
    "money": money,
    "signed_money": signed_money,
    "percent": percent,
    "percent_down": percent_down,
    "points_down": points_down,
    "points": points,
    "number": number,
    "points_plain": points_plain,
    "plain": plain,
    "iso_date": iso_date,
    "script_json": script_json,
}
