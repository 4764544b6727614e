"""The one place numbers become text: Jinja filters for money, percentages, deltas and dates, in each language.

Every filter takes `lang` (en or ja). Rounding is Python's, on the float as stored (so the figures are the same
in every language and English stays as it always was); grouping, currency symbols, precision and dates are
Babel's for the language's locale.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, get_currency_precision
from markupsafe import Markup

from lifealm.i18n import BABEL_LOCALES, DEFAULT_LANGUAGE, translations

MISSING = "—"  # shown where a figure does not exist (no loan, no snapshot yet)
# lifealm's English writes "40.0 %" (a space before the sign, as ISO 80000 does); Japanese writes "40.0%".
PERCENT_SIGN = {"en": " %", "ja": "%"}


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _rounded(amount: float, digits: int) -> Decimal:
    """|amount| rounded by Python's float formatting (the digits every language shows), as an exact Decimal."""
    return Decimal(f"{abs(amount):.{digits}f}")


def _pattern(digits: int, grouping: bool = True) -> str:
    return ("#,##0" if grouping else "0") + ("." + "0" * digits if digits else "")


def _spaced(text: str) -> str:
    """CLDR's currency spacing, which Babel leaves out: a symbol ending in a letter is set off from the digits."""
    for n, char in enumerate(text):
        if char.isdigit():
            return text[:n] + " " + text[n:] if n and text[n - 1].isalpha() else text
    return text


def money(value: object, currency: str = "JPY", *, lang: str = DEFAULT_LANGUAGE) -> str:
    """¥125,000,000 for yen (￥ in Japanese); $1,234.50 for currencies with a minor unit; a minus before the symbol.

    The number of decimals is the currency's (ISO 4217 via Babel's CLDR data).
    """
    if not _is_number(value):
        return MISSING
    amount = float(value)  # type: ignore[arg-type]
    digits = get_currency_precision(currency)
    exact = _rounded(amount, digits)
    if not exact:
        amount = 0.0  # no "−¥0"
    text = format_currency(exact, currency, format="¤" + _pattern(digits), locale=BABEL_LOCALES[lang],
                           currency_digits=False)
    return f"{'−' if amount < 0 else ''}{_spaced(text)}"


def signed_money(value: object, currency: str = "JPY", *, lang: str = DEFAULT_LANGUAGE) -> str:
    """A change in money with its sign: +¥1,200,000 / −¥300,000 / ±¥0."""
    if not _is_number(value):
        return MISSING
    text = money(value, currency, lang=lang)
    if float(value) > 0 and text != money(0, currency, lang=lang):  # type: ignore[arg-type]
        return "+" + text
    return text if text.startswith("−") else "±" + text


def _man_oku(amount: int) -> str:
    """A whole number of yen in 億 and 万 units with Arabic digits: 125,000,000 → 1億2,500万."""
    oku, rest = divmod(amount, 100_000_000)
    man, yen = divmod(rest, 10_000)
    parts = [f"{oku:,}億" if oku else "", f"{man:,}万" if man else "", f"{yen:,}" if yen else ""]
    return "".join(parts) or "0"


def yen_words(value: object, currency: str = "JPY", *, lang: str = DEFAULT_LANGUAGE) -> str:
    """In Japanese, a yen amount of ¥10,000 or more written as 1億2,500万円 (exact to the yen); otherwise `money`."""
    if not _is_number(value) or lang != "ja" or currency != "JPY":
        return money(value, currency, lang=lang)
    amount = float(value)  # type: ignore[arg-type]
    whole = int(_rounded(amount, 0))
    if whole < 10_000:
        return money(value, currency, lang=lang)
    return f"{'−' if amount < 0 else ''}{_man_oku(whole)}円"


def signed_yen_words(value: object, currency: str = "JPY", *, lang: str = DEFAULT_LANGUAGE) -> str:
    """`yen_words` with the sign of a change: +18万9,430円 / −30万円; `signed_money` below ¥10,000."""
    text = yen_words(value, currency, lang=lang)
    if text == money(value, currency, lang=lang):
        return signed_money(value, currency, lang=lang)
    return text if text.startswith("−") else "+" + text


def _fixed(value: float, digits: int, lang: str, grouping: bool = False) -> str:
    """A signed number with `digits` decimals in the language's symbols; a true minus sign."""
    exact = _rounded(value, digits)
    text = format_decimal(exact, format=_pattern(digits, grouping), locale=BABEL_LOCALES[lang],
                          decimal_quantization=False)
    return ("−" if value < 0 and exact else "") + text


def percent(value: object, digits: int = 1, *, lang: str = DEFAULT_LANGUAGE) -> str:
    """A fraction as a percentage: 0.4 → 40.0 % (40.0% in Japanese)."""
    if not _is_number(value):
        return MISSING
    scaled = float(value) * 100  # type: ignore[arg-type]
    text = f"{scaled:.{digits}f}"
    # Python keeps the sign of a negative that rounds to zero ("-0.0"); so does lifealm.
    sign = "−" if text.startswith("-") else ""
    return f"{sign}{_fixed(abs(scaled), digits, lang)}{PERCENT_SIGN[lang]}"


