"""The print charts' SVG (vl-convert): vector data: URLs, ledger text drawn as text, external data refused, and
the print font's Latin and Japanese text measured alike."""

from __future__ import annotations

import base64
import re

import pytest
from chart_specs import EXTERNAL, SIZES, SPECS

from lifealm.charts.svg import svg_data_url
from lifealm.charts.theme import PRINT_FONT


def svg_text(url: str) -> str:
    """The SVG of a data: URL, its `clip` ids unnumbered: vl-convert numbers them per process (clip1, clip2, …
    across every chart it drew), which is not content."""
    prefix = "data:image/svg+xml;base64,"
    assert url.startswith(prefix)
    return re.sub(r"clip\d+", "clip", base64.b64decode(url[len(prefix):]).decode("utf-8"))


def test_every_chart_is_a_vector_svg_of_its_fitted_size() -> None:
    drawn = {chart_id: svg_data_url(spec) for chart_id, spec in SPECS.items()}
    for chart_id, url in drawn.items():
        width, height = SIZES[chart_id]
        assert f'width="{width}" height="{height}"' in svg_text(url)
    assert all(svg_text(url).startswith("<svg") and "<image" not in svg_text(url) for url in drawn.values())
    assert "株価 &lt;b&gt;&amp;" in svg_text(drawn["text"])  # ledger-like text stays text


def test_external_data_is_refused() -> None:
    with pytest.raises(ValueError, match="External data url not allowed"):
        svg_data_url(EXTERNAL)


def _label_room(label: str, font: str) -> int:
    """How far vl-convert moves the plot right to make room for `label` on the y axis (its measured width)."""
    spec = {"data": {"values": [{"x": 1, "t": label}]}, "mark": "bar", "config": {"font": font},
            "encoding": {"y": {"field": "t", "type": "nominal"}, "x": {"field": "x", "type": "quantitative"}}}
    found = re.search(r'translate\((\d+(?:\.\d+)?),', svg_text(svg_data_url(spec)))
    assert found
    return round(float(found.group(1)))


def test_the_print_font_measures_latin_in_liberation_sans_and_japanese_in_noto_sans_cjk() -> None:
    # Liberation Sans has no kana or kanji: each is measured (as WeasyPrint draws it) in Noto Sans CJK JP, a full em
    # wide (10 px, the axis labels' size), so six more kanji take 60 px more room; a missing glyph would not.
    six, twelve = "配当金" * 2, "配当金" * 4
    assert _label_room(twelve, PRINT_FONT) - _label_room(six, PRINT_FONT) == 60
    assert _label_room(twelve, PRINT_FONT) == _label_room(twelve, "Noto Sans CJK JP")
    # Latin is measured in Liberation Sans, whose widths differ from those of the CJK font's own Latin glyphs.
    for latin in ("Dividend income 2026", "WWWWWWWWWW"):
        assert _label_room(latin, PRINT_FONT) == _label_room(latin, "Liberation Sans")
        assert _label_room(latin, PRINT_FONT) != _label_room(latin, "Noto Sans CJK JP")
