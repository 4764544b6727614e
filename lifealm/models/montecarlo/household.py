"""The household plan from the ledger's frozen inputs, built from the defense models' own results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from math import fsum
from typing import Any

import numpy as np

from lifealm.models.assumptions import MAX_SIMULATION_CELLS
from lifealm.models.cashflow import cash_flow
from lifealm.models.collateral import Collateral, collateral_value
from lifealm.models.defense import measure_defense
from lifealm.models.dividends import project_dividends
from lifealm.models.findings import Finding, Severity, merge_findings
from lifealm.models.fx import build_fx_table
from lifealm.models.horizon import plan_horizon
from lifealm.models.inputs import LedgerInputs, Loan
from lifealm.models.margin import combined_thresholds, secured_loans
from lifealm.models.montecarlo.config import (
    AmortizingLoan,
    CashEvent,
    DividendStream,
    ExpenseStream,
    Household,
    IncomeStream,
    MarginLoan,
    MarketModel,
    SimulationConfig,
    StandbyLine,
    Steps,
)
from lifealm.models.montecarlo.history import ReturnHistory
from lifealm.models.montecarlo.result import MonteCarloResult
from lifealm.models.montecarlo.run import simulate
from lifealm.models.positions import loans_by_account
from lifealm.models.valuation import value_portfolio


@dataclass(frozen=True, slots=True)
class HouseholdPlan:
    """The simulation of the ledger's plan and the data problems found while building it (never dropped)."""

    config: SimulationConfig
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class HouseholdRun:
    """The simulated plan and the findings of building it: the briefing shows both, so neither can be dropped."""

    result: MonteCarloResult
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class HouseholdInputs:
    """Today's household for the engine and the findings of the models it was built from."""

    household: Household
    findings: tuple[Finding, ...]


def _years_from(as_of: date, day: date) -> float:
    """Whole months from the as-of month to `day`'s month, in years (the timeline's and the engine's steps)."""
    return ((day.year - as_of.year) * 12 + day.month - as_of.month) / 12.0


def _span(as_of: date, start: date | None, end: date | None) -> tuple[float, float | None]:
    """A dated stream's [start, end) in years from the as-of month, its end month included."""
    return (max(0.0, _years_from(as_of, start)) if start else 0.0,
            None if end is None else _years_from(as_of, end) + 1.0 / 12.0)


def dated_flows(inputs: LedgerInputs) -> dict[str, Any]:
    """The ledger's dated streams, one-off events and amortizing loans as the engine takes them."""
    as_of = inputs.as_of
    return {
        "income": tuple(IncomeStream(i.monthly_amount * 12.0, i.annual_change, *_span(as_of, i.start, i.end))
                        for i in inputs.income),
        "expenses": fsum(e.monthly_amount for e in inputs.expenses if e.start is None and e.end is None) * 12.0,
        "expense_streams": tuple(ExpenseStream(e.monthly_amount * 12.0, *_span(as_of, e.start, e.end))
                                 for e in inputs.expenses if e.start is not None or e.end is not None),
        "events": tuple(CashEvent(_years_from(as_of, e.on), e.signed_amount, e.basis == "real")
                        for e in inputs.events),
        "amortizing": tuple(AmortizingLoan(loan.balance, loan.rate, loan.monthly_payment or 0.0)
                            for loan in inputs.loans if loan.is_amortizing and loan.balance > 0),
    }


def _balance_and_rate(loans: tuple[Loan, ...]) -> tuple[float, float]:
    """The loans' total balance and their balance-weighted rate (the largest loan's rate when nothing is owed)."""
    balance = fsum(loan.balance for loan in loans)
    rate = (fsum(loan.balance * loan.rate for loan in loans) / balance if balance > 0
            else max(loans, key=lambda loan: loan.balance).rate)
    return balance, rate


def _combined_terms(secured: tuple[Loan, ...]) -> dict[str, Any]:
    """Every secured loan as one position under the stress model's rule: the strictest threshold and target."""
    thresholds = combined_thresholds(secured)
    if thresholds is None:
        return {}
    balance, rate = _balance_and_rate(secured)
    return {"loan": balance, "loan_rate": rate, "margin_call": thresholds.margin_call,
            "forced_liquidation": thresholds.forced_liquidation, "target_ratio": thresholds.target}


def _broker_position(loans: tuple[Loan, ...], account: str, pledged: Collateral, portfolio: float) -> MarginLoan:
    """One broker's loans against its own pledged account, its thresholds the strictest of its own loans'."""
    thresholds = combined_thresholds(loans)
    assert thresholds is not None  # loans_by_account groups secured loans only
    balance, rate = _balance_and_rate(loans)
    collateral, market = pledged.in_account(account)
    return MarginLoan(balance, rate, collateral / portfolio if portfolio > 0 else 0.0, thresholds.margin_call,
                      thresholds.forced_liquidation, thresholds.target,
                      market / portfolio if portfolio > 0 else 0.0, account)


