"""`lifealm export --excel`: UTF-8 with a BOM, the same rows, formula-like cells neutralised; the default unchanged."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from lifealm.cli import _register, cli
from lifealm.ledger.csv_export import excel_safe
from lifealm.ledger.db import create_ledger


def run(*args: str) -> tuple[int, str]:
    _register()
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.db"
    create_ledger(path).close()
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany("INSERT INTO cash_accounts (name, balance, currency) VALUES (?, ?, ?)", [
            ("=HYPERLINK(\"http://x\",\"click\")", 1000.0, "JPY"),
            ("楽天銀行", -2000.0, "JPY"),
            ("+81 口座", 0.5, "USD"),
            ("@SUM(A1)", 3.0, "JPY"),
            ("-2000", 4.0, "JPY"),  # a name that is a plain number is not a formula
            ("\tタブ", 5.0, "JPY"),
            ("＝全角", 6.0, "JPY"),
        ])
    conn.close()
    return path


def read_back(path: Path, encoding: str) -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.reader(handle))


def test_excel_export_has_a_bom_and_the_same_rows(ledger: Path, tmp_path: Path) -> None:
    plain, excel = tmp_path / "plain.csv", tmp_path / "excel.csv"
    assert run("export", "cash", "-o", str(plain), "--db", str(ledger))[0] == 0
    assert run("export", "cash", "--excel", "-o", str(excel), "--db", str(ledger))[0] == 0
    assert excel.read_bytes().startswith(b"\xef\xbb\xbf") and not plain.read_bytes().startswith(b"\xef\xbb\xbf")
    default_rows = read_back(plain, "utf-8")
    excel_rows = read_back(excel, "utf-8-sig")
    assert excel_rows[0] == default_rows[0] == ["name", "balance", "currency"]
    expected = {
        # name as stored → (name in the default export, name in the Excel export)
        "=HYPERLINK(\"http://x\",\"click\")": "'=HYPERLINK(\"http://x\",\"click\")",
        "楽天銀行": "楽天銀行",
        "+81 口座": "'+81 口座",
        "@SUM(A1)": "'@SUM(A1)",
        "-2000": "-2000",
        "\tタブ": "'\tタブ",
        "＝全角": "'＝全角",
    }
    assert {row[0]: row[1:] for row in default_rows[1:]} == {
        "=HYPERLINK(\"http://x\",\"click\")": ["1000", "JPY"], "楽天銀行": ["-2000", "JPY"],
        "+81 口座": ["0.5", "USD"], "@SUM(A1)": ["3", "JPY"], "-2000": ["4", "JPY"], "\tタブ": ["5", "JPY"],
        "＝全角": ["6", "JPY"]}
    # Same rows in the same order; only the formula-like names differ, and the negative balance stays a number.
    assert [(expected[d[0]], *d[1:]) for d in default_rows[1:]] == [tuple(e) for e in excel_rows[1:]]


def test_default_export_still_round_trips_formula_like_names(ledger: Path, tmp_path: Path) -> None:
    conn = sqlite3.connect(ledger)
    with conn:  # import strips the whitespace around a cell, so a leading tab cannot come back
        conn.execute("DELETE FROM cash_accounts WHERE name LIKE '	%'")
    conn.close()
    plain = tmp_path / "plain.csv"
    assert run("export", "cash", "-o", str(plain), "--db", str(ledger))[0] == 0
    fresh = tmp_path / "fresh.db"
    create_ledger(fresh).close()
    code, output = run("import", "cash", str(plain), "--db", str(fresh))
    assert code == 0, output
    again = tmp_path / "again.csv"
    assert run("export", "cash", "-o", str(again), "--db", str(fresh))[0] == 0
    assert again.read_bytes() == plain.read_bytes()


def test_excel_export_to_stdout(ledger: Path) -> None:
    code, output = run("export", "cash", "--excel", "--db", str(ledger))
    assert code == 0 and output.startswith("\ufeffname,balance,currency")
    rows = list(csv.reader(io.StringIO(output.removeprefix("\ufeff"))))
    assert ["'=HYPERLINK(\"http://x\",\"click\")", "1000", "JPY"] in rows


@pytest.mark.parametrize(("cell", "safe"), [
    ("-2000", "-2000"), ("+3.5", "+3.5"), ("-1e-5", "-1e-5"), ("-", "'-"), ("-1+2", "'-1+2"),
    ("=1+1", "'=1+1"), ("\r=1", "'\r=1"), ("a=b", "a=b"), ("", ""),
])
def test_excel_safe(cell: str, safe: str) -> None:
    assert excel_safe(cell) == safe
