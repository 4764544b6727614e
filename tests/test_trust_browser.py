"""Hostile text in headless Chromium: no dialog fires, no injected element exists, names read as text, in charts too."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from trust_support import FIELD_TAGS, PAYLOADS, SHOWN_FIELDS, TrustSite, stored_values, trust_site

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--no-first-run"]

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="Debian chromium is not installed")]


@pytest.fixture(scope="module")
def loaded_page() -> Iterator[dict[str, Any]]:
    """site/index.html opened from disk once; everything the checks need is read while it is open."""
    from playwright.sync_api import Dialog, sync_playwright

    site: TrustSite = trust_site()
    assert site.report.returncode == 0, site.report.stderr
    dialogs: list[str] = []
    requests: list[str] = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})

            def on_dialog(dialog: Dialog) -> None:
                dialogs.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", on_dialog)
            page.on("request", lambda request: requests.append(request.url))
            page.goto((site.site / "index.html").as_uri())
            page.wait_for_function("document.querySelectorAll('.chart[data-spec]').length > 0 && "
                                   "[...document.querySelectorAll('.chart[data-spec]')]"
                                   ".every(el => el.querySelector('svg'))", timeout=30_000)
            page.wait_for_timeout(300)  # an injected handler (onerror of a broken image) would have fired by now
            found = page.evaluate(_INSPECT)
            # Vega's tooltip puts the datum into the page as HTML: hover every allocation bar and read it back.
            tooltips = []
            bars = page.locator("#chart-allocation svg g.mark-rect path")
            for index in range(bars.count()):
                bars.nth(index).hover(force=True)
                page.wait_for_timeout(30)
                tooltips.append(page.evaluate(_TOOLTIP))
            page.wait_for_timeout(200)
        finally:
            browser.close()
    yield {"dialogs": dialogs, "requests": requests, "tooltips": tooltips, **found}


_TOOLTIP = """() => {
  const tip = document.getElementById('vg-tooltip-element');
  return tip ? { text: tip.textContent, tags: [...tip.querySelectorAll('*')].map(e => e.tagName.toLowerCase()) }
             : { text: '', tags: [] };
}"""


_INSPECT = """() => {
  const all = [...document.querySelectorAll('*')];
  const handlers = all.filter(el => [...el.attributes].some(a => a.name.toLowerCase().startsWith('on')))
                      .map(el => el.outerHTML.slice(0, 120));
  const scripts = [...document.scripts].map(s => (s.type || '') + '|' + (s.getAttribute('src') || '') + '|' + s.id);
  const alloc = document.querySelector('#chart-allocation svg');
  // Where the browser draws "(standby, undrawn)" relative to the text of the name before it, per standby row.
  const order = [];
  for (const td of document.querySelectorAll('td')) {
    if (!td.textContent.startsWith('ln: invoice') || !td.textContent.includes('(standby')) continue;
    const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    const holding = (text) => nodes.find(n => n.data.includes(text));
    const at = (node, i) => { const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
                              return r.getBoundingClientRect(); };
    const name = holding('gnp.exe'), label = holding('(standby');
    order.push({ name_right: Math.max(at(name, name.data.indexOf('gnp.exe')).right,
                                      at(name, name.data.indexOf('invoice')).right),
                 label_left: at(label, label.data.indexOf('(standby')).left });
  }
  return {
    handlers, scripts, text: document.body.innerText,
    images: [...document.images].map(i => i.getAttribute('src')),
    allocation_text: alloc ? alloc.textContent : null,
    standby_order: order,
  };
}"""


def test_no_dialog_and_no_request_off_disk(loaded_page: dict[str, Any]) -> None:
    assert loaded_page["dialogs"] == []
    assert [url for url in loaded_page["requests"] if not url.startswith(("file://", "data:", "blob:"))] == []


def test_no_injected_element_or_handler(loaded_page: dict[str, Any]) -> None:
    assert loaded_page["handlers"] == []
    assert "x" not in loaded_page["images"]
    for script in loaded_page["scripts"]:
        kind, src, ident = script.split("|")
        assert src.startswith("assets/") or (kind == "application/json" and ident.startswith("spec-")) \
            or (not src and not kind and not ident), script
    assert sum(1 for s in loaded_page["scripts"] if s == "||") == 1


def test_every_shown_name_reads_as_text(loaded_page: dict[str, Any]) -> None:
    text = loaded_page["text"]
    for (field, name), value in stored_values().items():
        if field in SHOWN_FIELDS:
            assert value in text, (field, name)
    assert "hn: {{ 7*7 }}" in text and "hn: 49" not in text


def test_chart_labels_are_text(loaded_page: dict[str, Any]) -> None:
    drawn = loaded_page["allocation_text"]
    assert drawn is not None
    # Vega shortens long labels with an ellipsis, so the start of each label is what must be there.
    for name in ("script", "img", "breakout", "jinja", "sql", "japanese"):
        assert f"{FIELD_TAGS['ticker']}: {PAYLOADS[name]}"[:12] in drawn, name


def test_right_to_left_override_stays_inside_the_name(loaded_page: dict[str, Any]) -> None:
    rows = loaded_page["standby_order"]
    assert len(rows) == 1  # the standby line named with the override
    for row in rows:
        assert row["label_left"] >= row["name_right"] - 0.5, row


def test_chart_tooltips_show_names_as_text(loaded_page: dict[str, Any]) -> None:
    tooltips = loaded_page["tooltips"]
    assert len(tooltips) >= len(PAYLOADS)
    for tip in tooltips:
        assert set(tip["tags"]) <= {"table", "tbody", "tr", "td"}, tip
    shown = "\n".join(tip["text"] for tip in tooltips)
    for name in ("script", "img", "breakout", "jinja", "sql", "drop", "rlo", "japanese"):
        assert stored_values()[("ticker", name)] in shown, name
    assert loaded_page["dialogs"] == []
