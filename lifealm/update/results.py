"""What an update run hands to the ledger's write path: typed rows per security and currency, and findings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from lifealm.models.findings import Finding, Severity
from lifealm.update.model import SourceProblem


@dataclass(frozen=True, slots=True)
class PriceRow:
    """A raw close for the `prices` table (per unit for funds)."""

    ticker: str
    price_date: date
    close: Decimal
    currency: str
    source: str  # the source's name: "yahoo", "toushin", "command"


@dataclass(frozen=True, slots=True)
class DividendRow:
    """A dividend per share (per unit for funds) for the `dividends` table, as paid (is_projection = 0)."""

    ticker: str
    ex_date: date
    amount_per_share: Decimal
    currency: str
    source: str


@dataclass(frozen=True, slots=True)
class FxRow:
    """A row of `fx_rates`: units of `base` per one unit of `currency` on `rate_date`."""

    currency: str
    rate_date: date
    rate: Decimal
    base: str
    source: str  # "ecb", "boj"


@dataclass(frozen=True, slots=True)
class SplitFinding:
    """A split the source reported. It is never applied silently: the share count is the user's to confirm."""

    ticker: str
    day: date
    numerator: Decimal
    denominator: Decimal
    source: str  # the link that reported it, e.g. "yahoo:7203.T"
    needs_confirmation: bool  # after the last stored close: the ledger's share count predates it

    @property
    def factor(self) -> Decimal:
        """Shares after the split per share before it."""
        return self.numerator / self.denominator

    def to_finding(self) -> Finding:
        severity = Severity.WARNING if self.needs_confirmation else Severity.INFO
        code = "split_needs_confirmation" if self.needs_confirmation else "split_reported"
        return Finding(code, severity, self.ticker, (
            ("date", self.day.isoformat()), ("ratio", f"{_plain(self.numerator)}:{_plain(self.denominator)}"),
            ("factor", float(self.factor)), ("source", self.source),
            # what the user is asked: confirm the new share count (shares × factor), then fetch the history again
            ("action", "confirm_share_count" if self.needs_confirmation else None)))


@dataclass(frozen=True, slots=True)
class SecurityOutcome:
    """What the run found for one security. Write `prices` and `dividends` together, or neither."""

    ticker: str
    prices: tuple[PriceRow, ...] = ()
    dividends: tuple[DividendRow, ...] = ()
    splits: tuple[SplitFinding, ...] = ()
    source: str | None = None  # the link that answered, e.g. "yahoo:7203.T"; None when none did
    problem: str | None = None  # why nothing came: each source's problem, quoting its words
    attempts: tuple[SourceProblem, ...] = ()  # every link that failed or was refused, in chain order
    requests: int = 0  # HTTP requests made for it, retries included
    notes: tuple[str, ...] = ()  # null bars skipped, a live session left out, a dividend refused
    withheld: int = 0  # rows kept back because a split awaits confirmation

    @property
    def last_date(self) -> date | None:
        return max((p.price_date for p in self.prices), default=None)

    def findings(self) -> tuple[Finding, ...]:
        found = [split.to_finding() for split in self.splits]
        if self.problem is not None:
            found.append(Finding("update_failed", Severity.WARNING, self.ticker, (
                ("problem", self.problem), ("kind", self.attempts[-1].kind.value if self.attempts else None))))
        if self.withheld:
            found.append(Finding("update_withheld", Severity.WARNING, self.ticker, (
                ("rows", self.withheld), ("reason", "a split awaits confirmation"))))
        found.extend(Finding("update_note", Severity.INFO, self.ticker, (("note", note),)) for note in self.notes)
        return tuple(found)


@dataclass(frozen=True, slots=True)
class FxOutcome:
    currency: str
    rates: tuple[FxRow, ...] = ()
    source: str | None = None
    problem: str | None = None
    attempts: tuple[SourceProblem, ...] = ()
    requests: int = 0

    @property
    def last_date(self) -> date | None:
        return max((r.rate_date for r in self.rates), default=None)

    def findings(self) -> tuple[Finding, ...]:
        if self.problem is None:
            return ()
        return (Finding("fx_update_failed", Severity.WARNING, self.currency, (("problem", self.problem),)),)


@dataclass(frozen=True, slots=True)
class UpdateResult:
    securities: tuple[SecurityOutcome, ...]
    fx: tuple[FxOutcome, ...]
    requests: int  # every HTTP request of the run

    @property
    def failed(self) -> tuple[str, ...]:
        """Tickers and currencies that got nothing because every source failed."""
        return tuple(o.ticker for o in self.securities if o.problem) + tuple(o.currency for o in self.fx
                                                                             if o.problem)

    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for o in self.securities for f in o.findings()) + tuple(f for o in self.fx
                                                                               for f in o.findings())


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")
