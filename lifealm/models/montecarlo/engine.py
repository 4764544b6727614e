"""The path engine: household cash flows, spending rule and leverage stepped through every scenario at once.

Today's state is checked first: a household already at its margin call (or forced liquidation) is there on every
path, before any price moves. Then each step (a year or a month): the portfolio moves by the scenario's growth;
the step's cash flow (after-tax dividends, income, interest on the margin loan and on each standby line at its own
rate, spending, and the dated flows of the schedule: streams that start or end, one-off events, amortizing loan
payments) settles at the end of the step (or at its start, `timing="start"`); a surplus first repays the
standby lines (the dearest first), then is reinvested; a deficit is met from cash, then by selling holdings or
drawing the lines (the cheapest first, each up to max(0, limit − drawn)) in the configured order. Each margin
position's ratio (its loan ÷ its collateral: one position against `collateral_fraction` of the portfolio, or each
broker's loans against its own pledged account) is checked after each step: at its forced-liquidation threshold
that broker's pledged holdings are sold at the step's price to bring its ratio back to its target, which locks in
the loss (the sold holdings no longer recover or pay dividends); lifealm.models.montecarlo.margin has the formulas.
Spending that cannot be met is a failure of that path; a percentage-of-balance rule pays a share of the balance
at each payment, so it fails only below its floor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from lifealm.models.montecarlo.config import SimulationConfig, StandbyLine
from lifealm.models.montecarlo.margin import MarginBook
from lifealm.models.montecarlo.scenarios import Scenarios
from lifealm.models.montecarlo.schedule import build_schedule
from lifealm.models.montecarlo.spending import PERCENTAGE_RULES, initial_spending, payment_fraction, year_spending

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class PathOutcomes:
    """Raw per-path results. The `*_step` arrays hold the step of each path's first event counted from 1 (the
    first simulated step; step s falls in year ⌈s / steps_per_year⌉), 0 for today's state, −1 for never."""

    net_worth: FloatArray  # (years + 1, paths), nominal, at each year end (row 0 = today)
    price_index: FloatArray  # (years + 1, paths), cumulative inflation, 1 today
    spending_failure_step: IntArray
    first_margin_call_step: IntArray
    first_forced_liquidation_step: IntArray
    # the same two per margin position, (positions, paths) in `Household.positions` order; the one position's
    # rows are the two arrays above
    position_margin_call_step: IntArray
    position_forced_liquidation_step: IntArray
    forced_sales: FloatArray  # (paths,) value sold by forced liquidations
    initial_spending: float  # year-1 annual spending
    steps_per_year: int
    dividends: FloatArray  # (years, paths): pre-tax dividends a year as each year starts, nominal


class _Lines:
    """The standby lines' drawn balances, (lines, paths), the cheapest line first; each line can lend only up to
    its own limit (an over-drawn line lends nothing more) and charges its own rate."""

    def __init__(self, lines: tuple[StandbyLine, ...], paths: int) -> None:
        ordered = sorted(lines, key=lambda line: line.rate)
        self.limits = [line.limit for line in ordered]
        self.rates = [line.rate for line in ordered]
        self.drawn = np.array([[line.drawn] for line in ordered], dtype=np.float64) * np.ones((1, paths))
        self.active = bool(self.drawn.any())  # False: nothing drawn on any path (repaying and interest are skipped)

    def total(self) -> FloatArray:
        total: FloatArray = self.drawn.sum(axis=0)
        return total

    def charge_interest(self, flow: FloatArray, dt: float) -> None:
        """Subtract each line's interest over `dt` years from `flow`."""
        if not self.active:
            return
        for drawn, rate in zip(self.drawn, self.rates, strict=True):
            if rate != 0.0:
                flow -= drawn * (rate * dt)

    def draw(self, need: FloatArray) -> FloatArray:
        """Draw up to `need` (≤ 0: nothing), the cheapest line first; returns what was drawn."""
        wanted = np.maximum(need, 0.0)
        if not wanted.any():
            return wanted
        remaining = wanted.copy()
        for drawn, limit in zip(self.drawn, self.limits, strict=True):
            take = np.maximum(limit - drawn, 0.0)
            np.minimum(take, remaining, out=take)
            drawn += take
            remaining -= take
        wanted -= remaining
        self.active = self.active or bool(wanted.any())
        return wanted

    def repay(self, surplus: FloatArray) -> FloatArray:
        """Repay up to `surplus` (≤ 0: nothing), the dearest line first; returns what was repaid."""
        if not self.active:
            return np.zeros_like(surplus)
        offered = np.maximum(surplus, 0.0)
        remaining = offered.copy()
        for drawn in self.drawn[::-1]:
            pay = np.minimum(remaining, drawn)
            drawn -= pay
            remaining -= pay
        offered -= remaining
        self.active = bool(self.drawn.any())
        return offered


