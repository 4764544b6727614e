"""The morning run as a scheduler starts it: a real `lifealm run` process whose config points [update] at fake
sources on 127.0.0.1. Monday's run moves the briefing from Friday's prices to Monday's (figures, "since the last
briefing", snapshot); with the price server answering 429 the briefing is still written and e-mailed, says first
that its prices are from Friday, and `--fail-on stale` exits 4."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from deliver_support import smtp_server
from kind_rows import row
from update_fakes import YAHOO_429, Bar, FakeServer, Reply, chart, chart_path, serving, utc

from lifealm.ledger.db import create_ledger
from lifealm.ledger.write import write_rows

# Three real runs of about 10 s each (the PDF and the Monte Carlo included): outside the default suite, whose fast
# tests (test_update_freshness.py) check the same decisions in process.
pytestmark = pytest.mark.slow

LIFEALM = [sys.executable, "-m", "lifealm"]
FRIDAY, MONDAY = "2026-11-27", "2026-11-30"
SHARES = {"7203.T": 1000, "6758.T": 500}
CLOSES = {"7203.T": {FRIDAY: 3000.0, MONDAY: 3100.0}, "6758.T": {FRIDAY: 3400.0, MONDAY: 3300.0}}
# Worked by hand: Friday 1000 × 3000 + 500 × 3400 = 4,700,000; Monday 1000 × 3100 + 500 × 3300 = 4,750,000.
FRIDAY_VALUE, MONDAY_VALUE = 4_700_000.0, 4_750_000.0
LOAN = 2_000_000.0
SESSIONS = {FRIDAY: (utc(2026, 11, 27), utc(2026, 11, 27, 6, 30)),  # Tokyo's sessions: 09:00-15:30 JST
            MONDAY: (utc(2026, 11, 30), utc(2026, 11, 30, 6, 30))}
STAMPS = {FRIDAY: utc(2026, 11, 27), MONDAY: utc(2026, 11, 30)}  # 09:00 in Tokyo


def _bars(ticker: str, through: str) -> Reply:
    days = [d for d in (FRIDAY, MONDAY) if d <= through]
    body = chart(ticker, [Bar(STAMPS[d], CLOSES[ticker][d]) for d in days], regular=SESSIONS[through])
    return Reply(body=body)


def _serve(yahoo: FakeServer, through: str | None) -> None:
    """Yahoo's closes up to `through` (Friday, then Monday); None: 429 (its plain-text body) for everything."""
    for ticker in SHARES:
        yahoo.route(chart_path(ticker), YAHOO_429 if through is None else _bars(ticker, through))


def _ledger(path: Path) -> None:
    conn = create_ledger(path)
    write_rows(conn, "holdings", [row("holdings", ticker=t, shares=n, cost_basis=n * 2500) for t, n in SHARES.items()])
    write_rows(conn, "prices", [(t, "2026-11-26", 2900) for t in SHARES])  # Thursday's: Friday's comes by update
    write_rows(conn, "loans", [row("loans", name="margin", balance=LOAN, rate=0.02, collateral_type="portfolio",
                                   freeze_pct=0.6, margin_call_pct=0.7, forced_liq_pct=0.85)])
    write_rows(conn, "cash", [row("cash", name="bank", balance=1_000_000)])
    write_rows(conn, "expenses", [row("expenses", category="living", monthly_amount=200_000)])
    write_rows(conn, "income", [row("income", source="salary", monthly_amount=400_000, kind="salary")])
    conn.close()


@dataclass(frozen=True)
class Run:
    code: int
    stderr: str
    doc: dict[str, object]
    day: Path


def _run(home: Path, as_of: str, *extra: str, env_extra: dict[str, str] | None = None) -> Run:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIFEALM_") and "proxy" not in k.lower()}
    env.update(LIFEALM_CONFIG=str(home / "config.toml"), no_proxy="127.0.0.1", NO_PROXY="127.0.0.1",
               **(env_extra or {}))
    done = subprocess.run([*LIFEALM, "run", "--out", str(home / "site"), "--as-of", as_of, *extra],
                          capture_output=True, text=True, env=env, timeout=180)
    day = home / "site" / as_of
    doc = json.loads((day / "briefing.json").read_text("utf-8")) if (day / "briefing.json").exists() else {}
    return Run(done.returncode, done.stderr, doc, day)


@pytest.fixture(scope="module")
def friday(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, FakeServer]]:
    """Friday's scheduled run: the update brings Friday's closes, the briefing and its snapshot are written."""
    home = tmp_path_factory.mktemp("friday")
    _ledger(home / "ledger.db")
    with serving() as yahoo:
        (home / "config.toml").write_text(
            f'ledger = "{home / "ledger.db"}"\n\n[assumptions]\nmc_paths = 200\n\n[update]\nbefore_run = true\n'
            f'yahoo_url = "{yahoo.url}"\necb_url = "http://127.0.0.1:9"\nboj_url = "http://127.0.0.1:9"\n'
            "min_interval = 0\nretries = 1\nbackoff = 0\n", "utf-8")
        _serve(yahoo, FRIDAY)
        run = _run(home, FRIDAY, "--no-email")
        assert run.code == 0, run.stderr
        assert run.doc["portfolio"]["value"] == FRIDAY_VALUE  # type: ignore[index]
        assert "update=ok" in run.stderr
        yield home, yahoo


