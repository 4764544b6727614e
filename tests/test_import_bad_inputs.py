"""The bad-input corpus: every case exits 1, names the place and a fix, and leaves the ledger's bytes unchanged."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from demo_ledgers import demo_copy

from lifealm.cli import _register, cli

CORPUS = Path(__file__).parent / "bad_inputs"

# Where each problem must be reported: ":LINE: column" (file-level problems name just the file).
EXPECTED_PLACE: dict[str, str] = {
    "prices--text-in-close": ":2: close_price",
    "prices--nan-close": ":2: close_price",
    "prices--infinite-close": ":3: close_price",
    "prices--negative-close": ":2: close_price",
    "prices--zero-close": ":2: close_price",
    "prices--future-date": ":2: price_date",
    "prices--impossible-date": ":2: price_date",
    "prices--us-style-date": ":2: price_date",
    "prices--duplicate-key": ":3: ticker/price_date",
    "prices--unknown-ticker": ":2: ticker",
    "prices--absurd-close": ":2: close_price",
    "prices--missing-close-column": ":1: close_price",
    "prices--unknown-column": ":1: volume",
    "prices--empty-file": ".csv: the file is empty",
    "prices--short-row": ":2: row",
    "prices--long-row": ":2: row",
    "prices--empty-close-cell": ":2: close_price",
    "prices--nul-byte": ":2:",
    "prices--bom-then-bad-row": ":3: close_price",
    "prices--cp932-unknown-ticker": ":2: ticker",
    "prices--undecodable-bytes": ":2: byte",
    "prices--utf16-file": ".csv: the file is UTF-16",
    "holdings--negative-shares": ":2: shares",
    "holdings--text-shares": ":2: shares",
    "holdings--duplicate-ticker": ":3: account/ticker",
    "holdings--bad-currency": ":2: currency",
    "holdings--absurd-shares": ":2: shares",
    "holdings--bad-added-at": ":2: added_at",
    "holdings--dividend-growth-out-of-range": ":2: dividend_growth",
    "holdings--empty-ticker": ":2: ticker",
    "holdings--duplicate-column": ":1: shares",
    "holdings--cp932-negative-shares": ":2: shares",
    "loans--thresholds-out-of-order": ":2: freeze_pct",
    "loans--thresholds-as-percent": ":2: freeze_pct",
    "loans--portfolio-without-thresholds": ":2: freeze_pct",
    "loans--credit-line-without-limit": ":2: credit_limit",
    "loans--unknown-collateral-type": ":2: kind",
    "loans--rate-as-percent": ":2: rate",
    "loans--negative-balance": ":2: balance",
    "loans--target-above-forced": ":2: target_ratio",
    "dividends--unknown-ticker": ":2: ticker",
    "dividends--bad-projection-flag": ":2: is_projection",
    "dividends--negative-amount": ":2: amount_per_share",
    "dividends--duplicate-key": ":3: ticker/ex_date/is_projection",
    "cash--infinite-balance": ":2: balance",
    "cash--absurd-balance": ":2: balance",
    "cash--missing-balance-column": ":1: balance",
    "expenses--text-amount": ":2: monthly_amount",
    "expenses--duplicate-category": ":4: category",
    "expenses--control-character": ":3: category",
    "income--unknown-kind": ":2: kind",
    "income--annual-change-minus-one": ":2: annual_change",
    "fx--future-rate-date": ":2: rate_date",
    "fx--zero-rate": ":2: rate",
    "fx--bad-currency-code": ":2: currency",
    "other-assets--negative-value": ":2: value",
    "other-assets--liquid-not-a-flag": ":2: liquid",
    "assumptions--unknown-name": ":2: mc_pathz",
    "assumptions--bad-value": ":2: mc_paths",
    "assumptions--out-of-range": ":2: dividend_tax",
}

# Files with the header and no rows (the export of an empty kind): nothing to import, exit 0, the ledger unchanged.
ACCEPTED = ("prices--header-only", "prices--blank-lines-only", "holdings--header-only", "expenses--header-only")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_copy(tmp_path_factory.mktemp("template") / "demo.db", as_of=date(2025, 6, 30))


@pytest.fixture
def ledger(demo_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "ledger.db"
    shutil.copyfile(demo_template, path)
    return path


def _run(*args: str) -> tuple[int, str]:
    _register()
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_corpus_is_complete() -> None:
    on_disk = {p.stem for p in CORPUS.glob("*.csv")}
    assert on_disk == set(EXPECTED_PLACE) | set(ACCEPTED)
    assert len(on_disk) >= 40


@pytest.mark.parametrize("name", sorted(EXPECTED_PLACE))
def test_bad_csv_is_refused_and_changes_nothing(name: str, ledger: Path) -> None:
    kind = name.split("--")[0]
    before = _digest(ledger)
    code, output = _run("import", kind, str(CORPUS / f"{name}.csv"), "--db", str(ledger))
    assert code == 1, output
    assert f"{name}.csv" in output and EXPECTED_PLACE[name] in output, output
    assert "fix:" in output
    assert "Traceback" not in output
    assert _digest(ledger) == before


@pytest.mark.parametrize("replace", [False, True])
@pytest.mark.parametrize("name", ACCEPTED)
def test_header_only_file_imports_nothing(name: str, replace: bool, ledger: Path) -> None:
    before = _digest(ledger)
    path = CORPUS / f"{name}.csv"
    code, output = _run("import", name.split("--")[0], str(path), "--db", str(ledger), *(["--replace"] * replace))
    assert code == 0, output
    assert output == f"Nothing to import: {path} has the header and no rows.\n"
    assert _digest(ledger) == before  # even with --replace: an empty file never empties a table


def test_export_of_an_empty_kind_imports_back(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    assert _run("init", "--db", str(db))[0] == 0
    exported = tmp_path / "prices.csv"
    code, output = _run("export", "prices", "-o", str(exported), "--db", str(db))
    assert code == 0 and exported.read_text(encoding="utf-8") == "ticker,price_date,close_price\n", output
    code, output = _run("import", "prices", str(exported), "--db", str(db))
    assert code == 0 and "Nothing to import" in output, output
    empty = tmp_path / "zero.csv"
    empty.write_bytes(b"")  # a 0-byte file is not an export: still an error
    code, output = _run("import", "prices", str(empty), "--db", str(db))
    assert code == 1 and "the file is empty" in output, output


GOOD_PRICES = "ticker,price_date,close_price\n0101.T,2025-06-02,2000\n"


def _not_sqlite(path: Path) -> None:
    path.write_text("ticker,price_date\nthis is a CSV file, not a ledger\n")


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _newer_version(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 999")
    conn.close()


def _read_only(path: Path) -> None:
    path.chmod(stat.S_IRUSR)


LEDGER_CASES = {
    "not-sqlite": (_not_sqlite, "not a SQLite database"),
    "truncated": (_truncated, "malformed"),
    "newer-version": (_newer_version, "newer lifealm"),
    "read-only": (_read_only, "read-only"),
}


@pytest.mark.parametrize("case", sorted(LEDGER_CASES))
@pytest.mark.parametrize("command", ["import", "check", "export"])
def test_bad_ledger_is_refused_and_unchanged(case: str, command: str, ledger: Path, tmp_path: Path) -> None:
    damage, expected = LEDGER_CASES[case]
    damage(ledger)
    before = _digest(ledger)
    csv_file = tmp_path / "prices.csv"
    csv_file.write_text(GOOD_PRICES)
    args = {"import": ["import", "prices", str(csv_file)], "check": ["check", "--as-of", "2025-06-30"],
            "export": ["export", "prices"]}[command]
    code, output = _run(*args, "--db", str(ledger))
    if case == "read-only" and command != "import":
        assert code == 0, output  # reading a read-only ledger is fine
    else:
        assert code == 1, output
        assert str(ledger) in output and expected in output, output
        assert "fix:" in output
    assert _digest(ledger) == before
    ledger.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_ledger_that_is_a_directory(tmp_path: Path) -> None:
    folder = tmp_path / "ledger.db"
    folder.mkdir()
    csv_file = tmp_path / "prices.csv"
    csv_file.write_text(GOOD_PRICES)
    code, output = _run("import", "prices", str(csv_file), "--db", str(folder))
    assert code in (1, 2) and "ledger.db" in output


def test_missing_ledger_is_not_created_by_import(tmp_path: Path) -> None:
    csv_file = tmp_path / "prices.csv"
    csv_file.write_text(GOOD_PRICES)
    code, output = _run("import", "prices", str(csv_file), "--db", str(tmp_path / "nope.db"))
    assert code == 1 and "no ledger here" in output and "lifealm init" in output
    assert not (tmp_path / "nope.db").exists()
    assert not any(name.startswith("nope") for name in os.listdir(tmp_path))
