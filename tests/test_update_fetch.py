"""The orchestration: fallback chains, windows, refusals, splits, dividends already known, progress, counts."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from update_fakes import (
    BOJ_PATH,
    TOUSHIN_PATH,
    YAHOO_429,
    YAHOO_NOT_FOUND,
    Bar,
    FakeServer,
    Reply,
    boj_json,
    chart,
    chart_path,
    ecb_xml,
    nav_csv,
    serving,
    toushin_reply,
    utc,
)

from lifealm.update import (
    FxRequest,
    History,
    ProblemKind,
    SecurityRequest,
    Sources,
    UpdateConfig,
    UpdateOptions,
    UpdateResult,
    default_chain,
    fetch_updates,
    parse_chain,
)
from lifealm.update.chain import ChainError, SourceRef
from lifealm.update.fetch import window

TODAY = date(2026, 11, 30)
NOW = float(utc(2026, 11, 30, 22))
WEEK = [utc(2026, 11, d) for d in (24, 25, 26, 27, 30)]


@pytest.fixture
def fake() -> Iterator[FakeServer]:
    """Yahoo's stand-in; the other sources get a server each, on another port, as they live on other hosts."""
    with serving() as server:
        yield server


@pytest.fixture
def others() -> Iterator[dict[str, FakeServer]]:
    with serving() as ecb, serving() as boj, serving() as toushin:
        OTHERS.update(ecb=ecb, boj=boj, toushin=toushin)
        yield OTHERS
        OTHERS.clear()


OTHERS: dict[str, FakeServer] = {}


def config(fake: FakeServer) -> UpdateConfig:
    def url(name: str) -> str:
        return OTHERS[name].url if name in OTHERS else "http://127.0.0.1:9"

    return UpdateConfig(yahoo_url=fake.url, ecb_url=url("ecb") + "/ecb", boj_url=url("boj"),
                        toushin_url=url("toushin"), min_interval=0, backoff=0, retries=1)


def run(fake: FakeServer, securities: list[SecurityRequest], currencies: list[FxRequest] | None = None,
        **options: Any) -> UpdateResult:
    settings = config(fake)
    return fetch_updates(securities, currencies or [], UpdateOptions(today=TODAY, **options),
                         settings, sources=Sources.standard(settings, clock=lambda: NOW))


def week(symbol: str, **extra: object) -> Reply:
    return Reply(body=chart(symbol, [Bar(s, 3000.0 + i) for i, s in enumerate(WEEK)], **extra))  # type: ignore[arg-type]


def test_each_security_gets_only_what_is_new_and_one_failure_blocks_nobody(fake: FakeServer) -> None:
    fake.route(chart_path("7203.T"), week("7203.T"))
    fake.route(chart_path("0000.T"), Reply(404, YAHOO_NOT_FOUND))
    fake.route(chart_path("6758.T"), week("6758.T"))
    seen: list[tuple[int, int, str]] = []
    result = fetch_updates(
        [SecurityRequest("7203.T", "JPY", last_stored=date(2026, 11, 26)), SecurityRequest("0000.T", "JPY"),
         SecurityRequest("6758", "JPY", source="yahoo:6758.T")], [], UpdateOptions(today=TODAY), config(fake),
        progress=lambda done, total, label: seen.append((done, total, label)),
        sources=Sources.standard(config(fake), clock=lambda: NOW))
    toyota, unknown, sony = result.securities
    assert [(p.price_date, p.close) for p in toyota.prices] == [(date(2026, 11, 27), Decimal("3003.0")),
                                                                (date(2026, 11, 30), Decimal("3004.0"))]
    assert toyota.source == "yahoo:7203.T" and toyota.problem is None and toyota.requests == 1
    assert unknown.prices == () and unknown.source is None
    assert unknown.problem is not None and "No data found, symbol may be delisted" in unknown.problem
    assert len(sony.prices) == 5 and sony.last_date == TODAY
    assert seen == [(1, 3, "7203.T"), (2, 3, "0000.T"), (3, 3, "6758")]
    assert result.requests == 3 and result.failed == ("0000.T",)
    assert [f.code for f in result.findings()] == ["update_failed"]
    # 7203.T was asked from a week before its last stored close, to catch late dividends and corrections.
    assert int(fake.seen[0].query["period1"]) <= utc(2026, 11, 19)


