"""The margin loans' collateral value: the sum over the pledged holdings of market value × haircut (掛目).

Which holdings are pledged: those of the accounts that can be pledged (taxable, unless the account says otherwise;
NISA and iDeCo never). A margin loan that names a collateral account is secured by that account's holdings only;
the collateral here is the union of the margin loans' accounts — every pledged account as soon as one loan names
none — and its `lines` say which account each pledged holding is in, so lifealm.models.positions can measure a
loan at one broker on its own account. A holding that cannot be valued counts nothing
(the valuation reports it). With every holding pledged at haircut 1 the collateral is the portfolio value.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import fsum

from lifealm.models.findings import Finding, Severity
from lifealm.models.inputs import LedgerInputs
from lifealm.models.valuation import Valuation


@dataclass(frozen=True, slots=True)
class CollateralLine:
    """One pledged holding: its market value, the lender's haircut and what the lender counts (base currency)."""

    ticker: str
    account: str
    market_value: float
    haircut: float
    value: float  # market_value × haircut


@dataclass(frozen=True, slots=True)
class Collateral:
    market_value: float  # the whole valued portfolio, pledged or not
    pledged_market_value: float  # the market value of the pledged holdings, before the haircut
    value: float  # the collateral value: Σ pledged market value × haircut
    accounts: tuple[str, ...]  # the accounts whose holdings secure the margin loans, in valuation order
    lines: tuple[CollateralLine, ...]  # the pledged, valued holdings, in valuation order
    findings: tuple[Finding, ...]

    def in_account(self, account: str) -> tuple[float, float]:
        """One pledged account's collateral value and the market value of its pledged holdings."""
        lines = [line for line in self.lines if line.account == account]
        return fsum(line.value for line in lines), fsum(line.market_value for line in lines)


def collateral_accounts(inputs: LedgerInputs, valuation: Valuation) -> tuple[tuple[str, ...], list[Finding]]:
    """The accounts securing the margin loans, and a finding for each loan naming an account that cannot."""
    pledged = [a.name for a in valuation.accounts if a.pledged]
    margin_loans = [loan for loan in inputs.loans if loan.is_secured]
    if not margin_loans or any(loan.collateral_account is None for loan in margin_loans):
        # Several margin loans and several pledged accounts, one loan naming none: they may be at different
        # brokers, each calling margin on its own account, but they can only be measured as one position.
        unnamed = [loan for loan in margin_loans if loan.collateral_account is None]
        combined = [] if len(margin_loans) < 2 or len(pledged) < 2 else [
            Finding("margin_loans_combined", Severity.WARNING, loan.name, (("margin_loans", len(margin_loans)),))
            for loan in unnamed]
        return tuple(pledged), combined
    findings: list[Finding] = []
    named: list[str] = []
    for loan in margin_loans:
        name = loan.collateral_account or ""
        known = any(a.name == name for a in inputs.accounts) or any(a.name == name for a in valuation.accounts)
        if not known:
            findings.append(Finding("unknown_collateral_account", Severity.ERROR, loan.name,
                                    (("account", name),)))
        elif name not in pledged:
            findings.append(Finding("collateral_account_not_pledged", Severity.ERROR, loan.name,
                                    (("account", name), ("account_kind", inputs.account(name).kind))))
        else:
            named.append(name)
    return tuple(a for a in pledged if a in named), findings


def collateral_value(inputs: LedgerInputs, valuation: Valuation) -> Collateral:
    """The collateral of the margin loans from the valued holdings, the accounts and the securities' haircuts."""
    accounts, findings = collateral_accounts(inputs, valuation)
    scope = set(accounts)
    lines = []
    for holding, row in zip(inputs.holdings, valuation.holdings, strict=True):
        if row.account in scope and row.value is not None:
            haircut = min(1.0, max(0.0, holding.haircut))  # the schema keeps it in [0, 1]; hand-built inputs may not
            lines.append(CollateralLine(row.ticker, row.account, row.value, haircut, row.value * haircut))
    return Collateral(
        market_value=valuation.value,
        pledged_market_value=fsum(line.market_value for line in lines),
        value=fsum(line.value for line in lines),
        accounts=accounts, lines=tuple(lines), findings=tuple(findings),
    )
