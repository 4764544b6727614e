"""Altair builders: frozen chart data in, themed Vega-Lite dicts out (one builder per briefing chart)."""

from __future__ import annotations

import math
from typing import Any, TypeVar

import altair as alt

from lifealm.charts import theme as th
from lifealm.charts.catalog import allocation_height, chart_ids
from lifealm.charts.inputs import (
    AllocationSlice,
    ChartData,
    DividendView,
    DividendYear,
    HistoryPoint,
    MarginView,
    TimelineView,
)
from lifealm.charts.labels import ENGLISH, ChartLabels
from lifealm.models.montecarlo.result import MonteCarloResult

Spec = dict[str, Any]
_T = TypeVar("_T")

# Whole percentages on the axes, formatted by Vega at draw time (money axes: ChartLabels.money_axis).
PERCENT_FORMAT = ".0%"
# Tooltip percentages as the page's tables write them: drops whole (30 %), ratios and chances to 0.1 % (40.5 %).
DROP_FORMAT = ".0%"
RATIO_FORMAT = ".1%"
COUNT_FORMAT = ",.0f"


def _tip(field: str, title: str, format: str | None = None) -> alt.Tooltip:
    """One tooltip line: the field's value under a title in the briefing's language, formatted by Vega's locale
    (the symbol of `$` formats, the percent sign and the separators: ChartLabels.vega_locale)."""
    return alt.Tooltip(field, title=title) if format is None else alt.Tooltip(field, title=title, format=format)


class _Rows:
    """Chart rows kept out of Altair: each builder draws on named placeholders, and `_finish` puts the rows back.

    Altair converts every inline row on `to_dict()`; for years of daily history that cost seconds per chart. The
    rows (plain JSON values built here) are inlined into the finished dict instead, so the spec has the same shape
    as with inline data and needs no file or network access.
    """

    def __init__(self) -> None:
        self.by_name: dict[str, list[dict[str, Any]]] = {}

    def __call__(self, rows: list[dict[str, Any]]) -> alt.NamedData:
        name = f"lifealm-rows-{len(self.by_name)}"  # numbered per chart: the same chart gives the same bytes
        self.by_name[name] = rows
        return alt.NamedData(name=name)

    def inline(self, node: Any) -> Any:
        """A copy of `node` with every `{"name": placeholder}` data reference replaced by its inline rows."""
        if isinstance(node, dict):
            if set(node) == {"name"} and node["name"] in self.by_name:
                return {"values": self.by_name[node["name"]]}
            return {key: self.inline(value) if key in ("data", "layer") else value for key, value in node.items()}
        if isinstance(node, list):
            return [self.inline(item) for item in node]
        return node


def _finish(chart: alt.TopLevelMixin, theme: th.Theme, title: str, rows: _Rows, labels: ChartLabels) -> Spec:
    # Not validated here: Altair's JSON-schema check was half of the charts' time in every report, for specs
    # that only these builders make; tests/test_charts_builders.py validates every chart of both themes.
    spec: Spec = rows.inline(chart.properties(title=title).to_dict(validate=False))
    themed = th.apply(spec, theme)
    if labels.vega_locale is not None:  # the language's number and date formats, for Vega's own axis labels
        themed["config"]["locale"] = dict(labels.vega_locale)
    themed["width"] = "container" if theme.interactive else theme.width
    themed["height"] = theme.height
    return themed


def _hover(base: alt.Chart, x: alt.X, field: str, tooltip: list[alt.Tooltip], theme: th.Theme) -> list[alt.Chart]:
    """A line's tooltip, as a layer to draw beneath it: the point nearest the pointer along x, marked by a rule.

    A Vega line is one mark, and its tooltip only ever shows its first point; so the page's line charts carry their
    tooltips here instead (a nearest-point selection answers anywhere over the plot). The print has no pointer.
    """
    if not theme.interactive:
        return []
    nearest = alt.selection_point(nearest=True, on="pointerover", clear="pointerout", fields=[field], empty=False)
    return [base.mark_rule(color=theme.muted).encode(
        x=x, opacity=alt.condition(nearest, alt.value(0.6), alt.value(0.0)), tooltip=tooltip).add_params(nearest)]


RATIO_AXIS_CAP = 5.0  # beyond 500 % the thresholds would be squeezed into a few pixels; the table has the figures


