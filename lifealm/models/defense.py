"""Orthogonal defense: cash plus the *available* unsecured credit, and what the standby line buys.

Defense = the sum of the cash accounts (an overdraft counts as negative) + Σ (limit − drawn) over the unsecured
credit lines. A secured loan's unused headroom is not defense: it freezes exactly when a crash needs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import fsum

from lifealm.models.findings import Finding, Severity
from lifealm.models.fx import FxTable
from lifealm.models.inputs import CashAccount, LedgerInputs, Loan
from lifealm.models.margin import Thresholds
from lifealm.models.stress import StressResult, stress_test


@dataclass(frozen=True, slots=True)
class CashLine:
    name: str
    currency: str
    balance: float  # in the account's currency
    fx_rate: float | None
    value: float | None  # in the base currency; None when no FX rate (excluded, ERROR finding)


@dataclass(frozen=True, slots=True)
class CreditLine:
    """An unsecured standby line: a facility, not a debt, except for what is drawn."""

    name: str
    limit: float
    drawn: float
    available: float
    rate: float


@dataclass(frozen=True, slots=True)
class Defense:
    cash: float
    cash_accounts: tuple[CashLine, ...]
    credit_lines: tuple[CreditLine, ...]
    credit_available: float
    findings: tuple[Finding, ...]

    @property
    def total(self) -> float:
        return self.cash + self.credit_available


@dataclass(frozen=True, slots=True)
class LineComparison:
    """The same stress test with and without the standby lines, and the difference they make."""

    with_line: StressResult
    without_line: StressResult
    drawdown_bought: float  # extra drop survived, as a fraction (0.04 = four percentage points)
    defense_bought: float  # the available credit added to the defense, base currency
    collateral_loss_bought: float  # extra portfolio loss survived, base currency: V × drawdown_bought


def cash_lines(accounts: tuple[CashAccount, ...], fx: FxTable) -> tuple[tuple[CashLine, ...], list[Finding]]:
    lines: list[CashLine] = []
    findings: list[Finding] = []
    for account in accounts:
        rate = fx.rate_for(account.currency)
        if rate is None:
            findings.append(Finding("missing_fx_rate", Severity.ERROR, account.name,
                                    (("currency", account.currency), ("as_of", fx.as_of.isoformat()))))
        if account.balance < 0:
            findings.append(Finding("negative_balance", Severity.WARNING, account.name,
                                    (("balance", account.balance), ("currency", account.currency))))
        value = account.balance * rate if rate is not None else None
        lines.append(CashLine(account.name, account.currency, account.balance, rate, value))
    return tuple(lines), findings


def credit_lines(loans: tuple[Loan, ...]) -> tuple[CreditLine, ...]:
    return tuple(
        CreditLine(loan.name, loan.credit_limit or 0.0, loan.balance, loan.available, loan.rate)
        for loan in loans if loan.is_credit_line
    )


def measure_defense(inputs: LedgerInputs, fx: FxTable) -> Defense:
    lines, findings = cash_lines(inputs.cash_accounts, fx)
    credit = credit_lines(inputs.loans)
    for line in credit:
        if line.drawn > line.limit:
            findings.append(Finding("credit_over_limit", Severity.WARNING, line.name,
                                    (("limit", line.limit), ("drawn", line.drawn))))
    return Defense(
        cash=fsum(line.value for line in lines if line.value is not None),
        cash_accounts=lines, credit_lines=credit,
        credit_available=fsum(line.available for line in credit), findings=tuple(findings),
    )


def compare_with_and_without_line(balance: float, collateral: float, defense: Defense,
                                  thresholds: Thresholds | None, steps: tuple[float, ...]) -> LineComparison:
    with_line = stress_test(balance, collateral, defense.total, thresholds, steps)
    without_line = stress_test(balance, collateral, defense.cash, thresholds, steps)
    bought = with_line.max_survivable_drawdown - without_line.max_survivable_drawdown
    return LineComparison(with_line, without_line, bought, defense.credit_available, collateral * bought)
