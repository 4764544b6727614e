"""The print charts as vector SVG data: URLs (vl-convert); `lifealm.render.print_worker` draws them in a process
of their own while the PDF's pages are laid out."""

from __future__ import annotations

import base64
from typing import Any

from lifealm.charts.theme import PRINT_FONT

Spec = dict[str, Any]

# Small, with text in the print font: the first conversion pays for the engine and for finding the font.
WARM_UP: Spec = {
    "data": {"values": [{"x": 1, "t": "0"}]},
    "mark": "text",
    "encoding": {"x": {"field": "x", "type": "quantitative"}, "text": {"field": "t"}},
    "config": {"font": PRINT_FONT},
}


def svg_data_url(spec: Spec) -> str:
    """One chart as an SVG data: URL; external data is refused (every chart carries its rows inline)."""
    import vl_convert  # on use: only the print worker and the serial path draw

    svg = vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")

