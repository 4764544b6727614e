"""Yahoo chart v8: raw daily closes, dividends and splits for Tokyo (`7203.T`) and US listings in one request."""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lifealm.update.config import UpdateConfig
from lifealm.update.http import INSTALL_HINT, HttpClient, HttpFailure, HttpResponse
from lifealm.update.model import Close, Dividend, PriceAnswer, ProblemKind, Series, Split
from lifealm.update.sources.common import (
    SHAPE_ERRORS,
    SourceFailure,
    in_window,
    load_json,
    normalise_currency,
    positive_decimal,
    problem,
)

NAME = "yahoo"
_EARLIEST = -2208988800  # 1900-01-01: "everything Yahoo has", as period1
_PAD = timedelta(days=2)  # ask a little wider than the window: bars are dated by the exchange's day, not UTC's


class YahooSource:
    """One GET of /v8/finance/chart/{symbol} per symbol; needs a browser-like TLS client (curl_cffi)."""

    name = NAME

    def __init__(self, client: HttpClient, config: UpdateConfig, clock: Callable[[], float] = time.time) -> None:
        self._client = client
        self._base = config.yahoo_url.rstrip("/")
        self._clock = clock  # Unix seconds now: decides whether today's session has finished

    def fetch(self, symbol: str, start: date | None, end: date) -> PriceAnswer:
        if not self._client.transport.browser_like:
            return PriceAnswer(NAME, problem=problem(NAME, symbol, SourceFailure(
                ProblemKind.MISSING_DEPENDENCY, "Yahoo refuses clients that do not look like a browser, and "
                f"curl_cffi (which does) is not installed: {INSTALL_HINT}")))
        try:
            answer = self._client.get(self._url(symbol), self._params(start, end))
            series = self._read(symbol, answer, start, end)
        except (SourceFailure, HttpFailure) as error:
            return PriceAnswer(NAME, problem=problem(NAME, symbol, error))
        return PriceAnswer(NAME, series=series)

    def _url(self, symbol: str) -> str:
        return f"{self._base}/v8/finance/chart/{urllib.parse.quote(symbol, safe='')}"

    @staticmethod
    def _params(start: date | None, end: date) -> dict[str, str]:
        first = _EARLIEST if start is None else _epoch(start - _PAD)
        return {"period1": str(first), "period2": str(_epoch(end + _PAD)), "interval": "1d",
                "events": "div,splits", "includePrePost": "false"}

    def _read(self, symbol: str, answer: HttpResponse, start: date | None, end: date) -> Series:
        if answer.status >= 400:
            raise _error_answer(answer)
        document = load_json(answer, "the chart JSON")
        try:
            chart = document["chart"]
            if chart.get("error"):
                raise _chart_error(chart["error"], answer.status)
            results = chart.get("result") or []
            if not results:
                raise SourceFailure(ProblemKind.NOT_FOUND, "answered with no result for this symbol", "",
                                    answer.status)
            return _series(symbol, results[0], start, end, self._clock())
        except SHAPE_ERRORS as error:
            raise SourceFailure(ProblemKind.MALFORMED, "answered JSON that is not in the chart format "
                                f"({type(error).__name__}: {error})", answer.excerpt(), answer.status) from error


def _series(symbol: str, result: Mapping[str, Any], start: date | None, end: date, now: float) -> Series:
    meta = result["meta"]
    if not meta.get("currency"):
        raise SourceFailure(ProblemKind.MALFORMED, "did not say which currency the prices are in")
    currency, divisor = normalise_currency(str(meta["currency"]))
    zone = _zone(meta)
    stamps: list[Any] = result.get("timestamp") or []
    quote = (result.get("indicators", {}).get("quote") or [{}])[0]
    closes_raw: list[Any] = quote.get("close") or [None] * len(stamps)  # never "adjclose": it removes dividends
    if len(closes_raw) != len(stamps):
        raise SourceFailure(ProblemKind.MALFORMED, f"gave {len(stamps)} timestamps but {len(closes_raw)} closes")
    by_day: dict[date, Decimal] = {}
    nulls = 0
    for stamp, raw in zip(stamps, closes_raw, strict=True):
        price = positive_decimal(raw)
        if price is None:  # a holiday, a halted day: no close, nothing stored
            nulls += 1
            continue
        by_day[_day(stamp, zone)] = price / divisor  # a later bar for the same day wins (Yahoo repeats the live one)
    live = _unfinished_session(meta, zone, max(by_day) if by_day else None, now)
    if live is not None:
        del by_day[live]
    closes = tuple(Close(day, price) for day, price in sorted(by_day.items()) if in_window(day, start, end))
    events = result.get("events") or {}
    dividends, notes = _dividends(events.get("dividends") or {}, zone, currency, divisor, start, end)
    splits = _splits(events.get("splits") or {}, zone, start, end)
    return Series(symbol, currency, closes, dividends, splits, nulls, live, notes)


