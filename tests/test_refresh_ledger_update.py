"""`lifealm update` end to end on a real SQLite ledger against fake sources on 127.0.0.1: what is written, what is
refused and left alone, the summary table, the exit codes, and the split confirmation."""

from __future__ import annotations

import io
import sqlite3
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from kind_rows import row
from update_fakes import YAHOO_NOT_FOUND, Bar, FakeServer, Reply, chart, chart_path, ecb_xml, serving, utc

from lifealm.cli import _register, cli
from lifealm.ledger.db import create_ledger
from lifealm.ledger.write import write_rows
from lifealm.refresh import Narrowing, update_ledger
from lifealm.refresh.splits import confirm_split
from lifealm.settings import Settings, UpdateSettings
from lifealm.update import Sources, UpdateConfig

TODAY = date(2026, 11, 30)
NOW = float(utc(2026, 11, 30, 22))
WEEK = [utc(2026, 11, d) for d in (24, 25, 26, 27, 30)]  # Tokyo's bars: 09:00 JST is 00:00 UTC
US_WEEK = [utc(2026, 11, d, 14, 30) for d in (24, 25, 26, 27, 30)]  # New York's: 09:30 EST
US_MONDAY = (utc(2026, 11, 30, 14, 30), utc(2026, 11, 30, 21))  # Monday's New York session, closed at NOW


@pytest.fixture
def fake() -> Iterator[tuple[FakeServer, FakeServer]]:
    with serving() as yahoo, serving() as ecb:
        ecb.route("/ecb/eurofxref-hist-90d.xml", Reply(body=ecb_xml([
            ("2026-11-30", {"USD": "1.0500", "JPY": "164.85"}), ("2026-11-27", {"USD": "1.0400", "JPY": "163.28"})]),
            content_type="text/xml"))
        yield yahoo, ecb


def ledger(tmp_path: Path) -> Path:
    """Toyota and Sony (yen), VOO (dollars), a fund the sources do not know; Friday's closes stored."""
    path = tmp_path / "ledger.db"
    conn = create_ledger(path)
    write_rows(conn, "holdings", [row("holdings", ticker="7203.T", name="Toyota", shares=100, cost_basis=250000),
                                  row("holdings", ticker="6758.T", name="Sony", shares=50, cost_basis=100000),
                                  row("holdings", ticker="VOO", name="Vanguard S&P 500", shares=10, cost_basis=700000,
                                      currency="USD"),
                                  row("holdings", ticker="MYSTERY FUND", shares=1)])
    write_rows(conn, "prices", [("7203.T", "2026-11-26", 2950), ("7203.T", "2026-11-27", 3000),
                                ("6758.T", "2026-11-27", 3400)])
    write_rows(conn, "dividends", [row("dividends", ticker="7203.T", ex_date="2026-09-29", pay_date="2026-11-20",
                                       amount_per_share=45)])
    write_rows(conn, "cash", [row("cash", name="USD account", balance=1000, currency="USD")])
    conn.close()
    return path


def settings(path: Path, yahoo: FakeServer, ecb: FakeServer) -> Settings:
    return Settings(db=path, db_source="flag", update=UpdateSettings(
        yahoo_url=yahoo.url, ecb_url=ecb.url + "/ecb", boj_url="http://127.0.0.1:9", min_interval=0, retries=0,
        backoff=0))


def sources(config: Settings) -> Sources:
    return Sources.standard(UpdateConfig.from_settings(config.update), clock=lambda: NOW)


def week(symbol: str, closes: tuple[float, ...] = (2990, 2995, 2998, 3000, 3050), stamps: list[int] = WEEK,
         **extra: object) -> Reply:
    bars = [Bar(s, c) for s, c in zip(stamps, closes, strict=True)]
    return Reply(body=chart(symbol, bars, **extra))  # type: ignore[arg-type]


def us_week(symbol: str, closes: tuple[float, ...] = (600, 601, 602, 603, 604)) -> Reply:
    return week(symbol, closes, US_WEEK, currency="USD", zone="America/New_York", gmtoffset=-18000,
                regular=US_MONDAY)


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return [tuple(r) for r in conn.execute(sql)]


