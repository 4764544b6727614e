"""The charts' words and number formats in the briefing's language, handed to the charts layer as data."""

from __future__ import annotations

from functools import cache
from typing import Any

from babel.numbers import get_currency_precision, get_decimal_symbol, get_group_symbol

from lifealm.charts.labels import ENGLISH, MONEY_AXIS, ChartLabels
from lifealm.i18n import BABEL_LOCALES, DEFAULT_LANGUAGE, translations
from lifealm.render.filters import PERCENT_SIGN, money

# Japanese money axes count in 万 (10^4) and 億 (10^8), as Japanese readers do: 1.25億, 3,000万.
JA_MONEY_AXIS = ("abs(datum.value) >= 1e8 ? format(datum.value / 1e8, ',~g') + '億' : "
                 "abs(datum.value) >= 1e4 ? format(datum.value / 1e4, ',~g') + '万' : format(datum.value, ',~g')")

# Japanese dates on the history axes and tooltips, as the tables write them.
JA_DATE_FORMAT = "%Y/%m/%d"

# d3's ja-JP time locale (Vega's own axis labels: dates on the history charts).
JA_TIME_LOCALE: dict[str, Any] = {
    "dateTime": "%Y/%m/%d %H:%M:%S", "date": "%Y/%m/%d", "time": "%H:%M:%S", "periods": ["午前", "午後"],
    "days": ["日曜日", "月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日"],
    "shortDays": ["日", "月", "火", "水", "木", "金", "土"],
    "months": [f"{m}月" for m in range(1, 13)],
    "shortMonths": [f"{m}月" for m in range(1, 13)],
}


def number_locale(lang: str, currency: str) -> dict[str, Any]:
    """d3's number locale that writes money and percentages as the page does (filters.money, filters.percent).

    The currency's symbol and where it stands come from the page's own `money` ("￥1" → prefix "￥"), so a tooltip
    amount formatted with `$,.Nf` reads like the tables.
    """
    sample = money(1, currency, lang=lang)
    digits = [n for n, char in enumerate(sample) if char.isdigit()]
    locale = BABEL_LOCALES[lang]
    return {"decimal": get_decimal_symbol(locale), "thousands": get_group_symbol(locale), "grouping": [3],
            "currency": [sample[:digits[0]], sample[digits[-1] + 1:]], "percent": PERCENT_SIGN[lang]}


def money_format(currency: str) -> str:
    """The d3 format of a tooltip amount: grouped, with the currency's decimals (none for yen)."""
    return f"$,.{get_currency_precision(currency)}f"


@cache
def chart_labels(lang: str = DEFAULT_LANGUAGE, currency: str = "JPY") -> ChartLabels:
    """The chart labels of `lang` for amounts in `currency`: English as written in lifealm.charts (yen), others
    from the gettext catalogue."""
    number = number_locale(lang, currency)
    if lang == DEFAULT_LANGUAGE:
        english = ChartLabels(money_format=money_format(currency), vega_locale={"number": number})
        return ENGLISH if english == ENGLISH else english
    japanese = lang == "ja"
    vega_locale = {"number": number, "time": JA_TIME_LOCALE} if japanese else {"number": number}
    return ENGLISH.translated(translations(lang).gettext, money_axis=JA_MONEY_AXIS if japanese else MONEY_AXIS,
                              money_format=money_format(currency),
                              date_format=JA_DATE_FORMAT if japanese else "%Y-%m-%d", vega_locale=vega_locale)
