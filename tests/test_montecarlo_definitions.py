"""Every Monte Carlo figure true to its own definition, each against an oracle outside the engine: closed-form
annuities, the data's own total returns, the defense and dividend models, the binomial score test."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from lifealm.models.assumptions import Assumptions
from lifealm.models.defense import measure_defense
from lifealm.models.dividends import project_dividends
from lifealm.models.fx import build_fx_table
from lifealm.models.history import changes_since
from lifealm.models.inputs import Dividend, Expense, Holding, LedgerInputs, Loan, PricePoint, Snapshot
from lifealm.models.montecarlo.config import Household, MarketModel, SimulationConfig, SpendingRule, classic
from lifealm.models.montecarlo.engine import run_paths
from lifealm.models.montecarlo.history import load_history
from lifealm.models.montecarlo.household import household_plan, run_household
from lifealm.models.montecarlo.run import simulate
from lifealm.models.montecarlo.scenarios import draw_scenarios
from lifealm.models.montecarlo.summary import result_to_dict, wilson_interval

HISTORY = load_history()
AS_OF = date(2026, 6, 30)
ZERO_VOL = MarketModel(mean_return=0.05, volatility=0.0, inflation=0.02, inflation_std=0.0)


# 1. VPW: a share of the balance at each payment, so it cannot run out ------------------------------------------

@pytest.mark.parametrize("engine", ["parametric", "historical", "bootstrap"])
@pytest.mark.parametrize(("steps", "timing"), [("annual", "end"), ("annual", "start"), ("monthly", "end")])
def test_vpw_never_runs_out_and_pays_out_everything(engine: str, steps: str, timing: str) -> None:
    market = MarketModel(engine=engine, stocks=0.6, volatility=0.35)  # type: ignore[arg-type]
    config = replace(classic(1_000_000.0, market=market, years=30, paths=1_000, rule="vpw"),
                     steps=steps, timing=timing)  # type: ignore[arg-type]
    scenarios = draw_scenarios(config, np.random.default_rng(7), HISTORY)
    outcomes = run_paths(config, scenarios)
    assert (outcomes.spending_failure_step == -1).all()
    # the last payment is the whole balance: nothing is left, and nothing was overdrawn
    np.testing.assert_allclose(outcomes.net_worth[-1], 0.0, atol=1e-6)
    assert (outcomes.net_worth >= 0.0).all()
    result = simulate(config, np.random.default_rng(7), history=HISTORY)
    assert result.success_probability == 1.0


def test_vpw_at_its_own_return_pays_the_ordinary_annuity_of_the_start_balance() -> None:
    """Closed form: at a constant return r = vpw_return the payments are level, PMT = V0 · r / (1 − (1 + r)^−n),
    and the balance after k payments is the present value of the n − k left."""
    r, n, start = 0.035, 25, 1_000_000.0
    market = MarketModel(mean_return=r, volatility=0.0, inflation=0.0, inflation_std=0.0)
    config = replace(classic(start, market=market, years=n, paths=2, rule="vpw"),
                     spending=SpendingRule(rule="vpw", vpw_return=r))
    outcomes = run_paths(config, draw_scenarios(config, np.random.default_rng(0)))
    payment = start * r / (1.0 - (1.0 + r) ** -n)
    expected = [payment * (1.0 - (1.0 + r) ** -(n - k)) / r for k in range(n + 1)]
    np.testing.assert_allclose(outcomes.net_worth[:, 0], expected, rtol=1e-9, atol=1e-6)


def test_a_floor_is_what_makes_a_percentage_rule_fail() -> None:
    market = MarketModel(mean_return=-0.10, volatility=0.0, inflation=0.0, inflation_std=0.0)
    config = classic(100.0, 0.05, market=market, years=10, paths=1, rule="percent")
    scenarios = draw_scenarios(config, np.random.default_rng(0))
    assert run_paths(config, scenarios).spending_failure_step[0] == -1  # no floor: never a failure
    floored = replace(config, spending=replace(config.spending, floor=0.5))
    # the floor is half the first year's 5; payment k + 1 is 5 % of a balance that fell 10 % before each payment
    # and 5 % at each: 5 × 0.9 × 0.855^k, first below 2.5 at k = 4 (4.5 × 0.534 = 2.40), the fifth step
    assert run_paths(floored, scenarios).spending_failure_step[0] == 5


# 2. Historical and bootstrap: price return + dividends paid = the data's total return, every year ---------------

@pytest.mark.parametrize("stocks", [1.0, 0.6])
def test_total_return_identity_for_every_start_year_of_a_thirty_year_replay(stocks: float) -> None:
    dividend_yield = 0.04
    house = Household(portfolio=1_000.0, dividends=1_000.0 * dividend_yield, dividend_tax=0.0)
    market = MarketModel(engine="historical", stocks=stocks, bonds="tbond", start_years=(1928, 1996))
    config = replace(classic(1_000.0, 0.0, market=market, years=30), household=house)
    scenarios = draw_scenarios(config, np.random.default_rng(0), HISTORY)
    assert list(scenarios.start_years) == list(range(1928, 1997))  # type: ignore[arg-type]
    reinvested = run_paths(config, scenarios).net_worth  # dividends paid in cash, then reinvested
    taxed_away = run_paths(replace(config, household=replace(house, dividend_tax=1.0)), scenarios).net_worth
    rows = (np.arange(1928, 1997) - 1928)[None, :] + np.arange(30)[:, None]
    total = stocks * HISTORY.sp500[rows] + (1.0 - stocks) * HISTORY.t_bonds_10y[rows]
    price = taxed_away[1:] / taxed_away[:-1] - 1.0  # the price return alone (every dividend taxed away)
    # what the year paid on top of the price move, as a share of the start-of-year value
    dividends_paid = (reinvested[1:] - (1.0 + price) * reinvested[:-1]) / reinvested[:-1]
    np.testing.assert_allclose(price + dividends_paid, total, rtol=0.0, atol=1e-9)
    np.testing.assert_allclose(reinvested[1:] / reinvested[:-1] - 1.0, total, rtol=0.0, atol=1e-9)
    np.testing.assert_allclose(dividends_paid, stocks * dividend_yield, rtol=0.0, atol=1e-9)


def test_bootstrap_keeps_the_identity_and_reads_the_data_as_a_circle() -> None:
    house = Household(portfolio=1.0, dividends=0.03, dividend_tax=0.0)
    market = MarketModel(engine="bootstrap", stocks=1.0, block_years=5)
    config = replace(classic(1.0, 0.0, market=market, years=30, paths=400), household=house)
    scenarios = draw_scenarios(config, np.random.default_rng(5), HISTORY)
    wealth = run_paths(config, scenarios).net_worth
    total = wealth[1:] / wealth[:-1] - 1.0
    n = len(HISTORY.years)
    assert len(np.unique(HISTORY.sp500)) == n  # each year's return names its year
    rows = np.array([[int(np.argmin(np.abs(HISTORY.sp500 - value))) for value in column] for column in total.T]).T
    np.testing.assert_allclose(total, HISTORY.sp500[rows], rtol=0.0, atol=1e-9)  # wealth grew at the total return
    blocks = rows.reshape(6, 5, -1)
    assert ((blocks - blocks[:, :1, :]) % n == np.arange(5)[None, :, None]).all()  # consecutive years, mod n
    # circular: some blocks start in the last four years and carry on from the first
    assert (blocks[:, 0, :] > n - 5).any()


# 3. Today's leverage is checked before the first step ----------------------------------------------------------

@pytest.mark.parametrize("steps", ["annual", "monthly"])
def test_a_household_above_its_margin_call_today_is_there_on_every_path(steps: str) -> None:
    house = Household(portfolio=100.0, loan=72.0, loan_rate=0.0, margin_call=0.70, forced_liquidation=0.85)
    config = SimulationConfig(household=house, spending=SpendingRule(rule="plan"), years=30, paths=2_000,
                              steps=steps)  # type: ignore[arg-type]
    result = simulate(config, np.random.default_rng(3))
    assert result.margin_call_probability == 1.0
    flat = simulate(replace(config, market=replace(config.market, volatility=0.0), paths=10),
                    np.random.default_rng(3))
    assert [(c.year, c.paths) for c in flat.first_margin_call_years] == [(0, 10)]


def test_the_briefings_plan_sees_todays_margin_call() -> None:
    inputs = LedgerInputs(
        as_of=AS_OF, holdings=(Holding("A", "A Corp", 1000, 500_000.0),),
        prices=(PricePoint("A", AS_OF, 1_000.0),),
        loans=(Loan("margin", 720_000.0, 0.02, "portfolio", 0.6, 0.70, 0.85, None, 0.65),),
        expenses=(Expense("food", 1_000.0),), assumptions=replace(Assumptions(), mc_paths=300, mc_years=5))
    result = run_household(inputs, np.random.default_rng(1), seed=1).result
    assert result.steps == "monthly"
    assert result.margin_call_probability == 1.0
    assert result.first_margin_call_years[0].year == 0 and result.first_margin_call_years[0].paths == 300


def test_the_plan_falls_back_to_annual_steps_with_a_finding_when_monthly_would_outgrow_memory() -> None:
    inputs = LedgerInputs(as_of=AS_OF, expenses=(Expense("food", 1_000.0),),
                          assumptions=replace(Assumptions(), mc_paths=2_000_000, mc_years=40))
    plan = household_plan(inputs)
    assert plan.config.steps == "annual"
    assert [f.code for f in plan.findings] == ["montecarlo_annual_steps"]
    assert household_plan(replace(inputs, assumptions=replace(inputs.assumptions, mc_paths=200_000))
                          ).config.steps == "monthly"


# 5. Each holding's own dividend growth: the engine's mean path is the dividend model's projection ---------------

def test_the_engines_mean_dividends_follow_the_dividend_models_projection_for_forty_years() -> None:
    a = replace(Assumptions(), mc_paths=4_000, mc_years=40, projection_years=39, dividend_growth_std=0.05)
    rates = (0.0, 0.04, 0.15)
    inputs = LedgerInputs(
        as_of=AS_OF,
        holdings=tuple(Holding(t, t, 1000, 1.0, dividend_growth=g) for t, g in zip("XYZ", rates, strict=True)),
        prices=tuple(PricePoint(t, AS_OF, 1_000.0) for t in "XYZ"),
        dividends=tuple(Dividend(t, date(2026, 3, 1), d) for t, d in zip("XYZ", (60.0, 30.0, 10.0), strict=True)),
        assumptions=a)
    projection = project_dividends(inputs.holdings, inputs.dividends, as_of=AS_OF,
                                   fx=build_fx_table((), base_currency="JPY", as_of=AS_OF), annual_expenses=0.0,
                                   assumptions=a)
    config = household_plan(inputs).config
    # every dividend taxed away and nothing spent: no holding is ever bought or sold, so the dividends are organic
    config = replace(config, household=replace(config.household, dividend_tax=1.0))
    paths = run_paths(config, draw_scenarios(config, np.random.default_rng(11))).dividends
    expected = np.array([year.gross for year in projection.years])
    mean, error = paths.mean(axis=1), paths.std(axis=1, ddof=1) / math.sqrt(paths.shape[1])
    assert (np.abs(mean - expected) <= 3.0 * error + 1e-9 * expected).all()
    # the test can fail: one income-weighted rate (the old engine) misses the projection by far more
    weighted = sum(d * g for d, g in zip((60.0, 30.0, 10.0), rates, strict=True)) / 100.0
    blended = expected[0] * (1.0 + weighted) ** 39
    assert abs(blended - expected[-1]) > 20.0 * error[-1]


# 6. Standby lines one by one, as the defense model sees them --------------------------------------------------

def _lines_inputs(monthly_expenses: float) -> LedgerInputs:
    return LedgerInputs(
        as_of=AS_OF,
        loans=(Loan("over-drawn", 150_000.0, 0.08, None, credit_limit=100_000.0),
               Loan("roomy", 50_000.0, 0.02, None, credit_limit=200_000.0)),
        expenses=(Expense("living", monthly_expenses),),
        assumptions=replace(Assumptions(), mc_paths=3, mc_years=1, market_volatility=0.0, inflation_std=0.0))


def _one_year(monthly_expenses: float) -> tuple[float, bool]:
    config = household_plan(_lines_inputs(monthly_expenses)).config
    config = replace(config, steps="annual", market=replace(config.market, mean_return=0.0))
    outcomes = run_paths(config, draw_scenarios(config, np.random.default_rng(0)))
    return float(outcomes.net_worth[1, 0] - outcomes.net_worth[0, 0]), bool(outcomes.spending_failure_step[0] < 0)


def test_an_over_drawn_lines_available_credit_and_interest_are_the_defense_models() -> None:
    inputs = _lines_inputs(0.0)
    defense = measure_defense(inputs, build_fx_table((), base_currency="JPY", as_of=AS_OF))
    interest = sum(line.drawn * line.rate for line in defense.credit_lines)
    assert defense.credit_available == 150_000.0  # max(0, 100k − 150k) + (200k − 50k)
    change, _ = _one_year(0.0)  # nothing to sell: a year's interest is drawn on the lines
    assert change == pytest.approx(-interest, rel=1e-12)
    # spending can draw exactly what is left after the interest, not a yen more
    room = defense.credit_available - interest
    assert _one_year(room / 12.0 * (1.0 - 1e-9))[1]
    assert not _one_year(room / 12.0 * (1.0 + 1e-6))[1]


# 7. Reporting ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("successes", "trials"), [(0, 50), (3, 10), (81, 263), (9_990, 10_000), (10_000, 10_000)])
def test_the_wilson_interval_is_the_inverted_score_test(successes: int, trials: int) -> None:
    low, high = wilson_interval(successes, trials)
    p, z = successes / trials, 1.959963984540054
    for bound in (low, high):  # at an open end the score statistic equals z
        if 0.0 < bound < 1.0:
            assert abs(p - bound) / math.sqrt(bound * (1.0 - bound) / trials) == pytest.approx(z, rel=1e-9)
    assert low <= p <= high
    if successes == trials:
        assert high == 1.0 and low == pytest.approx(trials / (trials + z * z), rel=1e-12)


def test_wilson_matches_newcombes_published_example() -> None:
    low, high = wilson_interval(81, 263)  # Newcombe (1998), Statistics in Medicine 17:857, table I
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)


def test_all_paths_succeeding_still_reports_an_interval_below_one_hundred_percent() -> None:
    market = MarketModel(mean_return=0.05, volatility=0.0, inflation=0.0, inflation_std=0.0)
    data = result_to_dict(simulate(classic(1_000.0, 0.01, market=market, years=10, paths=10_000),
                                   np.random.default_rng(0)))
    assert data["success_probability"] == 1.0 and data["successful_paths"] == 10_000
    assert data["success_interval"][1] == 1.0 and data["success_interval"][0] < 0.9997


def test_the_historical_engine_reports_n_of_n_start_years_and_no_standard_error() -> None:
    market = MarketModel(engine="historical", stocks=1.0, start_years=(1928, 1966))
    result = simulate(classic(1_000_000.0, 0.05, market=market, years=30), np.random.default_rng(0),
                      history=HISTORY)
    assert result.paths == 39 and result.standard_error is None and result.success_interval is None
    assert result.successful_paths == 39 - len(result.failing_start_years)
    assert result.success_probability == result.successful_paths / 39


def _snapshot(success: float | None) -> Snapshot:
    return Snapshot(AS_OF, "SAFE", 1e8, 1e6, 0.0, None, 1e8, 0.0, 0.5, 0.4, success)


@pytest.mark.parametrize(("before", "after", "changed"),
                         [(1.0, None, False), (None, 0.9, False), (None, None, False), (1.0, 0.9, True),
                          (0.9, 0.9, False)])
def test_success_probability_changes_only_between_two_simulated_values(
        before: float | None, after: float | None, changed: bool) -> None:
    change = next(c for c in changes_since(_snapshot(before), _snapshot(after)) if c.field == "success_probability")
    assert change.changed is changed


def _page_section(engine: str) -> str:
    from lifealm.render.environment import render_template

    market = MarketModel(engine=engine, stocks=1.0)  # type: ignore[arg-type]
    paths = {"parametric": 10_000, "bootstrap": 500, "historical": 0}[engine]
    config = classic(1_000_000.0, 0.045, market=market, years=30, paths=paths or 1)
    result = result_to_dict(simulate(config, np.random.default_rng(2), history=HISTORY))
    return render_template("partials/montecarlo.html", b={"montecarlo": {"ran": True, **result, "horizon": {
        "years": 30, "basis": "mc_years", "member": None, "to_age": None}}}, currency="JPY",
                           specs={}, svgs={}, chart=lambda _id: "")


def test_the_page_shows_the_interval_or_n_of_n_start_years_never_plus_minus() -> None:
    for engine in ("parametric", "bootstrap"):
        section = _page_section(engine)
        assert "95 % interval" in section and "±" not in section and "s.e." not in section
    historical = _page_section("historical")
    assert "interval" not in historical and "±" not in historical
    assert re.search(r"\d+ of 69 start years", historical)