def ratio_axis_top(ratios: list[float]) -> float:
    """The margin-ratio axis reaches 120 %, or past the highest ratio drawn (to the next 10 %, up to 500 %)."""
    highest = min(max(ratios, default=0.0), RATIO_AXIS_CAP)
    return max(1.2, math.ceil(highest * 1.05 * 10) / 10)


def _day_axis(labels: ChartLabels) -> alt.X:
    """A time axis of whole days: dates as labels, never a tick inside a day ("12 PM")."""
    return alt.X("day:T", title=None,
                 axis=alt.Axis(format=labels.date_format, tickMinStep=86_400_000, labelOverlap=True))


def margin_curve(view: MarginView, theme: th.Theme, labels: ChartLabels = ENGLISH) -> Spec:
    """Margin ratio against drawdown, the freeze / call / forced-liquidation lines and today's position."""
    named = _Rows()
    rows = [{"drawdown": s.drawdown, "ratio": s.ratio} for s in view.ladder if s.ratio is not None]
    if view.ratio is not None and not any(s.drawdown == 0 for s in view.ladder):
        rows.insert(0, {"drawdown": 0.0, "ratio": view.ratio})
    # Explicit domains: with no loan (or an infinite ratio) there are no rows, and Vega would warn on empty extents.
    widest = max((s.drawdown for s in view.ladder), default=0.7)
    x = alt.X("drawdown:Q", title=labels.market_drop, axis=alt.Axis(format=PERCENT_FORMAT, tickCount=7),
              scale=alt.Scale(domain=[0, widest]))
    y = alt.Y("ratio:Q", title=labels.margin_ratio, axis=alt.Axis(format=PERCENT_FORMAT, tickCount=6),
              scale=alt.Scale(domain=[0, ratio_axis_top([r["ratio"] for r in rows])], nice=False))
    curve = alt.Chart(named(rows)).mark_line(color=theme.accent, point=True, clip=True).encode(
        x=x, y=y, tooltip=[_tip("drawdown:Q", labels.market_drop, DROP_FORMAT),
                        _tip("ratio:Q", labels.margin_ratio, RATIO_FORMAT)]
    )
    # The three labels are staggered along the drop axis: on a tall axis their levels are only pixels apart.
    lines = [
        {"label": labels.freeze, "level": view.freeze, "colour": theme.warn, "at": widest * 0.12},
        {"label": labels.margin_call, "level": view.margin_call, "colour": theme.bad, "at": widest * 0.38},
        {"label": labels.forced_liquidation, "level": view.forced_liquidation, "colour": theme.bad,
         "at": widest * 0.66},
    ]
    lines = [line for line in lines if line["level"] is not None]
    rule_data = named(lines)
    rules = alt.Chart(rule_data).mark_rule(strokeDash=[4, 3]).encode(
        y=alt.Y("level:Q"), color=alt.Color("colour:N", scale=None)
    )
    line_text = alt.Chart(rule_data).mark_text(align="left", dx=4, dy=-6, fontSize=10).encode(
        x=alt.X("at:Q"), y=alt.Y("level:Q"), text="label:N", color=alt.Color("colour:N", scale=None)
    )
    layers: list[alt.Chart] = [rules, line_text, curve]
    if view.ratio is not None:
        today = alt.Chart(named([{"drawdown": 0.0, "ratio": view.ratio, "label": labels.today}]))
        layers.append(today.mark_point(size=140, filled=True, color=theme.good).encode(x=x, y=y))
        layers.append(today.mark_text(align="left", dx=8, dy=10, color=theme.good).encode(x=x, y=y, text="label:N"))
    if view.max_survivable_drawdown is not None:
        survive = alt.Chart(named([{"drawdown": view.max_survivable_drawdown}]))
        layers.append(survive.mark_rule(color=theme.muted, strokeDash=[2, 2], clip=True).encode(x="drawdown:Q"))
    return _finish(alt.layer(*layers), theme, labels.margin_title, named, labels)