def test_new_closes_dividends_and_rates_are_written_and_a_failure_blocks_nobody(
        tmp_path: Path, fake: tuple[FakeServer, FakeServer]) -> None:
    yahoo, ecb = fake
    path = ledger(tmp_path)
    yahoo.route(chart_path("7203.T"), week("7203.T", dividends=[(utc(2026, 9, 29), 45.0), (utc(2026, 11, 26), 50)]))
    yahoo.route(chart_path("6758.T"), Reply(404, YAHOO_NOT_FOUND))
    yahoo.route(chart_path("VOO"), us_week("VOO", (600, 601, 602, 603, 604)))
    config = settings(path, yahoo, ecb)
    update = update_ledger(config, as_of=TODAY, sources=sources(config))
    lines = {line.subject: line for line in update.lines}
    # Toyota: only the close after Friday's (3000 stored) is new; the September dividend is on file already.
    assert rows(path, "SELECT price_date, close_price FROM prices WHERE ticker = '7203.T' ORDER BY 1") == [
        ("2026-11-26", 2950.0), ("2026-11-27", 3000.0), ("2026-11-30", 3050.0)]
    assert rows(path, "SELECT ex_date, pay_date, amount_per_share FROM dividends WHERE ticker = '7203.T' "
                      "ORDER BY 1") == [("2026-09-29", "2026-11-20", 45.0), ("2026-11-26", None, 50.0)]
    assert (lines["7203.T"].new_rows, lines["7203.T"].last_date, lines["7203.T"].source) == (2, TODAY,
                                                                                           "yahoo:7203.T")
    # Sony: the source's own words, nothing written, Friday's close still the last.
    assert lines["6758.T"].problem is not None and "No data found, symbol may be delisted" in lines["6758.T"].problem
    assert lines["6758.T"].last_date == date(2026, 11, 27) and lines["6758.T"].new_rows == 0
    # VOO: a week of dollar closes on the New York dates (no close stored before: a 30-day look-back).
    assert rows(path, "SELECT count(*), max(price_date) FROM prices WHERE ticker = 'VOO'") == [(5, "2026-11-30")]
    assert "no source is known" in str(lines["MYSTERY FUND"].problem)
    # USD per the ECB's cross rate: JPY per USD = 164.85 / 1.05 = 157.0 on the 30th.
    assert rows(path, "SELECT rate_date, rate FROM fx_rates ORDER BY 1") == [("2026-11-27", 157.0),
                                                                             ("2026-11-30", 157.0)]
    assert update.failed == ("6758.T", "MYSTERY FUND") and not update.ok
    report = update.report()
    assert report.failed == ("6758.T", "MYSTERY FUND") and report.updated == 3
    assert [(kind, subject) for kind, subject, _ in report.problems] == [("security", "6758.T"),
                                                                         ("security", "MYSTERY FUND")]
    assert "symbol may be delisted" in report.problems[0][2]
    assert report.problem is not None and report.problem.startswith("6758.T: ") and "(and 1 more)" in report.problem


def test_a_row_the_ledger_refuses_leaves_that_security_as_it_was(tmp_path: Path,
                                                                 fake: tuple[FakeServer, FakeServer]) -> None:
    yahoo, ecb = fake
    path = ledger(tmp_path)
    # The closes are fine, but an absurd dividend (a unit mix-up) is refused: neither is written.
    yahoo.route(chart_path("7203.T"), week("7203.T", dividends=[(utc(2026, 11, 26), 5e15)]))
    yahoo.route(chart_path("6758.T"), week("6758.T"))
    yahoo.route(chart_path("VOO"), Reply(404, YAHOO_NOT_FOUND))
    config = settings(path, yahoo, ecb)
    update = update_ledger(config, as_of=TODAY, narrowing=Narrowing(fx=False), sources=sources(config))
    lines = {line.subject: line for line in update.lines}
    assert rows(path, "SELECT max(price_date) FROM prices WHERE ticker = '7203.T'") == [("2026-11-27",)]
    assert rows(path, "SELECT count(*) FROM dividends") == [(1,)]
    assert "the ledger refused" in str(lines["7203.T"].problem) and "amount_per_share" in str(lines["7203.T"].problem)
    assert lines["6758.T"].problem is None and lines["6758.T"].last_date == TODAY


