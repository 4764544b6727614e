"""The path engine: household cash flows, spending rule and leverage stepped through every scenario at once.

Each step (a year or a month): the portfolio moves by the scenario's growth; the step's cash flow (after-tax
dividends, income, loan interest, spending) settles at the end of the step (or at its start, `timing="start"`);
a surplus first repays the standby line, then is reinvested; a deficit is met from cash, then by selling
holdings or drawing the standby line in the configured order. The margin ratio (secured loan ÷ portfolio)
is checked after each step: at the forced-liquidation threshold holdings are sold at that step's price to bring
the ratio back to the loan's target, which locks in the loss (the sold holdings no longer recover or pay
dividends). Spending that cannot be met is a failure of that path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from lifealm.models.montecarlo.config import SimulationConfig
from lifealm.models.montecarlo.scenarios import Scenarios
from lifealm.models.montecarlo.spending import initial_spending, year_spending

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class PathOutcomes:
    """Raw per-path results; `*_step` arrays hold the 0-based step of the first event, −1 for never."""

    net_worth: FloatArray  # (years + 1, paths), nominal, at each year end (row 0 = today)
    price_index: FloatArray  # (years + 1, paths), cumulative inflation, 1 today
    spending_failure_step: IntArray
    first_margin_call_step: IntArray
    first_forced_liquidation_step: IntArray
    forced_sales: FloatArray  # (paths,) value sold by forced liquidations
    initial_spending: float  # year-1 annual spending
    steps_per_year: int


class _State:
    """The mutable per-path balances of one run (kept in one place so the step helpers stay small)."""

    def __init__(self, config: SimulationConfig, paths: int) -> None:
        house = config.household
        self.value = np.full(paths, float(house.portfolio))
        # The household's dividends come from its stock holdings: with part of the portfolio rebalanced into
        # bonds, only the stock share pays them (the historical engines take the same yield out of the stock
        # share's price return, so price and income add up to the total return).
        self.dividends = np.full(paths, float(house.dividends) * config.market.stocks)
        self.cash = np.full(paths, float(house.cash))
        self.loan = np.full(paths, float(house.loan))
        self.line = np.full(paths, float(house.credit_drawn))
        self.failed_step = np.full(paths, -1, dtype=np.int64)
        self.margin_call_step = np.full(paths, -1, dtype=np.int64)
        self.liquidation_step = np.full(paths, -1, dtype=np.int64)
        self.forced_sales = np.zeros(paths)

    def net_worth(self) -> FloatArray:
        total: FloatArray = self.value + self.cash
        total -= self.loan
        total -= self.line
        return total


def _mark(first: IntArray, hit: NDArray[np.bool_], step: int) -> None:
    first[hit & (first < 0)] = step


def _capped(amount: FloatArray, cap: FloatArray) -> FloatArray:
    """min(max(amount, 0), cap) with one temporary (np.clip is slower on arrays this size)."""
    out = np.maximum(amount, 0.0)
    np.minimum(out, cap, out=out)
    return out


def _settle(config: SimulationConfig, state: _State, flow: FloatArray, step: int, tolerance: float) -> None:
    """Apply one step's net cash flow (positive: surplus, negative: deficit) to the balances."""
    house = config.household
    has_line = house.credit_limit > 0 or house.credit_drawn > 0
    if has_line:  # a surplus first repays the drawn standby line
        repay = _capped(flow, state.line)
        state.line -= repay
        flow -= repay
    if house.cash > 0:
        use = _capped(-flow, state.cash)
        state.cash -= use
        flow += use
    if has_line and config.funding_order == "line_first":
        draw = _capped(-flow, np.maximum(house.credit_limit - state.line, 0.0))
        state.line += draw
        flow += draw
    new_value = state.value + flow  # reinvests a surplus, sells for a deficit
    if has_line and config.funding_order == "sell_first":
        draw = _capped(-new_value, np.maximum(house.credit_limit - state.line, 0.0))
        state.line += draw
        new_value += draw
    unmet = new_value < -tolerance
    np.maximum(new_value, 0.0, out=new_value)
    if house.dividends > 0:  # selling or buying changes the holdings that pay dividends
        state.dividends *= np.divide(new_value, state.value, out=np.zeros_like(new_value), where=state.value > 0)
    state.value = new_value
    _mark(state.failed_step, unmet, step)