def stress_ladder(view: MarginView, theme: th.Theme, labels: ChartLabels = ENGLISH) -> Spec:
    """Cash needed to avoid forced liquidation at each drop, coloured by survival, against the defense."""
    named = _Rows()
    rows = [
        {
            "drawdown": s.drawdown,
            "repay": s.repay_to_avoid_liquidation,
            "outcome": labels.survives if s.survives else labels.forced_sale,
        }
        for s in view.ladder
    ]
    bars = alt.Chart(named(rows)).mark_bar().encode(
        x=alt.X("drawdown:O", title=labels.market_drop, axis=alt.Axis(format=PERCENT_FORMAT, labelAngle=0)),
        y=alt.Y("repay:Q", title=labels.cash_needed, axis=alt.Axis(labelExpr=labels.money_axis)),
        color=alt.Color(
            "outcome:N",
            title=None,
            scale=alt.Scale(domain=[labels.survives, labels.forced_sale], range=[theme.good, theme.bad]),
        ),
        tooltip=[_tip("drawdown:O", labels.market_drop, DROP_FORMAT),
                 _tip("repay:Q", labels.cash_needed, labels.money_format), _tip("outcome:N", labels.outcome)],
    )
    if view.defense_with_line == view.defense_without_line:  # no standby line: one defense, one line
        defense = [{"label": labels.defense_cash, "amount": view.defense_with_line, "colour": theme.good}]
    else:
        defense = [
            {"label": labels.defense_with_line, "amount": view.defense_with_line, "colour": theme.good},
            {"label": labels.without_line, "amount": view.defense_without_line, "colour": theme.warn},
        ]
    defense_data = named(defense)
    rules = alt.Chart(defense_data).mark_rule(strokeDash=[5, 3], strokeWidth=1.5).encode(
        y="amount:Q", color=alt.Color("colour:N", scale=None)
    )
    defense_text = alt.Chart(defense_data).mark_text(align="left", dx=4, dy=-6, fontSize=10).encode(
        x=alt.value(0), y="amount:Q", text="label:N", color=alt.Color("colour:N", scale=None)
    )
    # The two unrelated colour fields must not share one legend scale.
    layered = alt.layer(bars, rules, defense_text).resolve_scale(color="independent")
    return _finish(layered, theme, labels.stress_title, named, labels)


def _expenses(view: DividendView, year: DividendYear) -> float:
    return view.annual_expenses if year.expenses is None else year.expenses