def test_the_command_prints_the_table_and_exits_1_when_a_security_failed(
        tmp_path: Path, fake: tuple[FakeServer, FakeServer]) -> None:
    yahoo, ecb = fake
    path = ledger(tmp_path)
    live = (utc(2026, 11, 30), utc(2026, 11, 30, 6, 30))  # Monday's Tokyo session, closed by now
    yahoo.route(chart_path("7203.T"), week("7203.T", regular=live))
    yahoo.route(chart_path("6758.T"), Reply(404, YAHOO_NOT_FOUND))
    config = tmp_path / "config.toml"
    config.write_text(f'[update]\nyahoo_url = "{yahoo.url}"\necb_url = "{ecb.url}/ecb"\nboj_url = "http://127.0.0.1:9"\n'
                      "min_interval = 0\nretries = 1\nbackoff = 0\n", "utf-8")
    _register()
    result = CliRunner().invoke(cli, ["update", "--db", str(path), "--config", str(config), "--as-of", "2026-11-30",
                                      "--prices"])
    assert result.exit_code == 1, result.output
    table = result.output.splitlines()
    assert table[0].split() == ["security", "source", "new", "rows", "last", "date", "problem"]
    toyota = next(line for line in table if line.startswith("7203.T"))
    assert toyota.split()[:4] == ["7203.T", "yahoo:7203.T", "1", "2026-11-30"]
    sony = next(line for line in table if line.startswith("6758.T"))
    assert 'No data found, symbol may be delisted")' in sony and "2026-11-27" in sony
    assert not any("(FX)" in line for line in table)  # --prices: no exchange rates asked
    assert "3 not brought up to date" in table[-1]  # Sony, VOO (not served) and the unknown fund
    # Everything answering: exit 0.
    yahoo.route(chart_path("6758.T"), week("6758.T", regular=live))
    yahoo.route(chart_path("VOO"), us_week("VOO"))
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM holdings WHERE ticker = 'MYSTERY FUND'")
    result = CliRunner().invoke(cli, ["update", "--db", str(path), "--config", str(config), "--as-of", "2026-11-30"])
    assert result.exit_code == 0, result.output
    assert "all up to date" in result.output and "USD (FX)" in result.output


@pytest.mark.parametrize("args", [["--since", "2026-11-01", "--history", "max"], ["--shares", "10"],
                                  ["--since", "yesterday"], ["--history", "all"]])
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    _register()
    result = CliRunner().invoke(cli, ["update", "--db", str(tmp_path / "none.db"), *args])
    assert result.exit_code == 2, result.output


