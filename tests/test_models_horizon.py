"""The plan's horizon: until the youngest adult member reaches plan_to_age (worked by hand), unless mc_years is set."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from demo_ledgers import demo_copy
from hypothesis import given, settings
from hypothesis import strategies as st

from lifealm.cli import cli
from lifealm.errors import LifealmError
from lifealm.models.assumptions import Assumptions
from lifealm.models.horizon import PlanHorizon, age_on, plan_horizon
from lifealm.models.inputs import Expense, LedgerInputs, Member
from lifealm.models.timeline import household_timeline
from lifealm.pipeline import load_model_inputs
from lifealm.settings import load_settings

AS_OF = date(2026, 11, 25)


def _horizon(*births: date, as_of: date = AS_OF, mc_years_set: bool = False, **assumed: int) -> PlanHorizon:
    members = tuple(Member(f"m{i}", birth) for i, birth in enumerate(births))
    return plan_horizon(LedgerInputs(as_of=as_of, members=members, mc_years_set=mc_years_set,
                                     assumptions=replace(Assumptions(), **assumed)))


def test_a_couple_of_35_and_33_with_a_child_of_5_plans_until_the_33_year_old_is_95() -> None:
    # m1 turns 95 on 2088-06-01: 61 years and about 6 months after 2026-11-25, rounded up to 62
    horizon = _horizon(date(1991, 3, 10), date(1993, 6, 1), date(2021, 1, 1))
    assert horizon == PlanHorizon(62, "plan_to_age", "m1", 95)
    # plan_to_age 100: 2093-06-01, 66 years and 6 months: 67
    assert _horizon(date(1991, 3, 10), date(1993, 6, 1), date(2021, 1, 1), plan_to_age=100).years == 67


@pytest.mark.parametrize(("birth", "years"), [
    (date(1966, 11, 25), 35),  # 60 today: 95 on 2061-11-25, exactly 35 years
    (date(1966, 11, 26), 36),  # 60 tomorrow: 95 on 2061-11-26, 35 years and a day: 36
    (date(1966, 11, 24), 35),  # 60 yesterday: 95 on 2061-11-24, a day short of 35 years: 35
])
def test_a_single_adult_around_the_birthday(birth: date, years: int) -> None:
    assert _horizon(birth) == PlanHorizon(years, "plan_to_age", "m0", 95)


@pytest.mark.parametrize("birth", [date(1931, 11, 25), date(1929, 1, 1)])  # 95 today; 97
def test_an_adult_already_at_plan_to_age_gets_one_year_and_says_so(birth: date) -> None:
    assert _horizon(birth) == PlanHorizon(1, "past_plan_to_age", "m0", 95)
    assert _horizon(date(1931, 11, 26)) == PlanHorizon(1, "plan_to_age", "m0", 95)  # 95 tomorrow: one year, truly


def test_children_are_not_who_the_plan_must_last_for() -> None:
    assert _horizon(date(2009, 1, 1), date(2012, 6, 1)) == PlanHorizon(40, "mc_years")  # 17 and 14: no adult
    assert _horizon(date(2008, 11, 26)).basis == "mc_years"  # 18 tomorrow
    assert _horizon(date(2008, 11, 25)) == PlanHorizon(77, "plan_to_age", "m0", 95)  # 18 today: 95 − 18
    assert _horizon(mc_years=25) == PlanHorizon(25, "mc_years")  # no members at all


def test_an_explicit_mc_years_wins() -> None:
    assert _horizon(date(1993, 6, 1), mc_years_set=True, mc_years=30) == PlanHorizon(30, "mc_years")


@pytest.mark.parametrize(("as_of", "years"), [
    (date(2027, 2, 28), 33),  # 62 (the 63rd birthday comes on 1 March); 95 on 2059-03-01: 32 years and a day
    (date(2027, 3, 1), 32),  # 63 today; 95 on 2059-03-01, exactly 32 years
])
def test_a_29_february_birthday_is_reached_on_1_march(as_of: date, years: int) -> None:
    assert _horizon(date(1964, 2, 29), as_of=as_of).years == years


def test_the_horizon_is_at_most_100_years() -> None:
    # beyond plan_to_age's own range (60 … 118, where an adult of 18 needs at most 100 years): clamped
    assert _horizon(date(2008, 11, 25), plan_to_age=130).years == 100


def test_the_timeline_spans_the_horizon() -> None:
    inputs = LedgerInputs(as_of=AS_OF, members=(Member("a", date(1966, 11, 26)),), mc_years_set=False,
                          expenses=(Expense("living", 1.0),))
    years = household_timeline(inputs, plan_horizon(inputs).years).years
    assert len(years) == 36 and years[-1].start == date(2061, 11, 1)


def _add_years(day: date, years: int, *, leap_day_to_march: bool) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one: 1 March (the later reading) or 28 February
        return date(day.year + years, 3, 1) if leap_day_to_march else date(day.year + years, 2, 28)


@settings(max_examples=300, deadline=None)
@given(as_of=st.dates(date(2000, 1, 1), date(2099, 12, 31)),
       ages_in_days=st.lists(st.integers(0, 120 * 366), max_size=5),
       plan_to_age=st.integers(60, 118), mc_years=st.integers(1, 100))
def test_the_horizon_lasts_until_the_youngest_adult_is_plan_to_age(
        as_of: date, ages_in_days: list[int], plan_to_age: int, mc_years: int) -> None:
    births = [as_of - timedelta(days=d) for d in ages_in_days]
    horizon = _horizon(*births, as_of=as_of, plan_to_age=plan_to_age, mc_years=mc_years)
    assert 1 <= horizon.years <= 100
    adults = [b for b in births if age_on(b, as_of) >= 18]
    if not adults:
        assert horizon == PlanHorizon(mc_years, "mc_years")
        return
    youngest = max(adults)
    already = age_on(youngest, as_of) >= plan_to_age
    assert horizon.basis == ("past_plan_to_age" if already else "plan_to_age") and horizon.to_age == plan_to_age
    # at its end the youngest adult is at least plan_to_age; a year earlier (and past the first), still younger
    assert age_on(youngest, _add_years(as_of, horizon.years, leap_day_to_march=True)) >= plan_to_age
    if horizon.years > 1:
        assert age_on(youngest, _add_years(as_of, horizon.years - 1, leap_day_to_march=False)) < plan_to_age
    # every other adult is older, so at least as old at the end
    assert all(age_on(b, _add_years(as_of, horizon.years, leap_day_to_march=True)) >= plan_to_age for b in adults)


# --- through the loader and the CLI, on the demo ledger (花子 1979-08-15, 太郎 1977-04-20, 健 2012-06-01) --------

DEMO_DAY = "2026-11-25"  # 花子 is 47: 95 − 47 = 48 years (her 95th birthday, 2074-08-15, is 47 years 9 months away)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_copy(tmp_path_factory.mktemp("horizon") / "ledger.db", as_of=date.fromisoformat(DEMO_DAY))


def _loaded_horizon(db: Path, config_text: str, tmp: Path) -> PlanHorizon:
    config = tmp / "config.toml"
    config.write_text(config_text, "utf-8")
    inputs = load_model_inputs(load_settings(db=db, config=config, environ={}), date.fromisoformat(DEMO_DAY)).inputs
    return plan_horizon(inputs)


def test_the_loader_knows_whether_mc_years_was_given(demo: Path, tmp_path: Path) -> None:
    assert _loaded_horizon(demo, "", tmp_path) == PlanHorizon(48, "plan_to_age", "花子 Hanako", 95)
    assert _loaded_horizon(demo, "[assumptions]\nplan_to_age = 90\n", tmp_path).years == 43
    assert _loaded_horizon(demo, "[assumptions]\nmc_years = 40\n", tmp_path) == PlanHorizon(40, "mc_years")
    copy = tmp_path / "ledger.db"
    copy.write_bytes(demo.read_bytes())
    with sqlite3.connect(copy) as conn:  # the default value, but given in the ledger's table: it wins
        conn.execute("INSERT INTO assumptions VALUES ('mc_years', '40')")
    assert _loaded_horizon(copy, "", tmp_path) == PlanHorizon(40, "mc_years")


def test_a_horizon_too_big_for_memory_is_an_error_with_the_fix(demo: Path, tmp_path: Path) -> None:
    # 2,100,000 paths × 40 years fits (84,000,000 cells); × 48 years (100,800,000) does not
    with pytest.raises(LifealmError, match=r"48 years.*plan_to_age 95\) = 100,800,000") as raised:
        _loaded_horizon(demo, "[assumptions]\nmc_paths = 2100000\n", tmp_path)
    assert "set mc_years" in str(raised.value)
    assert _loaded_horizon(demo, "[assumptions]\nmc_paths = 2100000\nmc_years = 40\n", tmp_path).years == 40


def test_the_report_says_the_horizon_in_briefing_json_the_page_and_the_pdf(demo: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[assumptions]\nmc_paths = 50\n", "utf-8")
    site = tmp_path / "site"
    result = CliRunner().invoke(cli, ["report", "--db", str(demo), "--out", str(site), "--config", str(config),
                                      "--as-of", DEMO_DAY])
    assert result.exit_code == 0, result.output
    doc = json.loads(next(site.rglob("briefing.json")).read_text("utf-8"))
    mc = doc["montecarlo"]
    assert mc["horizon"] == {"years": 48, "basis": "plan_to_age", "member": "花子 Hanako", "to_age": 95}
    assert mc["years"] == 48 and len(mc["net_worth"]) == 49  # years 0 … 48
    assert doc["assumptions"]["mc_years"] == 40 and doc["assumptions"]["plan_to_age"] == 95
    page = re.sub(r"<[^>]+>", "", (site / "index.html").read_text("utf-8"))
    assert "The plan runs 48 years, until 花子 Hanako, the youngest adult, is 95" in page
    pdf = next(site.rglob("*.pdf"))
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "The plan runs 48 years, until 花子 Hanako, the youngest adult, is 95" in text


@pytest.mark.parametrize(("horizon", "en", "ja"), [
    ({"years": 48, "basis": "plan_to_age", "member": "花子", "to_age": 95},
     "The plan runs 48 years, until 花子, the youngest adult, is 95",
     "計画期間は48年：最年少の成人である花子が95歳になるまで"),
    ({"years": 1, "basis": "past_plan_to_age", "member": "祖母", "to_age": 95},
     "The plan looks one year ahead: 祖母, the youngest adult, is already 95 or older", "すでに95歳以上です"),
    ({"years": 40, "basis": "mc_years", "member": None, "to_age": None},
     "The plan runs 40 years (the mc_years assumption)", "計画期間は40年"),
])
def test_the_page_says_how_long_the_plan_runs_and_why(horizon: dict[str, object], en: str, ja: str) -> None:
    from lifealm.render.environment import render_template

    for lang, expected in (("en", en), ("ja", ja)):
        html = render_template("partials/montecarlo.html", lang, b={"montecarlo": {"ran": False, "horizon": horizon}},
                               currency="JPY", specs={}, svgs={}, chart=lambda _id: "")
        line = re.sub(r"<[^>]+>", "", html.split('id="mc-horizon">')[1].split("</p>")[0])
        assert expected in line, (lang, line)
