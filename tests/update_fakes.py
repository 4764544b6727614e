"""Test helpers for `lifealm.update`: a threaded HTTP server on 127.0.0.1 and each source's exact recorded formats.

The bodies follow the shapes recorded in shared/reference/data-sources.md: Yahoo chart v8 JSON (and its 404 JSON,
its plain-text 429), the ECB XML with single-quoted attributes, the BOJ statistics JSON, and the 投信協会 NAV
CSV in Shift_JIS served with the wrong `charset=utf-8` header.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

JSON = "application/json;charset=utf-8"
TEXT = "text/plain;charset=utf-8"


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = JSON
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0  # seconds to wait before answering (a slow server)


@dataclass(frozen=True)
class Seen:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    proxied: bool  # the request line held an absolute URL: it came through us as a proxy


@dataclass
class FakeServer:
    """Routes by path; each route answers its replies in turn, repeating the last one."""

    routes: dict[str, list[Reply] | Callable[[Seen], Reply]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    port: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def route(self, path: str, *replies: Reply) -> None:
        self.routes[path] = list(replies)

    def answer(self, request: Seen) -> Reply:
        with self._lock:
            self.seen.append(request)
            handler = self.routes.get(request.path)
            if handler is None:
                return Reply(404, b"<html><title>404 Not Found</title></html>", "text/html")
            if callable(handler):
                return handler(request)
            return handler.pop(0) if len(handler) > 1 else handler[0]

    def paths(self) -> list[str]:
        return [s.path for s in self.seen]


@contextmanager
def serving(fake: FakeServer | None = None) -> Iterator[FakeServer]:
    """Start `fake` on a free port of 127.0.0.1; stop it afterwards."""
    fake = fake or FakeServer()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms delayed-ACK stall

        def do_GET(self) -> None:  # http.server calls it by name
            parts = urllib.parse.urlsplit(self.path)
            seen = Seen(parts.path, dict(urllib.parse.parse_qsl(parts.query)),
                        {k.lower(): v for k, v in self.headers.items()}, self.path.startswith("http"))
            reply = fake.answer(seen)
            if reply.delay:
                time.sleep(reply.delay)
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                for name, value in reply.headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.port = server.server_address[1]
    # shutdown() waits for the loop's next poll: 0.5 s by default, paid by every test that uses a fake
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


# --- Yahoo chart v8 ---------------------------------------------------------------------------------------

YAHOO_NOT_FOUND = b'{"chart":{"result":null,"error":{"code":"Not Found","description":"No data found, symbol may be delisted"}}}'  # noqa: E501
YAHOO_429 = Reply(429, b"Too Many Requests", TEXT)
EDGE_429 = Reply(429, b"Edge: Too Many Requests", TEXT)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    """Unix seconds of a UTC wall time (worked by hand in the tests, never through a time zone database)."""
    return int(datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp())


@dataclass(frozen=True)
class Bar:
    stamp: int
    close: float | None
    adjclose: float | None = None  # defaults to the close less 10%: dividend-adjusted, never to be stored


def chart(symbol: str, bars: Sequence[Bar], *, currency: str | None = "JPY", zone: str | None = "Asia/Tokyo",
          gmtoffset: int = 32400, dividends: Sequence[tuple[int, float]] = (),
          splits: Sequence[tuple[int, int, int]] = (), regular: tuple[int, int] | None = None,
          market_time: int | None = None) -> bytes:
    """A chart v8 answer in the recorded shape (meta from a real 7203.T answer, events as yfinance parses them)."""
    meta: dict[str, Any] = {
        "symbol": symbol, "exchangeName": "JPX", "fullExchangeName": "Tokyo", "instrumentType": "EQUITY",
        "firstTradeDate": 925948800, "regularMarketTime": market_time or (bars[-1].stamp if bars else 0),
        "hasPrePostMarketData": False, "gmtoffset": gmtoffset, "timezone": "JST", "regularMarketPrice": 2893.5,
        "chartPreviousClose": 2856.5, "priceHint": 2, "dataGranularity": "1d", "range": "",
        "validRanges": ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"]}
    if currency is not None:
        meta["currency"] = currency
    if zone is not None:
        meta["exchangeTimezoneName"] = zone
    if regular is not None:
        period = {"timezone": "JST", "start": regular[0], "end": regular[1], "gmtoffset": gmtoffset}
        meta["currentTradingPeriod"] = {"pre": period, "regular": period, "post": period}
    events: dict[str, Any] = {}
    if dividends:
        events["dividends"] = {str(ts): {"amount": amount, "date": ts} for ts, amount in dividends}
    if splits:
        events["splits"] = {str(ts): {"date": ts, "numerator": n, "denominator": d, "splitRatio": f"{n}:{d}"}
                            for ts, n, d in splits}
    closes = [b.close for b in bars]
    result: dict[str, Any] = {
        "meta": meta, "timestamp": [b.stamp for b in bars],
        "indicators": {"quote": [{"open": closes, "high": closes, "low": closes, "close": closes,
                                  "volume": [1000 if c is not None else None for c in closes]}],
                       "adjclose": [{"adjclose": [b.adjclose if b.adjclose is not None else
                                                  (None if b.close is None else round(b.close * 0.9, 2))
                                                  for b in bars]}]}}
    if events:
        result["events"] = events
    return json.dumps({"chart": {"result": [result], "error": None}}).encode()


def chart_path(symbol: str) -> str:
    return "/v8/finance/chart/" + urllib.parse.quote(symbol, safe="")


# --- ECB reference rates ----------------------------------------------------------------------------------

def ecb_xml(days: Sequence[tuple[str, dict[str, str]]]) -> bytes:
    """The ECB document exactly as served: tab-indented, single-quoted attributes, newest day first."""
    cubes = "".join(
        f"\t\t<Cube time='{day}'>\n" + "".join(f"\t\t\t<Cube currency='{c}' rate='{r}'/>\n" for c, r in rates.items())
        + "\t\t</Cube>\n" for day, rates in days)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
            'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">\n'
            "\t<gesmes:subject>Reference rates</gesmes:subject>\n"
            "\t<gesmes:Sender>\n\t\t<gesmes:name>European Central Bank</gesmes:name>\n\t</gesmes:Sender>\n"
            f"\t<Cube>\n{cubes}\t</Cube>\n</gesmes:Envelope>\n").encode()


# --- Bank of Japan statistics API -------------------------------------------------------------------------

def boj_json(days: Sequence[int], values: Sequence[float | None], *, next_position: int | None = None) -> bytes:
    return json.dumps({
        "STATUS": 200, "MESSAGEID": "M181000I", "MESSAGE": "Successfully completed",
        "DATE": "2026-04-01T04:23:52.923+09:00",
        "PARAMETER": {"FORMAT": "JSON", "LANG": "EN", "DB": "FM08", "STARTDATE": "202603", "ENDDATE": "202603",
                      "STARTPOSITION": ""},
        "NEXTPOSITION": next_position,
        "RESULTSET": [{"SERIES_CODE": "FXERD04",
                       "NAME_OF_TIME_SERIES": "US.Dollar/Yen Spot Rate at 17:00 in JST, Tokyo Market",
                       "UNIT": "Yen per U.S. Dollar", "FREQUENCY": "DAILY", "CATEGORY": "Foreign Exchange Rates",
                       "LAST_UPDATE": 20260331,
                       "VALUES": {"SURVEY_DATES": list(days), "VALUES": list(values)}}]}).encode()


BOJ_PATH = "/api/v1/getDataCode"

# --- 投信協会 NAV CSV ---------------------------------------------------------------------------------------

TOUSHIN_PATH = "/FdsWeb/FDST030000/csv-file-download"
TOUSHIN_HEADER = "年月日,基準価額(円),純資産総額（百万円）,分配金,決算期"


def nav_csv(rows: Sequence[tuple[date, int, int | None]], header: str = TOUSHIN_HEADER) -> bytes:
    """The NAV CSV as published: Shift_JIS, CRLF, dates as 2026年08月10日, distributions on 決算日 rows only."""
    lines = [header] + [f"{d.year}年{d.month:02d}月{d.day:02d}日,{nav},1175583,{'' if paid is None else paid},"
                        f"{'' if paid is None else '第10期'}" for d, nav, paid in rows]
    return ("\r\n".join(lines) + "\r\n").encode("cp932")


def toushin_reply(body: bytes) -> Reply:
    # The real server mislabels the Shift_JIS body as UTF-8.
    return Reply(200, body, "text/plain; charset=utf-8",
                 (("Content-Disposition", "attachment; filename=lst_standard_price_20261130190512.csv"),))
