"""The shipped briefing.json schema: a valid draft 2020-12 schema that every briefing meets and that catches
a missing key, a wrong type, an unknown status or key, and NaN."""

from __future__ import annotations

import copy
import fnmatch
import hashlib
import json
import math
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import REPORT_DAY
from model_inputs import household_run, sample_inputs

from lifealm.models.briefing import build_briefing
from lifealm.models.briefing_json import JSON_SCHEMA_VERSION, briefing_to_json
from lifealm.models.inputs import PricePoint
from lifealm.schema import briefing_problems, briefing_schema

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return briefing_to_json(build_briefing(sample_inputs(), montecarlo=household_run(0.9)))


def test_the_schema_is_a_valid_draft_2020_12_schema_for_this_version() -> None:
    schema = briefing_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["schema_version"] == {"const": JSON_SCHEMA_VERSION}


@pytest.mark.parametrize("case", ["series", "no holdings (infinite ratio)", "no loans", "unpriced", "stale",
                                  "no montecarlo"])
def test_briefings_of_every_shape_meet_the_schema(case: str) -> None:
    base = sample_inputs()
    inputs = {
        "series": base,
        "no holdings (infinite ratio)": sample_inputs(holdings=(), prices=()),
        "no loans": sample_inputs(loans=()),
        "unpriced": sample_inputs(prices=()),
        "stale": sample_inputs(prices=(PricePoint("A", base.as_of.replace(day=1), 5_000.0),), expenses=()),
        "no montecarlo": base,
    }[case]
    mc = None if case == "no montecarlo" else household_run(0.5)
    assert briefing_problems(briefing_to_json(build_briefing(inputs, montecarlo=mc))) == []


def test_a_document_missing_a_required_key_fails(doc: dict[str, Any]) -> None:
    assert briefing_problems(doc) == []
    for path in (("status",), ("margin", "ratio"), ("stress", "ladder", 0, "survives"), ("montecarlo", "paths")):
        broken = copy.deepcopy(doc)
        parent = broken
        for key in path[:-1]:
            parent = parent[key]
        del parent[path[-1]]
        problems = briefing_problems(broken)
        assert len(problems) >= 1 and f"'{path[-1]}' is a required property" in " ".join(problems), path


def test_a_value_of_the_wrong_type_fails(doc: dict[str, Any]) -> None:
    for path, value, words in (
        (("portfolio", "value"), "125000000", "is not of type 'number'"),
        (("holdings", 0, "stale"), 0, "is not of type 'boolean'"),
        (("as_of",), "25/11/2026", "does not match"),
        (("margin", "ratio"), [0.4], "is not of type 'number', 'null'"),
        (("defense", "cash"), None, "is not of type 'number'"),
    ):
        broken = copy.deepcopy(doc)
        parent = broken
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = value
        problems = briefing_problems(broken)
        dotted = ".".join(str(p) for p in path).replace(".0.", "[0].")
        assert any(p.startswith(f"{dotted}:") and words in p for p in problems), (path, problems)


def test_unknown_words_keys_and_non_finite_numbers_fail(doc: dict[str, Any]) -> None:
    cases: list[tuple[str, Any]] = [("status", "OK"), ("margin.zone", "SAFE_ISH"), ("findings", [
        {"code": "stale_price", "severity": "fatal", "subject": "A", "detail": {}}]), ("surprise", 1),
        ("margin.ratio", math.nan)]
    for dotted, value in cases:
        broken = copy.deepcopy(doc)
        *parents, last = dotted.split(".")
        target = broken
        for key in parents:
            target = target[key]
        target[last] = value
        assert briefing_problems(broken) != [], dotted


def test_the_shared_report_was_checked_as_it_was_written(briefing_site: dict[str, Any],
                                                         briefing_contract: set[str]) -> None:
    # Guards the suite-wide check: if the report stopped going through pages.briefing_json_text, this fails.
    text = (briefing_site["site"] / REPORT_DAY / "briefing.json").read_text("utf-8")
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() in briefing_contract
    assert briefing_problems(json.loads(text)) == []


def test_the_schema_ships_in_the_wheel_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    assert "lifealm.schema" in config["packages"]
    patterns = config["package-data"]["lifealm.schema"]
    shipped = [p.name for p in (ROOT / "lifealm" / "schema").iterdir() if p.suffix == ".json"]
    assert shipped == ["briefing.schema.json"]
    assert all(any(fnmatch.fnmatch(name, pattern) for pattern in patterns) for name in shipped)