def _leverage(config: SimulationConfig, state: _State, step: int, tolerance: float) -> None:
    """Margin call and forced liquidation after the step's price move and cash flows."""
    house = config.household
    value, loan = state.value, state.loan
    hit = loan >= house.margin_call * value
    hit &= loan > 0
    if not hit.any():
        return
    _mark(state.margin_call_step, hit, step)
    if config.defend_margin_call:  # orthogonal defense: repay from cash, then the standby line
        need = np.where(hit, np.maximum(loan - house.target_ratio * value, 0.0), 0.0)
        from_cash = np.minimum(need, state.cash)
        state.cash -= from_cash
        need -= from_cash
        from_line = np.minimum(need, np.maximum(house.credit_limit - state.line, 0.0))
        state.line += from_line
        loan -= from_cash + from_line
    forced = loan >= house.forced_liquidation * value
    forced &= loan > 0
    if not forced.any():
        return
    _mark(state.liquidation_step, forced, step)
    target = house.target_ratio
    # sell x at today's price so that (loan − x) / (value − x) = target
    sell = np.where(forced, np.minimum((loan - target * value) / (1.0 - target), value), 0.0)
    if house.dividends > 0:
        with np.errstate(divide="ignore", invalid="ignore"):
            state.dividends *= np.where(value > 0, (value - sell) / value, 0.0)
    value -= sell
    loan -= sell
    state.forced_sales += sell
    # the whole portfolio sold and debt still left: the household is wiped out
    _mark(state.failed_step, forced & (value <= tolerance) & (loan > tolerance), step)


def run_paths(config: SimulationConfig, scenarios: Scenarios) -> PathOutcomes:
    """Step every path through its scenario; pure: the same inputs always give the same outcomes."""
    house, rule = config.household, config.spending
    per_year = config.steps_per_year
    dt = 1.0 / per_year
    paths = scenarios.paths
    state = _State(config, paths)
    start_net = float(house.portfolio + house.cash - house.loan - house.credit_drawn)
    tolerance = 1e-9 * max(abs(house.portfolio), house.expenses, abs(start_net), 1.0)
    first_spending = initial_spending(config, start_net)
    floor = rule.floor * first_spending
    index = np.ones(paths)
    net_worth = np.empty((config.years + 1, paths))
    price_index = np.empty((config.years + 1, paths))
    net_worth[0] = state.net_worth()
    price_index[0] = index
    spend = np.full(paths, first_spending)
    last_index = index.copy()
    year_growth = np.ones(paths) if rule.rule == "guardrails" else None
    interest_dt = house.loan_rate * dt
    line_dt = house.credit_rate * dt
    after_tax_dt = (1.0 - house.dividend_tax) * dt
    flow = np.empty(paths)
    for year in range(config.years):
        if year > 0:
            if house.dividends > 0:
                state.dividends *= 1.0 + scenarios.dividend_growth[year - 1]
            last_inflation = index / last_index - 1.0
            last_return = year_growth - 1.0 if year_growth is not None else None
            spend = year_spending(rule, year, config.years, spend, first_spending, net_worth[year], index,
                                  last_inflation, last_return)
            last_index = index.copy()
            if year_growth is not None:
                year_growth.fill(1.0)
        elif rule.rule in ("percent", "vpw"):
            spend = year_spending(rule, 0, config.years, spend, first_spending, net_worth[0], index,
                                  index - 1.0, None)
        if floor > 0 and rule.rule in ("percent", "vpw", "guardrails"):
            _mark(state.failed_step, spend < floor * index * (1.0 - 1e-12), year * per_year)
        income_dt = sum(s.annual_amount * (1.0 + s.annual_change) ** year for s in house.income) * dt
        spend_dt = spend * dt
        for month in range(per_year):
            step = year * per_year + month
            if config.timing == "end":
                state.value *= scenarios.growth[step]
            np.multiply(state.dividends, after_tax_dt, out=flow)
            flow += income_dt
            flow -= spend_dt
            if house.loan > 0:
                flow -= state.loan * interest_dt
            if house.credit_limit > 0 or house.credit_drawn > 0:
                flow -= state.line * line_dt
            _settle(config, state, flow, step, tolerance)
            if config.timing == "start":
                state.value *= scenarios.growth[step]
            if year_growth is not None:
                year_growth *= scenarios.growth[step]
            index *= 1.0 + scenarios.inflation[step]
            if house.loan > 0:
                _leverage(config, state, step, tolerance)
        net_worth[year + 1] = state.net_worth()
        price_index[year + 1] = index
    return PathOutcomes(
        net_worth=net_worth, price_index=price_index, spending_failure_step=state.failed_step,
        first_margin_call_step=state.margin_call_step, first_forced_liquidation_step=state.liquidation_step,
        forced_sales=state.forced_sales, initial_spending=first_spending, steps_per_year=per_year,
    )
