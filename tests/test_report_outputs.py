"""`lifealm report` end to end on a real ledger: files, modes, JSON contract, determinism, atomicity, privacy."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sqlite3
import stat
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from briefing_contract import stand_in
from click.testing import CliRunner
from conftest import HOSTILE_NAME, REPORT_DAY

from lifealm.cli import _register, cli
from lifealm.ledger.db import open_ledger
from lifealm.ledger.load import load_inputs
from lifealm.models.briefing import build_briefing
from lifealm.models.briefing_json import briefing_to_json
from lifealm.pipeline import build_report, run_montecarlo
from lifealm.settings import load_settings


def _tree(root: Path) -> dict[str, str]:
    """Relative path → sha256 of every published file under root (the site's exact state; .lifealm/ holds the
    run lock and delivery records, not the site)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file() and p.relative_to(root).parts[0] != ".lifealm"
    }


def test_site_layout(briefing_site: dict[str, Any]) -> None:
    site: Path = briefing_site["site"]
    day = site / REPORT_DAY
    for name in ("index.html", "briefing.pdf", "briefing.json"):
        assert (day / name).stat().st_size > 1000, name
    assert (site / "index.html").is_file() and (site / "archive.html").is_file()
    specs = sorted(p.name for p in (day / "charts").glob("*.vl.json"))
    assert {"margin-curve.vl.json", "stress-ladder.vl.json", "dividends.vl.json", "allocation.vl.json",
            "net-worth-history.vl.json"} <= set(specs)
    for spec_file in (day / "charts").glob("*.vl.json"):
        spec = json.loads(spec_file.read_text("utf-8"))
        assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    bundles = list((site / "assets").glob("vega-bundle-*.js"))
    assert len(bundles) == 1 and bundles[0].stat().st_size > 500_000
    assert not [p for p in site.iterdir() if p.name.startswith(".")], "no staging directory left behind"


def test_outputs_are_private_by_default(briefing_site: dict[str, Any]) -> None:
    site: Path = briefing_site["site"]
    for path in site.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


def test_json_is_the_briefing_contract(briefing_site: dict[str, Any]) -> None:
    settings = briefing_site["settings"]
    text = (briefing_site["site"] / REPORT_DAY / "briefing.json").read_text("utf-8")
    doc = json.loads(text)
    with open_ledger(settings.db) as conn:
        inputs = load_inputs(conn, date.fromisoformat(REPORT_DAY))
    expected = briefing_to_json(build_briefing(inputs, montecarlo=run_montecarlo(inputs)))
    assert doc == json.loads(json.dumps(expected))
    assert text == json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    for key in ("as_of", "status", "portfolio", "holdings", "margin", "defense", "stress", "cashflow",
                "balance_sheet", "fire", "dividends", "montecarlo", "findings"):
        assert key in doc
    assert doc["status"] in ("SAFE", "CAUTION", "DANGER")
    assert briefing_site["outcome"].status == doc["status"]
    assert any(h["name"] == HOSTILE_NAME for h in doc["holdings"])


def test_archive_lists_every_day_with_its_status_and_index_stays_latest(
    briefing_site: dict[str, Any], tmp_path: Path
) -> None:
    import shutil

    db = tmp_path / "ledger.db"
    shutil.copy(briefing_site["db"], db)
    shutil.copytree(briefing_site["site"], tmp_path / "site")
    settings = load_settings(db=db, out=tmp_path / "site", environ={})
    latest = (tmp_path / "site" / "index.html").read_text("utf-8")
    build_report(settings, as_of=date(2026, 11, 20), montecarlo=False)
    assert (tmp_path / "site" / "index.html").read_text("utf-8") == latest, "an older day replaced the latest"
    archive = (tmp_path / "site" / "archive.html").read_text("utf-8")
    for day in ("2026-11-25", "2026-11-20"):
        status = json.loads((tmp_path / "site" / day / "briefing.json").read_text("utf-8"))["status"]
        assert f'href="{day}/index.html"' in archive
        row = archive.split(f'href="{day}/index.html"')[1].split("</tr>")[0]
        assert f">{status}<" in row
    assert archive.index("2026-11-25") < archive.index("2026-11-20"), "newest first"
    page = (tmp_path / "site" / "2026-11-20" / "index.html").read_text("utf-8")
    assert "montecarlo-not-run" in page and "spec-montecarlo-fan" not in page


