"""Regenerate the README screenshots from the demo ledger: `.venv/bin/python docs/make_screenshots.py`."""

from __future__ import annotations

import subprocess
import tempfile
from datetime import date
from pathlib import Path

from playwright.sync_api import sync_playwright

from lifealm.demo import build_demo
from lifealm.pipeline import build_report
from lifealm.settings import load_settings

DOCS = Path(__file__).resolve().parent
AS_OF = date(2026, 11, 25)
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        build_demo(root / "ledger.db", as_of=AS_OF)
        outcome = build_report(load_settings(db=root / "ledger.db", out=root / "site", environ={}), as_of=AS_OF)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for name, viewport, full in (("desktop", {"width": 1280, "height": 1500}, False),
                                         ("phone", {"width": 390, "height": 844}, False),
                                         ("full", {"width": 1280, "height": 900}, True)):
                page = browser.new_page(viewport=viewport)
                page.goto(outcome.index_path.as_uri())
                page.wait_for_function("[...document.querySelectorAll('.chart')].every(e => e.querySelector('svg'))")
                if full:
                    page.screenshot(path=str(DOCS / "briefing-full.jpg"), full_page=True, type="jpeg", quality=70)
                else:
                    page.screenshot(path=str(DOCS / f"briefing-{name}.png"))
                page.close()
            browser.close()
        for old in DOCS.glob("briefing-pdf-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(outcome.pdf_path), str(DOCS / "briefing-pdf")], check=True)


if __name__ == "__main__":
    main()
