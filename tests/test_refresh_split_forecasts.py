"""A confirmed split puts the forecast dividends on or after it on the new share basis
(lifealm.refresh.split_forecasts): worked by hand against a fake Yahoo on 127.0.0.1, on a real SQLite file, with paid
rows, a second confirmation and a failure half-way through."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from kind_rows import row
from update_fakes import Bar, FakeServer, Reply, chart, chart_path, serving, utc

from lifealm.cli import _register, cli
from lifealm.errors import LifealmError
from lifealm.ledger.db import create_ledger
from lifealm.ledger.load import load_inputs
from lifealm.ledger.write import write_rows
from lifealm.models.dividends import annual_dividend_per_share
from lifealm.refresh.split_forecasts import rescaled_forecasts
from lifealm.refresh.splits import confirm_split
from lifealm.settings import Settings, UpdateSettings
from lifealm.update import Sources, UpdateConfig

TODAY = date(2026, 11, 30)  # Monday: the split's ex-date
NOW = float(utc(2026, 11, 30, 22))
WEEK = [utc(2026, 11, d) for d in (24, 25, 26, 27, 30)]  # Tokyo's bars: 09:00 JST is 00:00 UTC
CLOSES = (2990.0, 2995.0, 2950.0, 3000.0, 3050.0)  # on the old basis; the source reports them ÷ the factor


@pytest.fixture
def yahoo() -> Iterator[FakeServer]:
    with serving() as server:
        yield server


def ledger(tmp_path: Path) -> Path:
    """Toyota, 100 shares bought for ¥250,000; a paid dividend, two forecasts for the next year (old basis)."""
    path = tmp_path / "ledger.db"
    conn = create_ledger(path)
    write_rows(conn, "holdings", [row("holdings", ticker="7203.T", name="Toyota", shares=100, cost_basis=250000)])
    write_rows(conn, "prices", [("7203.T", "2026-11-26", 2950), ("7203.T", "2026-11-27", 3000)])
    write_rows(conn, "dividends", [
        row("dividends", ticker="7203.T", ex_date="2026-09-29", pay_date="2026-11-20", amount_per_share=45),
        row("dividends", ticker="7203.T", ex_date="2027-03-30", pay_date="2027-06-01", amount_per_share=90,
            is_projection=1),
        row("dividends", ticker="7203.T", ex_date="2027-09-29", amount_per_share=60, is_projection=1)])
    conn.close()
    return path


def serve_split(yahoo: FakeServer, numerator: int, denominator: int) -> None:
    """Yahoo's answer after a split: every close on the new basis, the split among the events."""
    factor = numerator / denominator
    bars = [Bar(stamp, close / factor) for stamp, close in zip(WEEK, CLOSES, strict=True)]
    yahoo.route(chart_path("7203.T"), Reply(body=chart("7203.T", bars, splits=[(WEEK[-1], numerator, denominator)])))


def settings(path: Path, yahoo: FakeServer) -> Settings:
    return Settings(db=path, db_source="flag", update=UpdateSettings(
        yahoo_url=yahoo.url, ecb_url="http://127.0.0.1:9", boj_url="http://127.0.0.1:9", min_interval=0, retries=0,
        backoff=0))


def sources(config: Settings) -> Sources:
    return Sources.standard(UpdateConfig.from_settings(config.update), clock=lambda: NOW)


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return [tuple(r) for r in conn.execute(sql)]


def dividends(path: Path) -> list[tuple[object, ...]]:
    return rows(path, "SELECT ex_date, pay_date, amount_per_share, is_projection FROM dividends ORDER BY 1, 4")


def annual_income(path: Path) -> float:
    """Next twelve months' dividends before tax, as the dividend model counts them: shares × per share."""
    with sqlite3.connect(path) as conn:
        inputs = load_inputs(conn, TODAY)
    (holding,) = inputs.holdings
    per_share, source = annual_dividend_per_share("7203.T", inputs.dividends, TODAY)
    assert source == "projection"  # the 2027-09-29 forecast replaces the 2026-09-29 payment
    return holding.shares * per_share


@pytest.mark.parametrize(("numerator", "denominator", "shares", "forecasts"), [
    (3, 1, 300.0, (30.0, 20.0)),  # 1 share becomes 3: ¥90 and ¥60 per old share are ¥30 and ¥20 per new one
    (1, 10, 10.0, (900.0, 600.0)),  # a 1:10 reverse split: 10 old shares become 1, paying 10 × as much
])
def test_a_split_rescales_the_forecasts_after_it_and_keeps_the_income(
        tmp_path: Path, yahoo: FakeServer, numerator: int, denominator: int, shares: float,
        forecasts: tuple[float, float]) -> None:
    path = ledger(tmp_path)
    serve_split(yahoo, numerator, denominator)
    assert annual_income(path) == 100 * (90 + 60) == 15000
    config = settings(path, yahoo)
    confirmed = confirm_split(config, ticker="7203.T", day=TODAY, as_of=TODAY, sources=sources(config))
    assert (confirmed.shares_after, confirmed.forecasts_rescaled, confirmed.already) == (shares, 2, False)
    assert rows(path, "SELECT shares, cost_basis FROM holdings") == [(shares, 250000.0)]  # the total cost stays
    assert dividends(path) == [("2026-09-29", "2026-11-20", 45.0, 0),  # paid on the old shares: as it was
                               ("2027-03-30", "2027-06-01", forecasts[0], 1),  # the pay date on file is kept
                               ("2027-09-29", None, forecasts[1], 1)]
    assert annual_income(path) == shares * sum(forecasts) == 15000


