"""Monthly cash flow of the as-of month: the income and expenses active then, minus what the debts cost.

A dated stream counts in a month when its start is on or before the month's last day and its end on or after the
month's first day (a stream that starts or ends mid-month counts in full). Every loan costs its interest,
balance × rate / 12; an amortizing loan costs its whole monthly payment (interest included, the rest repays
principal), the last one no more than what is left. So
  monthly = income − expenses − interest − principal repaid.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from math import fsum

from lifealm.models.findings import Finding, Severity
from lifealm.models.inputs import Expense, Income, LedgerInputs, Loan


@dataclass(frozen=True, slots=True)
class DebtPayment:
    """What one loan costs in the as-of month (base currency)."""

    name: str
    kind: str  # margin, credit_line, amortizing
    balance: float
    rate: float
    interest: float  # balance × rate / 12
    principal: float  # repaid by an amortizing loan's payment (negative when the payment is below the interest)
    payment: float  # the month's outflow: interest, or the amortizing payment


@dataclass(frozen=True, slots=True)
class CashFlow:
    monthly_income: float  # the income streams active in the as-of month
    monthly_expenses: float  # the expenses active in the as-of month
    essential_monthly_expenses: float
    income: tuple[Income, ...]  # active in the as-of month
    expenses: tuple[Expense, ...]  # active in the as-of month
    debts: tuple[DebtPayment, ...] = ()  # every loan, in input order
    inactive_income: tuple[Income, ...] = ()  # not yet started or already ended
    inactive_expenses: tuple[Expense, ...] = ()
    findings: tuple[Finding, ...] = ()

    @property
    def monthly_interest(self) -> float:
        return fsum(d.interest for d in self.debts)

    @property
    def monthly_principal(self) -> float:
        return fsum(d.principal for d in self.debts)

    @property
    def monthly_debt_payments(self) -> float:
        """Interest plus principal repaid: everything the debts take out of the month."""
        return fsum(d.payment for d in self.debts)

    @property
    def monthly(self) -> float:
        return self.monthly_income - self.monthly_expenses - self.monthly_debt_payments

    @property
    def annual_expenses(self) -> float:
        return self.monthly_expenses * 12

    @property
    def annual_interest(self) -> float:
        return self.monthly_interest * 12


@lru_cache(maxsize=4096)  # the timeline asks for each of its months once per income and expense stream
def month_bounds(day: date) -> tuple[date, date]:
    """The first and last day of `day`'s month."""
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def active_in_month(start: date | None, end: date | None, day: date) -> bool:
    """Whether a stream running from `start` to `end` (None: open) runs during any day of `day`'s month."""
    first, last = month_bounds(day)
    return (start is None or start <= last) and (end is None or end >= first)


def debt_payment(loan: Loan, as_of: date, findings: list[Finding]) -> DebtPayment:
    interest = loan.monthly_interest
    payment = interest
    if loan.is_amortizing and loan.balance > 0:
        # The last payment is no more than the balance and its interest.
        payment = min(loan.monthly_payment or 0.0, loan.balance + interest)
        if payment < interest:
            findings.append(Finding("payment_below_interest", Severity.WARNING, loan.name,
                                    (("monthly_payment", payment), ("monthly_interest", interest))))
        if loan.maturity is not None and loan.maturity < as_of:
            findings.append(Finding("loan_past_maturity", Severity.WARNING, loan.name,
                                    (("maturity", loan.maturity.isoformat()), ("balance", loan.balance))))
    return DebtPayment(loan.name, loan.kind, loan.balance, loan.rate, interest, payment - interest, payment)


def cash_flow(inputs: LedgerInputs) -> CashFlow:
    day = inputs.as_of
    income_on = [active_in_month(i.start, i.end, day) for i in inputs.income]
    expenses_on = [active_in_month(e.start, e.end, day) for e in inputs.expenses]
    income = tuple(i for i, on in zip(inputs.income, income_on, strict=True) if on)
    expenses = tuple(e for e, on in zip(inputs.expenses, expenses_on, strict=True) if on)
    findings: list[Finding] = []
    debts = tuple(debt_payment(loan, day, findings) for loan in inputs.loans)
    return CashFlow(
        monthly_income=fsum(i.monthly_amount for i in income),
        monthly_expenses=fsum(e.monthly_amount for e in expenses),
        essential_monthly_expenses=fsum(e.monthly_amount for e in expenses if e.essential),
        income=income,
        expenses=expenses,
        debts=debts,
        inactive_income=tuple(i for i, on in zip(inputs.income, income_on, strict=True) if not on),
        inactive_expenses=tuple(e for e, on in zip(inputs.expenses, expenses_on, strict=True) if not on),
        findings=tuple(findings),
    )
