"""Frozen configuration of a Monte Carlo run: market model, household cash flows, spending rule, leverage."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from math import fsum
from typing import Literal

Engine = Literal["parametric", "historical", "bootstrap"]
Steps = Literal["annual", "monthly"]
Rule = Literal["plan", "constant", "percent", "guardrails", "vpw"]
Timing = Literal["end", "start"]
FundingOrder = Literal["sell_first", "line_first"]
SuccessDefinition = Literal["spending_sustained", "spending_sustained_without_forced_liquidation"]

ENGINES: tuple[Engine, ...] = ("parametric", "historical", "bootstrap")
RULES: tuple[Rule, ...] = ("plan", "constant", "percent", "guardrails", "vpw")
BONDS = ("baa", "tbond", "tbill")


@dataclass(frozen=True, slots=True)
class MarketModel:
    """Where returns and inflation come from. Means and deviations are annual, arithmetic, as fractions.

    The portfolio holds `stocks` in stocks and the rest in `bonds`, rebalanced to that mix every step.
    """

    engine: Engine = "parametric"
    stocks: float = 1.0
    bonds: str = "tbond"  # baa | tbond | tbill: the historical series; also the parametric bond defaults
    mean_return: float = 0.07  # parametric stocks
    volatility: float = 0.20
    bond_return: float = 0.05  # parametric bonds
    bond_volatility: float = 0.08
    inflation: float = 0.02  # parametric inflation (normal)
    inflation_std: float = 0.01
    # correlation of the stock, bond and inflation shocks (row-major 3×3); None = independent
    correlation: tuple[tuple[float, float, float], ...] | None = None
    student_t_dof: float | None = None  # fat tails: Student-t shocks with this many degrees of freedom (> 2)
    start_years: tuple[int, int] | None = None  # historical: first and last start year (None = all that fit)
    wrap: bool = False  # historical: sequences running past the data wrap to its first year
    # bootstrap: a circular block bootstrap; each block is this many consecutive years from a uniformly drawn
    # start year, read round the data as a circle (after its last year comes its first)
    block_years: int = 5


@dataclass(frozen=True, slots=True)
class DividendStream:
    """One holding's pre-tax dividends over the next year (base currency) and their own expected annual growth."""

    annual_amount: float
    growth: float


@dataclass(frozen=True, slots=True)
class StandbyLine:
    """One unsecured standby credit line: what can still be drawn is max(0, limit − drawn), at its own rate."""

    limit: float
    drawn: float = 0.0
    rate: float = 0.03


@dataclass(frozen=True, slots=True)
class IncomeStream:
    """A nominal income stream: `annual_amount` this year, changing by `annual_change` a year (−0.05: −5 %/yr),
    received from `start_year` to `end_year` (years from today; a pension from 15, a salary until 5)."""

    annual_amount: float
    annual_change: float = 0.0
    start_year: float = 0.0
    end_year: float | None = None  # None: for ever


@dataclass(frozen=True, slots=True)
class ExpenseStream:
    """A dated expense in today's money (inflated like the plan's spending), paid from `start_year` to `end_year`."""

    annual_amount: float
    start_year: float = 0.0
    end_year: float | None = None


@dataclass(frozen=True, slots=True)
class CashEvent:
    """A one-off amount `year` years from today: positive income, negative expense; `real`: in today's money
    (inflated to its date), else nominal."""

    year: float
    amount: float
    real: bool = True


@dataclass(frozen=True, slots=True)
class AmortizingLoan:
    """A loan repaid by a fixed monthly payment (interest included) until nothing is left: a mortgage."""

    balance: float
    rate: float
    monthly_payment: float


@dataclass(frozen=True, slots=True)
class MarginLoan:
    """One margin position: the margin loans at one broker against that broker's own pledged account.

    `collateral_fraction` is the collateral (the pledged holdings × their haircuts) ÷ the portfolio today;
    `pledged_share` is the market value of the pledged account ÷ the portfolio today (1: the whole portfolio stands
    behind the loan, the collateral being `collateral_fraction` of every holding). A forced sale sells the pledged
    holdings, so each yen sold takes collateral_fraction ÷ pledged_share yen of collateral with it.
    """

    balance: float
    rate: float = 0.02
    collateral_fraction: float = 1.0
    margin_call: float = 0.70
    forced_liquidation: float = 0.85
    target_ratio: float = 0.65  # a forced liquidation sells down to this ratio
    pledged_share: float = 1.0
    account: str | None = None  # the ledger's pledged account of this broker (None: not from a ledger, or combined)

    @property
    def haircut(self) -> float:
        """The collateral counted per yen of the pledged holdings' market value (0: nothing is pledged)."""
        return self.collateral_fraction / self.pledged_share if self.pledged_share > 0 else 0.0