def dividend_snowball(view: DividendView, theme: th.Theme, labels: ChartLabels = ENGLISH) -> Spec:
    """Projected after-tax dividends per year against annual expenses (+ loan interest), the crossover marked."""
    named = _Rows()
    rows = [
        {"year": y.year, "income": y.income, "covers": y.income >= _expenses(view, y) + view.annual_interest
         and _expenses(view, y) > 0} for y in view.years
    ]
    bars = alt.Chart(named(rows)).mark_bar().encode(
        x=alt.X("year:O", title=labels.year, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("income:Q", title=labels.dividends_after_tax, axis=alt.Axis(labelExpr=labels.money_axis)),
        color=alt.Color("covers:N", legend=None, scale=alt.Scale(domain=[False, True],
                                                                 range=[theme.accent, theme.good])),
        tooltip=[_tip("year:O", labels.year), _tip("income:Q", labels.dividends_after_tax, labels.money_format)],
    )
    # Expenses grow with inflation year by year (as the crossover year is computed), plus today's loan interest:
    # a stepped line, not a rule.
    spending = alt.Chart(named([{"year": y.year, "amount": _expenses(view, y) + view.annual_interest}
                                for y in view.years]))
    first = view.years[0] if view.years else None
    words = labels.expenses_and_interest if view.annual_interest > 0 else labels.annual_expenses
    label = alt.Chart(named([{"year": first.year if first else 0,
                              "amount": _expenses(view, first) + view.annual_interest if first else 0.0,
                              "label": words}]))
    layers: list[alt.Chart] = [
        bars,
        spending.mark_line(color=theme.warn, strokeDash=[5, 3], strokeWidth=1.5, interpolate="step").encode(
            x="year:O", y="amount:Q"),
        label.mark_text(color=theme.warn, align="left", dx=-16, dy=-16, fontSize=10).encode(
            x="year:O", y="amount:Q", text="label:N"),
    ]
    if view.crossover_year is not None:
        crossover = labels.crossover.format(year=view.crossover_year)
        cross = alt.Chart(named([{"year": view.crossover_year, "label": crossover}]))
        layers.append(cross.mark_rule(color=theme.good, strokeWidth=2).encode(x="year:O"))
        layers.append(cross.mark_text(color=theme.good, align="left", dx=4, y=8, fontSize=10).encode(
            x="year:O", text="label:N"))
    return _finish(alt.layer(*layers), theme, labels.dividends_title, named, labels)


def _history_rows(points: tuple[HistoryPoint, ...]) -> list[dict[str, Any]]:
    return [{"day": p.day.isoformat(), "net_worth": p.net_worth, "ratio": p.margin_ratio,
             "success": p.success_probability} for p in points]


def net_worth_history(points: tuple[HistoryPoint, ...], theme: th.Theme, labels: ChartLabels = ENGLISH) -> Spec:
    """Net worth over the snapshots (today included)."""
    named = _Rows()
    base = alt.Chart(named(_history_rows(points)))
    x = _day_axis(labels)
    line = base.mark_line(color=theme.accent, point=len(points) < 60).encode(
        x=x, y=alt.Y("net_worth:Q", title=labels.net_worth, axis=alt.Axis(labelExpr=labels.money_axis),
                     scale=alt.Scale(zero=False)))
    hover = _hover(base, x, "day", [_tip("day:T", labels.date, labels.date_format),
                                    _tip("net_worth:Q", labels.net_worth, labels.money_format)], theme)
    return _finish(alt.layer(*hover, line) if hover else line, theme, labels.net_worth_title, named, labels)


def margin_history(view: MarginView, points: tuple[HistoryPoint, ...], theme: th.Theme,
                   labels: ChartLabels = ENGLISH) -> Spec:
    """Margin ratio over the snapshots, with the freeze threshold for scale."""
    named = _Rows()
    rows = [r for r in _history_rows(points) if r["ratio"] is not None]
    base = alt.Chart(named(rows))
    x = _day_axis(labels)
    line = base.mark_line(color=theme.good, point=len(rows) < 60).encode(
        x=x, y=alt.Y("ratio:Q", title=labels.margin_ratio, axis=alt.Axis(format=PERCENT_FORMAT)))
    tips = [_tip("day:T", labels.date, labels.date_format), _tip("ratio:Q", labels.margin_ratio, RATIO_FORMAT)]
    layers: list[alt.Chart] = [*_hover(base, x, "day", tips, theme), line]
    if view.freeze is not None:
        freeze = alt.Chart(named([{"level": view.freeze}]))
        layers.append(freeze.mark_rule(color=theme.warn, strokeDash=[4, 3]).encode(y="level:Q"))
    return _finish(alt.layer(*layers), theme, labels.margin_history_title, named, labels)


def success_history(points: tuple[HistoryPoint, ...], theme: th.Theme, labels: ChartLabels = ENGLISH) -> Spec:
    """Monte Carlo success probability at each briefing that ran the simulation."""
    named = _Rows()
    rows = [r for r in _history_rows(points) if r["success"] is not None]
    base = alt.Chart(named(rows))
    x = _day_axis(labels)
    line = base.mark_line(color=theme.accent, point=len(rows) < 60).encode(
        x=x, y=alt.Y("success:Q", title=labels.success_probability, axis=alt.Axis(format=PERCENT_FORMAT),
                     scale=alt.Scale(domain=[0, 1])))
    hover = _hover(base, x, "day", [_tip("day:T", labels.date, labels.date_format),
                                    _tip("success:Q", labels.success_probability, RATIO_FORMAT)], theme)
    return _finish(alt.layer(*hover, line) if hover else line, theme, labels.success_title, named, labels)


# Vega shortens an axis label wider than its labelLimit by cutting it at UTF-16 code units; a cut between the two
# halves of a character beyond the BMP (𠮷, an emoji) leaves half a character, and vl-convert fails on it (and with
# it the PDF). A label holding such a character is cut first, by whole characters (the u flag), to 15 and an
# ellipsis: narrow enough at 11 px (1.2 em at most each) that Vega never has to cut it. Other labels it cuts safely.
WHOLE_CHARACTER_LABEL = (r"test(/[\uD800-\uDBFF]/, datum.label) ? "
                         r"replace(datum.label, /^([\s\S]{15})[\s\S]+$/u, '$1…') : datum.label")


def allocation(slices: tuple[AllocationSlice, ...], theme: th.Theme, labels: ChartLabels = ENGLISH) -> Spec:
    """Portfolio value by security (over all accounts), largest first; the smaller ones may share an "N others" bar."""
    named = _Rows()
    rows = [{"holding": labels.others.format(count=s.others) if s.others else f"{s.ticker} {s.name}".strip(),
             "value": s.value, "order": n} for n, s in enumerate(slices)]
    # Drawn in the given order (largest first), so the "N others" bar stays last whatever its size.
    chart = alt.Chart(named(rows)).mark_bar(color=theme.accent).encode(
        y=alt.Y("holding:N", title=None, sort=alt.EncodingSortField(field="order", order="ascending"),
                axis=alt.Axis(labelLimit=220, labelExpr=WHOLE_CHARACTER_LABEL)),
        x=alt.X("value:Q", title=labels.value, axis=alt.Axis(labelExpr=labels.money_axis),
                scale=alt.Scale(domain=[0, 1]) if not rows else alt.Undefined),
        tooltip=[_tip("holding:N", labels.holding), _tip("value:Q", labels.value, labels.money_format)],
    )
    spec = _finish(chart, theme, labels.allocation_title, named, labels)
    spec["height"] = allocation_height(len(rows), theme)
    return spec


def montecarlo_fan(result: MonteCarloResult, theme: th.Theme, labels: ChartLabels = ENGLISH) -> Spec:
    """Net-worth percentiles per year: P10–P90 and P25–P75 bands, the P50 line."""
    named = _Rows()
    rows = [
        {"year": y.year, "p10": y.values.p10, "p25": y.values.p25, "p50": y.values.p50,
         "p75": y.values.p75, "p90": y.values.p90}
        for y in result.net_worth
    ]
    base = alt.Chart(named(rows))
    x = alt.X("year:Q", title=labels.years_from_today)
    money = alt.Axis(labelExpr=labels.money_axis)
    outer = base.mark_area(color=theme.accent_soft, opacity=0.55).encode(
        x=x, y=alt.Y("p10:Q", title=labels.net_worth, axis=money), y2="p90:Q")
    inner = base.mark_area(color=theme.accent, opacity=0.45).encode(x=x, y="p25:Q", y2="p75:Q")
    median = base.mark_line(color=theme.good, strokeWidth=2).encode(x=x, y="p50:Q")
    hover = _hover(base, x, "year", [_tip("year:Q", labels.years_from_today, COUNT_FORMAT),
                                     _tip("p50:Q", labels.median, labels.money_format)], theme)
    zero = alt.Chart(named([{"level": 0}])).mark_rule(color=theme.bad).encode(y="level:Q")
    return _finish(alt.layer(outer, inner, *hover, median, zero), theme, labels.fan_title, named, labels)


def montecarlo_failures(result: MonteCarloResult, theme: th.Theme, labels: ChartLabels = ENGLISH) -> Spec:
    """In which year failing paths first could not meet spending."""
    named = _Rows()
    rows = [{"year": c.year, "paths": c.paths} for c in result.failure_years]
    chart = alt.Chart(named(rows)).mark_bar(color=theme.bad).encode(
        x=alt.X("year:Q", title=labels.first_shortfall, bin=False, scale=alt.Scale(domain=[0, result.years])),
        y=alt.Y("paths:Q", title=labels.paths),
        tooltip=[_tip("year:Q", labels.first_shortfall, COUNT_FORMAT), _tip("paths:Q", labels.paths, COUNT_FORMAT)],
    )
    return _finish(chart, theme, labels.failures_title, named, labels)


def _ages(ages: tuple[tuple[str, int], ...], labels: ChartLabels) -> str:
    return labels.list_separator.join(labels.age_of.format(name=name, age=age) for name, age in ages)


def household_timeline(view: TimelineView, theme: th.Theme, labels: ChartLabels = ENGLISH) -> Spec:
    """Yearly amounts in today's money over the horizon, x = years from today."""
    named = _Rows()
    series = (labels.income, labels.one_off_income, labels.expenses, labels.one_off_expenses)
    rows: list[dict[str, Any]] = []
    net_rows = [{"year": y.offset, "net": y.income + y.events_income - y.expenses - y.events_expense}
                for y in view.years]
    for y, net in zip(view.years, net_rows, strict=True):
        common = {**net, "from": y.start.isoformat(), "ages": _ages(y.ages, labels)}
        for name, amount in zip(series, (y.income, y.events_income, -y.expenses, -y.events_expense), strict=True):
            if amount:
                rows.append({**common, "series": name, "amount": amount})
    x = alt.X("year:O", title=labels.years_from_today, axis=alt.Axis(labelAngle=0, labelOverlap=True))
    bars = alt.Chart(named(rows)).mark_bar().encode(
        x=x,
        y=alt.Y("amount:Q", title=labels.per_year_real, axis=alt.Axis(labelExpr=labels.money_axis), stack=True),
        color=alt.Color("series:N", title=None, scale=alt.Scale(
            domain=list(series), range=[theme.good, theme.accent, theme.bad, theme.warn])),
        tooltip=[_tip("year:O", labels.years_from_today), _tip("from:T", labels.year_starts, labels.date_format),
                 _tip("series:N", labels.item), _tip("amount:Q", labels.amount, labels.money_format),
                 _tip("net:Q", labels.net, labels.money_format), _tip("ages:N", labels.ages)],
    )
    net_base = alt.Chart(named(net_rows))
    net = net_base.mark_line(color=theme.text, strokeWidth=1.5, point=len(net_rows) <= 20).encode(x=x, y="net:Q")
    # Beneath the bars, so that a bar answers with its own tooltip (the year's net included) and the space around
    # them with the year's net.
    # The year as a number: Vega-Lite's nearest-point tooltip reads an unformatted ordinal field from the wrong datum.
    hover = _hover(net_base, x, "year", [_tip("year:Q", labels.years_from_today, COUNT_FORMAT),
                                         _tip("net:Q", labels.net, labels.money_format)], theme)
    layers: list[alt.Chart] = [*hover, bars, net]
    if view.markers:
        marker_words = {"income_start": labels.starts, "income_end": labels.ends, "expense_start": labels.starts,
                        "expense_end": labels.ends}
        marker_rows = [{"year": m.offset, "label": f"{m.name} {marker_words.get(m.kind, '')}".strip(),
                        "on": m.on.isoformat()} for m in view.markers]
        markers = alt.Chart(named(marker_rows))
        layers.append(markers.mark_rule(color=theme.muted, strokeDash=[3, 3]).encode(
            x=x, tooltip=[_tip("label:N", labels.plan_change), _tip("on:T", labels.date, labels.date_format)]))
        # Written downwards along the marker from the top of the plot, so a label never leaves the chart.
        layers.append(markers.mark_text(color=theme.muted, angle=90, align="left", baseline="bottom", dy=-3, y=4,
                                        fontSize=10).encode(x=x, text="label:N"))
    layered = alt.layer(*layers).resolve_scale(color="independent")
    return _finish(layered, theme, labels.timeline_title, named, labels)


def build_all(data: ChartData, theme: th.Theme, labels: ChartLabels = ENGLISH) -> dict[str, Spec]:
    """Every chart of the briefing, keyed by its id (`catalog.chart_ids`) in page order."""
    builders = {
        "margin-curve": lambda: margin_curve(data.margin, theme, labels),
        "stress-ladder": lambda: stress_ladder(data.margin, theme, labels),
        "allocation": lambda: allocation(data.allocation, theme, labels),
        "dividends": lambda: dividend_snowball(data.dividends, theme, labels),
        "net-worth-history": lambda: net_worth_history(data.history, theme, labels),
        "margin-history": lambda: margin_history(data.margin, data.history, theme, labels),
        "timeline": lambda: household_timeline(_present(data.timeline), theme, labels),
        "success-history": lambda: success_history(data.history, theme, labels),
        "montecarlo-fan": lambda: montecarlo_fan(_present(data.montecarlo), theme, labels),
        "montecarlo-failures": lambda: montecarlo_failures(_present(data.montecarlo), theme, labels),
    }
    return {chart_id: builders[chart_id]() for chart_id in chart_ids(data)}


def _present(value: _T | None) -> _T:
    assert value is not None, "chart_ids lists this chart only when its data is there"
    return value
