"""load_inputs: each ticker's own latest price, latest FX, earlier snapshots, assumption precedence, query plans."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from ledger_rows import add_holding

from lifealm.errors import LifealmError
from lifealm.ledger.db import create_ledger
from lifealm.ledger.load import LATEST_FX_SQL, LATEST_PRICE_SQL, load_inputs


@pytest.fixture
def conn(ledger_path: Path) -> sqlite3.Connection:
    connection = create_ledger(ledger_path)
    for ticker, name, shares, cost in (("B.T", "Beta", 200, 100000), ("A.T", "Alpha", 100, 50000),
                                       ("C.T", "Gamma", 5, 1)):
        add_holding(connection, ticker, shares, name=name, cost_basis=cost)
    connection.executemany("INSERT INTO prices VALUES (?, ?, ?)", [
        ("A.T", "2025-06-02", 1000.0), ("A.T", "2025-06-03", 1010.0), ("A.T", "2025-06-10", 9999.0),
        ("B.T", "2025-05-30", 500.0),  # B has no price on A's latest date: it must still be valued
    ])
    connection.executemany("INSERT INTO fx_rates VALUES (?, ?, ?)", [
        ("USD", "2025-06-01", 140.0), ("USD", "2025-06-03", 141.0), ("USD", "2025-06-20", 150.0),
        ("EUR", "2025-05-01", 160.0)])
    connection.executemany(
        "INSERT INTO snapshots VALUES (?, 'SAFE', 1, 1, 0, NULL, 1, 0, NULL, NULL, NULL)",
        [("2025-06-04",), ("2025-06-01",), ("2025-06-05",)])
    connection.executemany("INSERT INTO dividends (ticker, ex_date, amount_per_share, is_projection) "
                           "VALUES (?, ?, ?, ?)", [("A.T", "2025-03-27", 10, 0), ("A.T", "2025-09-26", 11, 0),
                                                   ("A.T", "2025-09-26", 12, 1)])
    connection.execute("INSERT INTO loans (name, balance, rate, kind, freeze_pct, margin_call_pct, "
                       "forced_liq_pct) VALUES ('m', 10, 0.02, 'margin', 0.6, 0.7, 0.85)")
    connection.commit()
    return connection


AS_OF = date(2025, 6, 5)


def test_each_ticker_gets_its_own_latest_price(conn: sqlite3.Connection) -> None:
    inputs = load_inputs(conn, AS_OF)
    assert [h.ticker for h in inputs.holdings] == ["A.T", "B.T", "C.T"]
    prices = {p.ticker: (p.price_date, p.close) for p in inputs.prices}
    assert prices == {"A.T": (date(2025, 6, 3), 1010.0), "B.T": (date(2025, 5, 30), 500.0)}  # C.T has none


def test_fx_snapshots_dividends(conn: sqlite3.Connection) -> None:
    inputs = load_inputs(conn, AS_OF)
    assert [(f.currency, f.rate_date, f.rate) for f in inputs.fx_rates] == [
        ("EUR", date(2025, 5, 1), 160.0), ("USD", date(2025, 6, 3), 141.0)]
    assert [s.snapshot_date for s in inputs.snapshots] == [date(2025, 6, 1), date(2025, 6, 4)]
    # The actual dividend after the as-of date was not known yet; the projection is.
    assert [(d.ex_date, d.is_projection) for d in inputs.dividends] == [
        (date(2025, 3, 27), False), (date(2025, 9, 26), True)]
    assert inputs.loans[0].is_secured and inputs.loans[0].forced_liq_pct == 0.85


def test_assumption_precedence(conn: sqlite3.Connection) -> None:
    assert load_inputs(conn, AS_OF).assumptions.mc_paths == 10_000
    conn.executemany("INSERT INTO assumptions VALUES (?, ?)", [("mc_paths", "500"), ("base_currency", "usd"),
                                                              ("dividend_tax", "0.1")])
    inputs = load_inputs(conn, AS_OF, overrides={"mc_paths": 20})
    assert inputs.assumptions.mc_paths == 20
    assert inputs.assumptions.dividend_tax == 0.1
    assert inputs.base_currency == "USD"


def test_bad_assumptions_name_their_source(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO assumptions VALUES ('mc_paths', 'lots')")
    with pytest.raises(LifealmError, match="assumptions row name 'mc_paths': value: ") as caught:
        load_inputs(conn, AS_OF)
    assert caught.value.hint and "lifealm import assumptions" in caught.value.hint
    assert "lots" not in str(caught.value)  # the stored value is never quoted
    conn.execute("DELETE FROM assumptions")
    with pytest.raises(LifealmError, match="config") as config_error:
        load_inputs(conn, AS_OF, overrides={"market_volatility": 5})
    assert config_error.value.hint


@pytest.mark.parametrize(
    ("stored", "override", "message"),
    [
        (("stress_step", "0.5"), {"stress_max": 0.3}, "stress_step 0.5 is larger than stress_max 0.3"),
        (("mc_years", "100"), {"mc_paths": 5_000_000}, "mc_paths × mc_years = 500,000,000"),
    ],
)
def test_assumptions_that_do_not_fit_each_other_are_refused(conn: sqlite3.Connection, stored: tuple[str, str],
                                                            override: dict[str, object], message: str) -> None:
    """Each value is in range on its own; together (ledger table + config) they cannot work."""
    conn.execute("INSERT INTO assumptions VALUES (?, ?)", stored)
    with pytest.raises(LifealmError, match=message) as caught:
        load_inputs(conn, AS_OF, overrides=override)
    assert caught.value.hint


def test_load_is_reproducible(conn: sqlite3.Connection) -> None:
    assert load_inputs(conn, AS_OF) == load_inputs(conn, AS_OF)


def test_latest_price_query_uses_the_primary_key(conn: sqlite3.Connection) -> None:
    plan = " ".join(str(r[3]) for r in conn.execute("EXPLAIN QUERY PLAN " + LATEST_PRICE_SQL, ("A.T", "2025-06-05")))
    assert "SEARCH prices USING PRIMARY KEY (ticker=? AND price_date<?)" in plan
    assert "TEMP B-TREE" not in plan
    fx_plan = " ".join(str(r[3]) for r in conn.execute("EXPLAIN QUERY PLAN " + LATEST_FX_SQL, ("2025-06-05",)))
    assert "TEMP B-TREE" not in fx_plan