def test_a_split_holds_the_rows_back_until_confirmed_once(tmp_path: Path,
                                                         fake: tuple[FakeServer, FakeServer]) -> None:
    yahoo, ecb = fake
    path = ledger(tmp_path)
    # A 2:1 split on Monday: Yahoo's closes are split-adjusted (Friday's 3000 is now reported as 1500).
    split_week = week("7203.T", (1495, 1497.5, 1499, 1500, 1525), splits=[(utc(2026, 11, 30), 2, 1)])
    yahoo.route(chart_path("7203.T"), split_week)
    config = settings(path, yahoo, ecb)
    update = update_ledger(config, as_of=TODAY, narrowing=Narrowing(tickers=frozenset({"7203.T"})),
                           sources=sources(config))
    (line,) = update.lines
    assert line.held_back == 1 and "--confirm-split 7203.T 2026-11-30" in str(line.problem)
    assert not update.ok and [f.code for f in update.findings][:1] == ["split_needs_confirmation"]
    assert rows(path, "SELECT max(price_date), shares FROM prices JOIN holdings USING (ticker) "
                      "WHERE ticker = '7203.T'") == [("2026-11-27", 100.0)]

    confirmed = confirm_split(config, ticker="7203.T", day=TODAY, as_of=TODAY, sources=sources(config))
    assert (confirmed.shares_before, confirmed.shares_after, confirmed.already) == (100.0, 200.0, False)
    # Every stored close is on the new scale; the share count doubled once; the confirmation is recorded.
    assert rows(path, "SELECT price_date, close_price FROM prices WHERE ticker = '7203.T' ORDER BY 1")[-3:] == [
        ("2026-11-26", 1499.0), ("2026-11-27", 1500.0), ("2026-11-30", 1525.0)]
    assert rows(path, "SELECT shares FROM holdings WHERE ticker = '7203.T'") == [(200.0,)]
    assert rows(path, "SELECT ticker, split_date, ratio, shares_before, shares_after FROM split_confirmations") == [
        ("7203.T", "2026-11-30", "2:1", 100.0, 200.0)]
    again = confirm_split(config, ticker="7203.T", day=TODAY, as_of=TODAY, sources=sources(config))
    assert again.already and rows(path, "SELECT shares FROM holdings WHERE ticker = '7203.T'") == [(200.0,)]
    # The next morning's update no longer holds anything back.
    later = update_ledger(config, as_of=TODAY, narrowing=Narrowing(tickers=frozenset({"7203.T"})),
                          sources=sources(config))
    assert later.ok, later.lines


def test_a_split_the_source_does_not_report_changes_nothing(tmp_path: Path,
                                                           fake: tuple[FakeServer, FakeServer]) -> None:
    yahoo, ecb = fake
    path = ledger(tmp_path)
    yahoo.route(chart_path("7203.T"), week("7203.T"))
    config = settings(path, yahoo, ecb)
    with pytest.raises(Exception, match="reports no split on 2026-11-30"):
        confirm_split(config, ticker="7203.T", day=TODAY, as_of=TODAY, sources=sources(config))
    assert rows(path, "SELECT shares FROM holdings WHERE ticker = '7203.T'") == [(100.0,)]
    assert rows(path, "SELECT count(*) FROM split_confirmations") == [(0,)]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_shows_only_on_a_terminal_and_only_after_a_while(monkeypatch: pytest.MonkeyPatch) -> None:
    from lifealm.cli import update_cmd

    terminal, pipe = _Terminal(), io.StringIO()
    for stream, after, shown in ((pipe, 0.0, False), (terminal, 60.0, False), (terminal, 0.0, True)):
        monkeypatch.setattr(sys, "stderr", stream)
        monkeypatch.setattr(update_cmd, "BAR_AFTER", after)
        bar = update_cmd.DelayedBar()
        for done in range(1, 4):
            bar(done, 3, f"{done}000.T")
        bar.close()
        assert ("Updating" in stream.getvalue()) is shown, (after, stream.getvalue())
    assert "3/3" in terminal.getvalue()


