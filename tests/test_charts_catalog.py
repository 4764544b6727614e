"""The chart catalog: the charts `build_all` makes, in order, and each print chart drawn at exactly the size the
PDF lays its page out for (`print_size`), whatever its labels, language and number of bars."""

from __future__ import annotations

import base64
import re
from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from lifealm.charts import theme
from lifealm.charts.builders import allocation, build_all
from lifealm.charts.catalog import chart_ids, print_size
from lifealm.charts.collect import chart_data
from lifealm.charts.inputs import AllocationSlice, ChartData
from lifealm.charts.svg import svg_data_url
from lifealm.render.chart_words import chart_labels


def _drawn_size(spec: dict[str, Any]) -> tuple[float, float]:
    svg = base64.b64decode(svg_data_url(spec).split(",", 1)[1]).decode("utf-8")
    found = re.match(r'<svg [^>]*width="([\d.]+)" height="([\d.]+)"', svg)
    assert found, svg[:200]
    return float(found.group(1)), float(found.group(2))


def _demo(briefing_site: dict[str, Any]) -> ChartData:
    return chart_data(briefing_site["outcome"].briefing)


def test_the_catalog_lists_the_charts_build_all_makes_in_order(briefing_site: dict[str, Any]) -> None:
    data = _demo(briefing_site)
    assert data.montecarlo is not None and data.timeline is not None
    variants = {
        "demo": data,
        "no monte carlo": replace(data, montecarlo=None),
        "no failure years": replace(data, montecarlo=replace(data.montecarlo, failure_years=())),
        "no timeline": replace(data, timeline=None),
        "no success history": replace(data, history=tuple(replace(p, success_probability=None) for p in data.history)),
    }
    for name, variant in variants.items():
        assert chart_ids(variant) == tuple(build_all(variant, theme.DARK)), name
    assert len(chart_ids(data)) == 10
    assert "montecarlo-fan" not in chart_ids(variants["no monte carlo"])
    assert chart_ids(variants["no failure years"])[-1] == "montecarlo-fan"


def test_every_print_chart_of_a_briefing_is_drawn_at_its_print_size(briefing_site: dict[str, Any]) -> None:
    data = _demo(briefing_site)
    for lang in ("ja",):  # the sizes do not depend on the labels (the allocation test below tries both)
        for chart_id, spec in build_all(data, theme.LIGHT, chart_labels(lang, data.currency)).items():
            assert _drawn_size(spec) == print_size(chart_id, data), (lang, chart_id)


NAMES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=0, max_size=60)


@settings(max_examples=12, deadline=None)
@given(names=st.lists(NAMES, min_size=0, max_size=21), lang=st.sampled_from(["en", "ja"]))
def test_the_allocation_chart_is_drawn_at_its_print_size_for_any_holdings(names: list[str], lang: str,
                                                                           briefing_site: dict[str, Any]) -> None:
    data = replace(_demo(briefing_site),
                   allocation=tuple(AllocationSlice(f"T{n}", name, 1e6 * (n + 1)) for n, name in enumerate(names)))
    spec = allocation(data.allocation, theme.LIGHT, chart_labels(lang, data.currency))
    assert _drawn_size(spec) == print_size("allocation", data)
    assert print_size("allocation", data)[1] >= 22 * len(names)  # every bar keeps its height
