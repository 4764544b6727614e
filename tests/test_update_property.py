"""Properties: cross rates against exact fractions; no answer, however odd, makes a source raise."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from lifealm.update.config import UpdateConfig
from lifealm.update.http import HttpClient, HttpResponse
from lifealm.update.model import PriceAnswer
from lifealm.update.sources.boj import BojSource
from lifealm.update.sources.ecb import EcbSource, cross_rates
from lifealm.update.sources.toushin import ToushinSource
from lifealm.update.sources.yahoo import YahooSource

rates = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("99999"), places=4)


@given(usd=rates, jpy=rates)
def test_cross_rate_is_the_quotient_to_eight_digits(usd: Decimal, jpy: Decimal) -> None:
    day = date(2026, 4, 13)
    (rate,) = cross_rates({day: {"USD": usd, "JPY": jpy}}, "USD", "JPY", None, day)
    exact = Fraction(jpy) / Fraction(usd)
    assert abs(Fraction(rate.rate) - exact) <= exact * Fraction(1, 10**7)  # eight significant digits
    (back,) = cross_rates({day: {"USD": usd, "JPY": jpy}}, "JPY", "USD", None, day)
    assert abs(Fraction(back.rate) * exact - 1) <= Fraction(2, 10**7)


class Canned:
    """A transport that answers every request with the same bytes (no socket: these tests are about parsing)."""

    name = "canned"
    browser_like = True

    def __init__(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.answer = (status, body, content_type)

    def get(self, url: str, params: Mapping[str, str], timeout: float) -> HttpResponse:
        status, body, content_type = self.answer
        return HttpResponse(url, status, {"content-type": content_type}, body)

    def close(self) -> None:
        pass


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**20), max_value=10**20) | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(
        ["chart", "result", "error", "meta", "timestamp", "indicators", "quote", "close", "events", "dividends",
         "splits", "date", "amount", "numerator", "denominator", "currency", "exchangeTimezoneName",
         "currentTradingPeriod", "regular", "start", "end", "code", "description"]), inner, max_size=5),
    max_leaves=30)


def _answer(source: Any) -> PriceAnswer:
    answer: PriceAnswer = source.fetch("7203.T", date(2026, 1, 1), date(2026, 11, 30))
    assert (answer.series is None) != (answer.problem is None)
    return answer


@settings(max_examples=300, deadline=None)
@given(document=json_values, status=st.sampled_from([200, 404, 401]))
def test_yahoo_never_raises_on_odd_json(document: Any, status: int) -> None:
    config = UpdateConfig(min_interval=0, retries=0)
    body = json.dumps({"chart": {"result": [document], "error": None}} if status == 200 else document).encode()
    _answer(YahooSource(HttpClient(config, Canned(status, body)), config))


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=300) | st.text(max_size=200).map(
    lambda t: ("年月日,基準価額(円)\r\n" + t).encode("cp932", "replace")))
def test_toushin_never_raises_on_odd_bytes(body: bytes) -> None:
    config = UpdateConfig(min_interval=0, retries=0)
    source = ToushinSource(HttpClient(config, Canned(200, body, "text/plain; charset=utf-8")), config)
    answer = source.fetch("JP90C000H1T1/0331418A", None, date(2026, 11, 30))
    assert (answer.series is None) != (answer.problem is None)


stamps = st.integers(min_value=-(10**13), max_value=10**13) | st.none() | st.text(max_size=3)
closes = st.none() | st.floats(allow_nan=True, allow_infinity=True) | st.integers(-5, 10**6) | st.text(max_size=3)


@settings(max_examples=300, deadline=None)
@given(stamp_list=st.lists(stamps, max_size=6), close_list=st.lists(closes, max_size=6),
       events=st.dictionaries(st.text(max_size=3), st.fixed_dictionaries(
           {"date": stamps, "amount": closes, "numerator": closes, "denominator": closes}), max_size=3),
       regular=st.fixed_dictionaries({"start": stamps, "end": stamps}))
def test_yahoo_never_raises_on_odd_bars(stamp_list: list[Any], close_list: list[Any], events: dict[str, Any],
                                       regular: dict[str, Any]) -> None:
    meta = {"currency": "JPY", "exchangeTimezoneName": "Asia/Tokyo", "currentTradingPeriod": {"regular": regular}}
    result = {"meta": meta, "timestamp": stamp_list, "indicators": {"quote": [{"close": close_list}]},
              "events": {"dividends": events, "splits": events}}
    body = json.dumps({"chart": {"result": [result], "error": None}}).encode()
    config = UpdateConfig(min_interval=0, retries=0)
    answer = _answer(YahooSource(HttpClient(config, Canned(200, body)), config, clock=lambda: 1.79e9))
    if answer.series is not None:
        assert all(c.close > 0 and c.close.is_finite() for c in answer.series.closes)


@settings(max_examples=200, deadline=None)
@given(document=json_values, raw=st.binary(max_size=200))
def test_fx_sources_never_raise_on_odd_answers(document: Any, raw: bytes) -> None:
    config = UpdateConfig(min_interval=0, retries=0)
    boj = BojSource(HttpClient(config, Canned(200, json.dumps({"STATUS": 200, "RESULTSET": [document]}).encode())),
                    config).fetch_rates("USD", "JPY", None, date(2026, 11, 30))
    assert (boj.rates is None) != (boj.problem is None)
    ecb = EcbSource(HttpClient(config, Canned(200, raw, "text/xml")), config).fetch_rates("USD", "JPY", None,
                                                                                          date(2026, 11, 30))
    assert (ecb.rates is None) != (ecb.problem is None)
