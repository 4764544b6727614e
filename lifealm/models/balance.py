"""The household balance sheet: assets, every debt, net worth; the standby credit line is shown, not owed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from math import fsum

from lifealm.models.defense import CreditLine, Defense
from lifealm.models.findings import Finding, Severity
from lifealm.models.fx import FxTable
from lifealm.models.inputs import LedgerInputs


@dataclass(frozen=True, slots=True)
class AssetLine:
    name: str
    kind: str  # "portfolio", "cash" or the other asset's kind (real_estate, …)
    value: float  # base currency
    liquid: bool


@dataclass(frozen=True, slots=True)
class LiabilityLine:
    name: str
    kind: str  # "secured_loan", "credit_line" (the drawn part of a standby line) or "amortizing" (a mortgage…)
    balance: float
    rate: float
    monthly_payment: float | None = None  # an amortizing loan's payment, interest included
    maturity: date | None = None


@dataclass(frozen=True, slots=True)
class BalanceSheet:
    assets: tuple[AssetLine, ...]
    liabilities: tuple[LiabilityLine, ...]
    standby: tuple[CreditLine, ...]  # facilities: limit, drawn, available — only `drawn` is a liability
    findings: tuple[Finding, ...]

    @property
    def total_assets(self) -> float:
        return fsum(a.value for a in self.assets)

    @property
    def liquid_assets(self) -> float:
        return fsum(a.value for a in self.assets if a.liquid)

    @property
    def total_liabilities(self) -> float:
        return fsum(li.balance for li in self.liabilities)

    @property
    def net_worth(self) -> float:
        return self.total_assets - self.total_liabilities


def balance_sheet(inputs: LedgerInputs, portfolio_value: float, defense: Defense, fx: FxTable) -> BalanceSheet:
    """Assets: the valued portfolio, each cash account (overdrafts as negative cash), the other assets."""
    assets = [AssetLine("portfolio", "portfolio", portfolio_value, True)]
    assets += [AssetLine(c.name, "cash", c.value, True) for c in defense.cash_accounts if c.value is not None]
    findings: list[Finding] = []
    for other in inputs.other_assets:
        rate = fx.rate_for(other.currency)
        if rate is None:
            findings.append(Finding("missing_fx_rate", Severity.ERROR, other.name,
                                    (("currency", other.currency), ("as_of", inputs.as_of.isoformat()))))
            continue
        assets.append(AssetLine(other.name, other.kind, other.value * rate, other.liquid))
    liabilities = [LiabilityLine(loan.name, "secured_loan", loan.balance, loan.rate)
                   for loan in inputs.loans if loan.is_secured]
    liabilities += [LiabilityLine(line.name, "credit_line", line.drawn, line.rate)
                    for line in defense.credit_lines if line.drawn > 0]
    liabilities += [LiabilityLine(loan.name, "amortizing", loan.balance, loan.rate, loan.monthly_payment,
                                  loan.maturity) for loan in inputs.loans if loan.is_amortizing]
    return BalanceSheet(tuple(assets), tuple(liabilities), defense.credit_lines, tuple(findings))
