"""ECB cross rates and the Bank of Japan's USD/JPY against fakes answering in their recorded formats."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from update_fakes import BOJ_PATH, FakeServer, Reply, boj_json, ecb_xml, serving

from lifealm.update.config import UpdateConfig
from lifealm.update.http import HttpClient, UrllibTransport
from lifealm.update.model import FxAnswer, ProblemKind, RateSeries
from lifealm.update.sources.boj import BojSource
from lifealm.update.sources.ecb import FULL_FILE, RECENT_FILE, EcbSource

APRIL = [("2026-04-13", {"USD": "1.1684", "JPY": "186.75", "GBP": "0.87058"}),
         ("2026-04-10", {"USD": "1.1700", "JPY": "187.00", "GBP": "0.87000"})]


@pytest.fixture
def fake() -> Iterator[FakeServer]:
    with serving() as server:
        yield server


def config(fake: FakeServer) -> UpdateConfig:
    return UpdateConfig(ecb_url=fake.url + "/stats/eurofxref", boj_url=fake.url, min_interval=0, backoff=0,
                        retries=1)


def ok(answer: FxAnswer) -> RateSeries:
    assert answer.problem is None, answer.problem
    assert answer.rates is not None
    return answer.rates


def test_jpy_per_usd_is_eur_jpy_over_eur_usd(fake: FakeServer) -> None:
    fake.route("/stats/eurofxref/" + RECENT_FILE, Reply(body=ecb_xml(APRIL), content_type="text/xml"))
    ecb = EcbSource(HttpClient(config(fake), UrllibTransport()), config(fake))
    usd = ok(ecb.fetch_rates("USD", "JPY", date(2026, 4, 1), date(2026, 4, 13)))
    # By hand: 186.75 / 1.1684 = 159.833961…, 187.00 / 1.1700 = 159.829059…; eight significant digits kept.
    assert [(r.day, r.rate) for r in usd.rates] == [(date(2026, 4, 10), Decimal("159.82906")),
                                                    (date(2026, 4, 13), Decimal("159.83396"))]
    eur = ok(ecb.fetch_rates("EUR", "JPY", date(2026, 4, 11), date(2026, 4, 13)))
    assert [(r.day, r.rate) for r in eur.rates] == [(date(2026, 4, 13), Decimal("186.75"))]
    gbp = ok(ecb.fetch_rates("GBP", "JPY", date(2026, 4, 13), date(2026, 4, 13)))
    assert gbp.rates[0].rate == Decimal("214.51216")  # 186.75 / 0.87058 = 214.512164…
    assert len(fake.seen) == 1  # one document for every currency of the run


def test_a_usd_base_inverts_through_the_euro(fake: FakeServer) -> None:
    fake.route("/stats/eurofxref/" + RECENT_FILE, Reply(body=ecb_xml(APRIL[:1]), content_type="text/xml"))
    ecb = EcbSource(HttpClient(config(fake), UrllibTransport()), config(fake))
    jpy = ok(ecb.fetch_rates("JPY", "USD", date(2026, 4, 13), date(2026, 4, 13)))
    assert jpy.rates[0].rate == Decimal("0.0062564926")  # 1.1684 / 186.75 = 0.006256492637…


def test_older_history_reads_the_full_file(fake: FakeServer) -> None:
    fake.route("/stats/eurofxref/" + FULL_FILE, Reply(body=ecb_xml(APRIL), content_type="text/xml"))
    ecb = EcbSource(HttpClient(config(fake), UrllibTransport()), config(fake))
    ok(ecb.fetch_rates("USD", "JPY", date(2026, 4, 13) - timedelta(days=400), date(2026, 4, 13)))
    ok(ecb.fetch_rates("USD", "JPY", None, date(2026, 4, 13)))
    assert fake.paths() == ["/stats/eurofxref/" + FULL_FILE]


def test_a_currency_the_ecb_does_not_publish(fake: FakeServer) -> None:
    fake.route("/stats/eurofxref/" + RECENT_FILE, Reply(body=ecb_xml(APRIL), content_type="text/xml"))
    ecb = EcbSource(HttpClient(config(fake), UrllibTransport()), config(fake))
    answer = ecb.fetch_rates("VND", "JPY", date(2026, 4, 1), date(2026, 4, 13))
    assert answer.problem is not None and answer.problem.kind is ProblemKind.UNSUPPORTED
    assert "VND" in answer.problem.message


@pytest.mark.parametrize(("reply", "kind"), [
    (Reply(200, b"<html><head><title>Maintenance</title></head></html>", "text/html"), ProblemKind.MALFORMED),
    (Reply(200, b"Date,USD,JPY,\n2026-04-13,1.1684,186.75,\n", "text/csv"), ProblemKind.MALFORMED),
    (Reply(200, b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "text/xml"),
     ProblemKind.MALFORMED),
    (Reply(500, b"Internal Server Error", "text/plain"), ProblemKind.SERVER_ERROR),
])
def test_ecb_failures_quote_the_answer(fake: FakeServer, reply: Reply, kind: ProblemKind) -> None:
    fake.route("/stats/eurofxref/" + RECENT_FILE, reply)
    ecb = EcbSource(HttpClient(config(fake), UrllibTransport()), config(fake))
    answer = ecb.fetch_rates("USD", "JPY", date(2026, 4, 1), date(2026, 4, 13))
    assert answer.problem is not None and answer.problem.kind is kind and answer.problem.quoted


def test_boj_usd_jpy_skips_the_weekend_nulls(fake: FakeServer) -> None:
    fake.route(BOJ_PATH, Reply(body=boj_json([20260301, 20260302, 20260303, 20260307],
                                             [None, 156.99, 157.42, None])))
    boj = BojSource(HttpClient(config(fake), UrllibTransport()), config(fake))
    usd = ok(boj.fetch_rates("USD", "JPY", date(2026, 3, 1), date(2026, 3, 31)))
    assert [(r.day, r.rate) for r in usd.rates] == [(date(2026, 3, 2), Decimal("156.99")),
                                                    (date(2026, 3, 3), Decimal("157.42"))]
    query = fake.seen[0].query
    assert (query["db"], query["code"], query["startDate"], query["endDate"]) == ("FM08", "FXERD04", "202603",
                                                                                  "202603")


def test_boj_follows_next_position(fake: FakeServer) -> None:
    fake.route(BOJ_PATH, Reply(body=boj_json([20260302], [156.99], next_position=2)),
               Reply(body=boj_json([20260303], [157.42])))
    boj = BojSource(HttpClient(config(fake), UrllibTransport()), config(fake))
    usd = ok(boj.fetch_rates("USD", "JPY", date(2026, 3, 1), date(2026, 3, 31)))
    assert len(usd.rates) == 2 and fake.seen[1].query["startPosition"] == "2"


def test_boj_answers_only_usd_jpy_and_quotes_its_errors(fake: FakeServer) -> None:
    boj = BojSource(HttpClient(config(fake), UrllibTransport()), config(fake))
    other = boj.fetch_rates("EUR", "JPY", date(2026, 3, 1), date(2026, 3, 31))
    assert other.problem is not None and other.problem.kind is ProblemKind.UNSUPPORTED and fake.seen == []
    fake.route(BOJ_PATH, Reply(body=b'{"STATUS":400,"MESSAGEID":"M181005E","MESSAGE":"Invalid parameter: '
                               b'startDate"}'))
    bad = boj.fetch_rates("USD", "JPY", date(2026, 3, 1), date(2026, 3, 31))
    assert bad.problem is not None and bad.problem.quoted == "Invalid parameter: startDate"
