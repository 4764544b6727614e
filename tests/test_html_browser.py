"""The briefing HTML in headless Chromium from file://: every chart drawn, no console error, no network."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import HOSTILE_NAME, REPORT_DAY

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists() or shutil.which("chromium") is None,
                       reason="Debian chromium is not installed"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


def _open(browser: Any, url: str, viewport: dict[str, int]) -> tuple[Any, dict[str, list[str]]]:
    """Load a page, recording console errors, page errors, dialogs and every requested URL."""
    page = browser.new_page(viewport=viewport)
    seen: dict[str, list[str]] = {"errors": [], "requests": [], "dialogs": []}
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("request", lambda r: seen["requests"].append(r.url))

    def on_dialog(dialog: Any) -> None:
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(url)
    page.wait_for_function(
        "document.querySelectorAll('.chart').length > 0 && [...document.querySelectorAll('.chart')]"
        ".every(el => el.querySelector('svg, canvas') || el.textContent.length > 0)",
        timeout=20_000,
    )
    return page, seen


@pytest.mark.parametrize("which", ["latest", pytest.param("day", marks=pytest.mark.slow)])
def test_every_chart_draws_offline_with_no_console_error(
    browser: Any, briefing_site: dict[str, Any], which: str
) -> None:
    site: Path = briefing_site["site"]
    path = site / "index.html" if which == "latest" else site / REPORT_DAY / "index.html"
    page, seen = _open(browser, path.as_uri(), {"width": 1280, "height": 900})
    try:
        charts = page.query_selector_all(".chart")
        assert len(charts) >= 7  # margin, ladder, allocation, dividends, net worth, margin history, MC fan
        for chart in charts:
            assert chart.query_selector("svg") is not None, chart.get_attribute("id")
            assert chart.query_selector("svg .mark-rect, svg .mark-line, svg .mark-area, svg .mark-symbol")
        assert seen["errors"] == []
        assert seen["dialogs"] == []
        assert seen["requests"], "the page itself was requested"
        assert all(u.startswith(("file:", "data:")) for u in seen["requests"]), seen["requests"]
    finally:
        page.close()


def test_hostile_text_shows_as_text_in_tables_and_charts(browser: Any, briefing_site: dict[str, Any]) -> None:
    page, seen = _open(browser, (briefing_site["site"] / "index.html").as_uri(), {"width": 1280, "height": 900})
    try:
        assert seen["dialogs"] == [], "a script in the ledger ran"
        cells = page.eval_on_selector_all("#holdings td", "els => els.map(e => e.textContent)")
        assert HOSTILE_NAME in cells
        # Every text field of the ledger: cash account, other asset, income source, expense category.
        for selector, prefix in (("#balance", "asset "), ("#balance", "cash "), ("#income", "src "),
                                 ("#expenses", "cat ")):
            texts = page.eval_on_selector_all(f"{selector} td", "els => els.map(e => e.textContent)")
            assert any(t.startswith(prefix + HOSTILE_NAME) for t in texts), (selector, texts)
        labels = page.eval_on_selector_all("#chart-allocation svg text", "els => els.map(e => e.textContent)")
        assert any("<script>alert(1)" in label for label in labels), labels
        # Nothing from the ledger became an element: the only scripts are ours.
        assert page.eval_on_selector_all("script:not([type])", "els => els.length") == 2
        assert page.eval_on_selector_all("b, p script", "els => els.length") == 0
    finally:
        page.close()


def test_phone_width_has_no_horizontal_page_scroll(browser: Any, briefing_site: dict[str, Any]) -> None:
    page, seen = _open(browser, (briefing_site["site"] / "index.html").as_uri(), {"width": 390, "height": 844})
    try:
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, overflow
        assert page.inner_text("#status") in ("SAFE", "CAUTION", "DANGER")
        assert seen["errors"] == []
    finally:
        page.close()


def test_archive_page_links_every_day(browser: Any, briefing_site: dict[str, Any]) -> None:
    page = browser.new_page()
    try:
        page.goto((briefing_site["site"] / "archive.html").as_uri())
        hrefs = page.eval_on_selector_all("table.archive a", "els => els.map(e => e.getAttribute('href'))")
        assert f"{REPORT_DAY}/index.html" in hrefs and f"{REPORT_DAY}/briefing.pdf" in hrefs
    finally:
        page.close()


@pytest.mark.parametrize("ledger", [pytest.param("empty", marks=pytest.mark.slow), "no_collateral"])
def test_degenerate_ledgers_draw_without_warnings(browser: Any, briefing_site: dict[str, Any], tmp_path: Path,
                                                  ledger: str) -> None:
    """An empty ledger, and a margin loan against a portfolio worth nothing (infinite ratio): no Vega warnings."""
    import sqlite3
    from datetime import date

    from lifealm.charts.collect import chart_data
    from lifealm.ledger.db import create_ledger, open_ledger
    from lifealm.ledger.load import load_inputs
    from lifealm.models.briefing import build_briefing
    from lifealm.models.briefing_json import briefing_to_json
    from lifealm.render import assets, pages
    from lifealm.render.files import FileModes

    db = tmp_path / "ledger.db"
    if ledger == "empty":
        create_ledger(db).close()
    else:
        shutil.copy(briefing_site["db"], db)
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE holdings SET shares = 0")
    with open_ledger(db) as conn:
        briefing = build_briefing(load_inputs(conn, date.fromisoformat(REPORT_DAY)))
    doc = briefing_to_json(briefing)
    html = pages.render_screen(doc, pages.screen_specs(chart_data(briefing)), root="", day_prefix="",
                               bundle=assets.bundle_name())
    assets.ensure_bundle(tmp_path / "assets", FileModes.private())
    (tmp_path / "index.html").write_text(html, "utf-8")
    page, seen = _open(browser, (tmp_path / "index.html").as_uri(), {"width": 1280, "height": 900})
    try:
        assert seen["errors"] == []
        # Neither ledger holds anything to value: the page says NO DATA, not SAFE (empty) or DANGER (¥0 portfolio).
        assert page.inner_text("#status") == "NO DATA"
        assert "lifealm import holdings FILE" in page.inner_text("#missing")
        for chart in page.query_selector_all(".chart"):
            assert chart.query_selector("svg") is not None
    finally:
        page.close()