def household_inputs(inputs: LedgerInputs) -> HouseholdInputs:
    """Valuation, dividends, defense and margin thresholds exactly as the briefing's models compute them."""
    a = inputs.assumptions
    fx = build_fx_table(inputs.fx_rates, base_currency=inputs.base_currency, as_of=inputs.as_of)
    valuation = value_portfolio(inputs)
    pledged = collateral_value(inputs, valuation)
    flows = dated_flows(inputs)
    projection = project_dividends(inputs.holdings, inputs.dividends, as_of=inputs.as_of, fx=fx,
                                   annual_expenses=cash_flow(inputs).annual_expenses, assumptions=a,
                                   accounts=inputs.accounts)
    # Only holdings the valuation could value pay dividends into the plan: a holding left out of the
    # portfolio value must not inflate its yield (the valuation's finding says which one).
    valued = [h for h, v in zip(projection.holdings, valuation.holdings, strict=True) if v.value is not None]
    total_dividends = fsum(h.annual_income for h in valued)
    # each account's own tax (NISA 0) as one rate on the total: exact today, the mix kept as the paths move
    tax = 1.0 - fsum(h.annual_after_tax for h in valued) / total_dividends if total_dividends > 0 else a.dividend_tax
    # year 1's growth of the total (the engine follows each holding's own rate through `dividend_streams`)
    growth = (fsum(h.annual_income * h.growth for h in valued) / total_dividends if total_dividends > 0
              else a.default_dividend_growth)
    streams = tuple(DividendStream(h.annual_income, h.growth) for h in valued if h.annual_income > 0)
    defense = measure_defense(inputs, fx)
    # each line as the defense model sees it: its own limit, drawn balance and rate
    lines = tuple(StandbyLine(line.limit, line.drawn, line.rate) for line in defense.credit_lines)
    # the briefing's grouping: loans at two or more brokers are one position each, against that account alone
    groups = loans_by_account(inputs.loans, pledged)
    terms: dict[str, Any] = (
        {"margin_loans": tuple(_broker_position(group, account, pledged, valuation.value)
                               for account, group in groups)} if groups
        else _combined_terms(secured_loans(inputs.loans)))
    house = Household(
        portfolio=valuation.value,
        cash=max(defense.cash, 0.0),  # an overdraft is a finding of the defense model; it cannot fund spending
        dividends=total_dividends,
        dividend_growth=growth,
        dividend_growth_std=a.dividend_growth_std,
        dividend_streams=streams,
        dividend_tax=tax,
        income=flows["income"],
        expenses=flows["expenses"],
        expense_streams=flows["expense_streams"],
        events=flows["events"],
        amortizing=flows["amortizing"],
        collateral_fraction=pledged.value / valuation.value if valuation.value > 0 else 1.0,  # the one position
        credit_lines=lines,
        **terms,
    )
    return HouseholdInputs(house, merge_findings(valuation.findings, pledged.findings, defense.findings,
                                                 projection.findings))


def household_plan(inputs: LedgerInputs) -> HouseholdPlan:
    """The household plan under the ledger's assumptions (parametric GBM, monthly steps) over the plan's horizon
    (`plan_horizon`), with its findings.

    Monthly steps because the lender marks the collateral daily: a ratio looked at once a year misses the
    margin calls and forced sales of a fall that recovers within the year. Margin calls are defended from cash and
    the standby lines, as the stress model's defense does.
    """
    a = inputs.assumptions
    built = household_inputs(inputs)
    market = MarketModel(mean_return=a.market_return, volatility=a.market_volatility, inflation=a.inflation,
                         inflation_std=a.inflation_std)
    steps: Steps = "monthly"
    findings = built.findings
    years = plan_horizon(inputs).years  # mc_years, or until the youngest adult member is plan_to_age
    if a.mc_paths * years * 12 > MAX_SIMULATION_CELLS:
        # the monthly scenarios would not fit in memory: annual steps, and a finding that says so
        steps = "annual"
        findings = merge_findings(findings, (Finding(
            "montecarlo_annual_steps", Severity.WARNING, "assumptions",
            (("mc_paths", a.mc_paths), ("mc_years", years), ("max_cells", MAX_SIMULATION_CELLS))),))
    config = SimulationConfig(household=built.household, market=market, years=years, paths=a.mc_paths,
                              steps=steps, defend_margin_call=True, funding_order="sell_first")
    return HouseholdPlan(config, findings)


def run_household(inputs: LedgerInputs, rng: np.random.Generator, *,
                  history: ReturnHistory | None = None, seed: int | None = None) -> HouseholdRun:
    """Monte Carlo FIRE for the ledger's household (the briefing's section) with the plan's findings; `seed` is
    only recorded."""
    plan = household_plan(inputs)
    return HouseholdRun(simulate(plan.config, rng, history=history, seed=seed), plan.findings)
