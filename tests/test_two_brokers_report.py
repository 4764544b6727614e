"""`lifealm report` on a ledger with margin loans at two brokers (SBI and Rakuten), through the real CLI: briefing.json
lists each broker's position and quotes the one that fails first, and the page and the PDF show the positions."""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from lifealm.cli import _register, cli
from lifealm.ledger.db import create_ledger
from lifealm.render.email_body import render_email

DAY = "2026-11-25"
FILES = {
    "sbi.csv": "ticker,name,shares,cost_basis\n8058.T,三菱商事,10000,20000000\n",  # ¥30M at ¥3,000
    "rakuten.csv": "ticker,name,shares,cost_basis\n7203.T,トヨタ,2000,5000000\n",  # ¥6M at ¥3,000
    "prices.csv": "ticker,price_date,close_price\n8058.T,2026-11-24,3000\n7203.T,2026-11-24,3000\n",
    "loans.csv": "name,kind,balance,rate,freeze_pct,margin_call_pct,forced_liq_pct,collateral_account,credit_limit\n"
                 "SBI ローン,margin,10000000,0.02,0.60,0.70,0.85,SBI 特定,\n"
                 "楽天 ローン,margin,5000000,0.025,0.60,0.70,0.85,楽天 特定,\n"
                 "standby,credit_line,0,0.03,,,,,1000000\n",
    "cash.csv": "name,balance\nbank,3000000\n",
    "expenses.csv": "category,monthly_amount\nliving,300000\n",
}


def run(*args: str) -> str:
    _register()
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("two_brokers")
    for name, text in FILES.items():
        (root / name).write_text(text, encoding="utf-8")
    db = str(root / "ledger.db")
    create_ledger(Path(db)).close()
    run("import", "holdings", str(root / "sbi.csv"), "--account", "SBI 特定", "--db", db)
    run("import", "holdings", str(root / "rakuten.csv"), "--account", "楽天 特定", "--db", db)
    for kind in ("prices", "loans", "cash", "expenses"):
        run("import", kind, str(root / f"{kind}.csv"), "--db", db)
    assert "DANGER" in run("report", "--db", db, "--out", str(root / "site"), "--as-of", DAY, "--no-montecarlo")
    return root / "site" / DAY


def text_of(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_briefing_json_lists_each_broker_and_quotes_the_first_to_fail(site: Path) -> None:
    doc = json.loads((site / "briefing.json").read_text(encoding="utf-8"))
    sbi, rakuten = doc["margin"]["positions"]
    assert (sbi["account"], sbi["loans"], sbi["balance"], sbi["collateral"], sbi["zone"]) == (
        "SBI 特定", ["SBI ローン"], 10_000_000.0, 30_000_000.0, "SAFE")
    assert (rakuten["account"], rakuten["loans"], rakuten["balance"], rakuten["collateral"], rakuten["zone"]) == (
        "楽天 特定", ["楽天 ローン"], 5_000_000.0, 6_000_000.0, "MARGIN_CALL")
    assert sbi["ratio"] == pytest.approx(1 / 3) and rakuten["ratio"] == pytest.approx(5 / 6)
    assert rakuten["fails_first"] and not sbi["fails_first"]
    # Not 15/36 = 41.7 % SAFE: Rakuten's 83.3 % is past its margin call, and it sells at a 1 − 5/5.1 fall.
    assert doc["status"] == "DANGER" and doc["margin"]["ratio"] == pytest.approx(5 / 6)
    assert doc["stress"]["forced_liquidation_drawdown"] == pytest.approx(1 / 51)
    # ¥3M cash + ¥1M line shared: 15M − 30.6M·x = 4M, x = 11/30.6.
    assert doc["stress"]["max_survivable_drawdown"] == pytest.approx(1 - 11 / 30.6)
    assert doc["margin"]["repay_now"]["amount"] == pytest.approx(1_100_000.0)  # Rakuten back to 65 %


def test_the_page_and_the_pdf_show_the_positions(site: Path) -> None:
    page = text_of((site / "index.html").read_text(encoding="utf-8"))
    assert "Margin loans by broker" in page
    assert "SBI 特定 SBI ローン ¥10,000,000 ¥30,000,000 33.3 % safe 60 % / 70 % / 85 % 60.7 %" in page
    assert "楽天 特定 (fails first) 楽天 ローン ¥5,000,000 ¥6,000,000 83.3 % margin call 60 % / 70 % / 85 % 1.9 %" \
        in page
    assert "forced liquidation begins at a 1.9 % fall" in page and "survives a fall of up to 64.0 %" in page
    # the repay-now amounts are summed over the brokers, each to its own level: no one broker's level is quoted
    assert "the target ratio ¥1,100,000" in page and "the target ratio (" not in page
    assert "Summed over the brokers, each back to its own level." in page
    pdf = subprocess.run(["pdftotext", str(site / "briefing.pdf"), "-"], capture_output=True, text=True,
                         check=True).stdout
    assert "Margin loans by broker" in pdf and "(fails first)" in pdf


def test_the_email_subject_quotes_the_first_to_fail(site: Path) -> None:
    subject = render_email(json.loads((site / "briefing.json").read_text(encoding="utf-8"))).subject
    assert subject.startswith("[DANGER] ")
    assert "margin 83.3 % · forced sale at −1.9 % if nothing is done · survives −64.0 % spending cash and line" \
        in subject