@dataclass(frozen=True, slots=True)
class Household:
    """Today's balance sheet and cash flows in the base currency (annual amounts)."""

    portfolio: float
    cash: float = 0.0
    dividends: float = 0.0  # pre-tax dividends of the (stock) holdings over the next year; paid on the stock share
    dividend_growth: float = 0.06  # the expected growth of `dividends` when no `dividend_streams` are given
    dividend_growth_std: float = 0.03  # one shared shock a year added to every stream's own growth
    # each holding's dividends and own growth: their shares of `dividends` grow at their own rates (parametric)
    dividend_streams: tuple[DividendStream, ...] = ()
    dividend_tax: float = 0.20315
    income: tuple[IncomeStream, ...] = ()
    expenses: float = 0.0  # today's money; inflated by the simulated inflation
    # One margin position (every secured loan as one, against `collateral_fraction` of the portfolio): `loan` and
    # its terms. Loans at two or more brokers, each against its own account: `margin_loans` instead (loan = 0).
    loan: float = 0.0  # secured (portfolio-collateral) margin loan
    loan_rate: float = 0.02
    margin_call: float = 0.70
    forced_liquidation: float = 0.85
    target_ratio: float = 0.65  # a forced liquidation sells down to this ratio
    credit_limit: float = 0.0  # an unsecured standby line (orthogonal defense), next to `credit_lines`
    credit_drawn: float = 0.0
    credit_rate: float = 0.03
    credit_lines: tuple[StandbyLine, ...] = ()  # the ledger's standby lines, each with its own limit and rate
    expense_streams: tuple[ExpenseStream, ...] = ()  # dated expenses, besides the plan's `expenses`
    events: tuple[CashEvent, ...] = ()
    amortizing: tuple[AmortizingLoan, ...] = ()
    # the margin loan's collateral as a share of the portfolio: the pledged holdings × their haircuts ÷ the
    # portfolio value today, kept as the portfolio moves and sells (1: every holding pledged at face value)
    collateral_fraction: float = 1.0
    margin_loans: tuple[MarginLoan, ...] = ()  # two or more brokers' positions, each measured on its own

    def __post_init__(self) -> None:
        if self.margin_loans and (self.loan != 0.0 or len(self.margin_loans) < 2):
            raise ValueError("margin_loans declares two or more brokers' positions with loan = 0; one position is "
                             "declared by loan and its terms")
        if fsum(p.pledged_share for p in self.margin_loans) > 1.0 + 1e-9:
            raise ValueError("the brokers' pledged accounts hold more than the whole portfolio (pledged_share)")

    @property
    def positions(self) -> tuple[MarginLoan, ...]:
        """Every margin position: `margin_loans`, or the one given by `loan` and its terms (none when nothing is
        owed)."""
        if self.margin_loans:
            return self.margin_loans
        if self.loan > 0:
            return (MarginLoan(self.loan, self.loan_rate, self.collateral_fraction, self.margin_call,
                               self.forced_liquidation, self.target_ratio),)
        return ()

    def with_one_margin_loan(self, balance: float) -> Household:
        """The household with its margin loans replaced by one loan of `balance` (`lifealm simulate --loan`): on the
        one position's terms, or the brokers' positions taken as one, the strictest of each of their thresholds
        and targets against all their collateral, at their balance-weighted rate."""
        brokers = self.margin_loans
        if not brokers:
            return replace(self, loan=balance)
        owed = fsum(p.balance for p in brokers)
        rate = fsum(p.balance * p.rate for p in brokers) / owed if owed > 0 else brokers[0].rate
        return replace(self, margin_loans=(), loan=balance, loan_rate=rate,
                       collateral_fraction=fsum(p.collateral_fraction for p in brokers),
                       margin_call=min(p.margin_call for p in brokers),
                       forced_liquidation=min(p.forced_liquidation for p in brokers),
                       target_ratio=min(p.target_ratio for p in brokers))

    @property
    def margin_debt(self) -> float:
        """What is owed on the margin loans today, over every position."""
        return fsum(p.balance for p in self.positions)

    @property
    def lines(self) -> tuple[StandbyLine, ...]:
        """Every standby line: `credit_lines` and the one given by `credit_limit`/`credit_drawn` (if any)."""
        if self.credit_limit > 0 or self.credit_drawn > 0:
            return (*self.credit_lines, StandbyLine(self.credit_limit, self.credit_drawn, self.credit_rate))
        return self.credit_lines

    @property
    def line_drawn(self) -> float:
        """What is drawn on the standby lines today."""
        return sum(line.drawn for line in self.lines)

    @property
    def net_worth(self) -> float:
        """Today's simulated net worth: portfolio + cash − margin loan − drawn standby lines − amortizing loans."""
        return self.portfolio + self.cash - self.margin_debt - self.line_drawn - sum(a.balance for a in self.amortizing)

    @property
    def streams(self) -> tuple[DividendStream, ...]:
        """The dividend streams whose own growth the engine follows (one stream when none are given)."""
        return self.dividend_streams or (DividendStream(self.dividends, self.dividend_growth),)


