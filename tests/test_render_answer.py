"""The answer at the top of the page: one plain sentence and the status colour, for each kind of position."""

from __future__ import annotations

import copy
import json
import re
from html import unescape
from typing import Any

import pytest
from conftest import REPORT_DAY

from lifealm.render.email_body import render_email
from lifealm.render.pages import render_print, render_screen


@pytest.fixture(scope="module")
def published(briefing_site: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    day = briefing_site["site"] / REPORT_DAY
    doc = json.loads((day / "briefing.json").read_text("utf-8"))
    specs = {p.name.removesuffix(".vl.json"): json.loads(p.read_text("utf-8")) for p in (day / "charts").iterdir()}
    return doc, specs


def _sentence(doc: dict[str, Any], specs: dict[str, Any]) -> tuple[str, str]:
    html = render_screen(doc, specs, root="", day_prefix="", bundle="b.js")
    sentence = re.search(r'<p class="sentence" id="sentence">(.*?)</p>', html, re.S)
    badge = re.search(r'<span class="badge (\w+)" id="status">(\w+)</span>', html)
    assert sentence and badge
    text = re.sub(r"<[^>]+>", "", sentence.group(1))
    return " ".join(unescape(text).split()), badge.group(1) + " " + badge.group(2)


def test_the_sentence_states_the_survivable_drop_and_what_the_line_adds(
    published: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    doc, specs = copy.deepcopy(published[0]), published[1]
    doc["status"] = "SAFE"
    doc["stress"]["forced_liquidation_drawdown"] = 0.41239
    doc["stress"]["max_survivable_drawdown"] = 0.5234
    sentence, badge = _sentence(doc, specs)
    # Both figures, each with its condition, rounded toward zero (41.239 % → 41.2 %).
    assert sentence == ("Safe: if nothing is done, forced liquidation begins at a 41.2 % fall; by spending all its "
                        "cash and the standby line, the household survives a fall of up to 52.3 %.")
    assert badge == "good SAFE"


def test_without_a_standby_line_the_clause_is_left_out(published: tuple[dict[str, Any], dict[str, Any]]) -> None:
    doc, specs = copy.deepcopy(published[0]), published[1]
    doc["status"] = "CAUTION"
    doc["defense"]["credit_available"] = 0.0
    doc["stress"]["forced_liquidation_drawdown"] = 0.2
    doc["stress"]["max_survivable_drawdown"] = 0.3
    sentence, badge = _sentence(doc, specs)
    assert sentence == ("Caution: if nothing is done, forced liquidation begins at a 20.0 % fall; by spending all "
                        "its cash, the household survives a fall of up to 30.0 %.")
    assert badge == "warn CAUTION"


def test_danger_already_past_a_threshold(published: tuple[dict[str, Any], dict[str, Any]]) -> None:
    doc, specs = copy.deepcopy(published[0]), published[1]
    doc["status"] = "DANGER"
    doc["stress"]["max_survivable_drawdown"] = 0.0
    doc["stress"]["forced_liquidation_drawdown"] = 0.0
    for trigger in doc["stress"]["zone_triggers"]:
        if trigger["zone"] == "FROZEN":
            trigger["drawdown"] = 0.0
    sentence, badge = _sentence(doc, specs)
    assert sentence == ("Danger: forced liquidation has already begun; even spending all its cash and the standby "
                        "line cannot stop it.")
    assert badge == "bad DANGER"
    html = render_print(doc, {k: "data:image/svg+xml;base64," for k in specs})
    assert "Already past the freeze level (60 %)." in html


def test_no_margin_loan(published: tuple[dict[str, Any], dict[str, Any]]) -> None:
    doc, specs = copy.deepcopy(published[0]), published[1]
    doc["margin"]["balance"], doc["margin"]["has_loan"] = 0.0, False  # as the model writes a repaid loan
    sentence, _ = _sentence(doc, specs)
    assert sentence.endswith("there is no margin loan, so no market fall can force a sale.")


def test_foreign_holdings_carry_a_note_on_what_their_unrealized_figure_means(
    published: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    note = "cost is converted at today's rate"
    doc, specs = copy.deepcopy(published[0]), published[1]
    assert note not in unescape(render_screen(doc, specs, root="", day_prefix="", bundle="b.js"))
    doc["holdings"][0]["currency"] = "USD"
    assert note in unescape(render_screen(doc, specs, root="", day_prefix="", bundle="b.js"))


def test_the_email_gives_the_same_answer_as_the_page(published: tuple[dict[str, Any], dict[str, Any]]) -> None:
    doc, specs = copy.deepcopy(published[0]), published[1]
    sentence, _ = _sentence(doc, specs)
    assert "cash and the standby line" in sentence  # the demo has a margin loan and an undrawn standby line
    content = render_email(doc)
    assert sentence in " ".join(content.text.split())
    assert sentence in " ".join(unescape(content.html).split())
