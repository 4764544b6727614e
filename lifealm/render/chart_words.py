"""The charts' words and number formats in the briefing's language, handed to the charts layer as data."""

from __future__ import annotations

from functools import cache
from typing import Any

from lifealm.charts.labels import ENGLISH, MONEY_AXIS, ChartLabels
from lifealm.i18n import DEFAULT_LANGUAGE, translations

# Japanese money axes count in 万 (10^4) and 億 (10^8), as Japanese readers do: 1.25億, 3,000万.
JA_MONEY_AXIS = ("abs(datum.value) >= 1e8 ? format(datum.value / 1e8, ',~g') + '億' : "
                 "abs(datum.value) >= 1e4 ? format(datum.value / 1e4, ',~g') + '万' : format(datum.value, ',~g')")

# Japanese dates on the history axes and tooltips, as the tables write them.
JA_DATE_FORMAT = "%Y/%m/%d"

# d3's ja-JP number and time locales (Vega's own axis labels: dates on the history charts).
JA_VEGA_LOCALE: dict[str, Any] = {
    "number": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", "円"]},
    "time": {
        "dateTime": "%Y/%m/%d %H:%M:%S", "date": "%Y/%m/%d", "time": "%H:%M:%S", "periods": ["午前", "午後"],
        "days": ["日曜日", "月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日"],
        "shortDays": ["日", "月", "火", "水", "木", "金", "土"],
        "months": [f"{m}月" for m in range(1, 13)],
        "shortMonths": [f"{m}月" for m in range(1, 13)],
    },
}


@cache
def chart_labels(lang: str = DEFAULT_LANGUAGE) -> ChartLabels:
    """The chart labels of `lang`: English as written in lifealm.charts, others from the gettext catalogue."""
    if lang == DEFAULT_LANGUAGE:
        return ENGLISH
    japanese = lang == "ja"
    return ENGLISH.translated(translations(lang).gettext, money_axis=JA_MONEY_AXIS if japanese else MONEY_AXIS,
                              date_format=JA_DATE_FORMAT if japanese else "%Y-%m-%d",
                              vega_locale=JA_VEGA_LOCALE if japanese else None)
