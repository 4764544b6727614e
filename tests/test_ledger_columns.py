"""The column declarations agree with the SQL schema, the model input types and the README; layers import one way."""

from __future__ import annotations

import ast
import sqlite3
from dataclasses import fields
from pathlib import Path

import pytest

from lifealm.ledger.columns import KINDS, SNAPSHOTS, Kind, readme_table
from lifealm.ledger.db import create_ledger
from lifealm.models import inputs

ROOT = Path(__file__).resolve().parent.parent
RECORDS = {"holdings": inputs.Holding, "prices": inputs.PricePoint, "dividends": inputs.Dividend,
           "loans": inputs.Loan, "cash": inputs.CashAccount, "other-assets": inputs.OtherAsset,
           "expenses": inputs.Expense, "income": inputs.Income, "fx": inputs.FxRate, "snapshots": inputs.Snapshot,
           "accounts": inputs.Account, "events": inputs.Event, "members": inputs.Member}
# Model fields computed from other columns rather than read: a loan's v1 collateral_type follows its kind.
DERIVED = {"loans": {"collateral_type"}}


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> sqlite3.Connection:
    return create_ledger(tmp_path_factory.mktemp("columns") / "ledger.db")


@pytest.mark.parametrize("kind", [*KINDS.values(), SNAPSHOTS], ids=lambda k: k.name)
def test_declared_columns_are_the_tables_columns_in_order(conn: sqlite3.Connection, kind: Kind) -> None:
    table = [str(r[1]) for r in conn.execute(f"PRAGMA table_info({kind.table})") if r[1] != "id"]
    assert [c.name for c in kind.own_columns] == table
    for col in kind.carried:  # a holdings file's security columns are the securities table's
        assert col.name in [str(r[1]) for r in conn.execute(f"PRAGMA table_info({col.table})")]
    keys = {tuple(str(c[2]) for c in conn.execute(f"PRAGMA index_info('{index[1]}')"))
            for index in conn.execute(f"PRAGMA index_list({kind.table})") if index[2]}  # unique indexes
    assert kind.key in keys or kind.key == tuple(str(r[1]) for r in conn.execute(
        f"PRAGMA table_info({kind.table})") if r[5])  # or the primary key


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_each_column_feeds_one_field_of_its_model_input(name: str) -> None:
    kind = SNAPSHOTS if name == "snapshots" else KINDS[name]
    assert sorted(c.field or c.name for c in kind.columns) == sorted(
        f.name for f in fields(RECORDS[name]) if f.name not in DERIVED.get(name, set()))


def test_the_readme_table_is_the_generated_one() -> None:
    text = (ROOT / "README.md").read_text("utf-8")
    assert readme_table() in text, "update the README's import table with lifealm.ledger.columns.readme_table()"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_ledger_layer_imports_only_the_frozen_input_types_from_models() -> None:
    allowed = {"lifealm.models.inputs", "lifealm.models.assumptions"}
    for path in sorted((ROOT / "lifealm" / "ledger").glob("*.py")):
        models = {m for m in _imports(path) if m.startswith("lifealm.models")}
        assert models <= allowed, (path.name, models - allowed)
        assert not {m for m in _imports(path) if m.startswith(("lifealm.pipeline", "lifealm.demo"))}, path.name


def test_the_command_line_computes_nothing() -> None:
    for path in sorted((ROOT / "lifealm" / "cli").glob("*.py")):
        heavy = {m for m in _imports(path) if m.split(".")[0] in ("numpy", "pandas", "math", "statistics")
                 or m.startswith(("lifealm.models.montecarlo.engine", "lifealm.models.montecarlo.scenarios",
                                  "lifealm.models.montecarlo.solver", "lifealm.models.montecarlo.summary",
                                  "lifealm.ledger.load"))}
        assert not heavy, (path.name, heavy)
