"""Bank of Japan statistics API: the official 17:00 Tokyo USD/JPY (series FXERD04), yen per dollar.

It answers only for USD against a JPY base; any other pair is left to the next source of the chain.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from lifealm.update.config import UpdateConfig
from lifealm.update.http import HttpClient, HttpFailure, HttpResponse
from lifealm.update.model import FxAnswer, ProblemKind, Rate, RateSeries
from lifealm.update.sources.common import SHAPE_ERRORS, SourceFailure, in_window, load_json, positive_decimal, problem

NAME = "boj"
SERIES = "FXERD04"  # US.Dollar/Yen Spot Rate at 17:00 in JST, Tokyo Market
_FIRST_MONTH = "199801"  # the series' daily values reach back further; this covers any household's history
_MAX_PAGES = 20  # NEXTPOSITION pages followed at most: a safety stop, far above any real answer


class BojSource:
    name = NAME

    def __init__(self, client: HttpClient, config: UpdateConfig) -> None:
        self._client = client
        self._url = config.boj_url.rstrip("/") + "/api/v1/getDataCode"

    def fetch_rates(self, currency: str, base: str, start: date | None, end: date) -> FxAnswer:
        pair = f"{currency}/{base}"
        if (currency.upper(), base.upper()) != ("USD", "JPY"):
            return FxAnswer(NAME, problem=problem(NAME, pair, SourceFailure(
                ProblemKind.UNSUPPORTED, "publishes only USD/JPY here (the 17:00 Tokyo rate)")))
        params = {"format": "json", "lang": "en", "db": "FM08", "code": SERIES,
                  "startDate": start.strftime("%Y%m") if start else _FIRST_MONTH, "endDate": end.strftime("%Y%m")}
        rates: dict[date, Decimal] = {}
        try:
            for _ in range(_MAX_PAGES):
                document = _document(self._client.get(self._url, params))
                rates.update(_values(document, start, end))
                following = document.get("NEXTPOSITION")
                if not following:
                    break
                params = dict(params, startPosition=str(following))
        except (SourceFailure, HttpFailure) as error:
            return FxAnswer(NAME, problem=problem(NAME, pair, error))
        return FxAnswer(NAME, rates=RateSeries("USD", "JPY", tuple(Rate(d, r) for d, r in sorted(rates.items()))))


def _document(answer: HttpResponse) -> Mapping[str, Any]:
    document = load_json(answer, "the statistics JSON")
    if not isinstance(document, dict):
        raise SourceFailure(ProblemKind.MALFORMED, "answered JSON that is not the statistics format",
                            answer.excerpt(), answer.status)
    status = document.get("STATUS", answer.status)
    if answer.status >= 400 or status != 200:
        words = str(document.get("MESSAGE") or answer.excerpt())
        kind = ProblemKind.NOT_FOUND if status == 404 or answer.status == 404 else ProblemKind.HTTP_ERROR
        raise SourceFailure(kind, f"answered with status {status}", words, answer.status)
    return document


def _values(document: Mapping[str, Any], start: date | None, end: date) -> dict[date, Decimal]:
    try:
        series = next(s for s in document["RESULTSET"] if s.get("SERIES_CODE") == SERIES)
        days, values = series["VALUES"]["SURVEY_DATES"], series["VALUES"]["VALUES"]
        if len(days) != len(values):
            raise ValueError(f"{len(days)} dates but {len(values)} values")
        found: dict[date, Decimal] = {}
        for stamp, value in zip(days, values, strict=True):
            rate = positive_decimal(value)
            text = str(stamp)
            day = date(int(text[:4]), int(text[4:6]), int(text[6:8]))
            if rate is not None and in_window(day, start, end):  # null on weekends and holidays
                found[day] = rate
        return found
    except StopIteration as error:
        raise SourceFailure(ProblemKind.NOT_FOUND, f"answered without the {SERIES} series") from error
    except SHAPE_ERRORS as error:
        raise SourceFailure(ProblemKind.MALFORMED, f"answered JSON that is not the statistics format ({error})") \
            from error
