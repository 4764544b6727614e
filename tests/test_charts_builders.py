"""Chart builders: valid Vega-Lite, one theme per medium, deterministic bytes, hostile text stays text."""

from __future__ import annotations

import json
from datetime import date

import vl_convert

from lifealm.charts import theme
from lifealm.charts.builders import build_all, stress_ladder
from lifealm.charts.inputs import (
    AllocationSlice,
    ChartData,
    DividendView,
    DividendYear,
    HistoryPoint,
    LadderStep,
    MarginView,
)
from lifealm.models.montecarlo.result import MonteCarloResult, Percentiles, YearCount, YearPercentiles

HOSTILE = "<script>alert(1)</script> \"q\" & 'x'"


def _margin() -> MarginView:
    value, loan, defense = 125e6, 50e6, 14.5e6
    steps = []
    for k in range(1, 15):
        d = k * 0.05
        ratio = loan / (value * (1 - d))
        repay = max(0.0, loan - value * (1 - d) * 0.85)
        steps.append(LadderStep(d, ratio, "SAFE" if ratio < 0.6 else "FROZEN", repay, repay <= defense))
    return MarginView(0.4, 0.6, 0.7, 0.85, 0.666, tuple(steps), defense, 4.5e6)


def _montecarlo(failures: bool = True) -> MonteCarloResult:
    def pct(v: float) -> Percentiles:
        return Percentiles(0.5 * v, 0.8 * v, v, 1.2 * v, 1.6 * v)

    return MonteCarloResult(
        success_probability=0.9, standard_error=0.003, success_definition="spending_sustained",
        engine="parametric", steps="annual", spending_rule="plan", paths=1000, years=10, seed=1, real=True,
        net_worth=tuple(YearPercentiles(y, pct(1e8 * 1.03**y)) for y in range(11)), terminal_wealth=pct(1.3e8),
        failure_years=tuple(YearCount(y, 10 - y) for y in range(3, 10)) if failures else (),
        margin_call_probability=0.1, forced_liquidation_probability=0.05, first_margin_call_years=(),
        first_forced_liquidation_years=(),
    )


def _data(mc: MonteCarloResult | None) -> ChartData:
    return ChartData(
        margin=_margin(),
        dividends=DividendView(tuple(DividendYear(2026 + i, 4e6 * 1.1**i) for i in range(10)), 9.6e6, 2036),
        history=tuple(HistoryPoint(date(2026, 11, d), 1.2e8 + d * 1e5, 0.4 + d / 1000) for d in range(1, 8)),
        allocation=(AllocationSlice("EVIL", HOSTILE, 5e6), AllocationSlice("7203.T", "トヨタ自動車", 9e6)),
        montecarlo=mc,
    )


def test_every_chart_is_built_and_monte_carlo_charts_only_when_it_ran() -> None:
    with_mc = build_all(_data(_montecarlo()), theme.DARK)
    without = build_all(_data(None), theme.DARK)
    assert {"montecarlo-fan", "montecarlo-failures"} <= set(with_mc)
    assert not any(k.startswith("montecarlo") for k in without)
    assert set(with_mc) - set(without) == {"montecarlo-fan", "montecarlo-failures"}
    no_failures = build_all(_data(_montecarlo(failures=False)), theme.DARK)
    assert "montecarlo-fan" in no_failures and "montecarlo-failures" not in no_failures


def test_specs_are_byte_identical_across_builds() -> None:
    first = {k: json.dumps(v, sort_keys=True) for k, v in build_all(_data(_montecarlo()), theme.LIGHT).items()}
    second = {k: json.dumps(v, sort_keys=True) for k, v in build_all(_data(_montecarlo()), theme.LIGHT).items()}
    assert first == second


def test_dark_and_light_themes_come_from_the_same_builders() -> None:
    dark = stress_ladder(_margin(), theme.DARK)
    light = stress_ladder(_margin(), theme.LIGHT)
    assert dark["background"] == "#0a0a0a" and light["background"] == "#ffffff"
    assert dark["width"] == "container" and isinstance(light["width"], int)
    dark_text, light_text = json.dumps(dark), json.dumps(light)
    assert "#00ff88" in dark_text and "#ff4444" in dark_text
    assert "#00ff88" not in light_text
    assert dark["config"]["font"].startswith("Noto Sans CJK JP")  # the browser measures Japanese as it draws
    assert light["config"]["font"] == theme.PRINT_FONT