def test_a_failing_pdf_step_leaves_the_previous_site_complete(
    briefing_site: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    site = tmp_path / "site"
    shutil.copytree(briefing_site["site"], site)
    before = _tree(site)

    def broken(html: str, *charts: object) -> bytes:
        raise RuntimeError("simulated PDF failure")

    monkeypatch.setattr("lifealm.render.pdf.render_pdf", broken)  # imported by build_report on use
    settings = load_settings(db=briefing_site["db"], out=site, environ={})
    with pytest.raises(RuntimeError, match="simulated PDF failure"):
        build_report(settings, as_of=date.fromisoformat(REPORT_DAY), montecarlo=False)
    assert _tree(site) == before
    assert sorted(p.name for p in site.iterdir()) == sorted(p.name for p in briefing_site["site"].iterdir())


def test_a_failing_write_leaves_no_partial_day(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lifealm.render import files as file_module
    from lifealm.render.files import FileModes
    from lifealm.render.site import publish_day

    publish_day(tmp_path, "2026-01-02", {"a.txt": b"old", "b.txt": b"old"}, FileModes.private())
    calls = {"n": 0}
    real = file_module.write_file

    def failing(path: Path, data: bytes, modes: FileModes) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        real(path, data, modes)

    monkeypatch.setattr("lifealm.render.site.write_file", failing)
    with pytest.raises(OSError):
        publish_day(tmp_path, "2026-01-02", {"a.txt": b"new", "b.txt": b"new"}, FileModes.private())
    assert (tmp_path / "2026-01-02" / "a.txt").read_bytes() == b"old"
    assert (tmp_path / "2026-01-02" / "b.txt").read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["2026-01-02"]


def test_report_cli_with_every_socket_blocked_gives_identical_bytes(
    briefing_site: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second run of the same ledger and date, offline and shared: it succeeds and every file is byte-identical."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network access during a report")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    _register()
    out = tmp_path / "again"
    old_umask = os.umask(0o022)
    try:
        result = CliRunner().invoke(cli, ["report", "--db", str(briefing_site["db"]), "--out", str(out),
                                          "--as-of", REPORT_DAY, "--shared-output"], catch_exceptions=False)
    finally:
        os.umask(old_umask)
    assert result.exit_code == 0, result.output
    # --shared-output: modes follow the umask (022 here) instead of owner-only.
    assert stat.S_IMODE((out / REPORT_DAY / "briefing.pdf").stat().st_mode) == 0o644
    assert stat.S_IMODE((out / REPORT_DAY).stat().st_mode) == 0o755
    assert stat.S_IMODE((out / "index.html").stat().st_mode) == 0o644
    assert attempts == []
    assert f"file://{out.resolve()}/index.html" in result.output
    first, second = _tree(briefing_site["site"]), _tree(out)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_shared_output_respects_the_umask(briefing_site: dict[str, Any], tmp_path: Path) -> None:
    from lifealm.render.files import FileModes
    from lifealm.render.site import publish_day

    old = os.umask(0o027)
    try:
        publish_day(tmp_path, "2026-01-02", {"x/a.txt": b"a"}, FileModes.shared())
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "2026-01-02" / "x" / "a.txt").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "2026-01-02").stat().st_mode) == 0o750


def test_a_missing_ledger_is_a_clear_error_exit_1(tmp_path: Path) -> None:
    _register()
    result = CliRunner().invoke(cli, ["report", "--db", str(tmp_path / "nope.db"), "--out", str(tmp_path / "s")])
    assert result.exit_code == 1
    assert "nope.db" in result.output and "lifealm init" in result.output
    assert not (tmp_path / "s").exists()


def test_hostile_text_is_escaped_in_the_html(briefing_site: dict[str, Any]) -> None:
    html = (briefing_site["site"] / REPORT_DAY / "index.html").read_text("utf-8")
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &#34;q&#34; &amp; &#39;x&#39; &lt;/p&gt;" in html
    # Inside the inlined chart specs the name is JSON with every markup character escaped.
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in html
    scripts = html.count("<script")
    assert scripts == html.count("</script>")
    assert scripts == 2 + html.count('type="application/json"')