@dataclass(frozen=True, slots=True)
class SpendingRule:
    """How much is spent: the spending-level rules fix each year's amount at its start; the percentage-of-balance
    rules pay a share of the net portfolio as it stands at each payment.

    plan: the household's expenses inflated. constant: withdrawal_rate × the initial net portfolio, then
    inflated (the 4 % rule). guardrails: Guyton-Klinger. percent: withdrawal_rate a year of the net portfolio
    at each payment. vpw: variable percentage withdrawal, the level annuity (at `vpw_return`) over the payments
    left, each paid from the balance it is a share of, so the last payment is the whole balance. A percentage
    rule cannot run out; its failure is spending below `floor` (0: none, so it never fails).
    """

    rule: Rule = "plan"
    withdrawal_rate: float = 0.04
    inflation_adjust: bool = True
    scale: float = 1.0  # multiplies the plan's expenses or the initial withdrawal (the solver varies it)
    guardrail_band: float = 0.20  # cut when the current rate exceeds initial × (1 + band), raise below × (1 − band)
    guardrail_adjustment: float = 0.10
    guardrail_final_years: int = 15  # the capital-preservation cut is not applied in the last years
    vpw_return: float = 0.035  # the return assumed by the VPW annuity factor
    # percent, vpw, guardrails: spending (a year's rate) below floor × the first year's, in today's money, fails
    floor: float = 0.0


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    """One Monte Carlo run. `timing`: the year's (or month's) cash flows settle at the end of the step
    (the convention that reproduces the Trinity and Bengen results) or at its start (more conservative)."""

    household: Household
    market: MarketModel = field(default_factory=MarketModel)
    spending: SpendingRule = field(default_factory=SpendingRule)
    years: int = 40
    paths: int = 10_000
    steps: Steps = "annual"
    timing: Timing = "end"
    funding_order: FundingOrder = "sell_first"  # after cash: sell holdings or draw the standby line first
    defend_margin_call: bool = False  # at a margin call, repay from cash and the standby line to the target
    success_definition: SuccessDefinition = "spending_sustained"
    real: bool = False  # the result's headline net worth view: today's money (True) or nominal

    @property
    def steps_per_year(self) -> int:
        return 12 if self.steps == "monthly" else 1


def series_defaults() -> SimulationConfig:
    """The article series' part 05 configuration (seed 42 is the caller's `default_rng(42)`)."""
    household = Household(
        portfolio=125_000_000.0,
        dividends=5_000_000.0,
        dividend_growth=0.06,
        dividend_growth_std=0.03,
        dividend_tax=0.20315,
        income=(IncomeStream(12_000_000.0, -0.05),),
        expenses=9_600_000.0,
        loan=50_000_000.0,
        loan_rate=0.02,
        margin_call=0.70,
        forced_liquidation=0.85,
        target_ratio=0.65,
    )
    market = MarketModel(mean_return=0.07, volatility=0.20, inflation=0.02, inflation_std=0.01)
    return SimulationConfig(household=household, market=market, years=40, paths=10_000)


def classic(initial: float, withdrawal_rate: float = 0.04, *, market: MarketModel | None = None,
            years: int = 30, paths: int = 10_000, rule: Rule = "constant",
            inflation_adjust: bool = True) -> SimulationConfig:
    """A calculator-style question: a portfolio, a withdrawal rule, no other income, no leverage."""
    return SimulationConfig(
        household=Household(portfolio=initial),
        market=market or MarketModel(),
        spending=SpendingRule(rule=rule, withdrawal_rate=withdrawal_rate, inflation_adjust=inflation_adjust),
        years=years,
        paths=paths,
    )
