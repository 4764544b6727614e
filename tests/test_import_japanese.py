"""Japanese input through the real CLI: Japanese headers for every kind, ¥/円/full-width cells, Japanese dates,
tab-separated files, strict numbers and strict one-encoding decoding."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from lifealm.cli import _register, cli
from lifealm.ledger.csv_read import utf8_flags
from lifealm.ledger.db import create_ledger


def run(*args: str) -> tuple[int, str]:
    _register()
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.db"
    create_ledger(path).close()
    return path


def query(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return [tuple(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    if encoding == "cp932":
        text = text.replace("¥", "\\")  # Shift_JIS has its yen sign at 0x5C, the backslash of ASCII
    path.write_bytes(text.encode(encoding))
    return path


HOLDINGS = "銘柄コード,銘柄名,保有数量,取得金額\n7203.T,トヨタ自動車,100,\"¥250,000\"\n"

# kind: (CSV with Japanese headers and Japanese-style cells, query, rows worked out by hand)
JAPANESE: dict[str, tuple[str, str, list[tuple[object, ...]]]] = {
    "holdings": ("銘柄コード,銘柄名,保有数量,取得金額,買付日,口座,通貨\n"
                 "7203.T,トヨタ自動車,１００,\"¥250,000\",2025年1月5日,特定,円\n"
                 "8591.T,オリックス,\"1,500\",\"3,000,000円\",2025/2/3,NISA成長投資枠,JPY\n",
                 "SELECT h.ticker, s.name, shares, cost_basis, added_at, account, currency, a.kind FROM holdings h "
                 "JOIN securities s ON s.ticker = h.ticker JOIN accounts a ON a.name = h.account ORDER BY h.ticker",
                 [("7203.T", "トヨタ自動車", 100.0, 250000.0, "2025-01-05", "特定", "JPY", "taxable"),
                  ("8591.T", "オリックス", 1500.0, 3000000.0, "2025-02-03", "NISA成長投資枠", "JPY", "nisa_growth")]),
    "prices": ("銘柄コード,日付,終値\n7203.T,2025/11/4,\"2,893.5円\"\n7203.T,２０２５年１１月５日,２９００\n",
               "SELECT ticker, price_date, close_price FROM prices ORDER BY price_date",
               [("7203.T", "2025-11-04", 2893.5), ("7203.T", "2025-11-05", 2900.0)]),
    "dividends": ("銘柄コード,権利落ち日,支払日,1株配当\n7203.T,2025/3/28,2025年6月2日,４５\n",
                  "SELECT ticker, ex_date, pay_date, amount_per_share, is_projection FROM dividends",
                  [("7203.T", "2025-03-28", "2025-06-02", 45.0, 0)]),
    "cash": ("口座,残高,通貨\n楽天銀行,\"500,000円\",円\n住信SBI,▲2000,JPY\nゆうちょ,￥３００,ＪＰＹ\n",
             "SELECT name, balance, currency FROM cash_accounts ORDER BY balance",
             [("住信SBI", -2000.0, "JPY"), ("ゆうちょ", 300.0, "JPY"), ("楽天銀行", 500000.0, "JPY")]),
    "expenses": ("費目,月額（円）,必須\n食費,\"¥150,000\",はい\n旅行,５００００,いいえ\n",
                 "SELECT category, monthly_amount, essential FROM expenses ORDER BY monthly_amount",
                 [("旅行", 50000.0, 0), ("食費", 150000.0, 1)]),
    "income": ("収入源,月額,種類\n給与,\"¥400,000\",給与\n年金,\"¥100,000\",pension\n",
               "SELECT source, monthly_amount, kind FROM income ORDER BY monthly_amount",
               [("年金", 100000.0, "pension"), ("給与", 400000.0, "salary")]),
    "fx": ("通貨,日付,レート\nUSD,2025/11/4,１５３.２５\n",
           "SELECT currency, rate_date, rate FROM fx_rates", [("USD", "2025-11-04", 153.25)]),
    "other-assets": ("名称,種類,評価額,換金可能\n自宅,real_estate,\"¥45,000,000\",いいえ\n",
                     "SELECT name, kind, value, liquid FROM other_assets", [("自宅", "real_estate", 45e6, 0)]),
    "loans": ("名称,残高,金利,担保,凍結比率,追証比率,強制決済比率\n"
              "証券担保ローン,\"¥50,000,000\",0.02,証券担保,0.6,0.7,0.85\n",
              "SELECT name, balance, rate, kind, freeze_pct, margin_call_pct, forced_liq_pct FROM loans",
              [("証券担保ローン", 5e7, 0.02, "margin", 0.6, 0.7, 0.85)]),
    "assumptions": ("項目,値\nmc_paths,2000\n", "SELECT name, value FROM assumptions", [("mc_paths", "2000")]),
}


@pytest.mark.parametrize("kind", sorted(JAPANESE))
@pytest.mark.parametrize("encoding", ["utf-8", "cp932"])
def test_japanese_headers_and_cells_for_every_kind(kind: str, encoding: str, ledger: Path, tmp_path: Path) -> None:
    if kind in ("prices", "dividends"):
        code, output = run("import", "holdings", str(write(tmp_path, "h.csv", HOLDINGS)), "--db", str(ledger))
        assert code == 0, output
    text, sql, expected = JAPANESE[kind]
    code, output = run("import", kind, str(write(tmp_path, f"{kind}.csv", text, encoding)), "--db", str(ledger))
    assert code == 0, output
    assert query(ledger, sql) == expected


def test_tab_separated_file_is_read(ledger: Path, tmp_path: Path) -> None:
    tsv = write(tmp_path, "h.tsv", "銘柄コード\t銘柄名\t保有数量\n7203.T\tトヨタ, 自動車\t100\n", "cp932")
    code, output = run("import", "holdings", str(tsv), "--db", str(ledger))
    assert code == 0, output
    assert query(ledger, "SELECT h.ticker, name, shares FROM holdings h JOIN securities s ON s.ticker = h.ticker"
                 ) == [("7203.T", "トヨタ, 自動車", 100.0)]


def test_semicolon_separated_file_says_so(ledger: Path, tmp_path: Path) -> None:
    code, output = run("import", "holdings", str(write(tmp_path, "h.csv", "ticker;shares\nA.T;1\n")), "--db",
                       str(ledger))
    assert code == 1 and "semicolon-separated" in output


def test_per_share_broker_column_is_explained(ledger: Path, tmp_path: Path) -> None:
    text = "銘柄コード,保有数量,取得単価\n7203.T,100,2500\n"
    code, output = run("import", "holdings", str(write(tmp_path, "h.csv", text)), "--db", str(ledger))
    assert code == 1 and "取得単価 is a cost per share" in output


@pytest.mark.parametrize(("cell", "why"), [
    ("1_000", "'1_000' is not a number"),
    ("١٢٣", "is not a number (write the digits 0-9"),  # Arabic-Indic digits
    ("१२३", "is not a number (write the digits 0-9"),  # Devanagari digits
    ("²", "is not a number"),  # NFKC would turn it into 2: only full-width digits are read
    ("1e-320", "balance: 1e-320 is too small to store exactly"),  # subnormal: named with its column
    ("1e-400", "balance: 1e-400 is too small to store"),  # would silently become 0
    ("1,000万円", "is not a number"),
    ("¥", "is not a number"),
    ("-¥-5", "is not a number"),
])
def test_strict_numbers(cell: str, why: str, ledger: Path, tmp_path: Path) -> None:
    before = digest(ledger)
    code, output = run("import", "cash", str(write(tmp_path, "c.csv", f"name,balance\nbank,\"{cell}\"\n")), "--db",
                       str(ledger))
    assert code == 1 and "c.csv:2: balance" in output and why in output, output
    assert digest(ledger) == before


def test_utf8_file_with_one_windows_1252_line_is_refused_at_that_byte(ledger: Path, tmp_path: Path) -> None:
    # Before: the whole file passed for cp932 and 北斗通信 was stored as 蛹玲沫騾壻ｿ｡ with exit 0.
    data = ("ticker,name,shares\n9999.T,北斗通信,100\n".encode()
            + "1111.T,Café,5\n".encode("cp1252"))
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    before = digest(ledger)
    code, output = run("import", "holdings", str(path), "--db", str(ledger))
    # line 1 is 19 bytes, line 2 is 7 + 12 + 5 = 24, and "1111.T,Caf" is 10: é is byte 53.
    assert code == 1 and "mixed.csv:3: byte 53 (0xe9) is not valid UTF-8" in output, output
    assert "mixes encodings" in output
    assert digest(ledger) == before


def test_cp932_file_with_one_utf8_line_is_refused_at_that_line(ledger: Path, tmp_path: Path) -> None:
    data = ("ticker,name,shares\n1.T,日立,1\n2.T,東芝,1\n".encode("cp932") + "3.T,北斗通信,1\n".encode())
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    code, output = run("import", "holdings", str(path), "--db", str(ledger))
    # "3.T," starts at 19 + 11 + 11 = 41, so 北 is byte 45.
    assert code == 1 and "mixed.csv:4: byte 45 (0xe5) starts UTF-8 text" in output, output
    assert query(ledger, "SELECT count(*) FROM holdings") == [(0,)]


def test_a_whole_cp932_file_is_still_read(ledger: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "h.csv", "銘柄コード,銘柄名,保有数量\n9999.T,北斗通信,100\n", "cp932")
    code, output = run("import", "holdings", str(path), "--db", str(ledger))
    assert code == 0, output
    assert query(ledger, "SELECT name FROM securities") == [("北斗通信",)]


@pytest.mark.parametrize("name", ["rot13", "base64", "undefined", "hex", "idna", "unicode_escape", "cp037"])
def test_only_text_encodings_are_accepted(name: str, ledger: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "h.csv", "ticker,shares\nA.T,1\n")
    code, output = run("import", "holdings", str(path), "--db", str(ledger), "--encoding", name)
    assert code == 1 and f"--encoding {name}:" in output and "fix:" in output
    assert "Traceback" not in output


def test_utf16_file_is_refused(ledger: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "h.csv", "\ufeff銘柄コード,保有数量\n7203.T,100\n", "utf-16-le")
    code, output = run("import", "holdings", str(path), "--db", str(ledger))
    assert code == 1 and "the file is UTF-16" in output


def test_a_huge_line_is_refused_by_number_without_reading_it_whole(ledger: Path, tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as out:
        out.write(b"ticker,name,shares\nA.T,a,1\nB.T,")
        out.write(b"x" * (3 << 20))  # 3 MiB without a line end
        out.write(b",1\n")
    code, output = run("import", "holdings", str(path), "--db", str(ledger))
    assert code == 1 and "huge.csv:3: the line is longer than 1024 KiB" in output, output


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(st.one_of(st.binary(max_size=6), st.text(max_size=4).map(str.encode)), max_size=6)
                .map(lambda pieces: b"".join(pieces).replace(b"\n", b"")), max_size=8))
def test_utf8_flags_agree_with_the_decoder(lines: list[bytes]) -> None:
    """The one-pass check used on Shift_JIS files calls a line UTF-8 exactly when Python decodes it alone."""
    expected = []
    for line in lines:
        try:
            line.decode("utf-8")
            expected.append(True)
        except UnicodeDecodeError:
            expected.append(False)
    assert utf8_flags(lines) == expected
