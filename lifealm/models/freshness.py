"""How fresh the briefing's prices are: the newest and oldest closes it values with, and how the update went."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lifealm.models.findings import Finding, Severity
from lifealm.models.valuation import Valuation


@dataclass(frozen=True, slots=True)
class UpdateReport:
    """What the update run just before this briefing did (`lifealm run` with `[update] before_run = true`)."""

    failed: tuple[str, ...] = ()  # securities and currencies the update could not bring up to date
    problem: str | None = None  # the first failure in the source's words, or why the update could not run at all
    updated: int = 0  # securities and currencies that were asked and answered
    problems: tuple[tuple[str, str, str], ...] = ()  # ("security" or "fx", its ticker or currency, why)

    def findings(self) -> tuple[Finding, ...]:
        """One finding per security or currency left as it was, quoting the source's words."""
        found = tuple(Finding("fx_update_failed" if kind == "fx" else "update_failed", Severity.WARNING, subject,
                              (("problem", why),)) for kind, subject, why in self.problems)
        if self.problem is not None and not self.failed:  # the whole update could not run
            found += (Finding("update_failed", Severity.WARNING, "update", (("problem", self.problem),)),)
        return found

    @property
    def ok(self) -> bool:
        return self.problem is None and not self.failed


@dataclass(frozen=True, slots=True)
class Freshness:
    """The dates behind the figures. `stale`: the update before this briefing failed, or a price is older than the
    stale_price_days assumption; the page, the PDF and the e-mail then say so first."""

    newest_price: date | None  # the newest of the holdings' latest closes
    oldest_price: date | None  # the oldest of them: every valued holding's price is at least this recent
    stale_holdings: int  # holdings whose latest close is older than stale_price_days
    update: UpdateReport | None  # None: no update ran before this briefing

    @property
    def update_failed(self) -> bool:
        return self.update is not None and not self.update.ok

    @property
    def stale(self) -> bool:
        return self.update_failed or self.stale_holdings > 0


def freshness(valuation: Valuation, update: UpdateReport | None) -> Freshness:
    """The dates of the closes the valuation used, with the update's outcome."""
    dates = [h.price_date for h in valuation.holdings if h.price_date is not None]
    return Freshness(max(dates, default=None), min(dates, default=None),
                     sum(1 for h in valuation.holdings if h.stale), update)