def test_what_to_fetch_is_every_held_security_and_every_foreign_currency_used(tmp_path: Path) -> None:
    from lifealm.refresh.wanted import wanted_currencies, wanted_securities

    path = ledger(tmp_path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE holdings SET shares = 0 WHERE ticker = 'MYSTERY FUND'")  # sold: no price needed
        conn.execute("INSERT INTO split_confirmations VALUES ('6758.T', '2026-01-05', '2:1', 25, 50, 'now')")
        conn.execute("INSERT INTO other_assets (name, kind, value, currency) VALUES ('flat', 'real_estate', 1, 'EUR')")
        wanted = {r.ticker: r for r in wanted_securities(conn)}
        assert sorted(wanted) == ["6758.T", "7203.T", "VOO"]
        toyota, sony, voo = wanted["7203.T"], wanted["6758.T"], wanted["VOO"]
        assert (toyota.currency, toyota.last_stored, toyota.known_dividends) == (
            "JPY", date(2026, 11, 27), frozenset({date(2026, 9, 29)}))
        assert toyota.source is None  # the chain comes from the ticker until the ledger stores one
        assert sony.confirmed_splits == frozenset({date(2026, 1, 5)}) and voo.last_stored is None
        assert [(c.currency, c.last_stored) for c in wanted_currencies(conn, "JPY")] == [("EUR", None), ("USD", None)]
        assert [r.ticker for r in wanted_securities(conn, frozenset({"VOO"}))] == ["VOO"]


def test_a_refused_row_sets_aside_only_its_own_security(tmp_path: Path) -> None:
    from lifealm.refresh.writing import write_per_subject

    path = ledger(tmp_path)
    conn = sqlite3.connect(path)
    refused: dict[str, str] = {}
    rows = {"7203.T": [("7203.T", "2026-11-30", "3050")], "6758.T": [("6758.T", "2026-11-30", "0")],
            "VOO": [("VOO", "2026-11-30", "600"), ("VOO", "2026-11-30", "601")]}  # a zero close; a duplicate day
    write_per_subject(conn, "prices", rows, refused)
    assert sorted(refused) == ["6758.T", "VOO"]
    assert "close_price" in refused["6758.T"] and "duplicate" in refused["VOO"]
    assert [tuple(r) for r in conn.execute("SELECT ticker, close_price FROM prices WHERE price_date = '2026-11-30'")
            ] == [("7203.T", 3050.0)]
    conn.close()


def test_a_securitys_own_source_chain_wins_and_an_empty_one_falls_back_to_the_ticker(
        tmp_path: Path, fake: tuple[FakeServer, FakeServer]) -> None:
    from lifealm.refresh.wanted import wanted_securities

    yahoo, ecb = fake
    path = ledger(tmp_path)
    with sqlite3.connect(path) as conn:
        # The unknown fund is Toyota on Yahoo as far as its own source says; Sony's source is blank.
        conn.execute("UPDATE securities SET source = 'yahoo:7203.T' WHERE ticker = 'MYSTERY FUND'")
        conn.execute("UPDATE securities SET source = '  ' WHERE ticker = '6758.T'")
        assert {r.ticker: r.source for r in wanted_securities(conn)} == {
            "6758.T": None, "7203.T": None, "MYSTERY FUND": "yahoo:7203.T", "VOO": None}
    yahoo.route(chart_path("7203.T"), week("7203.T"))
    yahoo.route(chart_path("6758.T"), week("6758.T"))
    config = settings(path, yahoo, ecb)
    update = update_ledger(config, as_of=TODAY, narrowing=Narrowing(fx=False, tickers=frozenset({
        "MYSTERY FUND", "6758.T"})), sources=sources(config))
    lines = {line.subject: line for line in update.lines}
    assert lines["MYSTERY FUND"].source == "yahoo:7203.T" and lines["MYSTERY FUND"].last_date == TODAY
    assert lines["6758.T"].source == "yahoo:6758.T" and update.ok


def test_a_split_held_in_two_accounts_multiplies_each(tmp_path: Path, fake: tuple[FakeServer, FakeServer]) -> None:
    yahoo, ecb = fake
    path = ledger(tmp_path)
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO accounts (name, kind) VALUES ('NISA', 'nisa_growth')")
        conn.execute("INSERT INTO holdings (account, ticker, shares) VALUES ('NISA', '7203.T', 30)")
    yahoo.route(chart_path("7203.T"), week("7203.T", (1495, 1497.5, 1499, 1500, 1525),
                                           splits=[(utc(2026, 11, 30), 2, 1)]))
    config = settings(path, yahoo, ecb)
    with pytest.raises(Exception, match="held in 2 accounts"):
        confirm_split(config, ticker="7203.T", day=TODAY, as_of=TODAY, shares=500, sources=sources(config))
    assert rows(path, "SELECT count(*) FROM split_confirmations") == [(0,)]
    confirmed = confirm_split(config, ticker="7203.T", day=TODAY, as_of=TODAY, sources=sources(config))
    assert (confirmed.shares_before, confirmed.shares_after) == (130.0, 260.0)
    assert rows(path, "SELECT account, shares FROM holdings WHERE ticker = '7203.T' ORDER BY shares") == [
        ("NISA", 60.0), (rows(path, "SELECT account FROM holdings WHERE ticker = '7203.T' AND account != 'NISA'")
                         [0][0], 200.0)]
