"""Which charts a briefing has, in page order, and the size each print chart is drawn at; no Altair here, so the
print HTML can be laid out before a single chart is built."""

from __future__ import annotations

from lifealm.charts.inputs import ChartData
from lifealm.charts.theme import LIGHT, Theme

Size = tuple[int, int]  # width, height in CSS px

BAR_HEIGHT = 22  # one bar per security in the allocation chart, at a readable height
# What the allocation chart's title and value axis take beyond its bars, when the size is the whole chart's (print).
ALLOCATION_FRAME = 60


def chart_ids(data: ChartData) -> tuple[str, ...]:
    """The briefing's charts by id, in the order the page shows them; the Monte Carlo's only when it was run."""
    ids = ["margin-curve", "stress-ladder", "allocation", "dividends", "net-worth-history", "margin-history"]
    if data.timeline is not None:
        ids.append("timeline")
    if any(p.success_probability is not None for p in data.history):
        ids.append("success-history")
    if data.montecarlo is not None:
        ids.append("montecarlo-fan")
        if data.montecarlo.failure_years:
            ids.append("montecarlo-failures")
    return tuple(ids)


def allocation_height(rows: int, theme: Theme) -> int:
    """The allocation chart's height: its plot's on screen, the whole chart's in print (`Theme.interactive`)."""
    bars = BAR_HEIGHT * rows
    return max(theme.height // 2, bars) if theme.interactive else max(theme.height, bars + ALLOCATION_FRAME)


def print_size(chart_id: str, data: ChartData) -> Size:
    """The size of a print chart's SVG: its spec's width and height, which print charts fit as a whole (title,
    axes and legend included), so the PDF's pages can be laid out while the chart is still being drawn."""
    if chart_id == "allocation":
        return LIGHT.width, allocation_height(len(data.allocation), LIGHT)
    return LIGHT.width, LIGHT.height
