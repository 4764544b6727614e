"""Yahoo chart v8 against a fake on 127.0.0.1 answering in the recorded format: dates, closes, events, failures."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from update_fakes import (
    EDGE_429,
    YAHOO_429,
    YAHOO_NOT_FOUND,
    Bar,
    FakeServer,
    Reply,
    chart,
    chart_path,
    serving,
    utc,
)

from lifealm.update.config import UpdateConfig
from lifealm.update.http import HttpClient, UrllibTransport
from lifealm.update.model import PriceAnswer, ProblemKind, Series
from lifealm.update.sources.yahoo import YahooSource

NOW = utc(2026, 11, 30, 22, 0)  # 07:00 on Tuesday 1 December in Tokyo: Monday's session long closed


@pytest.fixture
def fake() -> Iterator[FakeServer]:
    with serving() as server:
        yield server


def yahoo(fake: FakeServer, *, now: int = NOW, retries: int = 2) -> YahooSource:
    config = UpdateConfig(yahoo_url=fake.url, min_interval=0, backoff=0, retries=retries, timeout=5)
    return YahooSource(HttpClient(config), config, clock=lambda: float(now))


def ok(answer: PriceAnswer) -> Series:
    assert answer.problem is None, answer.problem
    assert answer.series is not None
    return answer.series


def test_tokyo_bars_dated_in_tokyo_with_the_raw_close_not_adjclose(fake: FakeServer) -> None:
    # TSE bars sit at 00:00 UTC = 09:00 JST (1730851200 is the recorded 2024-11-06 bar).
    assert utc(2024, 11, 6) == 1730851200
    fake.route(chart_path("7203.T"), Reply(body=chart("7203.T", [
        Bar(utc(2024, 11, 5), 2856.5, adjclose=2700.1), Bar(1730851200, 2893.5, adjclose=2740.0)])))
    series = ok(yahoo(fake).fetch("7203.T", date(2024, 11, 1), date(2024, 11, 6)))
    assert series.currency == "JPY"
    assert [(c.day, c.close) for c in series.closes] == [(date(2024, 11, 5), Decimal("2856.5")),
                                                         (date(2024, 11, 6), Decimal("2893.5"))]
    query = fake.seen[0].query
    assert query["interval"] == "1d" and query["events"] == "div,splits"
    assert int(query["period1"]) <= utc(2024, 11, 1) and int(query["period2"]) >= utc(2024, 11, 7)


def test_us_symbol_across_the_dst_change_uses_the_zone_not_the_fixed_offset(fake: FakeServer) -> None:
    # Bars stamped at midnight New York time: 05:00 UTC in winter (EST), 04:00 UTC in summer time (EDT, from
    # 8 March 2026). The meta's single gmtoffset says EST (-18000): applied to 9 March's 04:00 UTC stamp it
    # would give 23:00 on 8 March, a Sunday.
    fake.route(chart_path("VOO"), Reply(body=chart("VOO", [
        Bar(utc(2026, 3, 6, 5), 100.0), Bar(utc(2026, 3, 9, 4), 101.0), Bar(utc(2026, 3, 10, 4), 102.0)],
        currency="USD", zone="America/New_York", gmtoffset=-18000)))
    series = ok(yahoo(fake).fetch("VOO", date(2026, 3, 1), date(2026, 3, 10)))
    assert [c.day for c in series.closes] == [date(2026, 3, 6), date(2026, 3, 9), date(2026, 3, 10)]
    assert series.currency == "USD"


def test_null_bars_are_skipped_and_counted(fake: FakeServer) -> None:
    fake.route(chart_path("7203.T"), Reply(body=chart("7203.T", [
        Bar(utc(2026, 11, 2), 3000.0), Bar(utc(2026, 11, 3), None), Bar(utc(2026, 11, 4), 3010.0)])))
    series = ok(yahoo(fake).fetch("7203.T", date(2026, 11, 1), date(2026, 11, 30)))
    assert [c.day for c in series.closes] == [date(2026, 11, 2), date(2026, 11, 4)]
    assert series.null_bars_skipped == 1


def test_an_unfinished_live_session_is_not_a_close(fake: FakeServer) -> None:
    # Monday 30 November, 11:00 in Tokyo (02:00 UTC): the session runs 00:00–06:30 UTC (09:00–15:30 JST).
    session = (utc(2026, 11, 30, 0), utc(2026, 11, 30, 6, 30))
    body = chart("7203.T", [Bar(utc(2026, 11, 27), 3000.0), Bar(utc(2026, 11, 30), 3050.0)],
                 regular=session, market_time=utc(2026, 11, 30, 2))
    fake.route(chart_path("7203.T"), Reply(body=body))
    during = ok(yahoo(fake, now=utc(2026, 11, 30, 2)).fetch("7203.T", date(2026, 11, 20), date(2026, 11, 30)))
    assert [c.day for c in during.closes] == [date(2026, 11, 27)]
    assert during.live_bar_dropped == date(2026, 11, 30)
    after = ok(yahoo(fake, now=utc(2026, 11, 30, 7)).fetch("7203.T", date(2026, 11, 20), date(2026, 11, 30)))
    assert [c.day for c in after.closes] == [date(2026, 11, 27), date(2026, 11, 30)]
    assert after.live_bar_dropped is None


def test_dividend_and_split_events_come_with_the_closes(fake: FakeServer) -> None:
    fake.route(chart_path("AAPL"), Reply(body=chart("AAPL", [Bar(utc(2026, 8, 10, 13, 30), 200.0)],
                                                    currency="USD", zone="America/New_York",
                                                    dividends=[(utc(2026, 8, 10, 13, 30), 0.26)],
                                                    splits=[(utc(2026, 8, 10, 13, 30), 4, 1)])))
    series = ok(yahoo(fake).fetch("AAPL", date(2026, 8, 1), date(2026, 8, 31)))
    assert [(d.ex_date, d.amount) for d in series.dividends] == [(date(2026, 8, 10), Decimal("0.26"))]
    (split,) = series.splits
    assert (split.day, split.ratio, split.factor) == (date(2026, 8, 10), "4:1", Decimal(4))


def test_pence_are_normalised_to_pounds(fake: FakeServer) -> None:
    fake.route(chart_path("VUSA.L"), Reply(body=chart("VUSA.L", [Bar(utc(2026, 11, 2, 8), 8123.0)],
                                                      currency="GBp", zone="Europe/London",
                                                      dividends=[(utc(2026, 11, 2, 8), 25.0)])))
    series = ok(yahoo(fake).fetch("VUSA.L", date(2026, 11, 1), date(2026, 11, 30)))
    assert series.currency == "GBP"
    assert series.closes[0].close == Decimal("81.23")
    assert series.dividends[0].amount == Decimal("0.25")


def test_unknown_symbol_quotes_yahoos_words(fake: FakeServer) -> None:
    fake.route(chart_path("NOPE.T"), Reply(404, YAHOO_NOT_FOUND))
    answer = yahoo(fake).fetch("NOPE.T", date(2026, 11, 1), date(2026, 11, 30))
    assert answer.problem is not None
    assert answer.problem.kind is ProblemKind.NOT_FOUND and answer.problem.status == 404
    assert answer.problem.quoted == "Not Found: No data found, symbol may be delisted"
    assert len(fake.seen) == 1  # a 404 is an answer, not retried


def test_rate_limit_is_retried_then_stops_the_run_for_yahoo(fake: FakeServer) -> None:
    fake.route(chart_path("7203.T"), YAHOO_429)
    fake.route(chart_path("6758.T"), Reply(body=chart("6758.T", [Bar(utc(2026, 11, 2), 1.0)])))
    source = yahoo(fake, retries=2)
    first = source.fetch("7203.T", date(2026, 11, 1), date(2026, 11, 30))
    assert first.problem is not None and first.problem.kind is ProblemKind.RATE_LIMITED
    assert first.problem.quoted == "Too Many Requests" and "3 time(s)" in first.problem.message
    assert len(fake.seen) == 3
    second = source.fetch("6758.T", date(2026, 11, 1), date(2026, 11, 30))
    assert second.problem is not None and second.problem.kind is ProblemKind.STOPPED
    assert second.problem.quoted == "Too Many Requests"
    assert len(fake.seen) == 3  # not asked again in this run


def test_a_server_error_then_success_is_retried(fake: FakeServer) -> None:
    fake.route(chart_path("7203.T"), Reply(500, b"<html><title>Internal Server Error</title></html>", "text/html"),
               EDGE_429, Reply(body=chart("7203.T", [Bar(utc(2026, 11, 2), 3000.0)])))
    series = ok(yahoo(fake).fetch("7203.T", date(2026, 11, 1), date(2026, 11, 30)))
    assert len(series.closes) == 1 and len(fake.seen) == 3


def test_a_server_error_every_time_ends_with_its_words(fake: FakeServer) -> None:
    fake.route(chart_path("7203.T"), Reply(500, b"upstream connect error", "text/plain"))
    answer = yahoo(fake, retries=1).fetch("7203.T", date(2026, 11, 1), date(2026, 11, 30))
    assert answer.problem is not None and answer.problem.kind is ProblemKind.SERVER_ERROR
    assert answer.problem.status == 500 and answer.problem.quoted == "upstream connect error"


@pytest.mark.parametrize(("body", "content_type", "quoted"), [
    (b'{"chart":{"result":[{"meta":', "application/json", '{"chart":{"result":[{"meta":'),
    (b"<!DOCTYPE html><html><head><title>Yahoo is part of the Yahoo family of brands</title></head></html>",
     "text/html; charset=utf-8", "Yahoo is part of the Yahoo family of brands"),
    (b'{"chart":{"result":[{"meta":{"currency":"JPY","exchangeTimezoneName":"Asia/Tokyo"},'
     b'"timestamp":[1730851200],"indicators":{"quote":[{"close":[1,2]}]}}],"error":null}}', "application/json", ""),
])
def test_malformed_answers_become_problems(fake: FakeServer, body: bytes, content_type: str, quoted: str) -> None:
    fake.route(chart_path("7203.T"), Reply(200, body, content_type))
    answer = yahoo(fake).fetch("7203.T", date(2026, 11, 1), date(2026, 11, 30))
    assert answer.problem is not None and answer.problem.kind is ProblemKind.MALFORMED
    assert answer.problem.quoted == quoted


def test_a_missing_time_zone_is_refused_rather_than_guessed(fake: FakeServer) -> None:
    fake.route(chart_path("7203.T"), Reply(body=chart("7203.T", [Bar(utc(2026, 11, 2), 3000.0)], zone=None)))
    answer = yahoo(fake).fetch("7203.T", date(2026, 11, 1), date(2026, 11, 30))
    assert answer.problem is not None and "exchangeTimezoneName" in answer.problem.message


def test_without_curl_cffi_yahoo_says_how_to_install_it(fake: FakeServer) -> None:
    config = UpdateConfig(yahoo_url=fake.url)
    answer = YahooSource(HttpClient(config, UrllibTransport()), config).fetch("7203.T", None, date(2026, 11, 30))
    assert answer.problem is not None and answer.problem.kind is ProblemKind.MISSING_DEPENDENCY
    assert "pip install 'lifealm[update]'" in answer.problem.message
    assert fake.seen == []


def test_default_transport_falls_back_to_the_standard_library(monkeypatch: pytest.MonkeyPatch) -> None:
    from lifealm.update.http import default_transport

    monkeypatch.setitem(sys.modules, "curl_cffi", None)  # as if the extra were not installed
    assert default_transport().name == "urllib"