def test_survival_colours_follow_the_ladder() -> None:
    spec = stress_ladder(_margin(), theme.DARK)
    bars = spec["layer"][0]
    rows = spec["datasets"][bars["data"]["name"]] if "name" in bars.get("data", {}) else bars["data"]["values"]
    defense = 14.5e6
    assert len(rows) == 14
    for row in rows:
        assert (row["outcome"] == "survives") == (row["repay"] <= defense)


def test_light_charts_render_to_svg_with_hostile_text_escaped() -> None:
    # Every chart goes through vl-convert in the PDF tests; here the ones this data makes special.
    specs = build_all(_data(_montecarlo()), theme.LIGHT)
    for chart_id in ("montecarlo-fan", "montecarlo-failures"):
        assert vl_convert.vegalite_to_svg(specs[chart_id]).startswith("<svg"), chart_id
    svg = vl_convert.vegalite_to_svg(specs["allocation"])
    assert "<script" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "トヨタ自動車" in svg


def test_success_history_only_when_some_briefing_ran_the_simulation() -> None:
    from dataclasses import replace

    data = _data(None)
    assert "success-history" not in build_all(data, theme.DARK)
    history = tuple(replace(p, success_probability=None if i % 2 else 0.9 - i / 100)
                    for i, p in enumerate(data.history))
    spec = build_all(replace(data, history=history), theme.DARK)["success-history"]
    rows = spec["data"]["values"]
    assert [r["success"] for r in rows] == [p.success_probability for p in history if p.success_probability is not None]


def test_rows_are_inlined_into_every_layer_and_no_placeholder_is_left() -> None:
    data = _data(_montecarlo())
    for chart_id, spec in build_all(data, theme.DARK).items():
        assert "lifealm-rows-" not in json.dumps(spec), chart_id
        assert "datasets" not in spec, chart_id
        views = spec.get("layer", [spec])  # a layer without data draws the chart's (Altair lifts shared rows there)
        assert views and all(isinstance(v.get("data", spec.get("data"))["values"], list) for v in views), chart_id
    margin = build_all(data, theme.LIGHT)["margin-history"]
    assert [r["ratio"] for r in margin["layer"][0]["data"]["values"]] == [p.margin_ratio for p in data.history]
    assert margin["layer"][1]["data"]["values"] == [{"level": data.margin.freeze}]


def test_every_chart_of_both_themes_is_valid_vega_lite() -> None:
    """The builders skip Altair's validation (it was half the charts' time); the schema check lives here instead."""
    from altair.utils.schemapi import validate_jsonschema
    from altair.vegalite.v6.schema.core import load_schema

    schema = load_schema()
    for chosen in (theme.DARK, theme.LIGHT):
        for chart_id, spec in build_all(_data(_montecarlo()), chosen).items():
            assert validate_jsonschema(spec, schema, raise_error=False) is None, chart_id
    broken = build_all(_data(_montecarlo()), theme.LIGHT)["allocation"] | {"mark": {"type": "no-such-mark"}}
    assert validate_jsonschema(broken, schema, raise_error=False) is not None


def test_a_label_with_characters_beyond_the_bmp_is_cut_by_whole_characters() -> None:
    """Vega cuts a long axis label at UTF-16 code units; through half a 𠮷 or an emoji vl-convert failed (the PDF
    with it: found by the catalog's property test). Such a label is cut to 15 whole characters first."""
    import base64
    import re

    from lifealm.charts.builders import allocation
    from lifealm.charts.svg import svg_data_url

    cases = {
        "000000000000000MMÐÐÐÐÐ◧☀⺀⺀𝐦": "T0 000000000000…",  # the example that failed
        "𠮷野家ホールディングス株式会社グループ本社ビル": "T0 𠮷野家ホールディングス株…",
        "😀" * 30: "T0 " + "😀" * 12 + "…",
        "𠮷野家": "T0 𠮷野家",  # short: whole
    }
    for name, shown in cases.items():
        spec = allocation((AllocationSlice("T0", name, 1e6),), theme.LIGHT)
        svg = base64.b64decode(svg_data_url(spec).split(",", 1)[1]).decode("utf-8")
        labels = [text for text in re.findall(r"<text[^>]*>([^<]*)</text>", svg) if text.startswith("T0")]
        assert labels == [shown], name
        assert spec["data"]["values"][0]["holding"] == f"T0 {name}"  # the tooltip keeps the whole name
