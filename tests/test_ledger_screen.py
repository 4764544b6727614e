"""lifealm.ledger.screen: every stored value judged as the write path would judge it, a row left out with a
finding or the load stopped with one error naming table, key and column, and never a value in either."""

from __future__ import annotations

import math
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledger_rows import add_holding

from lifealm.errors import LifealmError
from lifealm.ledger.columns import KINDS, ColumnType
from lifealm.ledger.db import create_ledger
from lifealm.ledger.load import load_inputs
from lifealm.ledger.screen import RowScreen, screening, text_oddity, value_problem
from lifealm.ledger.write import value_checkers, write_rows
from lifealm.pipeline import read_model_inputs

AS_OF = date(2026, 11, 25)
CHECK = value_checkers(date.max)
HOLDINGS = KINDS["holdings"]
# A holding's own columns, and its security's as the securities table declares them (a holdings file carries them).
COLUMN = {c.name: c for c in KINDS["securities"].columns} | {c.name: c for c in HOLDINGS.own_columns}
LOAN = {c.name: c for c in KINDS["loans"].columns}


def problem(value: object, column: str, columns: dict = COLUMN) -> str | None:  # type: ignore[type-arg]
    col = columns[column]
    return value_problem(value, col, CHECK[col.type])


@pytest.mark.parametrize(("value", "column", "expected"), [
    (100.0, "shares", None),
    (100, "shares", None),  # an integer in a REAL column is a number
    ("abc", "shares", "holds text where a number belongs"),
    ("100", "shares", "holds text where a number belongs"),  # a REAL column would have converted real digits
    (b"\x00", "shares", "holds binary data (a blob) where a number belongs"),
    (None, "shares", "is empty, but a value is required"),
    (math.inf, "shares", "holds NaN or infinity where a finite number belongs"),
    (-math.inf, "cost_basis", "holds NaN or infinity where a finite number belongs"),
    (1e-320, "shares", "holds a number too small to store exactly (subnormal)"),
    (2e15, "shares", "holds an absurdly large number (more than 1e15)"),
    (-1.0, "shares", "is out of range (it must be ≥ 0)"),
    (1.0, "dividend_growth", "is out of range (it must be > -1 and < 1)"),
    (None, "dividend_growth", None),  # an optional column whose default is empty
    (None, "name", "is empty, but a value is required"),  # its default is '', so NULL is not what it stores
    ("   ", "ticker", "is empty, but a value is required"),
    ("2026-02-29", "added_at", "is not a real date written YYYY-MM-DD"),
    ("2026/11/02", "added_at", "is not a real date written YYYY-MM-DD"),  # the import's form, not the stored one
    (20261102, "added_at", "holds a number where a date belongs"),
    ("2028-02-29", "added_at", None),
    ("usd", "currency", "is not a three-letter currency code in capitals, such as JPY"),
    ("USD", "currency", None),
    ("a\x1bb", "name", None),  # usable text: the page draws it safely (text_oddity below)
    ("x" * 10_000, "name", None),
    (b"name", "name", "holds binary data (a blob) where text belongs"),
    ("unknown", "asset_class", None),  # free text
])
def test_each_value_against_its_declaration(value: object, column: str, expected: str | None) -> None:
    assert problem(value, column) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("Alpha 三菱", None),
    ("x" * 500, None),
    ("x" * 501, "is 501 characters long: shown cut to 500"),
    ("a\x1b[31mb", "holds characters no page can draw (a control character or a noncharacter): shown replaced by �"),
    ("a\nb", "holds characters no page can draw (a control character or a noncharacter): shown replaced by �"),
    ("名前\uffff", "holds characters no page can draw (a control character or a noncharacter): shown replaced by �"),
    ("invoice\u202egnp.exe", None),  # a bidi override is drawable (the page isolates it with <bdi>)
])
def test_text_the_pages_show_cut_or_replaced(value: str, expected: str | None) -> None:
    assert text_oddity(value, COLUMN["name"]) == expected
    assert text_oddity(value, COLUMN["shares"]) is None  # only text columns


