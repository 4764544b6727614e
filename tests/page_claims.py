"""A pytest plugin: every briefing page the suite renders is checked for contradicting claims.

The headline sentence, the cards and the stress text state two figures (the fall at which forced liquidation
begins if nothing is done, and the largest fall survived by spending the defense); each must read as
briefing.json's number, rounded toward zero to one decimal — formatted here independently of the filters. The
margin card's colour and word must agree with the banner. Registered from conftest.py, it wraps the render
functions before any test module imports them, so pages built by the pipeline and by tests alike are checked.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

import pytest

FIGURE = re.compile(r'<span class="drop" data-figure="(\w+)">([^<]*)</span>')
FIGURES = ("forced_liquidation_drawdown", "max_survivable_drawdown")
checked = {"pages": 0}


def shown(value: object, lang: str = "en") -> str:
    """0.52947 → '52.9 %' ('52.9%' in Japanese): one decimal, toward zero (the page never promises a larger fall)."""
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        return "\u2014"  # the filters' MISSING
    tenths = math.floor(value * 1000 + 1e-6)
    return f"{tenths // 10}.{tenths % 10}{'%' if lang == 'ja' else ' %'}"


def _section(html: str, element_id: str) -> str:
    start = html.find(f'id="{element_id}"')
    if start < 0:
        return ""
    end = html.find("</section>", start)
    return html[start:end if end >= 0 else None]


def check_page(html: str, doc: Mapping[str, Any]) -> None:
    """Raise AssertionError when the page contradicts briefing.json or itself."""
    stress = doc.get("stress")
    if not isinstance(stress, Mapping) or not all(name in stress for name in FIGURES):
        return
    lang = re.search(r'<html lang="(\w+)">', html)
    for figure, text in FIGURE.findall(html):
        assert text == shown(stress[figure], lang.group(1) if lang else "en"), \
            f"page says {figure} = {text}, briefing.json {stress[figure]!r}"
    margin = doc.get("margin") or {}
    thresholds = margin.get("thresholds") or {}
    has_loan = bool(margin.get("balance") and thresholds.get("forced_liquidation"))
    forced, survived = stress["forced_liquidation_drawdown"], stress["max_survivable_drawdown"]
    if doc.get("status") != "NO DATA" and has_loan and isinstance(forced, float) and isinstance(survived, float) \
            and forced > 0 and survived < 1:
        for where in ("answer", "headline", "stress"):
            found = dict((f, t) for f, t in FIGURE.findall(_section(html, where)))
            assert set(found) == set(FIGURES), f"#{where} states {sorted(found)}, not both figures"
    banner = re.search(r'<span class="badge (\w+)" id="status">', html)
    card = re.search(r'<div class="value (\w+)" id="m-margin">', html)
    if banner and card:
        assert banner.group(1) == card.group(1), f"margin card is {card.group(1)} under a {banner.group(1)} banner"
    word = re.search(r'id="m-margin-word">([^<·]*)', html)
    if word and doc.get("status") != "SAFE":
        assert not word.group(1).strip().startswith(("safe", "安全")), \
            f"margin card says safe under {doc.get('status')}"
    checked["pages"] += 1


def _wrapped(render: Callable[..., str]) -> Callable[..., str]:
    def render_and_check(doc: Mapping[str, Any], *args: Any, **kwargs: Any) -> str:
        html = render(doc, *args, **kwargs)
        check_page(html, doc)
        return html

    return render_and_check


def pytest_configure(config: pytest.Config) -> None:
    from lifealm.render import pages

    pages.render_screen = _wrapped(pages.render_screen)  # type: ignore[method-assign]
    pages.render_print = _wrapped(pages.render_print)  # type: ignore[method-assign]