class _State:
    """The mutable per-path balances of one run (kept in one place so the step helpers stay small)."""

    def __init__(self, config: SimulationConfig, paths: int) -> None:
        house = config.household
        self.value = np.full(paths, float(house.portfolio))
        # The household's dividends come from its stock holdings: with part of the portfolio rebalanced into
        # bonds, only the stock share pays them.
        self.dividends = np.full(paths, float(house.dividends) * config.market.stocks)
        self.cash = np.full(paths, float(house.cash))
        self.dividends_paid = house.dividends > 0
        positions = house.positions
        self.margin = MarginBook(positions, paths) if any(p.balance > 0 for p in positions) else None
        self.lines = _Lines(house.lines, paths) if house.lines else None
        self.failed_step = np.full(paths, -1, dtype=np.int64)
        self.margin_call_step = np.full(paths, -1, dtype=np.int64)
        self.liquidation_step = np.full(paths, -1, dtype=np.int64)
        if len(positions) > 1:
            self.position_call_step = np.full((len(positions), paths), -1, dtype=np.int64)
            self.position_liquidation_step = np.full((len(positions), paths), -1, dtype=np.int64)
        else:  # views: the one position's first steps are the household's (no extra work in the steps)
            self.position_call_step = self.margin_call_step[np.newaxis, :][:len(positions)]
            self.position_liquidation_step = self.liquidation_step[np.newaxis, :][:len(positions)]
        self.forced_sales = np.zeros(paths)
        self.debt = sum(loan.balance for loan in house.amortizing)  # the amortizing loans (the same on every path)

    def net_worth(self) -> FloatArray:
        total: FloatArray = self.value + self.cash
        total -= self.debt if self.margin is None else self.margin.total() + self.debt
        if self.lines is not None:
            total -= self.lines.total()
        return total


def _mark(first: IntArray, hit: NDArray[np.bool_], step: int) -> None:  # hit: (paths,) or (positions, paths)
    first[hit & (first < 0)] = step


def _capped(amount: FloatArray, cap: FloatArray) -> FloatArray:
    """min(max(amount, 0), cap) with one temporary (np.clip is slower on arrays this size)."""
    out = np.maximum(amount, 0.0)
    np.minimum(out, cap, out=out)
    return out


def _settle(config: SimulationConfig, state: _State, flow: FloatArray, step: int, tolerance: float) -> None:
    """Apply one step's net cash flow (positive: surplus, negative: deficit) to the balances."""
    house = config.household
    lines = state.lines
    if lines is not None and lines.active:  # a surplus first repays the drawn standby lines
        flow -= lines.repay(flow)
    if house.cash > 0:
        use = _capped(-flow, state.cash)
        state.cash -= use
        flow += use
    if lines is not None and config.funding_order == "line_first":
        flow += lines.draw(-flow)
    new_value = state.value + flow  # reinvests a surplus, sells for a deficit
    if lines is not None and config.funding_order == "sell_first":
        new_value += lines.draw(-new_value)
    unmet = new_value < -tolerance
    np.maximum(new_value, 0.0, out=new_value)
    if house.dividends > 0:  # selling or buying changes the holdings that pay dividends
        state.dividends *= np.divide(new_value, state.value, out=np.zeros_like(new_value), where=state.value > 0)
    state.value = new_value
    _mark(state.failed_step, unmet, step)


def _defend(state: _State, need: FloatArray) -> FloatArray:
    """Repay up to `need` from cash, then the standby lines; returns what was repaid."""
    from_cash = np.minimum(need, state.cash)
    state.cash -= from_cash
    need -= from_cash
    from_line = state.lines.draw(need) if state.lines is not None else 0.0
    paid: FloatArray = from_cash + from_line
    return paid


def _leverage(config: SimulationConfig, state: _State, book: MarginBook, step: int, tolerance: float) -> None:
    """Margin call and forced liquidation of every position on the current state (today's, then after each step);
    the formulas are in lifealm.models.montecarlo.margin."""
    loans = book.loans
    held = book.held(state.value)
    collateral = book.collateral(held)
    hit = loans >= book.margin_call * collateral
    hit &= loans > 0
    if not hit.any():
        return
    single = book.count == 1
    if single:
        _mark(state.margin_call_step, hit[0], step)
    else:
        _mark(state.margin_call_step, np.any(hit, axis=0), step)
        _mark(state.position_call_step, hit, step)
    if config.defend_margin_call:  # orthogonal defense: repay from cash, then the standby lines
        need = book.target_need(hit, collateral)
        if single:
            loans[0] -= _defend(state, need[0])
        else:  # the shared defense goes to the position nearest its forced sale first, on each path
            columns = np.arange(state.value.size)
            for rank in book.defense_order(collateral):
                loans[rank, columns] -= _defend(state, need[rank, columns])
    forced = loans >= book.forced * collateral
    forced &= loans > 0
    if not forced.any():
        return
    if single:
        _mark(state.liquidation_step, forced[0], step)
    else:
        _mark(state.liquidation_step, np.any(forced, axis=0), step)
        _mark(state.position_liquidation_step, forced, step)
    for index in range(book.count):
        if not single and not forced[index].any():
            continue
        value = state.value
        sell = book.sale(index, forced[index], collateral[index], held[index])
        if state.dividends_paid:
            with np.errstate(divide="ignore", invalid="ignore"):
                state.dividends *= np.where(value > 0, (value - sell) / value, 0.0)
        value -= sell
        # what is left in the broker's account (the whole-portfolio account's `held` is a view of `value`)
        sold_out = (value if book.whole else held[index] - sell) <= tolerance
        book.after_sale(index, sell, value)
        state.forced_sales += sell
        # the broker's pledged holdings all sold and its loan still owed: the household is wiped out
        _mark(state.failed_step, forced[index] & sold_out & (loans[index] > tolerance), step)


