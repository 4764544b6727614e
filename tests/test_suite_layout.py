"""The test suite mirrors the code: each lifealm module has tests findable by its name, and helper modules
are not named test_*.py (pytest would collect them as tests)."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"

# Modules whose tests live in a file not named after them (new tests should be: tests/test_<package>_<module>.py).
# Each entry names the file and a word that file must contain, so the index cannot point at the wrong place.
TESTED_IN: dict[str, tuple[str, str]] = {
    "assumption_catalog": ("test_messages_fixes.py", "lifealm.assumption_catalog"),
    "atomic": ("test_harden_cli.py", "lifealm.atomic"),
    "cli.assumptions_cmd": ("test_messages_fixes.py", '"assumptions"'),
    "drawable": ("test_harden_text.py", "lifealm.drawable"),
    "errors": ("test_config_validation.py", "lifealm.errors"),
    "finite": ("test_harden_cli.py", "subnormal"),
    "ledger.sqlite_errors": ("test_ledger_write.py", "lifealm.ledger.sqlite_errors"),
    "models.coverage": ("test_no_data.py", "NO DATA"),
    "render.fixes": ("test_messages_fixes.py", "lifealm.render.fixes"),
    "demo": ("test_ledger_demo.py", '"demo"'),
    "simulate": ("test_montecarlo_cli.py", '"simulate"'),
    "settings": ("test_config_validation.py", "lifealm.settings"),
    "charts.collect": ("test_charts_scale.py", "lifealm.charts.collect"),
    "charts.inputs": ("test_charts_builders.py", "lifealm.charts.inputs"),
    "charts.theme": ("test_charts_builders.py", "theme"),
    "charts.labels": ("test_i18n_catalogue.py", "lifealm.charts.labels"),
    "cli.deliver_cmds": ("test_run_daily.py", "lifealm.cli.deliver_cmds"),
    "cli.ledger_cmds": ("test_import_kinds.py", '"import"'),
    "cli.options": ("test_ledger_db.py", '"--as-of"'),
    "cli.report_cmd": ("test_report_outputs.py", '"report"'),
    "cli.simulate_cmd": ("test_montecarlo_cli.py", '"simulate"'),
    "cli.update_cmd": ("test_refresh_ledger_update.py", "lifealm.cli import _register"),
    "refresh.splits": ("test_refresh_ledger_update.py", "lifealm.refresh.splits"),
    "refresh.wanted": ("test_refresh_ledger_update.py", "lifealm.refresh.wanted"),
    "refresh.writing": ("test_refresh_ledger_update.py", "lifealm.refresh.writing"),
    "deliver.briefing_mail": ("test_email_smtp.py", "lifealm.deliver.briefing_mail"),
    "deliver.daily_run": ("test_run_daily.py", "lifealm.deliver.daily_run"),
    "deliver.doctor": ("test_doctor_checks.py", '"doctor"'),
    "deliver.mail_settings": ("test_config_validation.py", "lifealm.deliver.mail_settings"),
    "deliver.run_lock": ("test_run_daily.py", "lifealm.deliver.run_lock"),
    "ledger.cells": ("test_import_bad_inputs.py", "negative-shares"),
    "ledger.check": ("test_ledger_db.py", '"check"'),
    "ledger.brokers.common": ("test_brokers.py", "lifealm.ledger.brokers.common"),
    "ledger.brokers.rakuten_assets": ("test_brokers.py", "rakuten"),
    "ledger.brokers.rakuten_dividends": ("test_brokers.py", '"rakuten-dividends"'),
    "ledger.brokers.records": ("test_brokers.py", "read_broker_export"),
    "ledger.brokers.sbi_holdings": ("test_brokers.py", "sbi"),
    "ledger.brokers.sbi_portfolio": ("test_brokers.py", '"sbi-portfolio"'),
    "ledger.csv_export": ("test_import_property.py", "lifealm.ledger.csv_export"),
    "ledger.remove": ("test_ledger_household_cli.py", '"remove"'),
    "ledger.row_rules": ("test_ledger_household_cli.py", "an amortizing loan"),
    "ledger.upgrade_check": ("test_ledger_migration_v2.py", "lifealm.ledger.upgrade_check"),
    "ledger.write_carried": ("test_ledger_household_cli.py", "nisa_growth"),
    "ledger.csv_import": ("test_import_kinds.py", "lifealm.ledger.csv_import"),
    "ledger.csv_read": ("test_import_bad_inputs.py", "cp932"),
    "ledger.snapshots": ("test_snapshots.py", "lifealm.ledger.snapshots"),
    "models.assumptions": ("test_config_validation.py", "assumptions"),
    "models.balance": ("test_models_defense.py", "balance_sheet"),
    "models.briefing_json": ("test_schema_briefing.py", "lifealm.models.briefing_json"),
    "models.cashflow": ("test_models_briefing.py", "cashflow"),
    "models.collateral": ("test_models_household.py", "b.collateral"),
    "models.findings": ("test_models_valuation.py", "lifealm.models.findings"),
    "models.fx": ("test_models_dividends.py", "lifealm.models.fx"),
    "models.history": ("test_models_briefing.py", "lifealm.models.history"),
    "models.inputs": ("test_models_briefing.py", "lifealm.models.inputs"),
    "models.margin": ("test_models_stress.py", "lifealm.models.margin"),
    "models.timeline": ("test_models_household.py", "lifealm.models.timeline"),
    "models.montecarlo.config": ("test_montecarlo_leverage.py", "lifealm.models.montecarlo.config"),
    "models.montecarlo.engine": ("test_montecarlo_exact.py", "lifealm.models.montecarlo.engine"),
    "models.montecarlo.history": ("test_montecarlo_validation.py", "lifealm.models.montecarlo.history"),
    "models.montecarlo.result": ("test_models_briefing.py", "success_probability"),
    "models.montecarlo.run": ("test_montecarlo_cli.py", '"simulate"'),
    "models.montecarlo.scenarios": ("test_montecarlo_exact.py", "lifealm.models.montecarlo.scenarios"),
    "models.montecarlo.schedule": ("test_montecarlo_dated.py", "AmortizingLoan"),
    "models.montecarlo.solver": ("test_montecarlo_spending.py", "lifealm.models.montecarlo.solver"),
    "models.montecarlo.summary": ("test_montecarlo_exact.py", "lifealm.models.montecarlo.summary"),
    "render.assets": ("test_report_outputs.py", "lifealm.render.assets"),
    "render.chart_words": ("test_i18n_catalogue.py", "lifealm.render.chart_words"),
    "render.key_words": ("test_i18n_catalogue.py", "lifealm.render.key_words"),
    "render.context": ("test_render_capped_tables.py", "lifealm.render.context"),
    "render.email_body": ("test_email_message.py", "lifealm.render.email_body"),
    "render.environment": ("test_report_outputs.py", "test_hostile_text_is_escaped_in_the_html"),
    "render.files": ("test_report_outputs.py", "lifealm.render.files"),
    "render.pages": ("test_render_answer.py", "lifealm.render.pages"),
    "render.site": ("test_report_outputs.py", "lifealm.render.site"),
    "update.chain": ("test_update_fetch.py", "lifealm.update.chain"),
    "update.config": ("test_update_fx.py", "lifealm.update.config"),
    "update.model": ("test_update_fx.py", "lifealm.update.model"),
    "update.results": ("test_update_fetch.py", "UpdateResult"),
    "update.sources.boj": ("test_update_fx.py", "lifealm.update.sources.boj"),
    "update.sources.ecb": ("test_update_fx.py", "lifealm.update.sources.ecb"),
    "update.sources.command": ("test_update_funds_commands.py", "lifealm.update.sources.command"),
    "update.sources.common": ("test_update_property.py", "lifealm.update.sources"),
    "update.sources.toushin": ("test_update_funds_commands.py", "lifealm.update.sources.toushin"),
}


def _modules() -> list[str]:
    """Every lifealm module with code of its own, dotted below `lifealm` (packages' __init__ re-export only)."""
    found = []
    for path in sorted((ROOT / "lifealm").rglob("*.py")):
        if path.name in ("__init__.py", "__main__.py") or "migrations" in path.parts:
            continue
        found.append(".".join(path.relative_to(ROOT / "lifealm").with_suffix("").parts))
    return found


def _named_after(module: str) -> list[Path]:
    """Test files named after `module`: test_<package>_<module>…; for a module two packages deep also without
    the outer or the inner package (models.montecarlo.x: test_montecarlo_x…, update.sources.x: test_update_x…)."""
    parts = module.split(".")
    keys = {"_".join(parts)} | ({"_".join(parts[1:]), f"{parts[0]}_{parts[-1]}"} if len(parts) > 2 else set())
    return [p for p in TESTS.glob("test_*.py") if any(p.stem == f"test_{k}" or p.stem.startswith(f"test_{k}_")
                                                     for k in keys)]


def test_every_lifealm_module_has_tests_findable_by_its_name() -> None:
    missing = []
    for module in _modules():
        if _named_after(module):
            continue
        if module not in TESTED_IN:
            missing.append(f"{module}: name a test file tests/test_{module.replace('.', '_')}.py (or index it)")
            continue
        name, word = TESTED_IN[module]
        path = TESTS / name
        if not path.exists() or word not in path.read_text("utf-8"):
            missing.append(f"{module}: {name} does not exist or does not mention {word!r}")
    assert missing == []


def test_the_index_lists_only_modules_that_exist_and_are_not_named_after() -> None:
    modules = set(_modules())
    stale = [m for m in TESTED_IN if m not in modules or _named_after(m)]
    assert stale == [], "remove these from TESTED_IN"


def test_every_test_module_holds_tests_and_helpers_are_not_named_test() -> None:
    for path in TESTS.glob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        tests = [n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                 and n.name.startswith(("test_", "Test"))]
        if path.name.startswith("test_"):
            assert tests, f"{path.name} holds no tests: a helper module, name it without test_"
        else:
            assert not tests, f"{path.name} holds tests {tests} but pytest collects only test_*.py"


def test_under_xdist_a_modules_tests_share_one_worker(request: pytest.FixtureRequest) -> None:
    """`--dist loadgroup` sends a group to one worker only if pytest-xdist could tag the test's id with it;
    otherwise each module fixture (a demo report, a browser session) is quietly built once per worker."""
    if not os.environ.get("PYTEST_XDIST_WORKER") or request.config.getoption("dist", "no") != "no" \
            or not getattr(request.config.option, "loadgroup", False):
        pytest.skip("not a pytest-xdist worker running --dist loadgroup")
    assert request.node.nodeid.endswith("@tests/test_suite_layout.py")
