"""The one chart theme: the dark screen look and a light print variant, applied to Vega-Lite dicts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

JAPANESE_FONT = "Noto Sans CJK JP"
# The screen charts: a CJK-capable family first, so the browser measures Japanese names as it draws them.
CHART_FONT = f"{JAPANESE_FONT}, Noto Sans, DejaVu Sans, sans-serif"
# The print charts (vl-convert, then WeasyPrint) and the PDF's text: Latin from Liberation Sans, Japanese from Noto
# Sans CJK JP, glyph by glyph, in both. vl-convert maps a system font file each time it measures a string, so a
# small Latin face first draws the charts about three times faster than the 19 MB CJK collection (measured).
PRINT_LATIN_FONT = "Liberation Sans"
PRINT_FONT = f"{PRINT_LATIN_FONT}, {JAPANESE_FONT}, sans-serif"


def css_font_family(families: str) -> str:
    """A Vega font list as a CSS `font-family` value: each family with a space quoted (the print stylesheet)."""
    return ", ".join(f'"{name}"' if " " in name else name for name in (part.strip() for part in families.split(",")))


@dataclass(frozen=True, slots=True)
class Theme:
    """Colours and sizes for one medium; builders read roles (good, warn, bad, …), never raw colours."""

    name: str
    background: str
    text: str
    muted: str
    grid: str
    good: str
    warn: str
    bad: str
    accent: str
    accent_soft: str
    width: int  # print: the whole chart's width; screen: the widest plot (charts follow the page's width)
    height: int  # print: the whole chart's height, title, axes and legend included; screen: the plot's
    font: str
    interactive: bool  # drawn in the browser (hover tooltips, fluid width), or printed as a still SVG


DARK = Theme(
    name="dark",
    background="#0a0a0a",
    text="#d4d4d4",
    muted="#888888",
    grid="#1f1f1f",
    good="#00ff88",
    warn="#ffaa00",
    bad="#ff4444",
    accent="#5fb3ff",
    accent_soft="#1d4f7a",
    width=560,
    height=240,
    font=CHART_FONT,
    interactive=True,
)

LIGHT = Theme(
    name="light",
    background="#ffffff",
    text="#1a1a1a",
    muted="#666666",
    grid="#e4e4e4",
    good="#0b8f4d",
    warn="#c77700",
    bad="#cc2222",
    accent="#1f5f99",
    accent_soft="#a9c8e6",
    width=540,
    height=250,
    font=PRINT_FONT,
    interactive=False,
)


def config(theme: Theme) -> dict[str, Any]:
    """The Vega-Lite `config` block for a theme."""
    return {
        "background": theme.background,
        "font": theme.font,
        "view": {"stroke": None, "continuousWidth": theme.width, "continuousHeight": theme.height},
        "axis": {
            "labelColor": theme.text,
            "titleColor": theme.text,
            "gridColor": theme.grid,
            "domainColor": theme.muted,
            "tickColor": theme.muted,
            "labelFont": theme.font,
            "titleFont": theme.font,
            "labelFontSize": 11,
            "titleFontSize": 11,
            "titleFontWeight": "normal",
        },
        "legend": {
            "labelColor": theme.text,
            "titleColor": theme.text,
            "labelFont": theme.font,
            "titleFont": theme.font,
            "orient": "bottom",
        },
        "title": {"color": theme.text, "font": theme.font, "fontSize": 13, "anchor": "start"},
        "text": {"color": theme.text, "font": theme.font},
        "header": {"labelColor": theme.text, "titleColor": theme.text, "labelFont": theme.font},
    }


def apply(spec: dict[str, Any], theme: Theme) -> dict[str, Any]:
    """Return `spec` with the theme's config and background; the builder's own settings stay untouched."""
    themed = dict(spec)
    themed["config"] = config(theme)
    themed["background"] = theme.background
    # Print charts fit their given size as a whole: the PDF lays each out at that size before it is drawn.
    themed["autosize"] = {"type": "fit-x" if theme.interactive else "fit", "contains": "padding"}
    return themed