def test_archive_index_reads_each_day_once_and_forgets_removed_days(tmp_path: Path) -> None:
    import shutil

    from lifealm.render.files import FileModes
    from lifealm.render.pages import render_archive
    from lifealm.render.site import archive_entries, publish_day, write_page

    modes = FileModes.private()
    for day in ("2026-01-01", "2026-01-02", "2026-01-03"):  # partial documents: only the status is read here
        stand_in(tmp_path / day / "briefing.json")
    for day, status in (("2026-01-01", "SAFE"), ("2026-01-02", "DANGER")):
        publish_day(tmp_path, day, {"briefing.json": json.dumps({"status": status}).encode()}, modes)
    entries = archive_entries(tmp_path, day="2026-01-02", status="DANGER")
    assert [(e.day, e.status) for e in entries] == [("2026-01-02", "DANGER"), ("2026-01-01", "SAFE")]
    write_page(tmp_path, "archive.html", render_archive(entries), modes)
    # Once listed, a day's status comes from the index inside archive.html, not from its briefing.json again.
    (tmp_path / "2026-01-01" / "briefing.json").write_text('{"status": "CAUTION"}')
    publish_day(tmp_path, "2026-01-03", {"briefing.json": b"{}"}, modes)
    shutil.rmtree(tmp_path / "2026-01-02")
    entries = archive_entries(tmp_path, day="2026-01-03", status="CAUTION")
    assert [(e.day, e.status) for e in entries] == [("2026-01-03", "CAUTION"), ("2026-01-01", "SAFE")]
    # A damaged archive page only costs re-reading every briefing.json.
    (tmp_path / "archive.html").write_text('<tr data-day="2026-01-01" data-status="<oops">')
    entries = archive_entries(tmp_path, day="2026-01-03", status="CAUTION")
    assert [(e.day, e.status) for e in entries] == [("2026-01-03", "CAUTION"), ("2026-01-01", "CAUTION")]


def test_old_staging_directories_are_cleaned_up_but_fresh_ones_kept(tmp_path: Path) -> None:
    from lifealm.render.site import remove_leftovers

    old, fresh = tmp_path / ".build-2026-01-01-abc", tmp_path / ".build-2026-01-02-def"
    for path in (old, fresh):
        path.mkdir()
        (path / "index.html").write_text("partial")
    os.utime(old, (0, 0))
    remove_leftovers(tmp_path)
    assert not old.exists() and fresh.exists()


