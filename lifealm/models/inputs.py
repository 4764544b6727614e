"""Frozen model inputs: what the ledger loader hands to the pure models (no I/O, no display strings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from lifealm.models.assumptions import Assumptions


@dataclass(frozen=True, slots=True)
class Holding:
    ticker: str
    name: str
    shares: float
    cost_basis: float  # total cost in the holding's currency
    asset_class: str = "equity"
    account: str = ""
    currency: str = "JPY"
    dividend_growth: float | None = None  # None: use Assumptions.default_dividend_growth
    added_at: date | None = None


@dataclass(frozen=True, slots=True)
class PricePoint:
    ticker: str
    price_date: date
    close: float  # in the holding's currency


@dataclass(frozen=True, slots=True)
class Dividend:
    ticker: str
    ex_date: date
    amount_per_share: float  # in the holding's currency
    is_projection: bool = False
    pay_date: date | None = None


@dataclass(frozen=True, slots=True)
class Loan:
    """A secured margin loan (collateral_type 'portfolio') or an unsecured standby credit line (None)."""

    name: str
    balance: float  # drawn amount
    rate: float
    collateral_type: str | None
    freeze_pct: float | None = None
    margin_call_pct: float | None = None
    forced_liq_pct: float | None = None
    credit_limit: float | None = None
    target_ratio: float = 0.65

    @property
    def is_secured(self) -> bool:
        return self.collateral_type == "portfolio"

    @property
    def available(self) -> float:
        """Undrawn credit: limit − drawn, never negative; 0 when no limit is set."""
        if self.credit_limit is None:
            return 0.0
        return max(0.0, self.credit_limit - self.balance)


@dataclass(frozen=True, slots=True)
class CashAccount:
    name: str
    balance: float
    currency: str = "JPY"


@dataclass(frozen=True, slots=True)
class OtherAsset:
    name: str
    kind: str
    value: float
    liquid: bool = False
    currency: str = "JPY"


@dataclass(frozen=True, slots=True)
class Expense:
    category: str
    monthly_amount: float
    essential: bool = True


@dataclass(frozen=True, slots=True)
class Income:
    source: str
    monthly_amount: float
    kind: str = "other"  # salary, side, pension, rent, other
    annual_change: float = 0.0  # e.g. -0.05 for side income declining 5 %/yr


@dataclass(frozen=True, slots=True)
class FxRate:
    currency: str
    rate_date: date
    rate: float  # base currency per unit


@dataclass(frozen=True, slots=True)
class Snapshot:
    snapshot_date: date
    status: str
    portfolio_value: float
    cash: float
    margin_balance: float
    margin_ratio: float | None
    net_worth: float
    monthly_cashflow: float
    fire_ratio: float | None
    max_survivable_drawdown: float | None
    success_probability: float | None


@dataclass(frozen=True, slots=True)
class LedgerInputs:
    """Everything the models need, read from one ledger for one as-of date.

    `prices` holds at least each ticker's latest close on or before the as-of date (the loader reads only
    those); the valuation model picks the latest per ticker itself, so extra rows are harmless.
    `fx_rates` likewise holds at least the latest rate per currency on or before the as-of date.
    `snapshots` are the ones strictly before the as-of date, oldest first.
    """

    as_of: date
    base_currency: str = "JPY"
    holdings: tuple[Holding, ...] = ()
    prices: tuple[PricePoint, ...] = ()
    dividends: tuple[Dividend, ...] = ()
    loans: tuple[Loan, ...] = ()
    cash_accounts: tuple[CashAccount, ...] = ()
    other_assets: tuple[OtherAsset, ...] = ()
    expenses: tuple[Expense, ...] = ()
    income: tuple[Income, ...] = ()
    fx_rates: tuple[FxRate, ...] = ()
    snapshots: tuple[Snapshot, ...] = ()
    assumptions: Assumptions = field(default_factory=Assumptions)
