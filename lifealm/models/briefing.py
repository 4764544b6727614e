"""One frozen Briefing composing every model result for one as-of date: what the report, JSON and snapshot show."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from lifealm.models.assumptions import Assumptions
from lifealm.models.balance import BalanceSheet, balance_sheet
from lifealm.models.cashflow import CashFlow, cash_flow
from lifealm.models.collateral import Collateral, collateral_value
from lifealm.models.coverage import missing_data
from lifealm.models.defense import Defense, LineComparison, measure_defense
from lifealm.models.dividends import DividendProjection, project_dividends
from lifealm.models.findings import Finding, Severity, merge_findings
from lifealm.models.freshness import Freshness, UpdateReport, freshness
from lifealm.models.fx import build_fx_table, stale_fx_findings
from lifealm.models.history import History, history
from lifealm.models.horizon import PlanHorizon, plan_horizon
from lifealm.models.inputs import LedgerInputs, Snapshot
from lifealm.models.margin import MarginPosition, RepayNow, Status
from lifealm.models.montecarlo.result import MonteCarloResult
from lifealm.models.positions import (
    Positions,
    any_without_collateral,
    headline_margin,
    measure_positions,
    shared_line_comparison,
    shared_repay_now,
)
from lifealm.models.stress import StressResult, drawdown_steps
from lifealm.models.timeline import Timeline, household_timeline
from lifealm.models.valuation import Valuation, value_portfolio

if TYPE_CHECKING:  # the plan's engine (numpy and the simulation) is imported by whoever runs it, not by every briefing
    from lifealm.models.montecarlo.household import HouseholdRun


@dataclass(frozen=True, slots=True)
class Briefing:
    as_of: date
    base_currency: str
    status: Status
    assumptions: Assumptions
    valuation: Valuation
    collateral: Collateral  # what the margin loans are secured by: pledged holdings × haircut
    margin: MarginPosition  # the position that fails first (the combined one unless split), with the worst status
    repay_now: RepayNow  # what today's ratios already call for, before any further fall, over every position
    positions: Positions  # each broker's margin position: one per named account, or the one combined position
    defense: Defense
    stress: StressResult  # with the standby lines in the defense (the headline)
    line: LineComparison  # the same stress with and without the standby lines
    cashflow: CashFlow
    balance_sheet: BalanceSheet
    dividends: DividendProjection
    montecarlo: MonteCarloResult | None  # None: not run for this briefing
    snapshot: Snapshot  # this briefing's headline figures, as written to the ledger
    history: History
    findings: tuple[Finding, ...]  # every model's findings, errors first, duplicates removed
    inputs: LedgerInputs  # what the briefing was computed from (accounts, events, members for the page)
    timeline: Timeline  # income, expenses and events year by year over the horizon
    horizon: PlanHorizon  # the years the Monte Carlo and the timeline span, and why
    freshness: Freshness  # the dates of the prices used and the outcome of the update before this briefing
    missing: tuple[Finding, ...] = ()  # what the ledger lacks to answer at all; non-empty ⇔ status NO DATA

    @property
    def fire_ratio(self) -> float | None:
        return self.dividends.fire_ratio


def _plan_findings(margin: MarginPosition, positions: Positions) -> tuple[Finding, ...]:
    found: list[Finding] = []
    if any_without_collateral(positions):
        found.append(Finding("secured_loan_without_collateral", Severity.ERROR, "loans",
                             (("balance", margin.balance), ("portfolio_value", margin.collateral))))
    return tuple(found)


def _snapshot(as_of: date, status: Status, valuation: Valuation, defense: Defense, margin: MarginPosition,
              margin_balance: float,
              sheet: BalanceSheet, flow: CashFlow, dividends: DividendProjection, stress: StressResult,
              montecarlo: MonteCarloResult | None) -> Snapshot:
    return Snapshot(
        snapshot_date=as_of, status=status.value, portfolio_value=valuation.value, cash=defense.cash,
        margin_balance=margin_balance,
        margin_ratio=None if math.isinf(margin.ratio) else margin.ratio,  # stored as NULL when infinite
        net_worth=sheet.net_worth, monthly_cashflow=flow.monthly, fire_ratio=dividends.fire_ratio,
        max_survivable_drawdown=stress.max_survivable_drawdown,
        success_probability=montecarlo.success_probability if montecarlo is not None else None,
    )


def build_briefing(inputs: LedgerInputs, *, montecarlo: HouseholdRun | None = None,
                   update: UpdateReport | None = None) -> Briefing:
    """Run every model on `inputs` (pure: no I/O, nothing random) and compose the results; `montecarlo` is the
    household plan's run (its result and the findings of building the plan), `update` what the price update just
    before this briefing did, if one ran."""
    a = inputs.assumptions
    fx = build_fx_table(inputs.fx_rates, base_currency=inputs.base_currency, as_of=inputs.as_of)
    valuation = value_portfolio(inputs)
    pledged = collateral_value(inputs, valuation)
    positions = measure_positions(inputs.loans, pledged, caution_ratio=a.caution_ratio)
    margin = headline_margin(positions)
    defense = measure_defense(inputs, fx)
    steps = drawdown_steps(a.stress_step, a.stress_max)
    line = shared_line_comparison(positions, defense, pledged.value, steps)
    flow = cash_flow(inputs)
    sheet = balance_sheet(inputs, valuation.value, defense, fx)
    dividends = project_dividends(inputs.holdings, inputs.dividends, as_of=inputs.as_of, fx=fx,
                                  annual_expenses=flow.annual_expenses, assumptions=a, accounts=inputs.accounts,
                                  annual_interest=flow.annual_interest)
    missing = missing_data(inputs, valuation, flow)
    horizon = plan_horizon(inputs)
    status = Status.NO_DATA if missing else margin.status
    result = montecarlo.result if montecarlo is not None else None
    secured_balance = math.fsum(p.margin.balance for p in positions.positions)
    snapshot = _snapshot(inputs.as_of, status, valuation, defense, margin, secured_balance, sheet, flow,
                         dividends, line.with_line, result)
    used = [h.currency for h in inputs.holdings] + [c.currency for c in inputs.cash_accounts] + [
        o.currency for o in inputs.other_assets]
    findings = merge_findings(missing, valuation.findings, pledged.findings, defense.findings, flow.findings,
                              sheet.findings, dividends.findings,
                              stale_fx_findings(fx, used, stale_days=a.stale_price_days),
                              _plan_findings(margin, positions),
                              montecarlo.findings if montecarlo is not None else (),
                              update.findings() if update else ())
    return Briefing(
        as_of=inputs.as_of, base_currency=inputs.base_currency, status=status, assumptions=a,
        valuation=valuation, collateral=pledged, margin=margin,
        repay_now=shared_repay_now(positions, defense.cash, defense.credit_available), positions=positions,
        defense=defense, stress=line.with_line, line=line, cashflow=flow,
        balance_sheet=sheet, dividends=dividends, montecarlo=result, snapshot=snapshot,
        history=history(inputs.snapshots, snapshot), findings=findings, missing=missing, inputs=inputs,
        timeline=household_timeline(inputs, horizon.years), horizon=horizon,
        freshness=freshness(valuation, update),
    )
