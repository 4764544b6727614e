"""Every word the charts draw, as data: the render layer hands the builders these labels in the briefing's language."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any


def N_(message: str) -> str:
    """Mark a label for the catalogue (pybabel -k N_); the render layer translates it, the charts never do."""
    return message


# Axis labels: compact money (¥125M) and whole percentages, formatted by Vega at draw time.
MONEY_AXIS = "replace(format(datum.value, '~s'), 'G', 'B')"
# Tooltip amounts: d3's currency format, the symbol from the locale's `currency` (¥125,000,000 as the page writes).
MONEY_FORMAT = "$,.0f"
# Vega's number locale for English yen: the page's ¥ and its "40.0 %" (a space before the sign), on axes and in
# tooltips alike; the time locale stays Vega's.
ENGLISH_LOCALE: Mapping[str, Any] = MappingProxyType({
    "number": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["¥", ""], "percent": " %"},
})
# The fields of ChartLabels that are formats, not words: the catalogue never sees them.
FORMAT_FIELDS = ("money_axis", "money_format", "date_format", "vega_locale")


@dataclass(frozen=True, slots=True)
class ChartLabels:
    """Titles, axis titles, legend and line labels; `{year}` and `{count}` are filled in by the builders."""

    margin_title: str = N_("Margin ratio as the market falls")
    market_drop: str = N_("market drop")
    margin_ratio: str = N_("margin ratio")
    freeze: str = N_("freeze")
    margin_call: str = N_("margin call")
    forced_liquidation: str = N_("forced liquidation")
    today: str = N_("today")
    stress_title: str = N_("Stress ladder: cash needed vs. defense")
    cash_needed: str = N_("cash needed")
    survives: str = N_("survives")
    forced_sale: str = N_("forced sale")
    defense_cash: str = N_("defense (cash)")
    defense_with_line: str = N_("defense with the standby line")
    without_line: str = N_("without the line")
    dividends_title: str = N_("Dividend snowball")
    year: str = N_("year")
    dividends_after_tax: str = N_("dividends after tax")
    annual_expenses: str = N_("annual expenses (with inflation)")
    expenses_and_interest: str = N_("annual expenses (with inflation) + loan interest")
    crossover: str = N_("crossover {year}")
    net_worth_title: str = N_("Net worth history")
    net_worth: str = N_("net worth")
    margin_history_title: str = N_("Margin ratio history")
    success_title: str = N_("Monte Carlo success history")
    success_probability: str = N_("success probability")
    allocation_title: str = N_("Allocation by security")
    value: str = N_("value")
    others: str = N_("{count} others")
    fan_title: str = N_("Monte Carlo: net worth P10–P90 (P50 line)")
    years_from_today: str = N_("years from today")
    median: str = N_("median")
    failures_title: str = N_("Monte Carlo: year of failure (failing paths only)")
    first_shortfall: str = N_("year of first shortfall")
    paths: str = N_("paths")
    timeline_title: str = N_("Household timeline: income, expenses and events")
    per_year_real: str = N_("per year, today's money")
    income: str = N_("income")
    one_off_income: str = N_("one-off income")
    expenses: str = N_("expenses")
    one_off_expenses: str = N_("one-off expenses")
    net: str = N_("net")
    starts: str = N_("starts")
    ends: str = N_("ends")
    # Tooltip titles the axes and legends do not already give.
    date: str = N_("date")
    holding: str = N_("holding")
    outcome: str = N_("outcome")
    year_starts: str = N_("year starts")
    item: str = N_("item")
    amount: str = N_("amount")
    ages: str = N_("ages")
    plan_change: str = N_("change in the plan")
    age_of: str = N_("{name} {age}")  # one member's age in the timeline's tooltip
    list_separator: str = N_(", ")
    # Not words: the Vega expression for money axis labels, the d3 format of tooltip amounts and dates, and Vega's
    # number/time locale (None: Vega's en-US, with $ for currency).
    money_axis: str = MONEY_AXIS
    money_format: str = MONEY_FORMAT
    date_format: str = "%Y-%m-%d"  # d3 time format of the history axes and tooltips
    vega_locale: Mapping[str, Any] | None = field(default_factory=lambda: ENGLISH_LOCALE)

    def translated(self, gettext: Callable[[str], str], *, money_axis: str = MONEY_AXIS,
                   money_format: str = MONEY_FORMAT, date_format: str = "%Y-%m-%d",
                   vega_locale: Mapping[str, Any] | None = None) -> ChartLabels:
        """These labels passed through `gettext` (the render layer's), with the language's formats and locale."""
        words = {f.name: gettext(getattr(self, f.name)) for f in fields(self) if f.name not in FORMAT_FIELDS}
        locale = MappingProxyType(dict(vega_locale)) if vega_locale is not None else None
        return replace(self, **words, money_axis=money_axis, money_format=money_format, date_format=date_format,
                       vega_locale=locale)


ENGLISH = ChartLabels()