def test_paid_rows_and_earlier_forecasts_stay_and_a_second_confirmation_changes_nothing(
        tmp_path: Path, yahoo: FakeServer) -> None:
    path = ledger(tmp_path)
    with sqlite3.connect(path) as conn:
        write_rows(conn, "dividends", [
            row("dividends", ticker="7203.T", ex_date="2026-09-29", amount_per_share=50, is_projection=1),  # past
            row("dividends", ticker="7203.T", ex_date="2026-11-30", amount_per_share=12, is_projection=1),  # split day
            row("dividends", ticker="7203.T", ex_date="2026-11-30", amount_per_share=10)])  # paid per new share
    serve_split(yahoo, 3, 1)
    config = settings(path, yahoo)
    first = confirm_split(config, ticker="7203.T", day=TODAY, as_of=TODAY, sources=sources(config))
    assert first.forecasts_rescaled == 3
    after = dividends(path)
    assert after == [("2026-09-29", "2026-11-20", 45.0, 0), ("2026-09-29", None, 50.0, 1),
                     ("2026-11-30", None, 10.0, 0), ("2026-11-30", None, 4.0, 1),
                     ("2027-03-30", "2027-06-01", 30.0, 1), ("2027-09-29", None, 20.0, 1)]
    again = confirm_split(config, ticker="7203.T", day=TODAY, as_of=TODAY, sources=sources(config))
    assert (again.already, again.forecasts_rescaled, again.shares_after) == (True, 0, 300.0)
    assert "left alone" in again.message
    assert dividends(path) == after and rows(path, "SELECT shares FROM holdings") == [(300.0,)]


@pytest.mark.parametrize("trigger", [
    # The last step of the transaction fails: the shares and the forecasts were already written in it.
    "CREATE TRIGGER no_record BEFORE INSERT ON split_confirmations BEGIN SELECT RAISE(ABORT, 'no'); END",
    # The forecasts' write is refused after the share count was changed.
    "CREATE TRIGGER no_rescale BEFORE UPDATE OF amount_per_share ON dividends BEGIN SELECT RAISE(ABORT, 'no'); END",
])
def test_a_failure_half_way_through_leaves_the_ledger_as_it_was(tmp_path: Path, yahoo: FakeServer,
                                                                trigger: str) -> None:
    path = ledger(tmp_path)
    with sqlite3.connect(path) as conn:
        conn.execute(trigger)
        before = list(conn.iterdump())
    serve_split(yahoo, 3, 1)
    config = settings(path, yahoo)
    with pytest.raises(LifealmError, match="nothing was changed"):
        confirm_split(config, ticker="7203.T", day=TODAY, as_of=TODAY, sources=sources(config))
    with sqlite3.connect(path) as conn:
        assert list(conn.iterdump()) == before
        conn.execute(f"DROP TRIGGER {trigger.split()[2]}")
    # Nothing was recorded either: once the obstacle is gone, the confirmation does the whole job once.
    confirmed = confirm_split(config, ticker="7203.T", day=TODAY, as_of=TODAY, sources=sources(config))
    assert (confirmed.shares_after, confirmed.forecasts_rescaled) == (300.0, 2)
    assert [d[2] for d in dividends(path)] == [45.0, 30.0, 20.0]


def test_the_command_says_how_many_forecasts_it_rescaled_never_their_amounts(tmp_path: Path,
                                                                             yahoo: FakeServer) -> None:
    path = ledger(tmp_path)
    serve_split(yahoo, 3, 1)
    config = tmp_path / "config.toml"
    config.write_text(f'[update]\nyahoo_url = "{yahoo.url}"\necb_url = "http://127.0.0.1:9"\n'
                      'boj_url = "http://127.0.0.1:9"\nmin_interval = 0\nretries = 0\nbackoff = 0\n', "utf-8")
    _register()
    result = CliRunner().invoke(cli, ["update", "--db", str(path), "--config", str(config), "--as-of",
                                      "2026-11-30", "--confirm-split", "7203.T", "2026-11-30"])
    assert result.exit_code == 0, result.output
    (line,) = [text for text in result.output.splitlines() if text.startswith("7203.T: confirmed")]
    assert "2 forecast dividend row(s) from 2026-11-30 on rescaled" in line
    assert not re.search(r"\b(90|60|30|20)(\.0+)?\b", line.replace("2026-11-30", "")), line
    assert [d[2] for d in dividends(path)] == [45.0, 30.0, 20.0]


def test_the_rescale_is_exact_in_decimals(tmp_path: Path) -> None:
    path = ledger(tmp_path)
    with sqlite3.connect(path) as conn:
        write_rows(conn, "dividends", [row("dividends", ticker="7203.T", ex_date="2027-12-01", amount_per_share=0.3,
                                           is_projection=1)])
        rescaled = rescaled_forecasts(conn, "7203.T", date(2027, 9, 29), Decimal(3))
        with pytest.raises(ValueError, match="positive"):
            rescaled_forecasts(conn, "7203.T", TODAY, Decimal(0))
    # 0.3 ÷ 3 is 0.1 exactly in decimals (0.3 / 3 in binary floats is 0.09999999999999999); earlier rows are left out.
    assert [(r.ex_date, r.amount_per_share) for r in rescaled] == [(date(2027, 9, 29), Decimal(20)),
                                                                   (date(2027, 12, 1), Decimal("0.1"))]