def test_flags_and_choices() -> None:
    flag = KINDS["other-assets"].columns[3]
    assert flag.type is ColumnType.FLAG
    assert [value_problem(v, flag, CHECK[flag.type]) for v in (0, 1, 2, "yes", 1.5)] == [
        None, None, "is not 0 or 1", "holds text where 0 or 1 belongs", "holds a number where 0 or 1 belongs"]
    assert problem("margin", "kind", LOAN) is None
    assert problem("portfolio", "kind", LOAN) == "is not one of margin, credit_line, amortizing"  # a CSV word


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    connection = create_ledger(tmp_path / "ledger.db")
    add_holding(connection, "A.T", 100, name="Alpha", cost_basis=50000)
    add_holding(connection, "B.T", 200, name="Beta", cost_basis=100000)
    connection.executemany("INSERT INTO prices VALUES (?, ?, ?)", [
        ("A.T", "2026-11-20", 1000.0), ("A.T", "2026-11-24", 1010.0), ("B.T", "2026-11-24", 500.0)])
    connection.execute("INSERT INTO loans (name, balance, rate, kind, freeze_pct, margin_call_pct, "
                       "forced_liq_pct) VALUES ('Margin', 10, 0.02, 'margin', 0.6, 0.7, 0.85)")
    connection.execute("INSERT INTO expenses (category, monthly_amount) VALUES ('food', 100000)")
    connection.execute("PRAGMA ignore_check_constraints = ON")  # what another tool can do
    connection.commit()
    return connection


