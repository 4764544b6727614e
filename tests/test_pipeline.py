"""The one loader: every command sees the config's [assumptions]; `check` and briefing.json agree on the findings."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from datetime import date, timedelta
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner
from demo_ledgers import demo_copy
from ledger_rows import add_holding

import lifealm.cli.ledger_cmds
import lifealm.cli.report_cmd
import lifealm.cli.simulate_cmd  # noqa: F401 - importing registers the commands
from lifealm.cli import cli
from lifealm.errors import LifealmError
from lifealm.i18n import translations
from lifealm.pipeline import check_ledger, load_model_inputs
from lifealm.render.context import FINDING_TEXT
from lifealm.render.fixes import FINDING_FIX
from lifealm.settings import load_settings

AS_OF = date(2026, 6, 30)  # a Tuesday: the demo's last close is on this day
LATER = AS_OF + timedelta(days=10)  # ten days on, every close is ten days old


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_copy(tmp_path_factory.mktemp("pipeline") / "ledger.db", as_of=AS_OF)


def _config(folder: Path, text: str) -> Path:
    config = folder / "config.toml"
    config.write_text(text, "utf-8")
    return config


def _check_findings(output: str) -> list[tuple[str, str, str]]:
    """(severity, code, subject) of each finding line `lifealm check` printed."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if "integrity ok" in line) + 1
    found = []
    for line in lines[start:]:
        if line == "No findings." or line.startswith("  fix: "):
            continue
        severity, code, rest = line.split(": ", 2)
        found.append((severity, code, rest.split(" (", 1)[0]))
    return found


def test_config_assumptions_give_the_same_findings_in_check_and_briefing_json(demo: Path, tmp_path: Path) -> None:
    config = _config(tmp_path, "[assumptions]\nstale_price_days = 60\n")
    common = ["--db", str(demo), "--config", str(config), "--as-of", LATER.isoformat()]
    checked = CliRunner().invoke(cli, ["check", *common])
    assert checked.exit_code == 0, checked.output
    reported = CliRunner().invoke(cli, ["report", *common, "--out", str(tmp_path / "site"), "--no-montecarlo"])
    assert reported.exit_code == 0, reported.output
    doc = json.loads((tmp_path / "site" / LATER.isoformat() / "briefing.json").read_text("utf-8"))
    in_json = [(f["severity"], f["code"], f["subject"]) for f in doc["findings"]]
    assert _check_findings(checked.output) == in_json
    assert not any(code == "stale_price" for _, code, _ in in_json)  # ten days is within the config's 60


def test_without_the_config_both_see_the_default_stale_limit(demo: Path, tmp_path: Path) -> None:
    config = _config(tmp_path, "")
    checked = CliRunner().invoke(cli, ["check", "--db", str(demo), "--config", str(config),
                                       "--as-of", LATER.isoformat()])
    assert checked.exit_code == 0, checked.output
    stale = [line for line in checked.output.splitlines() if ": stale_price: " in line]
    with sqlite3.connect(demo) as conn:
        securities = int(conn.execute("SELECT count(DISTINCT ticker) FROM holdings").fetchone()[0])
    assert len(stale) == securities == 10  # one finding per security, whichever accounts hold it
    assert all("limit_days=5" in line for line in stale)


def test_the_loader_applies_the_config_over_the_ledger_table(demo: Path, tmp_path: Path) -> None:
    copy = tmp_path / "ledger.db"
    copy.write_bytes(demo.read_bytes())
    with sqlite3.connect(copy) as conn:  # the ledger says 30, the config 60: the config wins
        conn.execute("INSERT INTO assumptions VALUES ('stale_price_days', '30'), ('caution_ratio', '0.4')")
    settings = load_settings(db=copy, config=_config(tmp_path, "[assumptions]\nstale_price_days = 60\n"),
                             environ={})
    assumptions = load_model_inputs(settings, LATER).inputs.assumptions
    assert (assumptions.stale_price_days, assumptions.caution_ratio) == (60, 0.4)


