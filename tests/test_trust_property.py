"""Property: whatever text a holding's name holds, the briefing page keeps the same elements and shows that text.

The demo ledger's real briefing is rendered once; hypothesis then puts arbitrary text into a holding's name (in the
briefing document and in the allocation chart's data) and renders the real screen template again.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from demo_ledgers import demo_copy
from hypothesis import given, settings
from hypothesis import strategies as st

from lifealm.charts.collect import chart_data
from lifealm.drawable import drawable_text
from lifealm.ledger.db import open_ledger
from lifealm.ledger.load import load_inputs
from lifealm.models.briefing import build_briefing
from lifealm.models.briefing_json import briefing_to_json
from lifealm.render import pages

AS_OF = date(2026, 11, 25)
PLACEHOLDER = "Placeholder name 0"


class Structure(HTMLParser):
    """The page's elements (tag and attributes), its visible text, and each JSON script's content."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, tuple[tuple[str, str | None], ...]]] = []
        self.text: list[str] = []
        self.json: dict[str, str] = {}
        self._script: str | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, tuple(attrs)))
        if tag in ("script", "style"):
            found = dict(attrs)
            self._script = str(found.get("id")) if found.get("type") == "application/json" else ""
            self.json[self._script] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is None:
            self.text.append(data)
        else:
            self.json[self._script] += data


@pytest.fixture(scope="module")
def page_parts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db: Path = demo_copy(tmp_path_factory.mktemp("property") / "demo.db", as_of=AS_OF)
    conn = open_ledger(db, readonly=True)
    try:
        briefing = build_briefing(load_inputs(conn, AS_OF), montecarlo=None)
    finally:
        conn.close()
    doc = briefing_to_json(briefing)
    specs = pages.screen_specs(chart_data(briefing))
    doc["holdings"][0]["name"] = PLACEHOLDER
    specs["allocation"]["data"]["values"][0]["holding"] = PLACEHOLDER
    baseline = Structure(_render(doc, specs))
    assert PLACEHOLDER in "".join(baseline.text)
    return {"doc": doc, "specs": specs, "baseline": baseline}


def _render(doc: dict[str, Any], specs: dict[str, Any]) -> str:
    return pages.render_screen(doc, specs, root="", day_prefix="", bundle="vega-bundle.js")


@settings(max_examples=60, deadline=None)
@given(name=st.text(min_size=1, max_size=40)
       | st.sampled_from(["</script>", "<!--", "]]>", "&amp;", "{{ 7*7 }}", "{% raw %}", "\u202e", "</bdi>"]))
def test_any_name_keeps_the_page_structure_and_reads_back(page_parts: dict[str, Any], name: str) -> None:
    doc, specs = copy.deepcopy(page_parts["doc"]), copy.deepcopy(page_parts["specs"])
    doc["holdings"][0]["name"] = name
    specs["allocation"]["data"]["values"][0]["holding"] = name
    baseline: Structure = page_parts["baseline"]
    page = Structure(_render(doc, specs))
    assert page.elements == baseline.elements  # no element or attribute added, lost or changed
    # Exactly where the placeholder was, the name is now, as text (what XML cannot hold shown as U+FFFD).
    assert "".join(page.text) == "".join(baseline.text).replace(PLACEHOLDER, drawable_text(name))
    assert json.loads(page.json["spec-allocation"]) == specs["allocation"]
