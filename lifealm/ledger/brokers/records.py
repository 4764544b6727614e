"""The typed records a broker export becomes: accounts, holdings, closes, dividends and cash, all frozen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Literal

from lifealm.errors import LifealmError

AccountKind = Literal["taxable", "nisa_growth", "nisa_tsumitate", "ideco", "other"]
AssetClass = Literal["equity", "fund"]


class BrokerFormatError(LifealmError):
    """The file is not (or no longer) the broker layout it was read as; the message names the line."""


@dataclass(frozen=True, slots=True)
class BrokerAccount:
    """One account at the broker: a tax wrapper (特定, NISA 成長投資枠, …), named after the broker and wrapper."""

    name: str  # "SBI証券 特定", "楽天証券 NISA成長投資枠": unique within the export
    kind: AccountKind
    tax_free: bool  # NISA, new or old: dividends and gains are not taxed in Japan
    wrapper: str  # the wrapper in one spelling for every broker: 特定, 一般, NISA成長投資枠, 旧NISA, …


@dataclass(frozen=True, slots=True)
class BrokerHolding:
    """One position in one account (lots of the same security in a section are summed into one)."""

    account: str  # BrokerAccount.name
    ticker: str  # the security code ("4063", "408A", "SOXL"); a fund without a code: its (NFKC) name
    name: str
    shares: Decimal  # shares, or 口 for a fund
    cost_basis: Decimal | None  # total cost in `currency`: 取得単価 × 数量 (÷ price_unit); None: not in the file
    currency: str  # ISO code: JPY, USD
    asset_class: AssetClass
    price_unit: int  # 1, or 10000 for funds (their prices are quoted per 10,000 口)
    line: int  # the position's first line in the file
    acquired: date | None = None  # the earliest 買付日 when the file has one


@dataclass(frozen=True, slots=True)
class BrokerClose:
    """The 現在値 of a security, dated by the file; `close` is per share / per 口, so shares × close = value."""

    ticker: str
    price_date: date
    close: Decimal  # quoted ÷ price_unit
    quoted: Decimal  # as printed (per 10,000 口 for funds)
    currency: str
    line: int


@dataclass(frozen=True, slots=True)
class BrokerDividend:
    """A dividend or distribution received (paid into the account), before and after tax."""

    account: str  # the account as the file names it, e.g. "楽天証券 特定・一般"
    account_kind: AccountKind
    ticker: str
    name: str
    pay_date: date
    shares: Decimal
    amount_per_share: Decimal | None  # as printed; None when the file shows "-"
    gross: Decimal  # before tax, in `currency`
    tax: Decimal
    received: Decimal
    currency: str
    line: int

    @property
    def per_share(self) -> Decimal:
        """The amount per share: as printed, else gross ÷ shares."""
        if self.amount_per_share is not None:
            return self.amount_per_share
        return self.gross / self.shares


@dataclass(frozen=True, slots=True)
class BrokerCash:
    """A cash balance held at the broker (外貨預り金)."""

    account: str
    name: str
    amount: Decimal
    currency: str
    line: int


@dataclass(frozen=True, slots=True)
class BrokerExport:
    """Everything one broker file says, plus findings: what was not read or does not add up, as FILE:LINE text."""

    format: str  # "sbi-portfolio", …
    broker: str  # "SBI証券", "楽天証券"
    path: Path
    as_of: date | None  # the date the file was exported (None for a dividend history)
    accounts: tuple[BrokerAccount, ...]
    holdings: tuple[BrokerHolding, ...]
    closes: tuple[BrokerClose, ...]
    dividends: tuple[BrokerDividend, ...] = ()
    cash: tuple[BrokerCash, ...] = ()
    findings: tuple[str, ...] = ()
