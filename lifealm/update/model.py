"""What a source answers: dated closes, dividends, splits and FX rates, or the reason it cannot, as frozen values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Close:
    """The raw close of one trading day (split-adjusted as the source reports it, never dividend-adjusted)."""

    day: date  # the trading date in the exchange's own time zone
    close: Decimal


@dataclass(frozen=True, slots=True)
class Dividend:
    """A cash dividend or fund distribution per share (per unit for funds), dated by its ex-date."""

    ex_date: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Split:
    """A split reported by the source: `numerator` new shares for every `denominator` old ones."""

    day: date
    numerator: Decimal
    denominator: Decimal

    @property
    def ratio(self) -> str:
        return f"{_plain(self.numerator)}:{_plain(self.denominator)}"

    @property
    def factor(self) -> Decimal:
        """Shares after the split per share before it (2 for a 2:1 split, 0.1 for a 1:10 reverse split)."""
        return self.numerator / self.denominator


@dataclass(frozen=True, slots=True)
class Series:
    """A source's answer for one symbol: everything it reported in the window asked for."""

    symbol: str
    currency: str | None  # ISO code after minor units are normalised; None when the source does not say
    closes: tuple[Close, ...]
    dividends: tuple[Dividend, ...] = ()
    splits: tuple[Split, ...] = ()
    null_bars_skipped: int = 0  # bars without a close (holidays, halted days): skipped, counted here
    live_bar_dropped: date | None = None  # the unfinished session left out, if the last bar was one
    notes: tuple[str, ...] = ()  # anything else left out, and why


@dataclass(frozen=True, slots=True)
class Rate:
    """Units of the base currency per one unit of the quoted currency on one day."""

    day: date
    rate: Decimal


@dataclass(frozen=True, slots=True)
class RateSeries:
    currency: str
    base: str
    rates: tuple[Rate, ...]


class ProblemKind(StrEnum):
    """Why a source could not answer; the orchestration decides from it whether a fallback is worth trying."""

    NOT_FOUND = "not_found"  # the source does not know the symbol
    UNSUPPORTED = "unsupported"  # this source does not serve this kind of symbol or currency
    RATE_LIMITED = "rate_limited"  # 429 after every retry
    SERVER_ERROR = "server_error"  # 5xx after every retry
    HTTP_ERROR = "http_error"  # another 4xx
    OFFLINE = "offline"  # no connection, DNS failure, proxy refused
    TIMEOUT = "timeout"
    STOPPED = "stopped"  # not asked: the host failed earlier in this run
    MALFORMED = "malformed"  # an answer that is not what the source's format says
    NO_DATA = "no_data"  # a valid answer with nothing in the window
    MISSING_DEPENDENCY = "missing_dependency"  # curl_cffi is not installed
    CURRENCY_MISMATCH = "currency_mismatch"
    COMMAND_FAILED = "command_failed"


@dataclass(frozen=True, slots=True)
class SourceProblem:
    """Why one source could not answer for one symbol, with the source's own words quoted."""

    source: str  # "yahoo", "ecb", "boj", "toushin", "command"
    symbol: str
    kind: ProblemKind
    message: str  # one sentence that says what happened and, where it helps, what to do
    quoted: str = ""  # the source's own words: an error description, the start of a body, a program's stderr
    status: int | None = None  # the HTTP status, when there was one

    def describe(self) -> str:
        """The message and the quoted words on one line, for a summary table or a finding."""
        return f"{self.source}: {self.message}" + (f' (it said: "{self.quoted}")' if self.quoted else "")


@dataclass(frozen=True, slots=True)
class PriceAnswer:
    """A price source's answer: exactly one of `series` and `problem` is set."""

    source: str
    series: Series | None = None
    problem: SourceProblem | None = None

    def __post_init__(self) -> None:
        if (self.series is None) == (self.problem is None):
            raise ValueError("a PriceAnswer holds either a series or a problem")


@dataclass(frozen=True, slots=True)
class FxAnswer:
    """An FX source's answer: exactly one of `rates` and `problem` is set."""

    source: str
    rates: RateSeries | None = None
    problem: SourceProblem | None = None

    def __post_init__(self) -> None:
        if (self.rates is None) == (self.problem is None):
            raise ValueError("an FxAnswer holds either rates or a problem")


class PriceSource(Protocol):
    """bean-price's shape: a symbol and a date range in, dated closes plus events (or the reason why not) out.

    `start` None asks for all the history the source has; `end` is the last trading date wanted. A source never
    raises for anything the network or the remote side does: it answers with a problem instead.
    """

    name: str

    def fetch(self, symbol: str, start: date | None, end: date) -> PriceAnswer: ...


class FxSource(Protocol):
    """Daily rates of `currency` in units of `base` for the range, or the reason why not; never raises."""

    name: str

    def fetch_rates(self, currency: str, base: str, start: date | None, end: date) -> FxAnswer: ...


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")
