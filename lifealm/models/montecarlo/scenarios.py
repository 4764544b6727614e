"""Market scenarios for every path: portfolio growth and inflation per step, dividend growth per year.

The historical and bootstrap engines replay total returns: the stock part grows by the price return (total
return − the holdings' dividend yield) and the engine pays the yield on the stock share at the start of each
year's value, so price return + dividends paid = the data's total return in every year of every path; the
dividends follow the price path. The parametric engine's dividends grow on their own draws, each holding at its
own expected rate.

Drawn once per run, so the solver can replay the same draws (common random numbers). Arrays are time-major,
shape (steps, paths), so each step of the engine reads one contiguous row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from lifealm.models.montecarlo.config import Household, MarketModel, SimulationConfig
from lifealm.models.montecarlo.history import ReturnHistory

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class Scenarios:
    growth: FloatArray  # (steps, paths): 1 + portfolio return over the step, mix rebalanced every step
    inflation: FloatArray  # (steps, paths): inflation over the step
    dividend_growth: FloatArray  # (years, paths): growth of the dividends at the start of year y + 1
    start_years: NDArray[np.int64] | None  # historical engine: the calendar start year of each path
    # historical and bootstrap: the stock holdings' cash yield; each year's dividends are this share of the
    # stock holdings' value at its start (None: the dividends grow by `dividend_growth`)
    dividend_yield: float | None = None

    @property
    def paths(self) -> int:
        return int(self.growth.shape[1])


def log_params(mean: float, std: float) -> tuple[float, float]:
    """Annual log-return mean and deviation whose lognormal has arithmetic mean `mean` and deviation `std`."""
    gross = 1.0 + mean
    sigma2 = math.log1p((std / gross) ** 2)
    return math.log(gross) - sigma2 / 2.0, math.sqrt(sigma2)


def historical_start_years(config: SimulationConfig, history: ReturnHistory) -> NDArray[np.int64]:
    """Start years to replay: every year whose full horizon is in the data, unless wrapping or a range is set."""
    market = config.market
    last_full = history.last_year - config.years + 1
    first, last = market.start_years or (history.first_year, history.last_year if market.wrap else last_full)
    if first < history.first_year or last > history.last_year or first > last:
        raise ValueError(f"start years {first}-{last} are outside the data "
                         f"({history.first_year}-{history.last_year})")
    if not market.wrap and last > last_full:
        raise ValueError(f"start year {last} has no full {config.years}-year horizon in the data "
                         f"(last full start year: {last_full}); choose an earlier range or allow wrapping")
    return np.arange(first, last + 1, dtype=np.int64)


def _annual_to_steps(annual: FloatArray, per_year: int, geometric: bool) -> FloatArray:
    """Spread annual figures (years, paths) evenly over `per_year` steps each."""
    if per_year == 1:
        return annual
    step = np.power(1.0 + annual, 1.0 / per_year) - 1.0 if geometric else annual / per_year
    return np.repeat(step, per_year, axis=0)


def _historical(config: SimulationConfig, history: ReturnHistory, rows: NDArray[np.int64],
                dividend_yield: float) -> tuple[FloatArray, FloatArray]:
    market = config.market
    # Total returns include the dividends, which the household is paid as cash instead of reinvesting: the
    # stock part's price return is total − yield, and the engine pays that yield on the stock share's value at
    # the start of each year (Scenarios.dividend_yield), so the two add up to the total return every year.
    stocks = history.sp500[rows] - dividend_yield
    returns = market.stocks * stocks + (1.0 - market.stocks) * history.bonds(market.bonds)[rows]
    per_year = config.steps_per_year
    growth = _annual_to_steps(returns, per_year, geometric=True)
    growth += 1.0
    return growth, _annual_to_steps(history.inflation[rows], per_year, geometric=True)


def _shocks(market: MarketModel, rng: np.random.Generator, shape: tuple[int, int], count: int) -> list[FloatArray]:
    """`count` unit-variance shock arrays (stocks, bonds, inflation order), correlated when asked."""
    if market.student_t_dof is not None:
        dof = market.student_t_dof
        scale = math.sqrt((dof - 2.0) / dof)  # a Student-t with the normal's variance
        draws = [rng.standard_t(dof, size=shape) * scale for _ in range(count)]
    else:
        draws = [rng.standard_normal(size=shape) for _ in range(count)]
    if market.correlation is None or count == 1:
        return draws
    matrix = np.array(market.correlation, dtype=np.float64)
    index = [0, 1, 2] if count == 3 else [0, 2]
    chol = np.linalg.cholesky(matrix[np.ix_(index, index)])
    mixed = []
    for i in range(count):
        out = np.zeros(shape)
        for j in range(i + 1):
            out += chol[i, j] * draws[j]
        mixed.append(out)
    return mixed


def _parametric(config: SimulationConfig, rng: np.random.Generator) -> tuple[FloatArray, FloatArray]:
    market = config.market
    per_year = config.steps_per_year
    shape = (config.years * per_year, config.paths)
    dt = 1.0 / per_year
    with_bonds = market.stocks < 1.0
    shocks = _shocks(market, rng, shape, 3 if with_bonds else 2)
    stock_mu, stock_sigma = log_params(market.mean_return, market.volatility)
    growth = shocks[0]  # transformed in place: no extra (steps, paths) array
    growth *= stock_sigma * math.sqrt(dt)
    growth += stock_mu * dt
    np.exp(growth, out=growth)
    if with_bonds:
        bond_mu, bond_sigma = log_params(market.bond_return, market.bond_volatility)
        bonds = shocks[1]
        bonds *= bond_sigma * math.sqrt(dt)
        bonds += bond_mu * dt
        np.exp(bonds, out=bonds)
        growth *= market.stocks
        bonds *= 1.0 - market.stocks
        growth += bonds
    inflation = shocks[-1]
    inflation *= market.inflation_std * math.sqrt(dt)
    # the mean compounds to exactly `inflation` a year whatever the step (monthly: (1 + i)^(1/12) − 1)
    inflation += (1.0 + market.inflation) ** dt - 1.0
    return growth, inflation


def draw_scenarios(config: SimulationConfig, rng: np.random.Generator,
                   history: ReturnHistory | None = None) -> Scenarios:
    """Draw every random input of a run. `history` is required by the historical and bootstrap engines."""
    market = config.market
    house = config.household
    start_years: NDArray[np.int64] | None = None
    # the stock holdings' cash yield (the ledger's portfolio is its stock holdings)
    dividend_yield = house.dividends / house.portfolio if house.portfolio > 0 else 0.0
    if market.engine == "parametric":
        growth, inflation = _parametric(config, rng)
    else:
        if history is None:
            raise ValueError(f"the {market.engine} engine needs the return history")
        if market.engine == "historical":
            start_years = historical_start_years(config, history)
            offsets = np.arange(config.years, dtype=np.int64)[:, None]
            rows = (start_years[None, :] - history.first_year + offsets) % len(history.years)
        else:  # circular block bootstrap: uniform block starts, read round the data as a circle
            block = max(1, market.block_years)
            blocks = -(-config.years // block)
            starts = rng.integers(0, len(history.years), size=(blocks, 1, config.paths))
            rows = (starts + np.arange(block)[None, :, None]) % len(history.years)
            rows = rows.reshape(blocks * block, config.paths)[: config.years]
        growth, inflation = _historical(config, history, rows, dividend_yield)
    paths = growth.shape[1]
    if house.dividends > 0 and market.engine == "parametric":
        dividend_growth = _dividend_growth(house, rng, config.years, paths)
    else:
        dividend_growth = np.zeros((config.years, paths))
    return Scenarios(growth=growth, inflation=inflation, dividend_growth=dividend_growth, start_years=start_years,
                     dividend_yield=None if market.engine == "parametric" else dividend_yield)


def _dividend_growth(house: Household, rng: np.random.Generator, years: int, paths: int) -> FloatArray:
    """Growth of the total dividends each year: every stream grows at its own rate plus one shared shock a year,
    so each stream's expected path is its own (1 + g)^y, and the total's is the dividend model's projection."""
    shocks = rng.standard_normal(size=(years, paths))
    shocks *= house.dividend_growth_std
    by_rate: dict[float, float] = {}  # streams with the same rate grow alike: one array per distinct rate
    for stream in house.streams:
        by_rate[stream.growth] = by_rate.get(stream.growth, 0.0) + stream.annual_amount
    total = sum(by_rate.values())
    if len(by_rate) == 1 or total <= 0:
        shocks += house.dividend_growth if total <= 0 else next(iter(by_rate))
        return shocks
    levels = np.array([amount / total for amount in by_rate.values()])[:, None] * np.ones((1, paths))
    rates = np.array(list(by_rate))[:, None]
    growth = np.empty((years, paths))
    before = levels.sum(axis=0)
    for year in range(years):
        levels *= 1.0 + rates + shocks[year]
        after = levels.sum(axis=0)
        np.divide(after, before, out=growth[year])
        growth[year] -= 1.0
        before = after
    return growth
