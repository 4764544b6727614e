"""Two small Vega-Lite charts with ledger-like text, fitted to a size as the print charts are, and one that asks for
external data (which must be refused)."""

from __future__ import annotations

from typing import Any

ROWS = [{"x": i, "y": i * i, "label": "株価 <b>&"} for i in range(12)]
FIT = {"autosize": {"type": "fit", "contains": "padding"}}
SIZES: dict[str, tuple[int, int]] = {"line": (300, 160), "text": (260, 120)}
SPECS: dict[str, dict[str, Any]] = {
    "line": {"data": {"values": ROWS}, "mark": "line", "title": "a line", **FIT, "width": 300, "height": 160,
             "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"}}},
    "text": {"data": {"values": ROWS}, "mark": {"type": "text", "clip": True}, "title": "some text", **FIT,
             "width": 260, "height": 120,
             "encoding": {"x": {"field": "x", "type": "quantitative"}, "text": {"field": "label"}}},
}
EXTERNAL: dict[str, Any] = {"data": {"url": "http://127.0.0.1:9/prices.csv"}, "mark": "point", **FIT,
                            "width": 100, "height": 100}
