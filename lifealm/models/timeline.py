"""The household's income, expenses and one-off events year by year over the horizon, in today's money.

Year k is the twelve months starting k years after the first day of the as-of month; there are as many years as
the simulation's horizon (`horizon.plan_horizon`). A stream counts in every month it is active (see
`cashflow.active_in_month`); income changes by its own `annual_change` once a year (year k: × (1 + change)^k);
expenses stay in today's money. A 'real' event is already in today's money; a 'nominal' one in year k is deflated
by (1 + inflation)^k. Events before the as-of month are history and left out. Members' ages are those at the start
of each year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from math import fsum

from lifealm.models.cashflow import active_in_month
from lifealm.models.horizon import age_on
from lifealm.models.inputs import LedgerInputs


@dataclass(frozen=True, slots=True)
class TimelineYear:
    offset: int  # k: years from the as-of month
    start: date  # the first day of the year's first month
    income: float
    expenses: float
    events_income: float
    events_expense: float
    ages: tuple[tuple[str, int], ...]  # (member, age at `start`)

    @property
    def net(self) -> float:
        return self.income + self.events_income - self.expenses - self.events_expense


@dataclass(frozen=True, slots=True)
class TimelineMark:
    """A date where the plan changes: a stream starting or ending, or an event."""

    on: date
    kind: str  # income_start, income_end, expense_start, expense_end, event_income, event_expense
    name: str
    amount: float  # monthly for a stream, the event's amount in today's money


@dataclass(frozen=True, slots=True)
class Timeline:
    years: tuple[TimelineYear, ...]
    marks: tuple[TimelineMark, ...]  # inside the horizon, by date


def _add_months(day: date, months: int) -> date:
    """The first day of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def household_timeline(inputs: LedgerInputs, horizon: int) -> Timeline:
    """The plan year by year over `horizon` years (`plan_horizon(inputs).years`, which the briefing also shows)."""
    a = inputs.assumptions
    first = inputs.as_of.replace(day=1)
    years = []
    for k in range(horizon):
        months = [_add_months(first, 12 * k + m) for m in range(12)]
        end = _add_months(first, 12 * (k + 1))
        income = fsum(i.monthly_amount * (1.0 + i.annual_change) ** k
                      for m in months for i in inputs.income if active_in_month(i.start, i.end, m))
        expenses = fsum(e.monthly_amount for m in months for e in inputs.expenses
                        if active_in_month(e.start, e.end, m))
        events = [e for e in inputs.events if months[0] <= e.on < end]
        deflate = (1.0 + a.inflation) ** k
        years.append(TimelineYear(
            offset=k, start=months[0], income=income, expenses=expenses,
            events_income=fsum(e.amount if e.basis == "real" else e.amount / deflate
                               for e in events if e.direction == "income"),
            events_expense=fsum(e.amount if e.basis == "real" else e.amount / deflate
                                for e in events if e.direction != "income"),
            ages=tuple((m.name, age_on(m.birth_date, months[0])) for m in inputs.members),
        ))
    return Timeline(tuple(years), _marks(inputs, first, _add_months(first, 12 * horizon)))


def _marks(inputs: LedgerInputs, first: date, end: date) -> tuple[TimelineMark, ...]:
    """Every start, end and event inside [first, end), by date; an event's amount in today's money."""
    found: list[TimelineMark] = []
    for i in inputs.income:
        found += [TimelineMark(d, kind, i.source, i.monthly_amount)
                  for d, kind in ((i.start, "income_start"), (i.end, "income_end")) if d is not None]
    for e in inputs.expenses:
        found += [TimelineMark(d, kind, e.category, e.monthly_amount)
                  for d, kind in ((e.start, "expense_start"), (e.end, "expense_end")) if d is not None]
    for ev in inputs.events:
        k = ((ev.on.year - first.year) * 12 + ev.on.month - first.month) // 12
        amount = ev.amount if ev.basis == "real" else ev.amount / (1.0 + inputs.assumptions.inflation) ** k
        found.append(TimelineMark(ev.on, "event_income" if ev.direction == "income" else "event_expense",
                                  ev.name, amount))
    return tuple(sorted((m for m in found if first <= m.on < end), key=lambda m: (m.on, m.kind, m.name)))