def test_simulate_reads_the_ledger_through_the_same_loader(demo: Path, tmp_path: Path) -> None:
    config = _config(tmp_path, "[assumptions]\nmc_seed = 7\nmc_paths = 50\nmc_years = 5\n")
    result = CliRunner().invoke(cli, ["simulate", "--db", str(demo), "--config", str(config),
                                      "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["seed"], data["paths"], data["years"]) == (7, 50, 5)


def test_check_names_what_only_the_file_can_tell(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    settings = load_settings(db=db, environ={})
    CliRunner().invoke(cli, ["init", "--db", str(db)])
    empty = check_ledger(settings, AS_OF)
    # An empty ledger cannot answer (NO DATA): named once, as an error.
    assert [(f.code, f.severity.value) for f in empty.findings if f.code == "no_holdings"] == [("no_holdings", "error")]
    with sqlite3.connect(db) as conn:  # another tool bypassed the CHECK constraints
        conn.execute("PRAGMA ignore_check_constraints = ON")
        add_holding(conn, "7203.T", 100)
        conn.execute("INSERT INTO loans (name, balance, kind) VALUES ('margin', 1000000, 'margin')")
    # The models cannot run on a margin loan without thresholds, and leaving the debt out could flatter the
    # answer: `check` says so (as `report` would), naming the row and the columns.
    with pytest.raises(LifealmError, match=r"loans row name 'margin': freeze_pct/margin_call_pct/forced_liq_pct: "
                       r"breaks the rule: a margin loan needs all three thresholds") as raised:
        check_ledger(settings, AS_OF)
    assert "`lifealm export loans`, edit, `lifealm import loans FILE`" in str(raised.value)
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM loans")
    report = check_ledger(settings, AS_OF)
    codes = [(f.code, f.subject) for f in report.findings]
    assert ("missing_price", "7203.T") in codes  # the valuation runs and says what it could not value
    assert not report.damaged


def test_a_snapshot_on_a_read_only_ledger_is_named_with_the_fix(demo: Path, tmp_path: Path) -> None:
    from lifealm.errors import LifealmError
    from lifealm.ledger.db import open_ledger
    from lifealm.pipeline import compute_briefing, read_model_inputs, record_snapshot

    conn = open_ledger(demo, readonly=True)  # SQLite refuses the write with SQLITE_READONLY (even for root)
    try:
        briefing = compute_briefing(read_model_inputs(conn, LATER).inputs, montecarlo=False)
        with pytest.raises(LifealmError, match="the ledger is read-only") as caught:
            record_snapshot(conn, briefing, demo)
    finally:
        conn.close()
    assert "chmod u+w" in str(caught.value)


def _visible_text(html: str) -> str:
    """A page's text as a reader sees it: no tags, no scripts, whitespace collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_the_plans_findings_reach_check_briefing_json_the_page_and_the_pdf_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 50 paths × 5 years × 12 months = 3,000 cells; a limit of 2,999 makes the plan fall back to yearly steps
    # exactly as 100,000 paths × 84 years would against the real limit (without the memory and the seconds).
    monkeypatch.setattr("lifealm.models.montecarlo.household.MAX_SIMULATION_CELLS", 50 * 5 * 12 - 1)
    db = demo_copy(tmp_path / "ledger.db", as_of=AS_OF)
    config = _config(tmp_path, 'lang = "ja"\n[assumptions]\nmc_paths = 50\nmc_years = 5\n')
    common = ["--db", str(db), "--config", str(config), "--as-of", AS_OF.isoformat()]
    checked = CliRunner().invoke(cli, ["check", *common])
    assert checked.exit_code == 0, checked.output
    reported = CliRunner().invoke(cli, ["report", *common, "--out", str(tmp_path / "site")])
    assert reported.exit_code == 0, reported.output
    day = tmp_path / "site" / AS_OF.isoformat()
    doc = json.loads((day / "briefing.json").read_text("utf-8"))
    assert doc["montecarlo"]["steps"] == "annual"
    steps = [f for f in doc["findings"] if f["code"] == "montecarlo_annual_steps"]
    assert steps == [{"code": "montecarlo_annual_steps", "severity": "warning", "subject": "assumptions",
                      "detail": {"mc_paths": 50, "mc_years": 5, "max_cells": 2_999}}]
    # `check` lists what the report shows, in the same order (the simulation ran: nothing else differs)
    assert _check_findings(checked.output) == [(f["severity"], f["code"], f["subject"]) for f in doc["findings"]]
    # the page and the PDF say it once, in Japanese, with its fix, as every other finding is said
    page = _visible_text((day / "index.html").read_text("utf-8"))
    pdf = " ".join(subprocess.run(["pdftotext", "-enc", "UTF-8", str(day / "briefing.pdf"), "-"],
                                  capture_output=True, check=True, text=True).stdout.split())
    ja = translations("ja").gettext
    said, fix = ja(FINDING_TEXT["montecarlo_annual_steps"]), ja(FINDING_FIX["montecarlo_annual_steps"])
    assert said != FINDING_TEXT["montecarlo_annual_steps"] and "年単位" in said
    for text in (page, pdf):
        assert text.count(said) == 1
        assert text.count(" ".join(fix.split())) == 1
        # the subject in words, as the other findings' subjects are
        assert re.search(rf"警告\s*前提条件\s*:\s*{re.escape(said)}", text), text