def _monday_home(friday: tuple[Path, FakeServer], target: Path) -> Path:
    """A copy of the household as it stood after Friday's run (ledger, config and site)."""
    home, _ = friday
    shutil.copytree(home, target)
    config = (target / "config.toml").read_text("utf-8").replace(str(home), str(target))
    (target / "config.toml").write_text(config, "utf-8")
    return target


def _snapshots(home: Path) -> list[tuple[str, float]]:
    with sqlite3.connect(home / "ledger.db") as conn:
        return [(d, v) for d, v in conn.execute("SELECT snapshot_date, portfolio_value FROM snapshots ORDER BY 1")]


def test_monday_run_moves_the_briefing_from_fridays_prices_to_mondays(
        friday: tuple[Path, FakeServer], tmp_path: Path) -> None:
    home = _monday_home(friday, tmp_path / "monday")
    _serve(friday[1], MONDAY)
    run = _run(home, MONDAY, "--no-email", "--fail-on", "stale")
    assert run.code == 0, run.stderr
    doc = run.doc
    holdings = {h["ticker"]: (h["price"], h["price_date"]) for h in doc["holdings"]}  # type: ignore[attr-defined]
    assert holdings == {"7203.T": (3100.0, MONDAY), "6758.T": (3300.0, MONDAY)}
    assert doc["portfolio"]["value"] == MONDAY_VALUE  # type: ignore[index]
    assert doc["margin"]["ratio"] == pytest.approx(LOAN / MONDAY_VALUE)  # type: ignore[index]
    fresh = doc["freshness"]
    assert fresh == {"newest_price_date": MONDAY, "oldest_price_date": MONDAY, "stale_holdings": 0, "stale": False,
                     "update_failed": False, "update": {"ok": True, "failed": [], "problem": None, "updated": 2}}
    # Since the last briefing: Friday's, with the portfolio 50,000 up.
    history = doc["history"]
    assert history["previous_date"] == FRIDAY  # type: ignore[index]
    change = next(c for c in history["changes"] if c["field"] == "portfolio_value")  # type: ignore[index]
    assert (change["previous"], change["current"], change["delta"]) == (FRIDAY_VALUE, MONDAY_VALUE, 50_000.0)
    assert _snapshots(home) == [(FRIDAY, FRIDAY_VALUE), (MONDAY, MONDAY_VALUE)]
    page = (run.day / "index.html").read_text("utf-8")
    assert f"Compared with {FRIDAY}" in page and 'id="freshness"' not in page


def test_monday_run_with_the_price_server_answering_429_says_its_prices_are_stale(
        friday: tuple[Path, FakeServer], tmp_path: Path) -> None:
    home = _monday_home(friday, tmp_path / "monday429")
    _serve(friday[1], None)
    with smtp_server() as server:
        mail = {"LIFEALM_SMTP_HOST": server.host, "LIFEALM_SMTP_PORT": str(server.port),
                "LIFEALM_SMTP_SECURITY": "none", "LIFEALM_MAIL_FROM": "lifealm@example.org",
                "LIFEALM_MAIL_TO": "me@example.org"}
        run = _run(home, MONDAY, "--fail-on", "danger", "--fail-on", "stale", env_extra=mail)
        messages = list(server.inbox.messages)
    assert run.code == 4, run.stderr  # stale (the status is SAFE, so danger does not apply)
    assert "update=failed(2)" in run.stderr and "outcome=alert(fail-on=danger,stale)" in run.stderr
    assert "7203.T" not in run.stderr  # the log line never names a holding
    doc = run.doc
    assert doc["portfolio"]["value"] == FRIDAY_VALUE  # type: ignore[index]
    fresh = doc["freshness"]
    assert fresh["stale"] and fresh["update_failed"] and fresh["oldest_price_date"] == FRIDAY  # type: ignore[index]
    problem = fresh["update"]["problem"]  # type: ignore[index]
    assert "429" in problem and '"Too Many Requests"' in problem
    said = f"Prices are from {FRIDAY}: the update failed: "
    page = (run.day / "index.html").read_text("utf-8")
    assert said in page and page.index('id="freshness"') < page.index('id="answer"')  # said first
    pdf = subprocess.run(["pdftotext", "-layout", str(run.day / "briefing.pdf"), "-"], capture_output=True,
                         text=True, check=True).stdout
    assert said.strip() in " ".join(pdf.split())
    (message,) = messages
    assert f"prices from {FRIDAY} (update failed)" in str(message["Subject"])
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert said in text and text.index(said) < text.index("Headline figures")
    assert _snapshots(home) == [(FRIDAY, FRIDAY_VALUE), (MONDAY, FRIDAY_VALUE)]