@pytest.mark.slow
def test_report_in_a_network_namespace_without_any_network(briefing_site: dict[str, Any], tmp_path: Path) -> None:
    """The real command in a fresh process whose network namespace has no interface at all (`unshare -n`)."""
    import shutil
    import subprocess
    import sys

    if shutil.which("unshare") is None or subprocess.run(["unshare", "-n", "true"]).returncode != 0:
        pytest.skip("unshare -n is not available here")
    out = tmp_path / "site"
    result = subprocess.run(
        ["unshare", "-n", sys.executable, "-m", "lifealm", "report", "--db", str(briefing_site["db"]),
         "--out", str(out), "--as-of", REPORT_DAY],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert _tree(out) == _tree(briefing_site["site"])


def test_an_output_path_that_is_a_file_is_a_clear_error(briefing_site: dict[str, Any], tmp_path: Path) -> None:
    from lifealm.errors import LifealmError

    target = tmp_path / "site"
    target.write_text("not a directory")
    _register()
    result = CliRunner().invoke(cli, ["report", "--db", str(briefing_site["db"]), "--out", str(target),
                                      "--as-of", REPORT_DAY])
    assert result.exit_code == 2  # click rejects a file for --out: a usage error
    # The same path from the environment or the config file reaches the pipeline, which names it and the fix.
    settings = load_settings(db=briefing_site["db"], environ={"LIFEALM_OUT": str(target)})
    with pytest.raises(LifealmError, match="is a file, not a directory") as caught:
        build_report(settings, as_of=date.fromisoformat(REPORT_DAY))
    assert caught.value.hint is not None and "--out" in caught.value.hint
    assert target.read_text() == "not a directory"


@pytest.mark.slow
def test_a_read_only_ledger_is_named_with_the_fix(briefing_site: dict[str, Any], tmp_path: Path) -> None:
    """A ledger on a read-only mount (root ignores file modes, a read-only bind mount does not)."""
    import shutil
    import subprocess
    import sys

    ro = tmp_path / "ro"
    ro.mkdir()
    shutil.copy(briefing_site["db"], ro / "ledger.db")
    before = (ro / "ledger.db").read_bytes()
    script = (f"mount --bind {ro} {ro} && mount -o remount,bind,ro {ro} && exec {sys.executable} -m lifealm report "
              f"--db {ro / 'ledger.db'} --out {tmp_path / 'site'} --as-of {REPORT_DAY}")
    if subprocess.run(["unshare", "-m", "sh", "-c", f"mount --bind {ro} {ro}"], capture_output=True).returncode:
        pytest.skip("cannot create a read-only mount here (needs unshare -m and mount)")
    result = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert f"{ro / 'ledger.db'}: the ledger is read-only" in result.stderr and "chmod u+w" in result.stderr
    assert (ro / "ledger.db").read_bytes() == before
    assert not (tmp_path / "site").exists()


def test_the_vega_bundle_follows_the_output_mode_of_each_run(briefing_site: dict[str, Any], tmp_path: Path) -> None:
    import shutil

    from lifealm.render.assets import ensure_bundle
    from lifealm.render.files import FileModes

    shutil.copytree(briefing_site["site"] / "assets", tmp_path / "assets")  # written owner-only by the fixture
    old = os.umask(0o022)
    try:
        path = ensure_bundle(tmp_path / "assets", FileModes.shared())
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o755
    ensure_bundle(tmp_path / "assets", FileModes.private())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_headline_figures_equal_the_ledger_worked_by_hand(briefing_site: dict[str, Any]) -> None:
    """The JSON's answer recomputed straight from the ledger with SQL and the SPEC's formulas, not the models."""
    doc = json.loads((briefing_site["site"] / REPORT_DAY / "briefing.json").read_text("utf-8"))
    close = ("(SELECT close_price FROM prices p WHERE p.ticker = h.ticker AND p.price_date <= :day "
             "ORDER BY p.price_date DESC LIMIT 1)")
    month = {"day": REPORT_DAY, "first": REPORT_DAY[:8] + "01", "last": REPORT_DAY[:8] + "31"}  # November
    active = "(start_date IS NULL OR start_date <= :last) AND (end_date IS NULL OR end_date >= :first)"
    with sqlite3.connect(briefing_site["db"]) as conn:
        value = conn.execute(f"SELECT sum(h.shares * {close}) FROM holdings h", month).fetchone()[0]
        # Collateral: the holdings of taxable accounts (pledged unless they say not) at the security's haircut.
        collateral = conn.execute(
            f"SELECT sum(h.shares * {close} * s.haircut) FROM holdings h JOIN securities s ON s.ticker = h.ticker "
            "JOIN accounts a ON a.name = h.account WHERE a.kind = 'taxable' AND coalesce(a.pledged, 1) = 1",
            month).fetchone()[0]
        loan, forced = conn.execute(
            "SELECT sum(balance), min(forced_liq_pct) FROM loans WHERE kind = 'margin'").fetchone()
        cash = conn.execute("SELECT sum(balance) FROM cash_accounts").fetchone()[0]
        line = conn.execute("SELECT sum(credit_limit - balance) FROM loans WHERE kind = 'credit_line'").fetchone()[0]
        debts = conn.execute("SELECT sum(balance) FROM loans").fetchone()[0]
        others = conn.execute("SELECT sum(value) FROM other_assets").fetchone()[0]
        flow = conn.execute(
            f"SELECT (SELECT coalesce(sum(monthly_amount), 0) FROM income WHERE {active}) "
            f"- (SELECT coalesce(sum(monthly_amount), 0) FROM expenses WHERE {active}) "
            "- (SELECT sum(CASE WHEN kind = 'amortizing' THEN min(monthly_payment, balance * (1 + rate / 12)) "
            "ELSE balance * rate / 12 END) FROM loans)", month).fetchone()[0]
    assert doc["portfolio"]["value"] == pytest.approx(value, rel=1e-12)
    assert doc["margin"]["collateral"] == pytest.approx(collateral, rel=1e-12) and collateral < value
    assert doc["margin"]["ratio"] == pytest.approx(loan / collateral, rel=1e-12)
    assert doc["defense"]["cash"] + doc["defense"]["credit_available"] == pytest.approx(cash + line, rel=1e-12)
    survival = 1 - (loan - cash - line) / (collateral * forced)
    assert doc["stress"]["max_survivable_drawdown"] == pytest.approx(survival, rel=1e-12)
    assert doc["balance_sheet"]["net_worth"] == pytest.approx(value + cash + others - debts, rel=1e-12)
    assert doc["cashflow"]["monthly"] == pytest.approx(flow, rel=1e-9)
