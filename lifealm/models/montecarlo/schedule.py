"""The household's dated cash flows step by step, the same on every path: income streams that start and end,
dated expenses and one-off events (in today's money or nominal), and the amortizing loans' payments.

A stream counts in a step for the share of the step it runs (a salary ending four months into a year counts
a third of that year with annual steps, exactly its months with monthly ones). An event falls in the step that
contains its date. An amortizing loan pays min(payment, balance + the step's interest) each step until repaid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from lifealm.models.montecarlo.config import Household

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class Schedule:
    income: FloatArray  # (steps,) nominal income received in each step
    real_outflow: FloatArray  # (steps,) today's-money outflows (dated expenses, real events), to be inflated
    nominal_outflow: FloatArray  # (steps,) nominal outflows (nominal events, amortizing payments)
    debt: FloatArray  # (steps + 1,) what is owed on the amortizing loans after each step (0: today)


def _share(start: float, end: float | None, first: FloatArray, dt: float) -> FloatArray:
    """The share of each step [first, first + dt) within [start, end)."""
    stop = np.inf if end is None else end
    overlap = np.minimum(first + dt, stop) - np.maximum(first, start)
    shares: FloatArray = np.clip(overlap / dt, 0.0, 1.0)
    return shares


def build_schedule(house: Household, years: int, per_year: int) -> Schedule:
    steps = years * per_year
    dt = 1.0 / per_year
    first: FloatArray = np.arange(steps, dtype=np.float64) * dt  # each step's start, in years from today
    year = np.arange(steps) // per_year
    income = np.zeros(steps)
    for stream in house.income:
        income += stream.annual_amount * (1.0 + stream.annual_change) ** year * dt * _share(
            stream.start_year, stream.end_year, first, dt)
    real = np.zeros(steps)
    for expense in house.expense_streams:
        real += expense.annual_amount * dt * _share(expense.start_year, expense.end_year, first, dt)
    nominal = np.zeros(steps)
    for event in house.events:
        step = int(np.floor(event.year / dt + 1e-9))
        if 0 <= step < steps:
            (real if event.real else nominal)[step] -= event.amount
    debt = np.zeros(steps + 1)
    for loan in house.amortizing:
        balance = loan.balance
        debt[0] += balance
        for step in range(steps):
            interest = balance * loan.rate * dt
            payment = min(loan.monthly_payment * 12.0 * dt, balance + interest) if balance > 0 else 0.0
            balance += interest - payment
            nominal[step] += payment
            debt[step + 1] += balance
    return Schedule(income, real, nominal, debt)
