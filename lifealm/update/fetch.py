"""Fetch what the ledger lacks for every security and currency, each through its fallback chain, as frozen rows.

Nothing here writes: the rows come back per security (all-or-nothing is the writer's unit), with the source
that answered, the problem (quoting each source's words) and the requests made. One security's failure never
stops the others.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from lifealm.update.chain import ChainError, SourceRef, default_chain, parse_chain
from lifealm.update.config import UpdateConfig
from lifealm.update.http import HttpClient
from lifealm.update.model import FxSource, PriceAnswer, PriceSource, ProblemKind, Series, SourceProblem
from lifealm.update.results import (
    DividendRow,
    FxOutcome,
    FxRow,
    PriceRow,
    SecurityOutcome,
    SplitFinding,
    UpdateResult,
)
from lifealm.update.sources.boj import BojSource
from lifealm.update.sources.command import CommandSource
from lifealm.update.sources.ecb import EcbSource
from lifealm.update.sources.toushin import ToushinSource
from lifealm.update.sources.yahoo import YahooSource

Progress = Callable[[int, int, str], None]  # (done, total, what was just fetched): drives a progress bar


class History(StrEnum):
    INCREMENTAL = "incremental"  # from the last stored date (minus an overlap), or `since`
    MAX = "max"  # everything the source has: a first backfill


@dataclass(frozen=True, slots=True)
class SecurityRequest:
    """One security to bring up to date, as the ledger knows it."""

    ticker: str
    currency: str  # the security's currency in the ledger: a source reporting another one is refused
    source: str | None = None  # the stored fallback chain; None → default_chain(ticker)
    last_stored: date | None = None  # the newest stored close
    known_dividends: frozenset[date] = frozenset()  # ex-dates already in the ledger: never returned again
    confirmed_splits: frozenset[date] = frozenset()  # split dates the user confirmed: reported, no longer blocking


@dataclass(frozen=True, slots=True)
class FxRequest:
    currency: str  # a currency the household uses, other than the base
    last_stored: date | None = None


@dataclass(frozen=True, slots=True)
class UpdateOptions:
    today: date  # the last date wanted (the run's date, in Tokyo)
    since: date | None = None  # --since: fetch from this date whatever is stored
    history: History = History.INCREMENTAL  # --history max
    prices: bool = True  # --prices / --dividends / --fx narrow the run; all three by default
    dividends: bool = True
    fx: bool = True
    base_currency: str = "JPY"
    fx_chain: tuple[str, ...] = ("ecb", "boj")


@dataclass
class Sources:
    """The sources of one run, sharing its one HTTP session."""

    prices: dict[str, PriceSource]
    fx: dict[str, FxSource]
    client: HttpClient

    @classmethod
    def standard(cls, config: UpdateConfig, client: HttpClient | None = None,
                 clock: Callable[[], float] = time.time) -> Sources:
        client = client or HttpClient(config)
        prices: dict[str, PriceSource] = {"yahoo": YahooSource(client, config, clock),
                                          "toushin": ToushinSource(client, config), "command": CommandSource(config)}
        fx: dict[str, FxSource] = {"ecb": EcbSource(client, config), "boj": BojSource(client, config)}
        return cls(prices, fx, client)

    def close(self) -> None:
        """End the run's HTTP session."""
        self.client.close()


@dataclass
class _Tally:
    done: int = 0
    total: int = 0
    progress: Progress | None = None

    def step(self, label: str) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total, label)


def fetch_updates(securities: Sequence[SecurityRequest], currencies: Sequence[FxRequest], options: UpdateOptions,
                  config: UpdateConfig, *, progress: Progress | None = None,
                  sources: Sources | None = None) -> UpdateResult:
    """Everything new for each security and currency; never raises for a source's or a security's problem."""
    own = sources is None
    run = sources or Sources.standard(config)
    wanted_prices = options.prices or options.dividends
    fx_wanted = [c for c in currencies if options.fx and c.currency.upper() != options.base_currency.upper()]
    tally = _Tally(total=(len(securities) if wanted_prices else 0) + len(fx_wanted), progress=progress)
    try:
        outcomes = tuple(_one_security(s, options, config, run, tally) for s in securities) if wanted_prices else ()
        rates = tuple(_one_currency(c, options, config, run, tally) for c in fx_wanted)
    finally:
        if own:
            run.close()
    return UpdateResult(outcomes, rates, run.client.requests)


def window(last_stored: date | None, options: UpdateOptions, config: UpdateConfig) -> tuple[date | None, date]:
    """The dates to ask for: everything (--history max), from --since, from the last stored date less an
    overlap (late dividends and corrections show up), or a short look-back for a security never fetched."""
    if options.history is History.MAX:
        return None, options.today
    if options.since is not None:
        return options.since, options.today
    if last_stored is not None:
        return min(last_stored - timedelta(days=config.overlap_days), options.today), options.today
    return options.today - timedelta(days=config.lookback_days), options.today