def test_a_holding_the_models_cannot_take_is_left_out_with_a_finding(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE holdings SET shares = -7.125 WHERE ticker = 'B.T'")  # STRICT: text cannot get in
    loaded = read_model_inputs(conn, AS_OF)
    assert [h.ticker for h in loaded.inputs.holdings] == ["A.T"]
    (finding,) = loaded.file_findings
    assert (finding.code, finding.severity.value, finding.subject) == ("unreadable_row", "error", "B.T")
    assert finding.detail_dict() == {"table": "holdings", "column": "shares",
                                     "problem": "is out of range (it must be ≥ 0)"}


def test_an_unusable_latest_close_leaves_the_holding_unvalued(conn: sqlite3.Connection) -> None:
    """Never the older close in its place: the report says the holding has no usable price."""
    conn.execute("UPDATE prices SET close_price = 1e999 WHERE ticker = 'A.T' AND price_date = '2026-11-24'")
    loaded = read_model_inputs(conn, AS_OF)
    assert {p.ticker for p in loaded.inputs.prices} == {"B.T"}
    assert [(f.subject, f.detail_dict()["column"]) for f in loaded.file_findings] == [("A.T", "close_price")]


def test_a_loan_or_expense_stops_the_load_naming_every_row(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE loans SET balance = 1e999, margin_call_pct = 0.5")
    conn.execute("UPDATE expenses SET monthly_amount = -737.25")
    with pytest.raises(LifealmError) as raised:
        read_model_inputs(conn, AS_OF)
    text = str(raised.value)
    assert "2 row(s) hold values the models cannot use" in text
    assert "loans row name 'Margin': balance: holds NaN or infinity where a finite number belongs" in text
    assert "expenses row category 'food': monthly_amount: is out of range (it must be ≥ 0)" in text
    assert "`lifealm export loans`, edit, `lifealm import loans FILE`" in text
    assert "737" not in text and "inf" not in text.replace("infinity", "")


def test_a_broken_rule_names_its_columns_not_its_values(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE loans SET freeze_pct = 0.777")  # above margin_call_pct 0.7
    with pytest.raises(LifealmError, match=r"loans row name 'Margin': freeze_pct/margin_call_pct/forced_liq_pct: "
                       r"breaks the rule: a margin loan needs") as raised:
        read_model_inputs(conn, AS_OF)
    assert "0.777" not in str(raised.value)


def test_an_unreadable_key_is_not_printed(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO assumptions VALUES ('SECRET', '1')")  # not a model parameter
    with pytest.raises(LifealmError, match=r"assumptions row name \(unreadable\): name: is not one of the names "
                       r"`lifealm assumptions` lists") as raised:
        read_model_inputs(conn, AS_OF)
    assert "SECRET" not in str(raised.value)


def test_a_bad_assumptions_row_is_named_once(conn: sqlite3.Connection) -> None:
    """The loader reads the assumptions table once (the parameters and whether mc_years was set come from one read),
    so one bad row is one row in the error."""
    conn.execute("INSERT INTO assumptions VALUES ('no_such_parameter', '1')")
    with pytest.raises(LifealmError) as raised:
        read_model_inputs(conn, AS_OF)
    assert "1 row(s) hold values the models cannot use" in str(raised.value)
    assert str(raised.value).count("assumptions row name (unreadable)") == 1


def test_text_no_page_can_draw_is_kept_with_a_warning(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE loans SET name = 'Margin' || char(27) || '[2J'")
    conn.execute("UPDATE securities SET name = printf('%.9999c', 'w') WHERE ticker = 'A.T'")
    loaded = read_model_inputs(conn, AS_OF)
    assert [loan.name for loan in loaded.inputs.loans] == ["Margin\x1b[2J"]  # the models take it as it is
    assert len(loaded.inputs.holdings) == 2
    assert sorted((f.code, f.severity.value, f.detail_dict()["table"], f.detail_dict()["column"])
                  for f in loaded.file_findings) == [("unusual_text", "warning", "holdings", "name"),
                                                     ("unusual_text", "warning", "loans", "name")]


def test_outside_the_one_loader_a_bad_row_is_an_error_at_once(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE holdings SET cost_basis = -1 WHERE ticker = 'A.T'")
    with pytest.raises(LifealmError, match=r"holdings row ticker 'A\.T', account 'default': cost_basis"):
        load_inputs(conn, AS_OF)
    with screening(conn) as screen:
        load_inputs(conn, AS_OF)
    assert [u.subject for u in screen.left_out] == ["A.T"] and screen.refused == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(
    st.from_regex(r"[A-Z0-9]{1,8}\.T", fullmatch=True),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=40),
    st.floats(0, 1e12, allow_nan=False, allow_subnormal=False),
    st.floats(0, 1e12, allow_nan=False, allow_subnormal=False),
    st.one_of(st.none(), st.floats(-0.99, 0.99, allow_subnormal=False)),
    st.one_of(st.none(), st.dates(date(1900, 1, 1), date(9999, 12, 31))),
), min_size=1, max_size=5, unique_by=lambda r: r[0]))
def test_whatever_the_write_path_stores_the_loader_takes(tmp_path_factory: pytest.TempPathFactory,
                                                          rows: list[tuple[object, ...]]) -> None:
    """The oracle is the write path: any row it accepts and stores reads back with no finding."""
    conn = create_ledger(tmp_path_factory.mktemp("screen") / "ledger.db")
    names = ("ticker", "name", "shares", "cost_basis", "dividend_growth", "added_at")
    given = [dict(zip(names, r, strict=True)) for r in rows]
    write_rows(conn, HOLDINGS, [[row.get(c) for c in HOLDINGS.column_names] for row in given])
    screen = RowScreen("ledger")
    stored = conn.execute(f"SELECT {HOLDINGS.select_list} FROM {HOLDINGS.from_clause}").fetchall()
    assert [screen.problems(HOLDINGS, row) for row in stored] == [None] * len(rows)
    conn.close()


def test_an_income_that_ends_before_it_starts_is_left_out_and_an_expense_stops_the_load(
    conn: sqlite3.Connection,
) -> None:
    """Written around the schema's CHECK (another tool, the constraints off): an income is left out with a
    finding naming table, row and columns; an expense, whose loss would flatter the plan, stops the load."""
    conn.execute("INSERT INTO income (source, monthly_amount, start_date, end_date) "
                 "VALUES ('salary', 300000, '2031-07-02', '2031-07-01')")
    conn.execute("INSERT INTO income (source, monthly_amount, start_date, end_date) "
                 "VALUES ('pension', 150000, '2042-05-01', '2042-05-01')")  # one day: a valid stream
    loaded = read_model_inputs(conn, AS_OF)
    assert [i.source for i in loaded.inputs.income] == ["pension"]
    (finding,) = loaded.file_findings
    assert (finding.code, finding.severity.value, finding.subject) == ("unreadable_row", "error", "salary")
    assert finding.detail_dict() == {"table": "income", "column": "start_date/end_date", "problem":
                                     "breaks the rule: end_date, when both are given, on or after start_date"}
    conn.execute("UPDATE expenses SET start_date = '2030-01-01', end_date = '2029-12-31'")
    with pytest.raises(LifealmError, match=r"expenses row category 'food': start_date/end_date: breaks the rule: "
                       r"end_date, when both are given, on or after start_date") as raised:
        read_model_inputs(conn, AS_OF)
    assert "2030-01-01" not in str(raised.value) and "2029-12-31" not in str(raised.value)
    assert "`lifealm export expenses`, edit, `lifealm import expenses FILE`" in str(raised.value)


def test_the_write_path_refuses_a_stream_that_ends_before_it_starts_without_quoting_its_dates(
    tmp_path: Path,
) -> None:
    conn = create_ledger(tmp_path / "ledger.db")
    with pytest.raises(LifealmError) as raised:
        write_rows(conn, "income", [["salary", 300000, "salary", 0.0, "2031-07-02", "2031-07-01"]])
    assert "row:1: start_date/end_date: the income ends before it starts; swap or correct the two dates" \
        in str(raised.value)
    assert "2031-07-0" not in str(raised.value)
    assert conn.execute("SELECT count(*) FROM income").fetchone()[0] == 0
    conn.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["income", "expenses"]),
       start=st.one_of(st.none(), st.dates(date(1900, 1, 1), date(9999, 12, 31))),
       end=st.one_of(st.none(), st.dates(date(1900, 1, 1), date(9999, 12, 31))))
def test_the_loader_takes_a_streams_dates_exactly_when_the_schema_would(
    tmp_path_factory: pytest.TempPathFactory, kind: str, start: date | None, end: date | None
) -> None:
    """The oracle is the schema's own CHECK constraint (SQLite's, not lifealm's code): a row it refuses when the
    constraints are on is one the screen does not take when another tool wrote it with them off."""
    conn = create_ledger(tmp_path_factory.mktemp("dates") / "ledger.db")
    stream = KINDS[kind]
    key = "source" if kind == "income" else "category"
    sql = (f"INSERT INTO {stream.table} ({key}, monthly_amount, start_date, end_date) VALUES ('x', 1, ?, ?)")
    dates = (start and start.isoformat(), end and end.isoformat())
    try:
        conn.execute(sql, dates)
        schema_takes = True
    except sqlite3.IntegrityError:
        schema_takes = False
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute(sql, dates)
    stored = conn.execute(f"SELECT {stream.select_list} FROM {stream.from_clause}").fetchall()
    assert (RowScreen("ledger").problems(stream, stored[0]) is None) == schema_takes
    conn.close()


STORED = st.one_of(
    st.none(), st.booleans(), st.binary(max_size=4),
    st.integers(min_value=-2 * 10**15, max_value=2 * 10**15), st.integers(),
    st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True),
    st.sampled_from([0.0, -0.0, 1e-320, 1e15, 1e15 + 1, -1e15, 0.5, 1.0, 100.0, 0.0001, 1, 0]),
    st.sampled_from(["", " ", "2026-11-25", "2026/11/25", "2026-02-30", "0001-01-01", "9999-12-31", "JPY", "jpy",
                     "YEN", "円", "USD ", "taxable", "nisa_growth", "fixed", "0", "1", "true", "１２", "1e3"]),
    st.text(max_size=12),
)