def _toward_zero(value: float, digits: int) -> float:
    scale = 10 ** (digits + 2)
    return float(math.trunc(value * scale + math.copysign(1e-6, value)) / scale)


def percent_down(value: object, digits: int = 1, *, lang: str = DEFAULT_LANGUAGE) -> str:
    """A fraction as a percentage rounded toward zero: a survivable fall of 0.6659 is 66.5 %, never 66.6 %.

    Survival figures are shown this way so the report never promises a larger fall than the model allows.
    """
    if not _is_number(value):
        return MISSING
    return percent(_toward_zero(float(value), digits), digits, lang=lang)  # type: ignore[arg-type]


def points_down(previous: object, current: object, digits: int = 1, *, lang: str = DEFAULT_LANGUAGE) -> str:
    """The change between two survival figures as shown by percent_down, so the delta matches what is read."""
    if not (_is_number(previous) and _is_number(current)):
        return MISSING
    shown = _toward_zero(float(current), digits) - _toward_zero(float(previous), digits)  # type: ignore[arg-type]
    return points(shown, digits, lang=lang)


def points(value: object, digits: int = 1, *, lang: str = DEFAULT_LANGUAGE) -> str:
    """A change between two fractions in percentage points, signed: +1.2 pt / −0.4 pt."""
    if not _is_number(value):
        return MISSING
    scaled = round(float(value) * 100, digits)  # type: ignore[arg-type]
    sign = "+" if scaled > 0 else "−" if scaled < 0 else "±"
    return translations(lang).gettext("%(value)s pt") % {"value": sign + _fixed(abs(scaled), digits, lang)}


def points_plain(value: object, *, lang: str = DEFAULT_LANGUAGE) -> str:
    """A drawdown difference in words: 0.09 → "9 points" (one decimal below one point)."""
    if not _is_number(value):
        return MISSING
    scaled = float(value) * 100  # type: ignore[arg-type]
    text = f"{scaled:.0f}" if abs(scaled) >= 1 else f"{scaled:.1f}"
    return translations(lang).ngettext("%(num)s point", "%(num)s points", 1 if text == "1" else 2) % {"num": text}


def plain(value: object) -> str:
    """An assumption value as written in the ledger: 0.07, 10000, true."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, int):
        return str(value)
    return MISSING if value is None else str(value)


def number(value: object, digits: int = 0, *, lang: str = DEFAULT_LANGUAGE) -> str:
    """A plain number with thousands separators (share counts, paths)."""
    if not _is_number(value):
        return MISSING
    amount = float(value)  # type: ignore[arg-type]
    if digits == 0 and not amount.is_integer():
        # Fractional shares: up to four decimals, trailing zeros dropped; a non-zero amount never shows as 0.
        fraction = f"{abs(amount):.4f}".rstrip("0").partition(".")[2]
        if not fraction and abs(amount) < 1:
            return ("−" if amount < 0 else "") + "<" + _fixed(0.0001, 4, lang)
        digits = len(fraction)
    return ("−" if amount < 0 else "") + _fixed(abs(amount), digits, lang, grouping=True)


def _as_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def iso_date(value: object, *, lang: str = DEFAULT_LANGUAGE) -> str:
    """A date as YYYY-MM-DD in English (ISO strings pass through); 2026/11/25 in Japanese."""
    if value is None:
        return MISSING
    day = _as_date(value)
    if lang == DEFAULT_LANGUAGE or day is None:
        return day.isoformat() if isinstance(value, date) and day else str(value)
    return format_date(day, format="medium", locale=BABEL_LOCALES[lang])


def long_date(value: object, *, lang: str = DEFAULT_LANGUAGE) -> str:
    """The briefing's own date: YYYY-MM-DD in English, 2026年11月25日 in Japanese."""
    day = _as_date(value)
    if lang == DEFAULT_LANGUAGE or day is None:
        return iso_date(value, lang=lang)
    return format_date(day, format="long", locale=BABEL_LOCALES[lang])


def pad(text: object, width: int) -> str:
    """`text` followed by spaces up to `width` columns of a monospaced font, wide (CJK) characters counting two."""
    value = str(text)
    used = sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in value)
    return value + " " * max(width - used, 0)


def script_json(value: Any) -> Markup:
    """JSON safe inside <script type="application/json">: no `</script>`, `<!--` or `&` can end or bend it."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


_BY_LANGUAGE: dict[str, Callable[..., str]] = {
    "money": money,
    "signed_money": signed_money,
    "yen_words": yen_words,
    "signed_yen_words": signed_yen_words,
    "percent": percent,
    "percent_down": percent_down,
    "points_down": points_down,
    "points": points,
    "number": number,
    "points_plain": points_plain,
    "iso_date": iso_date,
    "long_date": long_date,
}


def filters_for(lang: str) -> dict[str, Any]:
    """Every filter, the language-dependent ones bound to `lang`."""
    bound: dict[str, Any] = {name: partial(func, lang=lang) for name, func in _BY_LANGUAGE.items()}
    return {**bound, "plain": plain, "pad": pad, "script_json": script_json}


FILTERS = filters_for(DEFAULT_LANGUAGE)
