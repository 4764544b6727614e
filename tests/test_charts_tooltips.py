"""Chart tooltips, spec by spec: every field has a title in the briefing's language and the page's number formats."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from test_charts_builders import HOSTILE, _data, _montecarlo

from lifealm.charts import theme
from lifealm.charts.builders import build_all
from lifealm.charts.inputs import ChartData, TimelineBar, TimelineMarker, TimelineView
from lifealm.render.chart_words import chart_labels
from lifealm.render.filters import money, percent

EVERY_CHART = {"margin-curve", "stress-ladder", "allocation", "dividends", "net-worth-history", "margin-history",
               "timeline", "success-history", "montecarlo-fan", "montecarlo-failures"}


def _everything() -> ChartData:
    """Chart data that draws all ten charts, the timeline's markers and hostile ledger text included."""
    years = tuple(TimelineBar(n, date(2026 + n, 11, 1), 1.2e7, 9.6e6, 0.0 if n else 2e6, 3e6 if n == 2 else 0.0,
                              (("太郎", 49 + n), (HOSTILE, 47 + n))) for n in range(6))
    markers = (TimelineMarker(3, date(2029, 4, 1), "income_end", "給与 " + HOSTILE),
               TimelineMarker(5, date(2031, 6, 1), "income_start", "pension"))
    history = tuple(replace(p, success_probability=0.9) for p in _data(None).history)
    data = replace(_data(_montecarlo()), timeline=TimelineView(years, markers), history=history)
    return data


def _tooltips(node: Any) -> list[dict[str, Any]]:
    """Every tooltip entry of a spec, in any layer."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        tooltip = node.get("encoding", {}).get("tooltip") if isinstance(node.get("encoding"), dict) else None
        found.extend(tooltip if isinstance(tooltip, list) else [tooltip] if tooltip else [])
        for value in node.values():
            found.extend(_tooltips(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_tooltips(item))
    return found


@pytest.fixture(scope="module")
def specs() -> dict[str, dict[str, dict[str, Any]]]:
    data = _everything()
    return {lang: build_all(data, theme.DARK, chart_labels(lang)) for lang in ("en", "ja")}


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_tooltip_field_of_every_chart_has_a_title_in_the_language(
        specs: dict[str, dict[str, dict[str, Any]]], lang: str) -> None:
    assert set(specs[lang]) == EVERY_CHART
    for chart_id, spec in specs[lang].items():
        entries = _tooltips(spec)
        assert entries, chart_id
        for entry in entries:
            assert isinstance(entry, dict) and entry.get("title"), (chart_id, entry)
            title = entry["title"]  # given by the builder, even where it reads like the field ("year", "value")
            if lang == "ja":  # Japanese words only: no Latin letter, some kana or kanji
                assert not re.search("[A-Za-z]", title) and re.search("[\u3040-\u30ff\u4e00-\u9fff]", title), title
            else:  # readable English words, never a field name such as net_worth or p50
                assert re.fullmatch(r"[a-z]+( [a-z]+)*", title), title


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_tooltip_numbers_take_the_pages_formats(specs: dict[str, dict[str, dict[str, Any]]], lang: str) -> None:
    """Amounts in the locale's currency, ratios to 0.1 %, drops whole, dates as the tables write them; the
    ledger's text (holding names, ages, plan changes) stays text."""
    date_format = "%Y-%m-%d" if lang == "en" else "%Y/%m/%d"
    money_fields = {"repay", "income", "net_worth", "value", "p50", "amount", "net"}
    for chart_id, spec in specs[lang].items():
        assert spec["config"]["locale"]["number"]["currency"] == (["¥", ""] if lang == "en" else ["￥", ""])
        for entry in _tooltips(spec):
            field, kind, fmt = entry["field"], entry["type"], entry.get("format")
            if field in money_fields:
                assert fmt == "$,.0f", (chart_id, entry)
            elif field in ("ratio", "success"):
                assert fmt == ".1%", (chart_id, entry)
            elif field == "drawdown":
                assert fmt == ".0%", (chart_id, entry)
            elif kind == "temporal":
                assert fmt == date_format, (chart_id, entry)
            elif field in ("holding", "ages", "label", "series", "outcome"):
                assert kind == "nominal" and fmt is None, (chart_id, entry)


@pytest.mark.parametrize("currency", ["JPY", "USD", "EUR", "CHF", "KRW"])
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_vega_number_locale_writes_money_and_percent_as_the_page_does(lang: str, currency: str) -> None:
    """What d3 prints for the tooltip format (its `$` puts the locale's currency around the grouped digits,
    its `%` the locale's percent sign after them), worked here in Python, is the page's own text."""
    labels = chart_labels(lang, currency)
    assert labels.vega_locale is not None
    number = labels.vega_locale["number"]
    digits = int(re.fullmatch(r"\$,\.(\d)f", labels.money_format).group(1))  # type: ignore[union-attr]
    prefix, suffix = number["currency"]
    for amount in (1234567.891, 0.0, 999.5):
        assert f"{prefix}{amount:,.{digits}f}{suffix}" == money(amount, currency, lang=lang)
    assert f"{40.5:.1f}{number['percent']}" == percent(0.405, lang=lang)