def run_paths(config: SimulationConfig, scenarios: Scenarios) -> PathOutcomes:
    """Step every path through its scenario; pure: the same inputs always give the same outcomes."""
    house, rule = config.household, config.spending
    per_year = config.steps_per_year
    dt = 1.0 / per_year
    paths = scenarios.paths
    total_steps = config.years * per_year
    state = _State(config, paths)
    start_net = house.net_worth
    tolerance = 1e-9 * max(abs(house.portfolio), house.expenses, abs(start_net), 1.0)
    first_spending = initial_spending(config, start_net)
    floor = rule.floor * first_spending
    percentage = rule.rule in PERCENTAGE_RULES
    book = state.margin
    if book is not None:  # today's state: a household in the margin-call zone now is in it on every path
        _leverage(config, state, book, 0, tolerance)
    index = np.ones(paths)
    net_worth = np.empty((config.years + 1, paths))
    price_index = np.empty((config.years + 1, paths))
    dividends = np.empty((config.years, paths))
    net_worth[0] = state.net_worth()
    price_index[0] = index
    spend = np.full(paths, first_spending)
    spend_dt = spend * dt
    last_index = index.copy()
    year_growth = np.ones(paths) if rule.rule == "guardrails" else None
    # historical engines: the dividends are the yield on the stock holdings' value (they follow the prices)
    follow_yield = None if scenarios.dividend_yield is None else scenarios.dividend_yield * config.market.stocks
    after_tax_dt = (1.0 - house.dividend_tax) * dt
    schedule = build_schedule(house, config.years, per_year)
    flow = np.empty(paths)
    for year in range(config.years):
        if follow_yield is not None and house.dividends > 0:
            np.multiply(state.value, follow_yield, out=state.dividends)
        elif year > 0 and house.dividends > 0:
            state.dividends *= 1.0 + scenarios.dividend_growth[year - 1]
        dividends[year] = state.dividends
        if year > 0 and not percentage:
            last_inflation = index / last_index - 1.0
            last_return = year_growth - 1.0 if year_growth is not None else None
            spend = year_spending(rule, year, config.years, spend, first_spending, net_worth[year], index,
                                  last_inflation, last_return)
            spend_dt = spend * dt
            last_index = index.copy()
            if year_growth is not None:
                year_growth.fill(1.0)
        if floor > 0 and rule.rule == "guardrails":
            _mark(state.failed_step, spend < floor * index * (1.0 - 1e-12), year * per_year + 1)
        for month in range(per_year):
            step = year * per_year + month
            if config.timing == "end":
                state.value *= scenarios.growth[step]
            if percentage:  # a share of the balance as it stands at the payment
                spend_dt = state.net_worth()
                np.maximum(spend_dt, 0.0, out=spend_dt)
                spend_dt *= payment_fraction(rule, total_steps - step, per_year)
                if floor > 0:
                    _mark(state.failed_step, spend_dt * per_year < floor * index * (1.0 - 1e-12), step + 1)
            np.multiply(state.dividends, after_tax_dt, out=flow)
            flow += schedule.income[step] - schedule.nominal_outflow[step]
            if schedule.real_outflow[step]:
                flow -= schedule.real_outflow[step] * index  # today's money, inflated to this step
            flow -= spend_dt
            if book is not None:
                book.charge_interest(flow, dt)
            if state.lines is not None:
                state.lines.charge_interest(flow, dt)
            _settle(config, state, flow, step + 1, tolerance)
            state.debt = float(schedule.debt[step + 1])
            if config.timing == "start":
                state.value *= scenarios.growth[step]
            if year_growth is not None:
                year_growth *= scenarios.growth[step]
            index *= 1.0 + scenarios.inflation[step]
            if book is not None:
                _leverage(config, state, book, step + 1, tolerance)
        net_worth[year + 1] = state.net_worth()
        price_index[year + 1] = index
    return PathOutcomes(
        net_worth=net_worth, price_index=price_index, spending_failure_step=state.failed_step,
        first_margin_call_step=state.margin_call_step, first_forced_liquidation_step=state.liquidation_step,
        position_margin_call_step=state.position_call_step,
        position_forced_liquidation_step=state.position_liquidation_step,
        forced_sales=state.forced_sales, initial_spending=first_spending, steps_per_year=per_year,
        dividends=dividends,
    )