def _one_security(request: SecurityRequest, options: UpdateOptions, config: UpdateConfig, run: Sources,
                  tally: _Tally) -> SecurityOutcome:
    before = run.client.requests
    start, end = window(request.last_stored, options, config)
    chain, attempts = _chain(request)
    answered: tuple[SourceRef, Series] | None = None
    for link in chain:
        answer = run.prices[link.source].fetch(link.symbol, start, end)
        refused = answer.problem or _currency_refusal(answer, request.currency)
        if refused is None and answer.series is not None:
            answered = (link, answer.series)
            break
        if refused is not None:
            attempts.append(refused)
    outcome = _outcome(request, options, answered, tuple(attempts), run.client.requests - before)
    tally.step(request.ticker)
    return outcome


def _chain(request: SecurityRequest) -> tuple[tuple[SourceRef, ...], list[SourceProblem]]:
    """The security's links, or the problem that there are none (a chain that cannot be read blocks nobody else)."""
    try:
        chain = parse_chain(request.source) if request.source else default_chain(request.ticker)
    except ChainError as error:
        return (), [SourceProblem("chain", request.source or "", ProblemKind.UNSUPPORTED, str(error))]
    if not chain:
        return (), [SourceProblem("chain", request.ticker, ProblemKind.UNSUPPORTED,
                                  "no source is known for this ticker: set the security's source, e.g. yahoo:7203.T")]
    return chain, []


def _currency_refusal(answer: PriceAnswer, expected: str) -> SourceProblem | None:
    """A source that reports another currency than the ledger's is refused: its numbers would be misread."""
    series = answer.series
    if series is None or series.currency is None or series.currency == expected.upper():
        return None
    return SourceProblem(answer.source, series.symbol, ProblemKind.CURRENCY_MISMATCH,
                         f"reports prices in {series.currency} but the ledger holds this security in "
                         f"{expected.upper()}: correct the security's currency or its source", series.currency)


def _outcome(request: SecurityRequest, options: UpdateOptions, answered: tuple[SourceRef, Series] | None,
             attempts: tuple[SourceProblem, ...], requests: int) -> SecurityOutcome:
    ticker = request.ticker
    if answered is None:
        return SecurityOutcome(ticker, problem="; ".join(a.describe() for a in attempts) or None,
                               attempts=attempts, requests=requests)
    link, series = answered
    currency = series.currency or request.currency.upper()
    newer_than = request.last_stored if options.history is History.INCREMENTAL and options.since is None else None
    prices = tuple(PriceRow(ticker, c.day, c.close, currency, link.source) for c in series.closes
                   if options.prices and (newer_than is None or c.day > newer_than))
    seen: set[date] = set(request.known_dividends)
    dividends = tuple(DividendRow(ticker, d.ex_date, d.amount, currency, link.source) for d in series.dividends
                      if options.dividends and d.ex_date not in seen)
    splits = tuple(SplitFinding(ticker, s.day, s.numerator, s.denominator, str(link),
                                needs_confirmation=request.last_stored is not None and s.day > request.last_stored
                                and s.day not in request.confirmed_splits)
                   for s in series.splits)
    notes = list(series.notes)
    if series.null_bars_skipped:
        notes.append(f"{series.null_bars_skipped} bar(s) without a close skipped")
    if series.live_bar_dropped is not None:
        notes.append(f"{series.live_bar_dropped.isoformat()} left out: that session had not closed yet")
    withheld = 0
    if any(s.needs_confirmation for s in splits):
        # The ledger's share count is from before the split; writing the new scale's prices would halve (or
        # double…) the holding's value without a word. Nothing is written until the user confirms the split.
        withheld, prices, dividends = len(prices) + len(dividends), (), ()
    return SecurityOutcome(ticker, prices, dividends, splits, str(link), None, attempts, requests, tuple(notes),
                           withheld)


def _one_currency(request: FxRequest, options: UpdateOptions, config: UpdateConfig, run: Sources,
                  tally: _Tally) -> FxOutcome:
    before = run.client.requests
    start, end = window(request.last_stored, options, config)
    newer_than = request.last_stored if options.history is History.INCREMENTAL and options.since is None else None
    currency, base = request.currency.upper(), options.base_currency.upper()
    attempts: list[SourceProblem] = []
    outcome: FxOutcome | None = None
    for name in options.fx_chain:
        answer = run.fx[name].fetch_rates(currency, base, start, end)
        if answer.rates is None:
            attempts.append(answer.problem or SourceProblem(name, currency, ProblemKind.MALFORMED, "no answer"))
            continue
        rows = tuple(FxRow(currency, r.day, r.rate, base, name) for r in answer.rates.rates
                     if newer_than is None or r.day > newer_than)
        outcome = FxOutcome(currency, rows, name, None, tuple(attempts), run.client.requests - before)
        break
    if outcome is None:
        outcome = FxOutcome(currency, (), None, "; ".join(a.describe() for a in attempts), tuple(attempts),
                            run.client.requests - before)
    tally.step(currency)
    return outcome
