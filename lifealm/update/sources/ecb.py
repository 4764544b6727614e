"""ECB euro reference rates (XML), turned into cross rates to the base currency: JPY per USD = EUR→JPY ÷ EUR→USD.

One document serves every currency of a run: it is read once and kept for the run. The last 90 days come from
`eurofxref-hist-90d.xml`; anything older from the full `eurofxref-hist.xml`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from datetime import date, timedelta
from decimal import Context, Decimal, InvalidOperation

from lifealm.update.config import UpdateConfig
from lifealm.update.http import HttpClient, HttpFailure, HttpResponse
from lifealm.update.model import FxAnswer, ProblemKind, Rate, RateSeries
from lifealm.update.sources.common import SourceFailure, html_failure, in_window, is_html, problem

NAME = "ecb"
RECENT_FILE, FULL_FILE = "eurofxref-hist-90d.xml", "eurofxref-hist.xml"
_RECENT_DAYS = 85  # the 90-day file, with a margin for its publication lag
_DIGITS = Context(prec=8)  # ECB rates have five or six significant digits; a cross rate keeps eight

DayRates = dict[date, dict[str, Decimal]]  # per day: units of each currency per 1 EUR


class EcbSource:
    name = NAME

    def __init__(self, client: HttpClient, config: UpdateConfig) -> None:
        self._client = client
        self._base = config.ecb_url.rstrip("/")
        self._documents: dict[str, DayRates | SourceFailure | HttpFailure] = {}

    def fetch_rates(self, currency: str, base: str, start: date | None, end: date) -> FxAnswer:
        pair = f"{currency}/{base}"
        name = FULL_FILE if start is None or start < end - timedelta(days=_RECENT_DAYS) else RECENT_FILE
        try:
            days = self._document(name)
            rates = cross_rates(days, currency.upper(), base.upper(), start, end)
        except (SourceFailure, HttpFailure) as error:
            return FxAnswer(NAME, problem=problem(NAME, pair, error))
        return FxAnswer(NAME, rates=RateSeries(currency.upper(), base.upper(), rates))

    def _document(self, name: str) -> DayRates:
        if name not in self._documents:
            try:
                self._documents[name] = parse_reference_rates(self._client.get(f"{self._base}/{name}"))
            except (SourceFailure, HttpFailure) as error:
                self._documents[name] = error  # a failure is not asked again for the next currency
        found = self._documents[name]
        if isinstance(found, Exception):
            raise found
        return found


def parse_reference_rates(answer: HttpResponse) -> DayRates:
    """Every `<Cube time=…>` of an ECB reference-rate document: `{day: {currency: units per EUR}}`."""
    if answer.status >= 400:
        kind = ProblemKind.NOT_FOUND if answer.status == 404 else ProblemKind.HTTP_ERROR
        raise SourceFailure(kind, f"answered HTTP {answer.status} (is the [update] ecb_url right?)",
                            answer.excerpt(), answer.status)
    if is_html(answer):
        raise html_failure(answer, "the reference-rate XML")
    if b"<!DOCTYPE" in answer.body[:2048].upper() or b"<!ENTITY" in answer.body[:2048].upper():
        raise SourceFailure(ProblemKind.MALFORMED, "answered XML with a DOCTYPE, which the ECB never sends",
                            answer.excerpt())
    try:
        root = ElementTree.fromstring(answer.body)
    except ElementTree.ParseError as error:
        raise SourceFailure(ProblemKind.MALFORMED, f"answered something that is not XML ({error})",
                            answer.excerpt()) from error
    days: DayRates = {}
    for cube in root.iter():
        if _local(cube.tag) != "Cube" or "time" not in cube.attrib:
            continue
        try:
            day = date.fromisoformat(cube.attrib["time"])
            days[day] = {leaf.attrib["currency"].upper(): Decimal(leaf.attrib["rate"])
                         for leaf in cube if _local(leaf.tag) == "Cube" and "currency" in leaf.attrib}
        except (KeyError, ValueError, InvalidOperation) as error:
            raise SourceFailure(ProblemKind.MALFORMED, f"has a rate that cannot be read ({error})",
                                ElementTree.tostring(cube, encoding="unicode")[:200]) from error
    if not days:
        raise SourceFailure(ProblemKind.MALFORMED, "answered XML without any dated rates", answer.excerpt())
    return days


def cross_rates(days: DayRates, currency: str, base: str, start: date | None, end: date) -> tuple[Rate, ...]:
    """Units of `base` per one `currency`, each from one day's pair of EUR rates (never two different days)."""
    known = {code for rates in days.values() for code in rates} | {"EUR"}
    for code in (currency, base):
        if code not in known:
            raise SourceFailure(ProblemKind.UNSUPPORTED, f"does not publish a reference rate for {code}")
    found: list[Rate] = []
    for day in sorted(days):
        if not in_window(day, start, end):
            continue
        eur = dict(days[day], EUR=Decimal(1))
        if currency in eur and base in eur and eur[currency] > 0:
            found.append(Rate(day, _DIGITS.divide(eur[base], eur[currency])))
    return tuple(found)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
