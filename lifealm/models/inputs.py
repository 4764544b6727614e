"""Frozen model inputs: what the ledger loader hands to the pure models (no I/O, no display strings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from lifealm.models.assumptions import Assumptions

ACCOUNT_KINDS = ("taxable", "nisa_growth", "nisa_tsumitate", "ideco", "other")
# Dividends in NISA (received by 株式数比例配分方式) and iDeCo are not taxed in Japan.
TAX_FREE_ACCOUNT_KINDS = frozenset({"nisa_growth", "nisa_tsumitate", "ideco"})
# NISA and iDeCo holdings can never be pledged; a taxable account is pledged unless it says otherwise.
PLEDGEABLE_ACCOUNT_KINDS = frozenset({"taxable", "other"})
PLEDGED_BY_DEFAULT_KINDS = frozenset({"taxable"})
# Where a holding imported without an account goes (and where a v1 holding with an empty account went).
DEFAULT_ACCOUNT = "default"

LOAN_KINDS = ("margin", "credit_line", "amortizing")


@dataclass(frozen=True, slots=True)
class Account:
    """A securities account: its kind decides, unless overridden, whether it is pledged and how dividends are taxed."""

    name: str
    kind: str = "taxable"
    pledged: bool | None = None  # None: by kind (taxable yes; NISA, iDeCo and other no)
    dividend_tax_rate: float | None = None  # None: by kind (taxable and other: the assumption; NISA, iDeCo 0)

    @property
    def is_pledged(self) -> bool:
        """Whether the account's holdings are collateral for a margin loan (never for NISA or iDeCo)."""
        if self.kind not in PLEDGEABLE_ACCOUNT_KINDS:
            return False
        return self.kind in PLEDGED_BY_DEFAULT_KINDS if self.pledged is None else self.pledged

    def tax_rate(self, default_tax: float) -> float:
        """The dividend tax rate: the account's own, else 0 for NISA and iDeCo, else `default_tax`."""
        if self.dividend_tax_rate is not None:
            return self.dividend_tax_rate
        return 0.0 if self.kind in TAX_FREE_ACCOUNT_KINDS else default_tax


@dataclass(frozen=True, slots=True)
class Holding:
    """One security held in one account; the security's own attributes (name, currency, …) travel with it."""

    ticker: str
    name: str
    shares: float
    cost_basis: float  # total cost in the holding's currency
    asset_class: str = "equity"
    account: str = ""  # an account not in LedgerInputs.accounts is a taxable, pledged one
    currency: str = "JPY"
    dividend_growth: float | None = None  # None: use Assumptions.default_dividend_growth
    added_at: date | None = None  # the acquired date
    haircut: float = 1.0  # the security's collateral haircut (掛目): the fraction a lender counts


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
    """A debt: a margin loan secured by the pledged holdings (`kind` 'margin', collateral_type 'portfolio'), an
    unsecured standby credit line ('credit_line') or a loan repaid monthly until maturity ('amortizing').

    `kind` left empty is taken from `collateral_type` as in schema v1 ('portfolio' = margin, else credit line);
    a margin loan always has collateral_type 'portfolio', any other kind None.
    """

    name: str
    balance: float  # drawn amount (a credit line) or the outstanding principal
    rate: float  # yearly interest rate on the balance
    collateral_type: str | None = None  # v1's word for a margin loan ('portfolio'); derived from `kind`
    freeze_pct: float | None = None
    margin_call_pct: float | None = None
    forced_liq_pct: float | None = None
    credit_limit: float | None = None
    target_ratio: float = 0.65
    kind: str = ""
    collateral_account: str | None = None  # a margin loan secured by this one account's holdings only
    monthly_payment: float | None = None  # an amortizing loan's payment, interest included
    maturity: date | None = None  # an amortizing loan's last payment date

    def __post_init__(self) -> None:
        kind = self.kind or ("margin" if self.collateral_type == "portfolio" else "credit_line")
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "collateral_type", "portfolio" if kind == "margin" else None)

    @property
    def is_secured(self) -> bool:
        return self.kind == "margin"

    @property
    def is_credit_line(self) -> bool:
        return self.kind == "credit_line"

    @property
    def is_amortizing(self) -> bool:
        return self.kind == "amortizing"

    @property
    def monthly_interest(self) -> float:
        """The interest accruing on today's balance in one month: balance × rate / 12."""
        return self.balance * self.rate / 12.0

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
    start: date | None = None  # first day it is paid; None: already running
    end: date | None = None  # last day it is paid; None: for ever


@dataclass(frozen=True, slots=True)
class Income:
    source: str
    monthly_amount: float
    kind: str = "other"  # salary, side, pension, rent, other
    annual_change: float = 0.0  # e.g. -0.05 for side income declining 5 %/yr
    start: date | None = None  # first day it is received (a pension from 65); None: already running
    end: date | None = None  # last day it is received (a salary until retirement); None: for ever


@dataclass(frozen=True, slots=True)
class Event:
    """A one-off amount on a date: school fees, a car, a retirement allowance (退職金)."""

    name: str
    on: date
    amount: float  # ≥ 0; `direction` gives the sign
    direction: str = "expense"  # "income" or "expense"
    basis: str = "real"  # "real": in today's money (grows with inflation to the date); "nominal": as paid

    @property
    def signed_amount(self) -> float:
        return self.amount if self.direction == "income" else -self.amount


@dataclass(frozen=True, slots=True)
class Member:
    """One person in the household, for horizons ("to age 95") and ages on the page."""

    name: str
    birth_date: date


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
    `income`, `expenses` and `events` are all of them, dated or not: each model picks the ones active when it
    needs them.
    """

    as_of: date
    base_currency: str = "JPY"
    accounts: tuple[Account, ...] = ()
    holdings: tuple[Holding, ...] = ()
    prices: tuple[PricePoint, ...] = ()
    dividends: tuple[Dividend, ...] = ()
    loans: tuple[Loan, ...] = ()
    cash_accounts: tuple[CashAccount, ...] = ()
    other_assets: tuple[OtherAsset, ...] = ()
    expenses: tuple[Expense, ...] = ()
    income: tuple[Income, ...] = ()
    events: tuple[Event, ...] = ()
    members: tuple[Member, ...] = ()
    fx_rates: tuple[FxRate, ...] = ()
    snapshots: tuple[Snapshot, ...] = ()
    assumptions: Assumptions = field(default_factory=Assumptions)
    # Whether `mc_years` was given (the ledger's assumptions table or the config); when not, the plan's horizon
    # runs until the youngest adult member reaches `plan_to_age`. Inputs built by hand take their mc_years as given.
    mc_years_set: bool = True

    def account(self, name: str) -> Account:
        """The named account; one the ledger does not list (hand-built inputs) is a taxable, pledged account."""
        for account in self.accounts:
            if account.name == name:
                return account
        return Account(name)
