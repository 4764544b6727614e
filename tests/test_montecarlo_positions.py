"""How often each broker calls margin and sells inside the Monte Carlo paths: per position first steps worked by
hand, their agreement with the any-broker figures, and the per-broker table of briefing.json, the page and the PDF."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_two_brokers_report import DAY, FILES, run, text_of

from lifealm.ledger.db import create_ledger
from lifealm.models.montecarlo.config import Household, MarginLoan, SimulationConfig, SpendingRule
from lifealm.models.montecarlo.engine import run_paths
from lifealm.models.montecarlo.result import PositionOutcome
from lifealm.models.montecarlo.scenarios import Scenarios
from lifealm.models.montecarlo.summary import summarize

# The hand-worked pair of tests/test_montecarlo_margin.py: a ¥40M portfolio; broker A lends ¥10M on an account of
# ¥30M at haircut 1 (33.3 %), broker B ¥5M on ¥7.5M at haircut 0.8, collateral ¥6M (83.3 %: called today).
A = MarginLoan(10.0, 0.0, collateral_fraction=30.0 / 40.0, pledged_share=30.0 / 40.0, account="A")
B = MarginLoan(5.0, 0.0, collateral_fraction=6.0 / 40.0, pledged_share=7.5 / 40.0, account="B")


def _scenarios(growth: np.ndarray[Any, np.dtype[np.float64]]) -> Scenarios:
    zeros = np.zeros_like(growth)
    return Scenarios(growth=growth, inflation=zeros, dividend_growth=zeros, start_years=None)


def _config(house: Household, growth: np.ndarray[Any, np.dtype[np.float64]]) -> SimulationConfig:
    return SimulationConfig(household=house, spending=SpendingRule(rule="plan"), years=growth.shape[0],
                            paths=growth.shape[1])


def test_a_fall_of_20_percent_sells_at_b_on_every_path_and_never_at_a() -> None:
    growth = np.full((1, 4), 0.80)
    config = _config(Household(portfolio=40.0, margin_loans=(A, B)), growth)
    scenarios = _scenarios(growth)
    outcomes = run_paths(config, scenarios)
    # A after −20 %: 10 / 24 = 41.7 %, below its 70 % call. B: called today at 83.3 %; after the fall its account
    # is 6.0, collateral 4.8: 5 / 4.8 = 104 % ≥ 85 %, sold at step 1.
    assert outcomes.position_margin_call_step.tolist() == [[-1] * 4, [0] * 4]
    assert outcomes.position_forced_liquidation_step.tolist() == [[-1] * 4, [1] * 4]
    result = summarize(config, scenarios, outcomes)
    assert result.positions == (PositionOutcome("A", 0.0, 0.0), PositionOutcome("B", 1.0, 1.0))
    assert (result.margin_call_probability, result.forced_liquidation_probability) == (1.0, 1.0)


def test_each_broker_is_counted_on_its_own_paths() -> None:
    # Three paths of one step: −20 %, +10 %, −55 %.
    # A: 10/24 = 41.7 %, 10/33 = 30.3 %, 10/13.5 = 74.1 % (called on the third, not sold: below 85 %).
    # B (called today everywhere): 5/4.8 = 104 % sold, 5/6.6 = 75.8 % not sold, 5/2.7 = 185 % sold.
    growth = np.array([[0.80, 1.10, 0.45]])
    config = _config(Household(portfolio=40.0, margin_loans=(A, B)), growth)
    scenarios = _scenarios(growth)
    outcomes = run_paths(config, scenarios)
    assert outcomes.position_margin_call_step.tolist() == [[-1, -1, 1], [0, 0, 0]]
    assert outcomes.position_forced_liquidation_step.tolist() == [[-1, -1, -1], [1, -1, 1]]
    result = summarize(config, scenarios, outcomes)
    (a, b) = result.positions
    assert (a.margin_call_probability, a.forced_liquidation_probability) == pytest.approx((1 / 3, 0.0))
    assert (b.margin_call_probability, b.forced_liquidation_probability) == pytest.approx((1.0, 2 / 3))
    assert result.forced_liquidation_probability == pytest.approx(2 / 3)


def test_one_position_or_none_reports_no_positions() -> None:
    growth = np.array([[0.80, 1.10, 0.45]])
    for house in (Household(portfolio=40.0, loan=15.0, collateral_fraction=0.9), Household(portfolio=40.0)):
        config = _config(house, growth)
        outcomes = run_paths(config, _scenarios(growth))
        rows = len(house.positions)
        assert outcomes.position_margin_call_step.shape == (rows, 3)
        if rows:  # the one position's rows are the household's own first steps
            assert outcomes.position_margin_call_step[0].tolist() == outcomes.first_margin_call_step.tolist()
            assert (outcomes.position_forced_liquidation_step[0].tolist()
                    == outcomes.first_forced_liquidation_step.tolist())
        assert summarize(config, _scenarios(growth), outcomes).positions == ()


@settings(max_examples=60, deadline=None)
@given(
    returns=st.lists(st.lists(st.floats(-0.6, 0.4), min_size=4, max_size=4), min_size=1, max_size=4),
    loans=st.lists(st.tuples(st.floats(0.0, 40.0), st.floats(0.05, 0.3), st.floats(0.5, 1.0)),
                   min_size=2, max_size=3),
    cash=st.floats(0.0, 10.0), defend=st.booleans(),
)
def test_a_path_is_called_or_sold_at_any_broker_when_it_is_at_one_of_them(
        returns: list[list[float]], loans: list[tuple[float, float, float]], cash: float, defend: bool) -> None:
    """The household's first call (sale) is the earliest of its brokers' first calls (sales); so the any-broker
    probability is the share of paths where some broker's first step is ≥ 0, at least each broker's own."""
    brokers = tuple(MarginLoan(loan, 0.01, collateral_fraction=share * haircut, pledged_share=share,
                               account=f"broker {i}")
                    for i, (loan, share, haircut) in enumerate(loans))
    growth = 1.0 + np.array(returns)
    config = replace(_config(Household(portfolio=100.0, cash=cash, expenses=3.0, margin_loans=brokers), growth),
                     defend_margin_call=defend)
    outcomes = run_paths(config, _scenarios(growth))
    result = summarize(config, _scenarios(growth), outcomes)
    pairs = ((outcomes.first_margin_call_step, outcomes.position_margin_call_step, result.margin_call_probability,
              [p.margin_call_probability for p in result.positions]),
             (outcomes.first_forced_liquidation_step, outcomes.position_forced_liquidation_step,
              result.forced_liquidation_probability, [p.forced_liquidation_probability for p in result.positions]))
    for anywhere, each, probability, own in pairs:
        assert each.shape == (len(brokers), growth.shape[1])
        earliest = np.where(each >= 0, each, np.iinfo(np.int64).max).min(axis=0)
        assert anywhere.tolist() == np.where(earliest == np.iinfo(np.int64).max, -1, earliest).tolist()
        assert probability == np.any(each >= 0, axis=0).mean()
        assert all(probability >= p for p in own)
    assert [p.account for p in result.positions] == [f"broker {i}" for i in range(len(brokers))]


# --- the report: the two-broker ledger of tests/test_two_brokers_report.py, the Rakuten account's name hostile ---

HOSTILE_ACCOUNT = "楽天 <b>特定</b> & co"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("two_brokers_mc")
    for name, text in FILES.items():
        (root / name).write_text(text.replace("楽天 特定", HOSTILE_ACCOUNT), encoding="utf-8")
    db = str(root / "ledger.db")
    create_ledger(Path(db)).close()
    run("import", "holdings", str(root / "sbi.csv"), "--account", "SBI 特定", "--db", db)
    run("import", "holdings", str(root / "rakuten.csv"), "--account", HOSTILE_ACCOUNT, "--db", db)
    for kind in ("prices", "loans", "cash", "expenses"):
        run("import", kind, str(root / f"{kind}.csv"), "--db", db)
    run("report", "--db", db, "--out", str(root / "site"), "--as-of", DAY)
    return root / "site" / DAY


def _percent(value: float) -> str:
    return f"{value * 100:.1f} %"


def test_briefing_json_carries_each_brokers_call_and_sale(site: Path) -> None:
    mc = json.loads((site / "briefing.json").read_text(encoding="utf-8"))["montecarlo"]
    assert mc["ran"]
    sbi, rakuten = mc["positions"]
    assert (sbi["account"], rakuten["account"]) == ("SBI 特定", HOSTILE_ACCOUNT)
    # Rakuten lends ¥5M on ¥6M of collateral: 83.3 %, past its 70 % call today, on every path
    assert rakuten["margin_call_probability"] == 1.0 == mc["margin_call_probability"]
    for p in (sbi, rakuten):
        assert 0.0 <= p["forced_liquidation_probability"] <= p["margin_call_probability"]
        assert p["forced_liquidation_probability"] <= mc["forced_liquidation_probability"]
    assert mc["forced_liquidation_probability"] <= (sbi["forced_liquidation_probability"]
                                                    + rakuten["forced_liquidation_probability"])


def test_the_page_and_the_pdf_show_each_broker_with_its_name_escaped(site: Path) -> None:
    mc = json.loads((site / "briefing.json").read_text(encoding="utf-8"))["montecarlo"]
    raw = (site / "index.html").read_text(encoding="utf-8")
    assert "<b>特定</b>" not in raw and "楽天 &lt;b&gt;特定&lt;/b&gt; &amp; co" in raw
    page = text_of(raw)
    rows = [f"{p['account']} {_percent(p['margin_call_probability'])} {_percent(p['forced_liquidation_probability'])}"
            for p in mc["positions"]]
    assert "Collateral account Margin call Forced liquidation " + " ".join(rows) in page
    pdf = " ".join(subprocess.run(["pdftotext", "-enc", "UTF-8", str(site / "briefing.pdf"), "-"],
                                  capture_output=True, text=True, check=True).stdout.split())
    assert "Each broker calls margin and sells on its own pledged account" in pdf
    assert HOSTILE_ACCOUNT in pdf and _percent(mc["positions"][1]["forced_liquidation_probability"]) in pdf


def test_the_one_broker_demo_has_no_positions_and_no_table(briefing_site: dict[str, Any]) -> None:
    day = briefing_site["site"] / "2026-11-25"
    mc = json.loads((day / "briefing.json").read_text(encoding="utf-8"))["montecarlo"]
    assert mc["ran"] and mc["positions"] == []
    page = (day / "index.html").read_text(encoding="utf-8")
    assert 'id="montecarlo"' in page and 'id="mc-positions"' not in page
    assert "Each broker calls margin" not in page
