"""Exact checks of the engine: closed-form deterministic paths, the lognormal terminal law, reproducibility."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifealm.models.montecarlo.config import Household, MarketModel, SimulationConfig, classic
from lifealm.models.montecarlo.engine import run_paths
from lifealm.models.montecarlo.history import load_history
from lifealm.models.montecarlo.run import simulate
from lifealm.models.montecarlo.scenarios import draw_scenarios, log_params
from lifealm.models.montecarlo.summary import _quantile_table, result_to_dict


def _deterministic(initial: float, mean: float, inflation: float, withdrawal: float, years: int) -> list[float]:
    """Closed form: V_k = P0 (1+m)^k − W Σ_{j<k} (1+i)^j (1+m)^(k−1−j), withdrawals at each year end."""
    out = []
    for k in range(years + 1):
        spent = sum((1 + inflation) ** j * (1 + mean) ** (k - 1 - j) for j in range(k))
        out.append(initial * (1 + mean) ** k - withdrawal * spent)
    return out


@pytest.mark.parametrize("steps", ["annual", "monthly"])
def test_zero_volatility_gives_the_deterministic_path_without_withdrawals(steps: str) -> None:
    market = MarketModel(mean_return=0.06, volatility=0.0, inflation=0.03, inflation_std=0.0)
    config = replace(classic(1000.0, 0.0, market=market, years=25, paths=7), steps=steps)  # type: ignore[arg-type]
    result = simulate(config, np.random.default_rng(3))
    expected = _deterministic(1000.0, 0.06, 0.03, 0.0, 25)
    for row, value in zip(result.net_worth, expected, strict=True):
        assert row.values.p10 == pytest.approx(value, rel=1e-12)
        assert row.values.p90 == pytest.approx(value, rel=1e-12)
    # the real view deflates by the same, deterministic inflation
    assert result.net_worth_real[-1].values.p50 == pytest.approx(expected[-1] / 1.03**25, rel=1e-12)


def test_zero_volatility_four_percent_rule_matches_the_closed_form() -> None:
    market = MarketModel(mean_return=0.05, volatility=0.0, inflation=0.02, inflation_std=0.0)
    result = simulate(classic(1_000_000.0, 0.04, market=market, years=30, paths=3), np.random.default_rng(1))
    expected = _deterministic(1_000_000.0, 0.05, 0.02, 40_000.0, 30)
    assert [r.values.p50 for r in result.net_worth] == pytest.approx(expected, rel=1e-12)
    assert result.success_probability == 1.0
    assert result.initial_spending == pytest.approx(40_000.0)


def test_zero_volatility_depletion_year_is_the_closed_form_one() -> None:
    market = MarketModel(mean_return=0.0, volatility=0.0, inflation=0.0, inflation_std=0.0)
    # ¥100 spending ¥8 a year with no return: 12 full years, the 13th cannot be paid
    result = simulate(classic(100.0, 0.08, market=market, years=20, paths=4), np.random.default_rng(0))
    assert result.success_probability == 0.0
    assert [(c.year, c.paths) for c in result.failure_years] == [(13, 4)]


@pytest.mark.parametrize("steps", ["annual", "monthly"])
def test_no_withdrawals_gives_the_lognormal_terminal_distribution(steps: str) -> None:
    mean, vol, years, paths = 0.07, 0.20, 10, 20_000
    market = MarketModel(mean_return=mean, volatility=vol, inflation=0.02, inflation_std=0.01)
    config = replace(classic(1.0, 0.0, market=market, years=years, paths=paths), steps=steps)  # type: ignore[arg-type]
    outcomes = run_paths(config, draw_scenarios(config, np.random.default_rng(11)))
    terminal = outcomes.net_worth[-1]
    mu, sigma = log_params(mean, vol)
    expected_mean = (1 + mean) ** years  # E[V_T] from the parameters
    expected_median = math.exp(years * mu)
    sd = expected_mean * math.sqrt(math.expm1(years * sigma**2))
    assert abs(terminal.mean() - expected_mean) < 4 * sd / math.sqrt(paths)
    density = 1.0 / (expected_median * math.sqrt(2 * math.pi * years * sigma**2))  # lognormal pdf at the median
    assert abs(np.median(terminal) - expected_median) < 4 / (2 * density * math.sqrt(paths))
    # and the log of wealth has the right deviation
    assert np.log(terminal).std() == pytest.approx(sigma * math.sqrt(years), rel=0.03)


def test_log_params_reproduce_the_arithmetic_mean_and_deviation() -> None:
    mu, sigma = log_params(0.07, 0.20)
    assert math.exp(mu + sigma**2 / 2) == pytest.approx(1.07, rel=1e-12)
    assert math.sqrt(math.expm1(sigma**2)) * math.exp(mu + sigma**2 / 2) == pytest.approx(0.20, rel=1e-12)


def test_same_seed_same_output_and_another_seed_differs() -> None:
    config = replace(classic(1_000_000.0, 0.045, years=20, paths=300), timing="end")
    first = result_to_dict(simulate(config, np.random.default_rng(7), seed=7))
    again = result_to_dict(simulate(config, np.random.default_rng(7), seed=7))
    other = result_to_dict(simulate(config, np.random.default_rng(8), seed=8))
    assert first == again
    assert first["net_worth"] != other["net_worth"]


def test_student_t_shocks_keep_the_variance_and_fatten_the_tails() -> None:
    market = MarketModel(mean_return=0.07, volatility=0.20, student_t_dof=5.0)
    config = classic(1.0, 0.0, market=market, years=10, paths=20_000)
    logs = np.log(draw_scenarios(config, np.random.default_rng(5)).growth).ravel()
    _mu, sigma = log_params(0.07, 0.20)
    assert logs.std() == pytest.approx(sigma, rel=0.03)
    kurtosis = float(np.mean((logs - logs.mean()) ** 4) / logs.var() ** 2)
    assert kurtosis > 4.0  # a normal has 3; Student-t with 5 degrees of freedom has 9


def test_correlated_shocks_follow_the_cholesky_factor() -> None:
    corr = ((1.0, 0.3, -0.5), (0.3, 1.0, 0.2), (-0.5, 0.2, 1.0))
    market = MarketModel(stocks=1.0, correlation=corr)
    config = classic(1.0, 0.0, market=market, years=20, paths=10_000)
    scenarios = draw_scenarios(config, np.random.default_rng(9))
    r = np.corrcoef(np.log(scenarios.growth).ravel(), scenarios.inflation.ravel())[0, 1]
    assert r == pytest.approx(-0.5, abs=0.02)


def test_bootstrap_resamples_blocks_of_consecutive_historical_years() -> None:
    history = load_history()
    market = MarketModel(engine="bootstrap", stocks=1.0, block_years=5)
    config = SimulationConfig(household=Household(portfolio=1.0), market=market, years=10, paths=50)
    growth = draw_scenarios(config, np.random.default_rng(2), history).growth - 1.0
    n = len(history.sp500)
    for path in range(50):
        for block in (0, 5):
            seq = growth[block:block + 5, path]
            start = int(np.flatnonzero(np.isclose(history.sp500, seq[0]))[0])
            assert np.allclose(seq, history.sp500[(start + np.arange(5)) % n])


def test_historical_sequences_can_wrap_to_the_first_year() -> None:
    history = load_history()
    market = MarketModel(engine="historical", stocks=1.0, start_years=(2020, 2025), wrap=True)
    config = classic(1.0, 0.0, market=market, years=10)
    scenarios = draw_scenarios(config, np.random.default_rng(0), history)
    assert list(scenarios.start_years) == [2020, 2021, 2022, 2023, 2024, 2025]  # type: ignore[arg-type]
    last = scenarios.growth[:, -1] - 1.0  # starts in 2025, then 1928, 1929, …
    assert last[0] == pytest.approx(history.sp500[-1], abs=1e-15)
    assert last[1:] == pytest.approx(history.sp500[:9], abs=1e-15)


def test_historical_without_wrap_refuses_start_years_without_a_full_horizon() -> None:
    market = MarketModel(engine="historical", start_years=(1990, 2000))
    with pytest.raises(ValueError, match="no full 30-year horizon"):
        draw_scenarios(classic(1.0, market=market, years=30), np.random.default_rng(0), load_history())


@settings(max_examples=40, deadline=None)
@given(rows=st.integers(1, 4), cols=st.integers(1, 60), seed=st.integers(0, 2**32 - 1))
def test_quantile_table_equals_numpy_percentiles(rows: int, cols: int, seed: int) -> None:
    matrix = np.random.default_rng(seed).lognormal(size=(rows, cols)) * 1e8
    expected = np.percentile(matrix, (10, 25, 50, 75, 90), axis=1).T
    assert np.allclose(_quantile_table(matrix), expected, rtol=1e-14, atol=0.0)


@pytest.mark.slow
def test_bootstrap_keeps_the_historical_mean_deviation_and_stock_inflation_correlation() -> None:
    history = load_history()
    market = MarketModel(engine="bootstrap", stocks=1.0, block_years=5)
    config = classic(1.0, 0.0, market=market, years=40, paths=50_000)
    scenarios = draw_scenarios(config, np.random.default_rng(4), history)
    returns = scenarios.growth.ravel() - 1.0
    assert returns.mean() == pytest.approx(history.sp500.mean(), abs=0.002)
    assert returns.std() == pytest.approx(history.sp500.std(), rel=0.01)
    joint = np.corrcoef(returns, scenarios.inflation.ravel())[0, 1]
    assert joint == pytest.approx(np.corrcoef(history.sp500, history.inflation)[0, 1], abs=0.01)
