"""Every import kind with good rows, idempotent re-import, export → import round trips, encodings and aliases."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from demo_ledgers import demo_copy

from lifealm.cli import _register, cli
from lifealm.errors import LifealmError
from lifealm.ledger.columns import KINDS
from lifealm.ledger.csv_import import import_csv
from lifealm.ledger.db import create_ledger

AS_OF = date(2025, 6, 30)
# The holdings as the series' v1 table showed them: each holding with its security's columns.
HOLDINGS = ("(SELECT h.ticker, s.name, h.shares, h.cost_basis, s.asset_class, h.added_at, s.currency, h.account "
            "FROM holdings h JOIN securities s ON s.ticker = h.ticker)")


def run(*args: str) -> tuple[int, str]:
    _register()
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_copy(tmp_path_factory.mktemp("template") / "demo.db", as_of=AS_OF)


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.db"
    create_ledger(path).close()
    return path


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return [tuple(r) for r in conn.execute(sql)]
    finally:
        conn.close()


GOOD: dict[str, tuple[str, str, list[tuple[object, ...]]]] = {
    # kind: (CSV text, query, the rows the query must return)
    "holdings": ("ticker,name,shares,cost_basis,asset_class,added_at\n"
                 "A.T,Alpha,100,150000,equity,2024-01-05\nB.T,ベータ,2.5,,,\n",
                 f"SELECT ticker, name, shares, cost_basis, asset_class, added_at, currency FROM {HOLDINGS} "
                 "ORDER BY ticker",
                 [("A.T", "Alpha", 100.0, 150000.0, "equity", "2024-01-05", "JPY"),
                  ("B.T", "ベータ", 2.5, 0.0, "equity", None, "JPY")]),
    "loans": ("name,balance,rate,collateral_type,freeze_pct,margin_call_pct,forced_liq_pct,credit_limit\n"
              "margin,50000000,0.02,portfolio,0.6,0.7,0.85,\nstandby,0,0.025,,,,,10000000\n",
              "SELECT name, balance, rate, kind, freeze_pct, forced_liq_pct, credit_limit, target_ratio "
              "FROM loans ORDER BY name",
              [("margin", 5e7, 0.02, "margin", 0.6, 0.85, None, 0.65),
               ("standby", 0.0, 0.025, "credit_line", None, None, 1e7, 0.65)]),
    "cash": ("name,balance,currency\nsavings,1500000,\noverdraft,-2000,usd\n",
             "SELECT name, balance, currency FROM cash_accounts ORDER BY name",
             [("overdraft", -2000.0, "USD"), ("savings", 1500000.0, "JPY")]),
    "other-assets": ("name,kind,value,liquid\nhome,real_estate,45000000,0\ngold,metal,\"1,200,000\",yes\n",
                     "SELECT name, kind, value, liquid FROM other_assets ORDER BY name",
                     [("gold", "metal", 1200000.0, 1), ("home", "real_estate", 45000000.0, 0)]),
    "expenses": ("category,monthly_amount,essential\nfood,150000,1\ntravel,50000,false\n",
                 "SELECT category, monthly_amount, essential FROM expenses ORDER BY category",
                 [("food", 150000.0, 1), ("travel", 50000.0, 0)]),
    "income": ("source,monthly_amount,kind,annual_change\nside work,1000000,side,-0.05\n",
               "SELECT source, monthly_amount, kind, annual_change FROM income",
               [("side work", 1000000.0, "side", -0.05)]),
    "fx": ("currency,date,rate\nusd,2025-06-27,144.5\nUSD,2025/6/30,145\n",
           "SELECT currency, rate_date, rate FROM fx_rates ORDER BY rate_date",
           [("USD", "2025-06-27", 144.5), ("USD", "2025-06-30", 145.0)]),
    "assumptions": ("name,value\nmc_paths,2000\ndividend_tax,0.2\n",
                    "SELECT name, value FROM assumptions ORDER BY name",
                    [("dividend_tax", "0.2"), ("mc_paths", "2000")]),
}


@pytest.mark.parametrize("kind", sorted(GOOD))
def test_good_rows_are_imported(kind: str, empty: Path, tmp_path: Path) -> None:
    text, query, expected = GOOD[kind]
    csv_file = tmp_path / f"{kind}.csv"
    csv_file.write_text(text, encoding="utf-8")
    code, output = run("import", kind, str(csv_file), "--db", str(empty))
    assert code == 0, output
    assert f"{len(expected)} new" in output
    assert rows(empty, query) == expected


def _with_holdings(db: Path, tmp_path: Path) -> None:
    holdings = tmp_path / "h.csv"
    holdings.write_text("ticker,shares\nA.T,100\nB.T,50\n")
    assert run("import", "holdings", str(holdings), "--db", str(db))[0] == 0


def test_prices_and_dividends_with_aliases(empty: Path, tmp_path: Path) -> None:
    _with_holdings(empty, tmp_path)
    prices = tmp_path / "p.csv"
    prices.write_text("Ticker,Date,Close\nA.T,2025-06-02,1500.5\nB.T,2025-06-02,\"2,100\"\n")
    assert run("import", "prices", str(prices), "--db", str(empty))[0] == 0
    assert rows(empty, "SELECT * FROM prices ORDER BY ticker") == [("A.T", "2025-06-02", 1500.5),
                                                                   ("B.T", "2025-06-02", 2100.0)]
    dividends = tmp_path / "d.csv"
    dividends.write_text("ticker,ex_date,amount\nA.T,2025-03-27,40\nA.T,2025-09-26,42\n")
    assert run("import", "dividends", str(dividends), "--db", str(empty))[0] == 0
    assert rows(empty, "SELECT ticker, ex_date, pay_date, amount_per_share, is_projection FROM dividends "
                "ORDER BY ex_date") == [("A.T", "2025-03-27", None, 40.0, 0), ("A.T", "2025-09-26", None, 42.0, 0)]


def test_reimport_is_idempotent_and_upserts(empty: Path, tmp_path: Path) -> None:
    _with_holdings(empty, tmp_path)
    prices = tmp_path / "p.csv"
    prices.write_text("ticker,price_date,close_price\nA.T,2025-06-02,1500\nA.T,2025-06-03,1510\n")
    assert run("import", "prices", str(prices), "--db", str(empty))[0] == 0
    first = rows(empty, "SELECT * FROM prices ORDER BY price_date")
    digest = hashlib.sha256(empty.read_bytes()).hexdigest()
    code, output = run("import", "prices", str(prices), "--db", str(empty))
    assert code == 0 and "0 new, 0 updated, 2 unchanged" in output
    assert rows(empty, "SELECT * FROM prices ORDER BY price_date") == first
    assert hashlib.sha256(empty.read_bytes()).hexdigest() == digest  # the same file twice: not a byte changes
    prices.write_text("ticker,price_date,close_price\nA.T,2025-06-02,1500\nA.T,2025-06-03,1520\n"
                      "A.T,2025-06-04,1530\n")
    code, output = run("import", "prices", str(prices), "--db", str(empty))
    assert code == 0 and "1 new, 1 updated, 1 unchanged" in output
    assert rows(empty, "SELECT price_date, close_price FROM prices ORDER BY price_date") == [
        ("2025-06-02", 1500.0), ("2025-06-03", 1520.0), ("2025-06-04", 1530.0)]


def test_partial_columns_do_not_reset_the_others(empty: Path, tmp_path: Path) -> None:
    full = tmp_path / "full.csv"
    full.write_text("ticker,name,shares,cost_basis,account\nA.T,Alpha,100,150000,NISA\n")
    assert run("import", "holdings", str(full), "--db", str(empty))[0] == 0
    partial = tmp_path / "partial.csv"
    partial.write_text("ticker,account,shares\nA.T,NISA,300\n")
    assert run("import", "holdings", str(partial), "--db", str(empty))[0] == 0
    assert rows(empty, f"SELECT name, shares, cost_basis, account FROM {HOLDINGS}") == [("Alpha", 300.0, 150000.0,
                                                                                       "NISA")]


def test_updating_only_the_margin_loan_balance(empty: Path, tmp_path: Path) -> None:
    """The commonest edit: a new balance for an existing margin loan, every other column left as stored."""
    full = tmp_path / "loans.csv"
    full.write_text("name,balance,rate,collateral_type,freeze_pct,margin_call_pct,forced_liq_pct\n"
                    "margin,50000000,0.02,portfolio,0.6,0.7,0.85\n")
    assert run("import", "loans", str(full), "--db", str(empty))[0] == 0
    balance = tmp_path / "balance.csv"
    balance.write_text("name,balance\nmargin,48000000\n")
    code, output = run("import", "loans", str(balance), "--db", str(empty))
    assert code == 0, output
    assert rows(empty, "SELECT balance, kind, forced_liq_pct FROM loans") == [(48000000.0, "margin", 0.85)]
    new_line = tmp_path / "new.csv"  # a new loan without its type is still refused, by the schema, with its line
    new_line.write_text("name,balance\nunknown,1000\n")
    code, output = run("import", "loans", str(new_line), "--db", str(empty))
    assert code == 1 and "new.csv:2:" in output


def _export_all(db: Path, folder: Path) -> dict[str, bytes]:
    folder.mkdir(exist_ok=True)
    out = {}
    for kind in KINDS:
        target = folder / f"{kind}.csv"
        code, output = run("export", kind, "--db", str(db), "-o", str(target))
        assert code == 0, output
        out[kind] = target.read_bytes()
    return out


def test_export_import_round_trip_for_every_kind(demo_template: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.db"
    shutil.copyfile(demo_template, db)
    extra = tmp_path / "extra"
    extra.mkdir()
    # The demo has no FX rates or assumptions; add some so every kind carries data through the trip.
    (extra / "fx.csv").write_text("currency,rate_date,rate\nUSD,2025-06-30,144.123456789\nEUR,2025-06-30,0.1\n")
    (extra / "assumptions.csv").write_text("name,value\nmc_seed,7\nreinvest_dividends,false\n")
    for kind in ("fx", "assumptions"):
        assert run("import", kind, str(extra / f"{kind}.csv"), "--db", str(db))[0] == 0
    exported = _export_all(db, tmp_path / "first")
    assert all(data.count(b"\n") > 1 for data in exported.values())

    fresh = tmp_path / "fresh.db"
    create_ledger(fresh).close()
    order = ["holdings", *[k for k in KINDS if k != "holdings"]]
    for kind in order:
        code, output = run("import", kind, str(tmp_path / "first" / f"{kind}.csv"), "--db", str(fresh))
        assert code == 0, f"{kind}: {output}"
    assert _export_all(fresh, tmp_path / "second") == exported
    for spec in KINDS.values():
        query = f"SELECT {spec.select_list} FROM {spec.from_clause} ORDER BY {spec.order_by}"
        assert rows(fresh, query) == rows(db, query), spec.name


def test_export_to_stdout_matches_file(demo_template: Path, tmp_path: Path) -> None:
    code, output = run("export", "expenses", "--db", str(demo_template))
    assert code == 0
    assert output.splitlines()[0] == ",".join(KINDS["expenses"].column_names)
    assert len(output.splitlines()) == 1 + len(rows(demo_template, "SELECT * FROM expenses"))


@pytest.mark.parametrize("encoding_args", [[], ["--encoding", "cp932"], ["--encoding", "shift_jis"]])
def test_cp932_file(empty: Path, tmp_path: Path, encoding_args: list[str]) -> None:
    csv_file = tmp_path / "sjis.csv"
    csv_file.write_bytes("銘柄コード,銘柄名,保有数量\n8001.T,架空商事,100\n9001.T,みなと電力,200\n".encode("cp932"))
    code, output = run("import", "holdings", str(csv_file), "--db", str(empty), *encoding_args)
    assert code == 0, output
    assert rows(empty, f"SELECT ticker, name, shares FROM {HOLDINGS} ORDER BY ticker") == [
        ("8001.T", "架空商事", 100.0), ("9001.T", "みなと電力", 200.0)]


def test_cp932_declared_as_utf8_is_a_clear_error(empty: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "sjis.csv"
    csv_file.write_bytes("ticker,name,shares\n8001.T,架空商事,100\n".encode("cp932"))
    before = hashlib.sha256(empty.read_bytes()).hexdigest()
    code, output = run("import", "holdings", str(csv_file), "--db", str(empty), "--encoding", "utf-8")
    assert code == 1
    assert "sjis.csv:2: byte 26" in output and "--encoding" in output
    assert hashlib.sha256(empty.read_bytes()).hexdigest() == before


def test_utf8_bom_is_accepted(empty: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "bom.csv"
    csv_file.write_bytes("\ufeffticker,name,shares\n8001.T,架空商事,100\n".encode())
    code, output = run("import", "holdings", str(csv_file), "--db", str(empty))
    assert code == 0, output
    assert rows(empty, f"SELECT ticker, name FROM {HOLDINGS}") == [("8001.T", "架空商事")]


def test_unknown_encoding_is_a_clear_error(empty: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "h.csv"
    csv_file.write_text("ticker,shares\nA.T,1\n")
    code, output = run("import", "holdings", str(csv_file), "--db", str(empty), "--encoding", "klingon")
    assert code == 1 and "unknown encoding" in output and "fix:" in output


def test_every_problem_is_listed_with_its_line(empty: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "h.csv"
    csv_file.write_text("ticker,shares,cost_basis\nA.T,1,0\nB.T,-1,0\nC.T,1,x\nD.T,1,0\n")
    code, output = run("import", "holdings", str(csv_file), "--db", str(empty))
    assert code == 1
    assert "h.csv:3: shares" in output and "h.csv:4: cost_basis" in output
    assert "2 problem(s)" in output
    assert rows(empty, "SELECT count(*) FROM holdings") == [(0,)]


def test_import_help_lists_the_columns() -> None:
    code, output = run("import", "--help")
    assert code == 0
    for kind in KINDS.values():
        assert f"{kind.name} (" in output
        for column in kind.columns:
            assert f"{column.name}:" in output


def test_unknown_kind_is_a_usage_error(empty: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "x.csv"
    csv_file.write_text("a\n1\n")
    code, _ = run("import", "snapshots", str(csv_file), "--db", str(empty))
    assert code == 2


def test_full_disk_is_a_clear_error_and_changes_nothing(demo_template: Path, tmp_path: Path) -> None:
    db = tmp_path / "full.db"
    shutil.copyfile(demo_template, db)
    prices = tmp_path / "p.csv"
    first = rows(db, "SELECT ticker FROM holdings ORDER BY ticker")[0][0]
    with prices.open("w") as out:
        out.write("ticker,price_date,close_price\n")
        out.writelines(f"{first},{date(1960, 1, 1) + timedelta(days=n)},100\n" for n in range(20_000))
    before = rows(db, "SELECT count(*) FROM prices")
    conn = sqlite3.connect(db)
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages + 3}")  # the ledger's disk has room for three more pages
    with pytest.raises(LifealmError, match=r"the disk holding .* is full") as caught:
        import_csv(conn, "prices", prices, today=AS_OF)
    assert caught.value.hint and "free some space" in caught.value.hint
    assert not conn.in_transaction
    conn.close()
    assert rows(db, "SELECT count(*) FROM prices") == before
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]


def test_a_hopeless_file_reports_the_true_count(empty: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "h.csv"
    csv_file.write_text("ticker,shares\n" + "".join(f"T{n},-1\n" for n in range(5000)))
    code, output = run("import", "holdings", str(csv_file), "--db", str(empty))
    assert code == 1
    assert "5000 problem(s)" in output and "4950 more problems" in output
    assert "h.csv:51: shares" in output and "h.csv:52: shares" not in output


def test_a_row_the_schema_refuses_is_named_by_line(empty: Path, tmp_path: Path) -> None:
    full = tmp_path / "loans.csv"
    full.write_text("name,balance,rate,collateral_type,freeze_pct,margin_call_pct,forced_liq_pct,target_ratio\n"
                    "margin,1000,0.02,portfolio,0.8,0.9,0.95,0.9\n")
    assert run("import", "loans", str(full), "--db", str(empty))[0] == 0
    before = hashlib.sha256(empty.read_bytes()).hexdigest()
    # Valid on its own, but the stored target ratio 0.9 would end up above the new forced-liquidation level.
    partial = tmp_path / "thresholds.csv"
    partial.write_text("name,collateral_type,freeze_pct,margin_call_pct,forced_liq_pct\n"
                       "margin,portfolio,0.6,0.7,0.85\n")
    code, output = run("import", "loans", str(partial), "--db", str(empty))
    assert code == 1
    assert "thresholds.csv:2: freeze_pct/margin_call_pct/forced_liq_pct/target_ratio: a margin loan needs" in output
    assert "fix:" in output and "constraint" not in output
    assert hashlib.sha256(empty.read_bytes()).hexdigest() == before


def test_unknown_ticker_is_reported_even_on_a_row_with_other_problems(empty: Path, tmp_path: Path) -> None:
    _with_holdings(empty, tmp_path)
    prices = tmp_path / "p.csv"
    prices.write_text("ticker,price_date,close_price\nA.T,2025-06-02,1\nZZZ.T,2025-06-02,NaN\n")
    code, output = run("import", "prices", str(prices), "--db", str(empty))
    assert code == 1
    assert "p.csv:3: close_price" in output and "p.csv:3: ticker: 'ZZZ.T' is not a security" in output
    assert rows(empty, "SELECT count(*) FROM prices") == [(0,)]


def test_export_into_a_missing_directory_is_a_clear_error(demo_template: Path, tmp_path: Path) -> None:
    code, output = run("export", "prices", "--db", str(demo_template), "-o", str(tmp_path / "nope" / "p.csv"))
    assert code == 1 and "no such directory" in output and "fix:" in output
