"""The household on the command line: holdings per account with their securities, --account and --replace
naming what they remove, what an import leaves untouched, and `lifealm remove` refusing what others need."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from lifealm.cli import _register, cli
from lifealm.ledger.db import create_ledger


def run(*args: str) -> tuple[int, str]:
    _register()
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return [tuple(r) for r in conn.execute(sql)]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.db"
    create_ledger(path).close()
    return path


def csv(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


HOLDINGS = "SELECT account, ticker, shares FROM holdings ORDER BY account, ticker"


def test_one_stock_in_a_nisa_and_a_taxable_account(db: Path, tmp_path: Path) -> None:
    taxable = csv(tmp_path, "sbi.csv", "ticker,name,shares,cost_basis,currency\n8058.T,三菱商事,2000,5000000,JPY\n")
    nisa = csv(tmp_path, "nisa.csv", "ticker,shares,cost_basis\n8058.T,1000,2000000\n")
    assert run("import", "holdings", taxable, "--account", "SBI 特定", "--db", str(db))[0] == 0
    code, output = run("import", "holdings", nisa, "--account", "楽天 NISA成長投資枠", "--db", str(db))
    assert code == 0, output
    assert "'楽天 NISA成長投資枠' as nisa_growth" in output  # its kind from its name, said
    # The second file no longer replaces the first one's shares: one row per (account, security).
    assert rows(db, HOLDINGS) == [("SBI 特定", "8058.T", 2000.0), ("楽天 NISA成長投資枠", "8058.T", 1000.0)]
    assert rows(db, "SELECT ticker, name, currency FROM securities") == [("8058.T", "三菱商事", "JPY")]
    assert rows(db, "SELECT name, kind FROM accounts ORDER BY name") == [
        ("SBI 特定", "taxable"), ("楽天 NISA成長投資枠", "nisa_growth")]


def test_replace_removes_a_sold_holding_and_names_it(db: Path, tmp_path: Path) -> None:
    before = csv(tmp_path, "before.csv", "ticker,name,shares\n7203.T,Toyota,100\n9432.T,NTT,5000\n8591.T,ORIX,300\n")
    other = csv(tmp_path, "other.csv", "ticker,shares\n7203.T,50\n")
    assert run("import", "holdings", before, "--account", "SBI", "--db", str(db))[0] == 0
    assert run("import", "holdings", other, "--account", "NISA", "--db", str(db))[0] == 0
    # The broker's new export: NTT was sold, ORIX's count changed.
    after = csv(tmp_path, "after.csv", "ticker,shares\n7203.T,100\n8591.T,400\n")
    code, output = run("import", "holdings", after, "--account", "SBI", "--db", str(db))
    assert code == 0, output
    assert "1 holdings row(s) of the same account(s) are not in the file and were left as they are: SBI / 9432.T" \
        in output and "--replace" in output
    assert ("SBI", "9432.T", 5000.0) in rows(db, HOLDINGS)
    code, output = run("import", "holdings", after, "--account", "SBI", "--replace", "--db", str(db))
    assert code == 0, output
    assert "1 removed" in output and "Removed holdings SBI / 9432.T (not in the file)." in output
    # Only that account is replaced: the NISA's Toyota stays; the sold security stays known (prices may follow).
    assert rows(db, HOLDINGS) == [("NISA", "7203.T", 50.0), ("SBI", "7203.T", 100.0), ("SBI", "8591.T", 400.0)]
    assert ("9432.T",) in rows(db, "SELECT ticker FROM securities")


def test_account_option_refuses_a_row_of_another_account(db: Path, tmp_path: Path) -> None:
    mixed = csv(tmp_path, "mixed.csv", "ticker,shares,account\n7203.T,1,SBI\n9432.T,1,NISA\n")
    code, output = run("import", "holdings", mixed, "--account", "SBI", "--db", str(db))
    assert code == 1 and "mixed.csv:3: account: 'NISA', but --account is 'SBI'" in output
    assert rows(db, "SELECT count(*) FROM holdings") == [(0,)]
    code, output = run("import", "cash", mixed, "--account", "SBI", "--db", str(db))
    assert code == 1 and "--account applies to holdings only" in output


def test_a_holdings_file_updates_its_securities_in_the_same_write(db: Path, tmp_path: Path) -> None:
    first = csv(tmp_path, "a.csv", "ticker,name,shares,haircut\nVYM,Vanguard High Dividend,10,0.7\n")
    assert run("import", "holdings", first, "--db", str(db))[0] == 0
    renamed = csv(tmp_path, "b.csv", "ticker,name,shares,currency\nVYM,Vanguard HDY,12,USD\n")
    assert run("import", "holdings", renamed, "--db", str(db))[0] == 0
    # The given columns change; the haircut the second file does not give stays.
    assert rows(db, "SELECT ticker, name, currency, haircut FROM securities") == [
        ("VYM", "Vanguard HDY", "USD", 0.7)]
    conflict = csv(tmp_path, "c.csv", "ticker,name,shares,account\nVYM,One name,1,A\nVYM,Another,1,B\n")
    code, output = run("import", "holdings", conflict, "--db", str(db))
    assert code == 1 and "c.csv:3: name: security 'VYM' is given another name than on line 2" in output
    assert rows(db, "SELECT name FROM securities") == [("Vanguard HDY",)]


def test_replace_on_other_kinds_makes_the_file_the_whole_table(db: Path, tmp_path: Path) -> None:
    assert run("import", "cash", csv(tmp_path, "c1.csv", "name,balance\nbank,100\nold,5\n"), "--db", str(db))[0] == 0
    code, output = run("import", "cash", csv(tmp_path, "c2.csv", "name,balance\nbank,120\n"), "--replace",
                       "--db", str(db))
    assert code == 0 and "Removed cash old (not in the file)." in output
    assert rows(db, "SELECT name, balance FROM cash_accounts") == [("bank", 120.0)]


def test_a_mortgage_imports_and_a_wrong_one_is_a_sentence(db: Path, tmp_path: Path) -> None:
    good = csv(tmp_path, "loans.csv", "name,kind,balance,rate,monthly_payment,maturity\n"
                                      "mortgage,amortizing,30000000,0.008,95000,2055-03-31\n")
    assert run("import", "loans", good, "--db", str(db))[0] == 0
    assert rows(db, "SELECT kind, monthly_payment FROM loans") == [("amortizing", 95000.0)]
    bad = csv(tmp_path, "bad.csv", "name,balance,rate,kind\ncar,2000000,0.02,amortizing\n")
    code, output = run("import", "loans", bad, "--db", str(db))
    assert code == 1 and "bad.csv:2: monthly_payment: an amortizing loan" in output
    assert "CHECK" not in output and "constraint" not in output
    # A loan without a kind (the series' collateral_type left empty) and without a limit: told what to add.
    series = csv(tmp_path, "series.csv", "name,balance,rate,collateral_type\nline,0,0.02,\n")
    code, output = run("import", "loans", series, "--db", str(db))
    assert code == 1 and "credit_limit: an unsecured credit line needs its credit_limit" in output


def test_remove_refuses_what_others_need_and_removes_the_rest(db: Path, tmp_path: Path) -> None:
    holdings = csv(tmp_path, "h.csv", "ticker,shares\n7203.T,100\n9432.T,10\n")
    assert run("import", "holdings", holdings, "--account", "SBI", "--db", str(db))[0] == 0
    prices = csv(tmp_path, "p.csv", "ticker,price_date,close_price\n9432.T,2025-06-02,150\n9432.T,2025-06-03,151\n")
    assert run("import", "prices", prices, "--db", str(db))[0] == 0
    before = rows(db, HOLDINGS)
    code, output = run("remove", "accounts", "SBI", "--db", str(db))
    assert code == 1 and "accounts SBI: cannot be removed: it still holds 2 holding(s) (7203.T, 9432.T)" in output
    code, output = run("remove", "securities", "9432.T", "--db", str(db))
    assert code == 1 and "it is held in SBI" in output
    code, output = run("remove", "holdings", "SBI", "9432.T", "SBI", "NOPE", "--db", str(db))
    assert code == 1 and "holdings SBI / NOPE: no such row" in output
    assert rows(db, HOLDINGS) == before  # all or nothing
    code, output = run("remove", "holdings", "SBI", "9432.T", "--db", str(db))
    assert code == 0 and "Removed holdings SBI / 9432.T." in output
    code, output = run("remove", "securities", "9432.T", "--db", str(db))
    assert code == 0 and "Removed with it: 2 price(s) and 0 dividend(s) of 9432.T." in output
    assert rows(db, "SELECT count(*) FROM prices") == [(0,)]
    code, output = run("remove", "holdings", "SBI", "--db", str(db))
    assert code == 1 and "ACCOUNT TICKER" in output