def test_the_fallback_chain_answers_when_the_first_source_cannot(fake: FakeServer,
                                                                others: dict[str, FakeServer]) -> None:
    fake.route(chart_path("JPFUND"), YAHOO_429)
    others["toushin"].route(TOUSHIN_PATH, toushin_reply(nav_csv([(date(2026, 11, 27), 20053, None)])))
    (fund,) = run(fake, [SecurityRequest("オルカン", "JPY", source="yahoo:JPFUND, toushin:JP90C000H1T1/0331418A",
                                         last_stored=date(2026, 11, 26))]).securities
    assert fund.source == "toushin:JP90C000H1T1/0331418A" and fund.problem is None
    assert [(p.price_date, p.close, p.source) for p in fund.prices] == [(date(2026, 11, 27), Decimal("2.0053"),
                                                                        "toushin")]
    assert [a.kind for a in fund.attempts] == [ProblemKind.RATE_LIMITED]
    assert fund.requests == 3  # two to Yahoo (one retry), one to the 投信協会


def test_a_currency_the_ledger_does_not_hold_is_refused(fake: FakeServer) -> None:
    fake.route(chart_path("VOO"), week("VOO", currency="USD", zone="America/New_York"))
    (voo,) = run(fake, [SecurityRequest("VOO", "JPY")]).securities
    assert voo.prices == () and voo.problem is not None
    assert voo.attempts[0].kind is ProblemKind.CURRENCY_MISMATCH
    assert "reports prices in USD but the ledger holds this security in JPY" in voo.problem


def test_a_dividend_already_in_the_ledger_is_not_returned_again(fake: FakeServer) -> None:
    fake.route(chart_path("8591.T"), week("8591.T", dividends=[(utc(2026, 9, 29), 60.0), (utc(2026, 11, 26), 50.0)]))
    (orix,) = run(fake, [SecurityRequest("8591.T", "JPY", known_dividends=frozenset({date(2026, 9, 29)}))],
                  history=History.MAX).securities
    assert [(d.ex_date, d.amount_per_share) for d in orix.dividends] == [(date(2026, 11, 26), Decimal("50.0"))]
    (again,) = run(fake, [SecurityRequest("8591.T", "JPY", known_dividends=frozenset({date(2026, 9, 29),
                                                                                      date(2026, 11, 26)}))],
                   history=History.MAX).securities
    assert again.dividends == ()


def test_a_new_split_withholds_the_rows_and_asks_for_confirmation(fake: FakeServer) -> None:
    fake.route(chart_path("7974.T"), week("7974.T", splits=[(utc(2026, 11, 27), 10, 1)]))
    (nintendo,) = run(fake, [SecurityRequest("7974.T", "JPY", last_stored=date(2026, 11, 25))]).securities
    assert nintendo.prices == () and nintendo.withheld == 3  # 26, 27 and 30 November
    (split,) = nintendo.splits
    assert split.needs_confirmation and split.factor == Decimal(10)
    codes = {f.code: f.detail_dict() for f in nintendo.findings()}
    assert codes["split_needs_confirmation"]["ratio"] == "10:1"
    assert codes["split_needs_confirmation"]["factor"] == 10.0
    assert "update_withheld" in codes
    # Once the user has confirmed it (and changed the share count), the rows come through.
    (confirmed,) = run(fake, [SecurityRequest("7974.T", "JPY", last_stored=date(2026, 11, 25),
                                              confirmed_splits=frozenset({date(2026, 11, 27)}))]).securities
    assert len(confirmed.prices) == 3 and confirmed.withheld == 0
    assert [f.code for f in confirmed.findings()] == ["split_reported"]


def test_a_split_before_the_stored_history_is_only_reported(fake: FakeServer) -> None:
    fake.route(chart_path("7974.T"), week("7974.T", splits=[(utc(2026, 11, 24), 10, 1)]))
    (nintendo,) = run(fake, [SecurityRequest("7974.T", "JPY", last_stored=date(2026, 11, 26))]).securities
    assert len(nintendo.prices) == 2 and not nintendo.splits[0].needs_confirmation
    assert [f.code for f in nintendo.findings()] == ["split_reported"]


def test_skipped_bars_are_findings_not_silence(fake: FakeServer) -> None:
    fake.route(chart_path("7203.T"), Reply(body=chart("7203.T", [Bar(utc(2026, 11, 27), 3000.0),
                                                                  Bar(utc(2026, 11, 30), None)])))
    (toyota,) = run(fake, [SecurityRequest("7203.T", "JPY")]).securities
    assert len(toyota.prices) == 1
    assert [f.detail_dict()["note"] for f in toyota.findings()] == ["1 bar(s) without a close skipped"]


