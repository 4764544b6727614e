"""Monthly cash flow: income − expenses, with the lines behind each total."""

from __future__ import annotations

from dataclasses import dataclass
from math import fsum

from lifealm.models.inputs import Expense, Income, LedgerInputs


@dataclass(frozen=True, slots=True)
class CashFlow:
    monthly_income: float
    monthly_expenses: float
    essential_monthly_expenses: float
    income: tuple[Income, ...]
    expenses: tuple[Expense, ...]

    @property
    def monthly(self) -> float:
        return self.monthly_income - self.monthly_expenses

    @property
    def annual_expenses(self) -> float:
        return self.monthly_expenses * 12


def cash_flow(inputs: LedgerInputs) -> CashFlow:
    return CashFlow(
        monthly_income=fsum(i.monthly_amount for i in inputs.income),
        monthly_expenses=fsum(e.monthly_amount for e in inputs.expenses),
        essential_monthly_expenses=fsum(e.monthly_amount for e in inputs.expenses if e.essential),
        income=inputs.income,
        expenses=inputs.expenses,
    )