def _zone(meta: Mapping[str, Any]) -> ZoneInfo:
    """The exchange's own time zone by name; the fixed `gmtoffset` is wrong across a DST change, so never used."""
    name = meta.get("exchangeTimezoneName")
    if not name:
        raise SourceFailure(ProblemKind.MALFORMED, "did not name the exchange's time zone (exchangeTimezoneName)")
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise SourceFailure(ProblemKind.MALFORMED, f"named an unknown time zone {name!r}") from error


def _unfinished_session(meta: Mapping[str, Any], zone: ZoneInfo, last: date | None, now: float) -> date | None:
    """The last bar's day when it belongs to a regular session that has not closed yet: not a close."""
    if last is None:
        return None
    regular = (meta.get("currentTradingPeriod") or {}).get("regular") or {}
    if "start" in regular and "end" in regular:
        session_day = _day(regular["start"], zone)
        return last if last == session_day and now < float(regular["end"]) else None
    # Without the session's hours, a bar dated today (on the exchange) may still be moving: leave it for tomorrow.
    return last if last >= _day(now, zone) else None


def _dividends(raw: Mapping[str, Any], zone: ZoneInfo, currency: str, divisor: Decimal, start: date | None,
               end: date) -> tuple[tuple[Dividend, ...], tuple[str, ...]]:
    found: dict[date, Decimal] = {}
    notes: list[str] = []
    for event in raw.values():
        day = _day(event["date"], zone)
        amount = positive_decimal(event.get("amount"))
        if amount is None or not in_window(day, start, end):
            continue
        stated, own_divisor = normalise_currency(str(event.get("currency") or currency))
        if stated != currency:
            notes.append(f"dividend of {day.isoformat()} left out: stated in {stated}, prices in {currency}")
            continue
        found[day] = amount / (own_divisor if event.get("currency") else divisor)
    return tuple(Dividend(day, amount) for day, amount in sorted(found.items())), tuple(notes)


def _splits(raw: Mapping[str, Any], zone: ZoneInfo, start: date | None, end: date) -> tuple[Split, ...]:
    found: dict[date, Split] = {}
    for event in raw.values():
        day = _day(event["date"], zone)
        numerator, denominator = positive_decimal(event.get("numerator")), positive_decimal(event.get("denominator"))
        if numerator is None or denominator is None or numerator == denominator or not in_window(day, start, end):
            continue
        found[day] = Split(day, numerator, denominator)
    return tuple(found[day] for day in sorted(found))


def _day(stamp: Any, zone: ZoneInfo) -> date:
    """The exchange-local date of a Unix timestamp (bars are stamped at the session's open, in UTC seconds)."""
    return datetime.fromtimestamp(int(stamp), tz=zone).date()


def _epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def _chart_error(error: Mapping[str, Any], status: int) -> SourceFailure:
    words = f"{error.get('code', '')}: {error.get('description', '')}".strip(": ")
    kind = ProblemKind.NOT_FOUND if str(error.get("code", "")).lower() == "not found" else ProblemKind.HTTP_ERROR
    message = "does not know this symbol (check it, e.g. 7203.T for Toyota)" if kind is ProblemKind.NOT_FOUND \
        else "answered with an error"
    return SourceFailure(kind, message, words, status)


def _error_answer(answer: HttpResponse) -> SourceFailure:
    """A 4xx: Yahoo's JSON error when it sent one (404 unknown symbol, 401 invalid crumb), else the body's start."""
    try:
        document = load_json(answer, "JSON")
        error = (document.get("chart") or document.get("finance") or {}).get("error") or document
        if isinstance(error, dict) and ("code" in error or "description" in error):
            failure = _chart_error(error, answer.status)
            if answer.status != 404 and failure.kind is ProblemKind.NOT_FOUND:
                failure.kind = ProblemKind.HTTP_ERROR
            return failure
    except (SourceFailure, AttributeError):
        pass
    kind = ProblemKind.NOT_FOUND if answer.status == 404 else ProblemKind.HTTP_ERROR
    return SourceFailure(kind, f"answered HTTP {answer.status}", answer.excerpt(), answer.status)
