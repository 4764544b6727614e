"""`lifealm simulate`: JSON with success_probability on top, the ledger plan by default, usage errors exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from demo_ledgers import demo_copy

from lifealm.cli import _register, cli

_register()
AS_OF = "2026-11-25"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["simulate", *args])
    return result.exit_code, result.output


def test_classic_question_needs_no_ledger_and_prints_json(tmp_path: Path) -> None:
    code, out = _run("--db", str(tmp_path / "missing.db"), "--initial", "1000000", "--withdrawal-rate", "0.04",
                     "--engine", "historical", "--stocks", "0.5", "--bonds", "tbond", "--start-years", "1928-1966",
                     "--years", "30", "--target-success", "1")
    assert code == 0, out
    data = json.loads(out)
    assert next(iter(data)) == "success_probability"
    assert data["paths"] == 39 and data["spending_rule"] == "constant" and data["engine"] == "historical"
    assert abs(data["success_probability"] - 0.95) <= 0.05
    assert "Damodaran" in data["data_source"]
    assert abs(data["solver"]["withdrawal_rate"] - 0.0415) <= 0.0035
    assert data["failing_start_years"] == [] or data["failing_start_years"] == [1966]


def test_parametric_run_is_reproducible_by_seed() -> None:
    args = ("--initial", "500000", "--paths", "300", "--years", "20", "--seed", "5", "--steps", "monthly",
            "--mean-return", "0.06", "--volatility", "0.15", "--inflation", "0.02", "--inflation-std", "0.01",
            "--spending-rule", "guardrails", "--withdrawal-rate", "0.05", "--stocks", "0.7", "--bonds", "baa")
    first, second = _run(*args), _run(*args)
    assert first[0] == 0, first[1]
    assert first == second
    data = json.loads(first[1])
    assert (data["steps"], data["seed"], data["paths"], data["years"]) == ("monthly", 5, 300, 20)
    assert data["horizon"] == {"years": 20, "basis": "--years", "member": None, "to_age": None}
    assert len(data["net_worth"]) == 21 and set(data["net_worth"][0]) == {"year", "p10", "p25", "p50", "p75",
                                                                           "p90"}


def test_ledger_plan_is_the_default(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    demo_copy(db, as_of=date.fromisoformat(AS_OF))
    code, out = _run("--db", str(db), "--as-of", AS_OF, "--paths", "500", "--loan", "60000000",
                     "--credit-line", "20000000")
    assert code == 0, out
    data = json.loads(out)
    # the horizon runs until 花子 (born 1979-08-15, 47 on 2026-11-25), the youngest adult, is 95: 95 − 47 = 48 years
    assert data["spending_rule"] == "plan" and data["paths"] == 500 and data["years"] == 48
    assert data["horizon"] == {"years": 48, "basis": "plan_to_age", "member": "花子 Hanako", "to_age": 95}
    assert data["steps"] == "annual"  # `simulate` keeps its own default; the briefing's plan runs monthly
    assert 0.0 <= data["success_probability"] <= 1.0
    assert data["initial_spending"] > 0


def test_missing_ledger_is_a_runtime_error(tmp_path: Path) -> None:
    code, out = _run("--db", str(tmp_path / "none.db"))
    assert code == 1
    assert "no ledger here" in out


@pytest.mark.parametrize(("args", "message"), [
    (("--initial", "1e6", "--spending-rule", "plan"), "cannot be combined with --initial"),
    (("--initial", "1e6", "--spending-rule", "plan", "--withdrawal-rate", "0.04"), "--initial"),
    (("--withdrawal-rate", "0.04", "--spending-rule", "plan"), "does not apply to --spending-rule plan"),
    (("--initial", "1e6", "--engine", "historical", "--mean-return", "0.05"), "only apply to --engine parametric"),
    (("--initial", "1e6", "--start-years", "1928-1966"), "only applies to --engine historical"),
    (("--initial", "1e6", "--engine", "historical", "--start-years", "1990-2000", "--years", "30"),
     "no full 30-year horizon"),
    (("--initial", "1e6", "--engine", "historical", "--start-years", "19x8"), "year range"),
    (("--initial", "1e6", "--engine", "historical", "--paths", "100"), "one path per start year"),
    (("--initial", "1e6", "--stocks", "1.5"), "--stocks"),
    (("--initial", "1e6", "--spending-rule", "vpw", "--withdrawal-rate", "0.05"), "vpw"),
    (("--initial", "-5"), "--initial"),
    (("--initial", "1e6", "--paths", "1000000", "--steps", "monthly"), "GiB"),
])
def test_bad_combinations_are_usage_errors(args: tuple[str, ...], message: str) -> None:
    code, out = _run(*args)
    assert code == 2, out
    assert message in out


def test_the_installed_entry_point_exits_2_on_usage_errors_and_0_with_json() -> None:
    bad = subprocess.run([sys.executable, "-m", "lifealm", "simulate", "--withdrawal-rate", "0.04",
                          "--spending-rule", "plan"], capture_output=True, text=True, check=False)
    assert bad.returncode == 2
    good = subprocess.run([sys.executable, "-m", "lifealm", "simulate", "--initial", "1000000", "--paths", "200"],
                          capture_output=True, text=True, check=False)
    assert good.returncode == 0, good.stderr
    assert 0.0 <= json.loads(good.stdout)["success_probability"] <= 1.0


def test_success_can_also_require_no_forced_sale() -> None:
    """Counting a forced liquidation as failure can only lower the success rate, on the same draws."""
    args = ("--initial", "100000000", "--withdrawal-rate", "0.04", "--loan", "60000000", "--paths", "2000",
            "--seed", "7")
    code, out = _run(*args)
    strict_code, strict_out = _run(*args, "--success", "no-forced-sale")
    assert code == 0 and strict_code == 0, (out, strict_out)
    loose, strict = json.loads(out), json.loads(strict_out)
    assert strict["success_definition"] == "spending_sustained_without_forced_liquidation"
    assert loose["forced_liquidation_probability"] > 0  # the loan is large enough for forced sales to happen
    assert strict["success_probability"] < loose["success_probability"]


def test_a_calculator_question_says_its_horizon_is_the_calculators() -> None:
    code, out = _run("--initial", "1000000", "--paths", "200")
    assert code == 0, out
    assert json.loads(out)["horizon"] == {"years": 30, "basis": "calculator", "member": None, "to_age": None}
