"""Render the briefing's outputs: screen HTML (live Vega), print HTML (vector SVG), JSON and the archive."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from lifealm.charts import theme
from lifealm.charts.inputs import ChartData
from lifealm.i18n import DEFAULT_LANGUAGE
from lifealm.models.margin import Status
from lifealm.render.chart_words import chart_labels
from lifealm.render.context import base_context, largest_holdings, status_class, status_label
from lifealm.render.environment import render_template
from lifealm.render.site import ArchiveEntry

Spec = dict[str, Any]


def briefing_json_text(doc: Mapping[str, Any]) -> str:
    """briefing.json's exact text: sorted keys, UTF-8 as is, no NaN (the contract forbids it)."""
    return json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def spec_json_text(spec: Spec) -> str:
    """A chart spec file as written beside the briefing (stable bytes)."""
    return json.dumps(spec, sort_keys=True, indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def screen_specs(data: ChartData, lang: str = DEFAULT_LANGUAGE) -> dict[str, Spec]:
    """The dark, responsive Vega-Lite specs the HTML page draws, labelled in `lang`."""
    from lifealm.charts.builders import build_all  # Altair: the print HTML is rendered and sent before it loads

    return build_all(data, theme.DARK, chart_labels(lang, data.currency))


def print_specs(data: ChartData, lang: str = DEFAULT_LANGUAGE) -> dict[str, Spec]:
    """The light Vega-Lite specs the PDF shows, in `lang`: drawn to SVG by the chart process, each fitted to its
    `catalog.print_size`."""
    from lifealm.charts.builders import build_all

    return build_all(data, theme.LIGHT, chart_labels(lang, data.currency))


def page_context(doc: Mapping[str, Any], lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """The context every page of one briefing shares (its text made drawable, its words in `lang`): a report
    computes it once for its three pages, since on twenty years of history that walk is a third of a second."""
    return base_context(doc, lang)


def render_screen(doc: Mapping[str, Any], specs: Mapping[str, Spec], *, root: str, day_prefix: str,
                  bundle: str, context: Mapping[str, Any] | None = None, lang: str = DEFAULT_LANGUAGE) -> str:
    """The HTML page; `root` leads to the site's top (assets, archive), `day_prefix` to the day's files;
    `context` is `page_context(doc, lang)` when the caller has it (its language wins)."""
    context = base_context(doc, lang) if context is None else context
    return render_template(
        "base.html", context["lang"], **context, medium="screen", specs=specs, svgs={},
        root=root, day_prefix=day_prefix, bundle=bundle,
    )


def render_print(doc: Mapping[str, Any], svgs: Mapping[str, str], *,
                 context: Mapping[str, Any] | None = None, lang: str = DEFAULT_LANGUAGE) -> str:
    """The HTML WeasyPrint turns into the PDF: same sections, light theme, charts as inline SVG images (or
    `lifealm.render.pdf.chart_url`s); `context` is `page_context(doc, lang)` when the caller has it."""
    context = base_context(doc, lang) if context is None else context
    shown, more = largest_holdings(context["b"]["holdings"])
    return render_template("print.html", context["lang"], **context, medium="print", specs={}, svgs=svgs,
                           print_holdings=shown, more_holdings=more)


def render_archive(entries: Sequence[ArchiveEntry], lang: str = DEFAULT_LANGUAGE) -> str:
    """The archive page listing every briefing, newest first, with its status (in `lang`)."""
    classes = {s.value: status_class(s) for s in Status}
    labels = {s.value: status_label(s.value, lang) for s in Status}
    return render_template("archive.html", lang, entries=entries, status_classes=classes, status_labels=labels)
