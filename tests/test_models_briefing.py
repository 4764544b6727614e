"""The briefing.json contract: SPEC keys, strict JSON, real booleans, nulls for non-finite values, history."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from model_inputs import AS_OF, MARGIN, STANDBY, montecarlo_result, sample_inputs

from lifealm.models.briefing import build_briefing
from lifealm.models.briefing_json import briefing_to_json
from lifealm.models.history import changes_since
from lifealm.models.inputs import PricePoint, Snapshot
from lifealm.models.montecarlo.household import HouseholdRun, household_plan
from lifealm.models.montecarlo.summary import result_to_dict

SPEC_KEYS = (
    "as_of", "status", "portfolio.value", "portfolio.unrealized_pnl", "holdings[].ticker", "holdings[].value",
    "holdings[].price_date", "margin.balance", "margin.ratio", "margin.thresholds.freeze",
    "margin.thresholds.margin_call", "margin.thresholds.forced_liquidation", "defense.cash",
    "defense.credit_available", "stress.max_survivable_drawdown", "stress.ladder[].drawdown",
    "stress.ladder[].ratio", "stress.ladder[].zone", "stress.ladder[].repay_to_avoid_liquidation",
    "stress.ladder[].repay_to_target", "stress.ladder[].survives", "cashflow.monthly", "balance_sheet.net_worth",
    "fire.ratio", "dividends.projection[].year", "dividends.projection[].income", "montecarlo.success_probability",
    "findings",
)


def lookup(doc: Any, dotted: str) -> list[Any]:
    """All values at a dotted path; `name[]` steps into every element of a list (which must not be empty)."""
    values = [doc]
    for part in dotted.split("."):
        nxt: list[Any] = []
        for value in values:
            key = part.removesuffix("[]")
            assert isinstance(value, dict) and key in value, f"missing key {dotted!r} at {part!r}"
            item = value[key]
            if part.endswith("[]"):
                assert isinstance(item, list) and item, f"{dotted}: expected a non-empty list"
                nxt.extend(item)
            else:
                nxt.append(item)
        values = nxt
    return values


def test_every_spec_key_is_present_and_strict_json_succeeds() -> None:
    doc = briefing_to_json(build_briefing(sample_inputs()))
    for key in SPEC_KEYS:
        lookup(doc, key)
    text = json.dumps(doc, allow_nan=False, ensure_ascii=False)
    assert json.loads(text) == doc
    assert doc["as_of"] == "2026-11-24" and doc["status"] in ("SAFE", "CAUTION", "DANGER")
    assert doc["montecarlo"]["success_probability"] is None and doc["montecarlo"]["ran"] is False
    assert doc["non_finite"] == []
    assert doc["defense"]["cash"] == 4_500_000.0  # from the ledger, not the series' constant
    assert [h["ticker"] for h in doc["holdings"]] == ["A", "B", "LATE"]
    late = doc["holdings"][2]
    assert late["value"] == 50_000.0 and late["price_date"] == "2026-11-22"


def test_survives_is_a_real_boolean() -> None:
    # The series printed an empty string in both cases.
    ladder = briefing_to_json(build_briefing(sample_inputs()))["stress"]["ladder"]
    assert {type(row["survives"]) for row in ladder} == {bool}
    assert any(row["survives"] for row in ladder) and not all(row["survives"] for row in ladder)
    assert [row["zone"] for row in ladder][-1] == "FORCED_LIQUIDATION"


def test_key_order_is_deterministic() -> None:
    a = json.dumps(briefing_to_json(build_briefing(sample_inputs())), allow_nan=False)
    b = json.dumps(briefing_to_json(build_briefing(sample_inputs())), allow_nan=False)
    assert a == b
    doc = briefing_to_json(build_briefing(sample_inputs()))
    assert list(doc)[:4] == ["schema_version", "as_of", "base_currency", "status"]


def test_infinite_ratio_becomes_null_and_is_declared() -> None:
    doc = briefing_to_json(build_briefing(sample_inputs(holdings=(), prices=())))
    json.dumps(doc, allow_nan=False)
    assert doc["margin"]["ratio"] is None and doc["margin"]["ratio_infinite"] is True
    assert "margin.ratio" in doc["non_finite"]
    assert any(p.startswith("stress.ladder[") for p in doc["non_finite"])
    # A loan against no holdings at all: the margin model says DANGER, but the ledger cannot answer (NO DATA).
    assert doc["margin"]["status"] == "DANGER"
    assert doc["status"] == "NO DATA" and doc["missing"] == ["no_holdings"]
    assert doc["holdings"] == [] and doc["portfolio"]["value"] == 0.0


def test_montecarlo_section_has_the_shape_lifealm_simulate_prints() -> None:
    result = montecarlo_result(0.94)
    doc = briefing_to_json(build_briefing(sample_inputs(), montecarlo=HouseholdRun(result, ())))
    mc = doc["montecarlo"]
    assert {k: v for k, v in mc.items() if k not in ("ran", "horizon")} == result_to_dict(result)
    # inputs built by hand take their mc_years as given (the default 40 years)
    assert mc["horizon"] == {"years": 40, "basis": "mc_years", "member": None, "to_age": None}
    assert mc["ran"] is True and mc["success_probability"] == 0.94
    assert mc["net_worth"][1] == {"year": 1, "p10": 1.0, "p25": 2.0, "p50": 3.0, "p75": 4.0, "p90": 5.0}
    assert mc["failure_years"] == [{"year": 2, "paths": 12}]
    assert doc["snapshot"]["success_probability"] == 0.94
    json.dumps(doc, allow_nan=False)


def test_history_lists_status_change_first_and_the_series() -> None:
    earlier = Snapshot(AS_OF - timedelta(days=2), "DANGER", 80e6, 1e6, 50e6, 0.625, 40e6, 0.0, 0.2, 0.3, 0.5)
    previous = Snapshot(AS_OF - timedelta(days=1), "CAUTION", 100e6, 4.5e6, 50e6, 0.5, 60e6, 1.0, 0.3, 0.4, None)
    later = Snapshot(AS_OF + timedelta(days=1), "SAFE", 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, None)
    b = build_briefing(sample_inputs(snapshots=(previous, later, earlier)))
    assert b.history.previous_date == previous.snapshot_date
    assert [s.snapshot_date for s in b.history.series] == [earlier.snapshot_date, previous.snapshot_date, AS_OF]
    first = b.history.changes[0]
    assert (first.field, first.previous, first.current, first.changed) == ("status", "CAUTION", "SAFE", True)
    assert b.history.status_changed
    pv = next(c for c in b.history.changes if c.field == "portfolio_value")
    assert pv.delta == pytest.approx(b.valuation.value - 100e6)
    doc = briefing_to_json(b)
    assert doc["history"]["changes"][0]["field"] == "status"
    assert len(doc["history"]["series"]) == 3


def test_changes_since_marks_unchanged_fields_and_unknown_deltas() -> None:
    s = Snapshot(AS_OF, "SAFE", 1.0, 2.0, 3.0, None, 5.0, 6.0, 0.5, 0.4, None)
    same = changes_since(s, s)
    assert next(c.field for c in same) == "status" and not any(c.changed for c in same)
    moved = changes_since(s, replace(s, margin_ratio=0.4, net_worth=7.0))
    by = {c.field: c for c in moved}
    assert by["margin_ratio"].changed and by["margin_ratio"].delta is None
    assert by["net_worth"].delta == 2.0


def test_first_briefing_has_no_changes() -> None:
    b = build_briefing(sample_inputs())
    assert b.history.previous_date is None and b.history.changes == ()
    assert b.history.series == (b.snapshot,)


def test_findings_are_ordered_errors_first_and_serialized() -> None:
    b = build_briefing(sample_inputs(prices=(PricePoint("A", AS_OF - timedelta(days=20), 5_000.0),),
                                   expenses=()))
    codes = [(f["code"], f["severity"]) for f in briefing_to_json(b)["findings"]]
    severities = [s for _, s in codes]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)
    assert ("missing_price", "error") in codes and ("stale_price", "warning") in codes
    assert ("no_expenses", "error") in codes and ("no_dividend_data", "info") in codes


def test_the_household_plans_findings_are_the_briefings_once_each() -> None:
    """The real plan of a ledger with an unpriced holding and a plan too large for monthly steps: its findings are
    the briefing's, the unpriced holding (which the valuation also finds) named once, the yearly steps once."""
    inputs = sample_inputs(prices=(PricePoint("A", AS_OF, 5_000.0),))
    inputs = replace(inputs, assumptions=replace(inputs.assumptions, mc_paths=2_000_000, mc_years=40))
    plan = household_plan(inputs)
    assert plan.config.steps == "annual"  # 2,000,000 × 40 × 12 cells would not fit in memory
    b = build_briefing(inputs, montecarlo=HouseholdRun(montecarlo_result(0.5), plan.findings))
    keys = [(f.code, f.subject) for f in b.findings]
    assert keys.count(("montecarlo_annual_steps", "assumptions")) == 1
    assert keys.count(("missing_price", "B")) == 1 and ("missing_price", "B") in [(f.code, f.subject)
                                                                                 for f in plan.findings]
    assert set(plan.findings) <= set(b.findings)
    doc = briefing_to_json(b)
    assert [f for f in doc["findings"] if f["code"] == "montecarlo_annual_steps"] == [
        {"code": "montecarlo_annual_steps", "severity": "warning", "subject": "assumptions",
         "detail": {"mc_paths": 2_000_000, "mc_years": 40, "max_cells": 100_000_000}}]
    # without the simulation there is no plan to speak of
    assert "montecarlo_annual_steps" not in [f.code for f in build_briefing(inputs).findings]


def test_has_a_loan_is_one_definition_for_the_json_the_charts_the_page_and_the_email() -> None:
    from lifealm.charts.collect import chart_data
    from lifealm.render.context import base_context
    from lifealm.render.email_body import email_context

    cases = ((sample_inputs(), True), (sample_inputs(loans=(STANDBY,)), False),
             (sample_inputs(loans=(replace(MARGIN, balance=0.0), STANDBY)), False))  # a margin account, nothing owed
    for inputs, expected in cases:
        b = build_briefing(inputs)
        doc = briefing_to_json(b)
        assert b.margin.has_loan is expected and doc["margin"]["has_loan"] is expected
        assert base_context(doc)["has_loan"] is expected and email_context(doc)["has_loan"] is expected
        assert (chart_data(b).margin.max_survivable_drawdown is not None) is expected