@settings(max_examples=400, deadline=None)
@given(value=STORED, data=st.data())
def test_the_quick_yes_never_passes_a_value_the_full_check_refuses(value: object, data: st.DataObject) -> None:
    """The loader's quick path (a stored value of the right type and range) agrees with `value_problem`, column
    by column: whatever it lets through, the full check finds nothing wrong with."""
    from lifealm.ledger.screen import _plan

    kind = data.draw(st.sampled_from(sorted(KINDS.values(), key=lambda k: k.name)))
    for col, choices, quick in _plan(kind).columns:
        if quick(value):
            assert value_problem(value, col, CHECK[col.type], choices()) is None, (kind.name, col.name, value)


def test_the_quick_yes_takes_the_values_a_ledger_usually_holds() -> None:
    """The quick path is taken, not only safe: the common stored values pass it (else the load is slow again)."""
    from lifealm.ledger.screen import _plan

    quick = {col.name: ok for col, _, ok in _plan(KINDS["prices"]).columns}
    assert quick["ticker"]("7203.T") and quick["price_date"]("2026-11-25") and quick["close_price"](2174.0)
    assert not quick["close_price"](0.0) and not quick["close_price"](math.nan) and not quick["close_price"](True)
    assert not quick["price_date"]("2026/11/25") and not quick["price_date"](20261125)