def test_fx_for_every_currency_in_use_with_the_boj_as_fallback(fake: FakeServer,
                                                               others: dict[str, FakeServer]) -> None:
    others["ecb"].route("/ecb/eurofxref-hist-90d.xml", Reply(500, b"Internal Server Error", "text/plain"))
    others["boj"].route(BOJ_PATH, Reply(body=boj_json([20261127, 20261130], [156.5, None])))
    result = run(fake, [], [FxRequest("USD", last_stored=date(2026, 11, 26)), FxRequest("EUR"), FxRequest("JPY")],
                 prices=False, dividends=False)
    usd, eur = result.fx
    assert usd.source == "boj" and [(r.rate_date, r.rate) for r in usd.rates] == [(date(2026, 11, 27),
                                                                                   Decimal("156.5"))]
    assert [a.kind for a in usd.attempts] == [ProblemKind.SERVER_ERROR]
    assert eur.rates == () and eur.problem is not None and "publishes only USD/JPY" in eur.problem
    # The ECB failed once this run (first try and one retry): not asked again for the next currency.
    assert eur.requests == 0 and len(others["ecb"].seen) == 2
    assert result.securities == ()


def test_fx_cross_rates_from_the_ecb(fake: FakeServer, others: dict[str, FakeServer]) -> None:
    others["ecb"].route("/ecb/eurofxref-hist-90d.xml", Reply(body=ecb_xml([("2026-11-27", {"USD": "1.0500",
                                                                                   "JPY": "164.85"})])))
    (usd,) = run(fake, [], [FxRequest("USD")]).fx
    assert [(r.rate_date, r.rate, r.base, r.source) for r in usd.rates] == [
        (date(2026, 11, 27), Decimal("157"), "JPY", "ecb")]  # 164.85 / 1.05 = 157 exactly


def test_a_chain_that_cannot_be_read_blocks_only_its_security(fake: FakeServer) -> None:
    fake.route(chart_path("7203.T"), week("7203.T"))
    odd, toyota = run(fake, [SecurityRequest("X", "JPY", source="bloomberg:X"),
                             SecurityRequest("7203.T", "JPY")]).securities
    assert odd.problem is not None and "unknown price source 'bloomberg:X'" in odd.problem
    assert len(toyota.prices) == 5


def test_a_command_source_runs_in_the_chain(fake: FakeServer, tmp_path: Path) -> None:
    script = tmp_path / "nav.py"
    script.write_text("print('2026-11-27,1234.5,JPY')\n", encoding="utf-8")
    (own,) = run(fake, [SecurityRequest("MYFUND", "JPY", source=f"command:{sys.executable} {script}")]).securities
    assert [(p.price_date, p.close, p.source) for p in own.prices] == [(date(2026, 11, 27), Decimal("1234.5"),
                                                                       "command")]


def test_narrowing_to_dividends_leaves_prices_out(fake: FakeServer) -> None:
    fake.route(chart_path("8591.T"), week("8591.T", dividends=[(utc(2026, 11, 26), 50.0)]))
    (orix,) = run(fake, [SecurityRequest("8591.T", "JPY")], prices=False).securities
    assert orix.prices == () and len(orix.dividends) == 1


def test_windows() -> None:
    settings = UpdateConfig()
    assert window(None, UpdateOptions(today=TODAY), settings) == (date(2026, 10, 31), TODAY)
    assert window(date(2026, 11, 27), UpdateOptions(today=TODAY), settings) == (date(2026, 11, 20), TODAY)
    assert window(date(2026, 11, 27), UpdateOptions(today=TODAY, since=date(2020, 1, 1)), settings) == (
        date(2020, 1, 1), TODAY)
    assert window(date(2026, 11, 27), UpdateOptions(today=TODAY, history=History.MAX), settings) == (None, TODAY)


def test_chains() -> None:
    assert parse_chain("yahoo:7203.T,toushin:JP90C000H1T1/0331418A") == (
        SourceRef("yahoo", "7203.T"), SourceRef("toushin", "JP90C000H1T1/0331418A"))
    assert parse_chain("command:quote --fields date,close ,yahoo:VOO") == (
        SourceRef("command", "quote --fields date,close"), SourceRef("yahoo", "VOO"))
    assert default_chain("7203.T") == default_chain("7203") == (SourceRef("yahoo", "7203.T"),)
    assert default_chain("285A") == (SourceRef("yahoo", "285A.T"),)
    assert default_chain("jp90c000h1t1/0331418a") == (SourceRef("toushin", "JP90C000H1T1/0331418A"),)
    assert default_chain("VOO") == (SourceRef("yahoo", "VOO"),)
    assert default_chain("eMAXIS Slim 全世界株式") == ()
    for bad in ("yahoo", "yahoo:", "stooq:7203.jp", ""):
        with pytest.raises(ChainError):
            parse_chain(bad)
