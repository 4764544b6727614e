"""Broker exports imported into a fresh ledger: every account, holding, close and dividend equals the fixture's
figures worked by hand (as in test_brokers.py); a later export removes a sold holding; the same file twice changes
nothing; a failure part-way leaves the ledger as it was."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from broker_files import (
    RAKUTEN_ASSETS,
    RAKUTEN_ASSETS_NAME,
    RAKUTEN_DIVIDENDS,
    SBI_HOLDINGS,
    SBI_PORTFOLIO,
    write_cp932,
)
from click.testing import CliRunner

from lifealm.cli import _register, cli
from lifealm.errors import LifealmError
from lifealm.ledger.broker_import import import_broker_file
from lifealm.ledger.brokers import FORMATS
from lifealm.ledger.db import open_ledger

NIKKEI = "eMAXIS Slim 国内株式(日経平均)"
ACWI = "eMAXIS Slim 全世界株式(オール・カントリー)"
FANG = "iFreeNEXT FANG+インデックス"
TODAY = "2026-11-30"


def run(*args: str) -> tuple[int, str]:
    _register()
    result = CliRunner().invoke(cli, [*args])
    return result.exit_code, result.output


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return [tuple(r) for r in conn.execute(sql)]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.db"
    code, output = run("init", "--db", str(path))
    assert code == 0, output
    return path


def imported(db: Path, path: Path, fmt: str | None, as_of: date | None = None) -> None:
    conn = open_ledger(db)
    try:
        import_broker_file(conn, path, fmt, as_of, today=date(2026, 11, 30))
    finally:
        conn.close()


ACCOUNTS = "SELECT name, kind, pledged, dividend_tax_rate FROM accounts ORDER BY id"
HOLDINGS = "SELECT account, ticker, shares, cost_basis FROM holdings ORDER BY account, ticker"


def holdings(db: Path) -> dict[tuple[str, str], tuple[float, float]]:
    return {(str(a), str(t)): (float(s), float(c)) for a, t, s, c in rows(db, HOLDINGS)}  # type: ignore[arg-type]


def test_sbi_portfolio_through_the_cli(db: Path, tmp_path: Path) -> None:
    path = write_cp932(tmp_path, "New_file.csv", SBI_PORTFOLIO)
    code, output = run("import", "--from", "sbi-portfolio", str(path), "--date", "2026-06-29", "--db", str(db))
    assert code == 0, output
    assert "account 'SBI証券 特定' (taxable, new): 4 new, 0 updated, 0 unchanged, 0 removed" in output
    assert "closes: 8 (8 new" in output and "finding: " in output and "参考単価" in output
    assert set(rows(db, ACCOUNTS)) == {
        ("SBI証券 特定", "taxable", None, None), ("SBI証券 NISA成長投資枠", "nisa_growth", 0, 0.0),
        ("SBI証券 一般", "taxable", None, None), ("SBI証券 NISAつみたて投資枠", "nisa_tsumitate", 0, 0.0),
        ("SBI証券 旧NISA", "other", 0, 0.0)}  # 旧NISA: tax-free and never pledged, though of kind other
    assert holdings(db) == {  # the stored REALs are the file's decimals, exactly
        ("SBI証券 特定", "4063"): (100, 670_000),  # 6,700 × 100
        ("SBI証券 特定", "408A"): (1790, 596_070),  # 333 × 1,790
        ("SBI証券 特定", "5016"): (600, 620_000),  # 100 × 900 + 200 × 1,000 + 300 × 1,100
        ("SBI証券 NISA成長投資枠", "3563"): (100, 497_000),
        ("SBI証券 一般", "7203"): (100, 250_000),  # 参考単価 2,500 × 100
        ("SBI証券 特定", NIKKEI): (1_092_830, 3_600_000.586),  # 32,942 per 10,000 口 × 1,092,830 口
        ("SBI証券 NISAつみたて投資枠", ACWI): (500_000, 1_000_000),
        ("SBI証券 旧NISA", "ひふみプラス"): (100_000, 500_000),
    }
    assert rows(db, "SELECT added_at FROM holdings WHERE ticker = '5016'") == [("2026-03-02",)]  # earliest lot
    assert rows(db, f"SELECT ticker, name, currency, asset_class FROM securities WHERE ticker IN ('5016', '{NIKKEI}')"
                " ORDER BY ticker") == [("5016", "JX金属", "JPY", "equity"), (NIKKEI, NIKKEI, "JPY", "fund")]
    closes = dict(rows(db, "SELECT ticker, close_price FROM prices WHERE price_date = '2026-06-29'"))
    assert closes["5016"] == 745 and closes[NIKKEI] == pytest.approx(3.431)  # 34,310 per 10,000 口
    # shares × close over the ledger equals the file's 総合計 8,378,039.73 (the 5016 lots counted once)
    value = sum(s * closes[t] for (_, t), (s, _) in holdings(db).items())  # type: ignore[misc]
    assert value == pytest.approx(8_378_039.73)


def test_sbi_holdings(db: Path, tmp_path: Path) -> None:
    imported(db, write_cp932(tmp_path, "SaveFile.csv", SBI_HOLDINGS), "sbi-holdings", date(2026, 11, 30))
    assert holdings(db) == {  # the stored REALs are the file's decimals, exactly
        ("SBI証券 特定", "6501"): (100, 475_000), ("SBI証券 NISA成長投資枠", "7203"): (100, 250_000),
        ("SBI証券 NISAつみたて投資枠", "架空投信D"): (10_000, 20_000)}  # 20,000 × 10,000 口 ÷ 10,000
    assert dict(rows(db, "SELECT ticker, close_price FROM prices WHERE price_date = '2026-11-30'")) == {
        "6501": 5634, "7203": 2893.5, "架空投信D": 3}  # 30,000 per 10,000 口


def test_rakuten_assets(db: Path, tmp_path: Path) -> None:
    imported(db, write_cp932(tmp_path, RAKUTEN_ASSETS_NAME, RAKUTEN_ASSETS), None)
    assert {a[:2] for a in rows(db, ACCOUNTS)} == {
        ("楽天証券 特定", "taxable"), ("楽天証券 NISA成長投資枠", "nisa_growth"),
        ("楽天証券 NISAつみたて投資枠", "nisa_tsumitate")}
    assert holdings(db) == {  # the stored REALs are the file's decimals, exactly
        ("楽天証券 特定", "2802"): (400, 1_562_412),  # 3,906.03 × 400
        ("楽天証券 NISA成長投資枠", "2802"): (39, 187_707),  # 4,813.00 × 39
        ("楽天証券 特定", "SOXL"): (275, 8181.1125),  # 29.7495 × 275, in dollars
        ("楽天証券 NISAつみたて投資枠", FANG): (149_927, 1_100_000.006008),  # 73,369.04 ÷ 10,000 × 149,927
    }
    assert rows(db, "SELECT currency FROM securities WHERE ticker = 'SOXL'") == [("USD",)]
    assert dict(rows(db, "SELECT ticker, close_price FROM prices WHERE price_date = '2026-07-23'")) == \
        pytest.approx({"2802": 5102.0, "SOXL": 160.99, FANG: 9.4864})  # the file name's date


def test_rakuten_dividends(db: Path, tmp_path: Path) -> None:
    imported(db, write_cp932(tmp_path, "dividend.csv", RAKUTEN_DIVIDENDS), "rakuten-dividends")
    sp500 = "eMAXIS Slim 米国株式(S&P500)"
    got = rows(db, "SELECT ticker, ex_date, pay_date, amount_per_share, is_projection FROM dividends ORDER BY pay_date")
    assert got == [
        ("8591", "2025-12-09", "2025-12-09", 93.76, 0),
        ("7974", "2026-06-29", "2026-06-29", 177.0, 0),  # 1,062 ÷ 6 (the file prints "-")
        ("NVDA", "2026-06-30", "2026-06-30", 0.25, 0),
        (sp500, "2026-07-15", "2026-07-15", 0.01, 0),  # 100 ÷ 10,000 口
    ]
    assert rows(db, f"SELECT ticker, currency, asset_class FROM securities WHERE ticker IN ('NVDA', '{sp500}') "
                "ORDER BY ticker") == [("NVDA", "USD", "equity"), (sp500, "JPY", "fund")]
    assert rows(db, HOLDINGS) == []  # a dividend history holds no positions


def _later_sbi() -> str:
    """The same portfolio a day later with 信越化 sold: its row gone, the counts and totals adjusted."""
    text = SBI_PORTFOLIO.replace('"4063 信越化","2026/06/10",100,6700,6700,6942,+107,+1.57,+24200,+3.61,694200,\n', "")
    return (text.replace("総件数：10件", "総件数：9件").replace("選択範囲：1-10件", "選択範囲：1-9件")
            .replace("1733690,-152380", "1039490,-176580").replace("8378039.73,", "7683839.73,"))


def test_later_export_removes_the_sold_holding_and_names_it(db: Path, tmp_path: Path) -> None:
    first = write_cp932(tmp_path, "New_file_20260629.csv", SBI_PORTFOLIO)
    assert run("import", "--from", "auto", str(first), "--db", str(db))[0] == 0
    later = write_cp932(tmp_path, "New_file_20260630.csv", _later_sbi())
    code, output = run("import", "--from", "sbi-portfolio", str(later), "--db", str(db))
    assert code == 0, output
    assert "account 'SBI証券 特定' (taxable): 0 new, 0 updated, 3 unchanged, 1 removed holding(s)" in output
    assert "Removed holding SBI証券 特定 / 4063 信越化 (not in the file: sold or moved)." in output
    assert ("SBI証券 特定", "4063") not in holdings(db) and len(holdings(db)) == 7
    assert rows(db, "SELECT count(*) FROM prices WHERE price_date = '2026-06-30'") == [(7,)]


def test_later_rakuten_export_removes_the_sold_holding(db: Path, tmp_path: Path) -> None:
    imported(db, write_cp932(tmp_path, RAKUTEN_ASSETS_NAME, RAKUTEN_ASSETS), None)
    sold = "\r\n".join(line for line in RAKUTEN_ASSETS.split("\r\n") if '"SOXL"' not in line)
    later = write_cp932(tmp_path, "assetbalance(all)_20260724_090000.csv", sold)
    code, output = run("import", "--from", "rakuten-assets", str(later), "--db", str(db))
    assert code == 0, output
    assert "Removed holding 楽天証券 特定 / SOXL Direxion デイリー 半導体株 ブル 3倍 ETF" in output
    assert set(holdings(db)) == {("楽天証券 特定", "2802"), ("楽天証券 NISA成長投資枠", "2802"),
                                 ("楽天証券 NISAつみたて投資枠", FANG)}
    assert "資産合計" in output  # the totals that no longer add up are a finding, shown


@pytest.mark.parametrize(("name", "text", "fmt", "extra"), [
    ("New_file.csv", SBI_PORTFOLIO, "sbi-portfolio", ["--date", "2026-06-29"]),
    ("SaveFile.csv", SBI_HOLDINGS, "sbi-holdings", ["--date", "2026-07-01"]),
    (RAKUTEN_ASSETS_NAME, RAKUTEN_ASSETS, "rakuten-assets", []),
    ("dividend.csv", RAKUTEN_DIVIDENDS, "rakuten-dividends", []),
])
def test_importing_the_same_file_again_changes_nothing(db: Path, tmp_path: Path, name: str, text: str, fmt: str,
                                                      extra: list[str]) -> None:
    path = write_cp932(tmp_path, name, text)
    args = ["import", "--from", fmt, str(path), *extra, "--db", str(db)]
    assert run(*args)[0] == 0
    before = digest(db)
    code, output = run(*args)
    assert code == 0, output
    assert digest(db) == before
    counts = re.findall(r"(\d+) (new|updated|removed)", output)
    assert counts and all(n == "0" for n, _ in counts), output


def test_failure_part_way_leaves_the_ledger_as_it_was(db: Path, tmp_path: Path) -> None:
    path = write_cp932(tmp_path, "New_file.csv", SBI_PORTFOLIO)
    before = digest(db)
    conn = open_ledger(db)
    try:  # the closes are written after the accounts and holdings, and refused: a date after "today"
        with pytest.raises(LifealmError, match="price_date"):
            import_broker_file(conn, path, "sbi-portfolio", date(2026, 6, 29), today=date(2026, 6, 1))
        assert not conn.in_transaction
    finally:
        conn.close()
    assert digest(db) == before
    assert rows(db, "SELECT count(*) FROM accounts") == [(0,)]


def test_a_file_of_no_known_layout_names_its_line_and_the_formats(db: Path, tmp_path: Path) -> None:
    path = write_cp932(tmp_path, "other.csv", "\n日付,摘要,金額\n2026/1/1,振込,100\n")
    before = digest(db)
    code, output = run("import", "--from", "auto", str(path), "--db", str(db))
    assert code == 1 and "other.csv:2: the first line does not match any broker export" in output
    assert all(name in output for name in FORMATS) and "fix:" in output
    assert digest(db) == before


def test_usage_errors(db: Path, tmp_path: Path) -> None:
    path = write_cp932(tmp_path, "New_file.csv", SBI_PORTFOLIO)
    assert run("import", "--from", "monex", str(path), "--db", str(db))[0] == 2
    assert run("import", "--from", "auto", "holdings", str(path), "--db", str(db))[0] == 2
    assert run("import", "--from", "auto", str(path), "--replace", "--db", str(db))[0] == 2
    assert run("import", "prices", str(path), "--date", "2026-06-29", "--db", str(db))[0] == 2
    assert run("import", "nonsense", str(path), "--db", str(db))[0] == 2
    code, output = run("import", "--from", "sbi-portfolio", str(path), "--db", str(db))
    assert code == 1 and "--date" in output  # an SBI file does not say its date


def test_a_cost_the_file_does_not_give_keeps_the_stored_one(db: Path, tmp_path: Path) -> None:
    imported(db, write_cp932(tmp_path, "New_file.csv", SBI_PORTFOLIO), None, date(2026, 6, 29))
    row = '"4063 信越化","2026/06/10",100,6700,'
    no_cost = SBI_PORTFOLIO.replace(row + "6700,", row + "-,")  # 取得単価 shown as "-"
    imported(db, write_cp932(tmp_path, "New_file.csv", no_cost), None, date(2026, 6, 30))
    assert holdings(db)[("SBI証券 特定", "4063")] == (100, 670_000)
    fresh = tmp_path / "fresh.db"
    assert run("init", "--db", str(fresh))[0] == 0
    imported(fresh, tmp_path / "New_file.csv", None, date(2026, 6, 30))
    assert holdings(fresh)[("SBI証券 特定", "4063")] == (100, 0)  # nothing stored: the column's default
