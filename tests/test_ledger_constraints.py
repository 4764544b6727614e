"""Every schema constraint has a sentence naming the row, the column and the fix; no raw SQLite text gets out."""

from __future__ import annotations

import re
import sqlite3

import pytest

from lifealm.ledger.constraints import CHECKS, explain
from lifealm.ledger.db import migrations

V2_SQL = next(m for m in migrations() if m.name == "household").sql
RAW = ("constraint failed", "CHECK", "sqlite", "cannot store", "REAL column", "length(", "IS NULL")


def v2() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("PRAGMA foreign_keys = ON")
    for migration in migrations():
        conn.executescript(f"BEGIN;\n{migration.sql}\nCOMMIT;")
    conn.executescript("""
        INSERT INTO accounts (name) VALUES ('SBI');
        INSERT INTO securities (ticker) VALUES ('8058.T');
        INSERT INTO holdings (account, ticker, shares) VALUES ('SBI', '8058.T', 100);
    """)
    return conn


def test_every_named_constraint_of_the_schema_has_a_sentence() -> None:
    named = set(re.findall(r"CONSTRAINT (\w+) CHECK", V2_SQL))
    assert len(named) > 50
    assert named == set(CHECKS)


@pytest.mark.parametrize(("table", "sql", "column", "words"), [
    ("loans", "INSERT INTO loans (name, kind, balance, rate) VALUES ('mortgage', 'amortizing', 3e7, 0.01)",
     "monthly_payment", "amortizing loan"),
    ("loans", "INSERT INTO loans (name, kind, freeze_pct, margin_call_pct, forced_liq_pct) "
              "VALUES ('m', 'margin', 0.7, 0.6, 0.85)", "freeze_pct/margin_call_pct", "in order"),
    ("accounts", "INSERT INTO accounts (name, kind, pledged) VALUES ('NISA', 'nisa_growth', 1)", "pledged",
     "never be pledged"),
    ("securities", "UPDATE securities SET haircut = 1.5", "haircut", "掛目"),
    ("holdings", "UPDATE holdings SET shares = 'lots'", "shares", "must be a number"),
    ("holdings", "INSERT INTO holdings (account, ticker, shares) VALUES ('SBI', '8058.T', 1)", "account, ticker",
     "already has the same"),
    ("holdings", "INSERT INTO holdings (account, ticker, shares) VALUES ('nowhere', '8058.T', 1)", "",
     "refers to its account"),
    ("income", "INSERT INTO income (source, monthly_amount, start_date, end_date) "
               "VALUES ('salary', 1, '2031-01-01', '2030-12-31')", "start_date/end_date", "ends before it starts"),
    ("events", "INSERT INTO events (name, event_date, amount) VALUES ('car', '2029-13-01', 1)", "event_date",
     "YYYY-MM-DD"),
    ("members", "INSERT INTO members (name) VALUES ('Hanako')", "birth_date", "cannot be empty"),
])
def test_refusals_become_sentences(table: str, sql: str, column: str, words: str) -> None:
    conn = v2()
    with pytest.raises(sqlite3.Error) as caught:
        conn.execute(sql)
    sentence = explain(caught.value, where="loans.csv:4", table=table)
    assert sentence.startswith(f"loans.csv:4: {column}") and words in sentence
    assert not any(raw in sentence for raw in RAW), sentence


def test_removing_a_row_others_depend_on_names_the_reason() -> None:
    conn = v2()
    for table, sql in (("accounts", "DELETE FROM accounts WHERE name = 'SBI'"),
                       ("securities", "DELETE FROM securities WHERE ticker = '8058.T'")):
        with pytest.raises(sqlite3.IntegrityError) as caught:
            conn.execute(sql)
        sentence = explain(caught.value, where=f"{table} SBI", table=table, removing=True)
        assert "cannot be removed" in sentence and "holdings" in sentence


def test_an_unknown_refusal_still_gives_a_sentence_without_the_raw_text() -> None:
    sentence = explain(sqlite3.IntegrityError("CHECK constraint failed: length(x) > 0 AND secret"), where="row 3",
                       table="t")
    assert sentence.startswith("row 3:") and "secret" not in sentence and "length(" not in sentence


@pytest.mark.parametrize("day", ["2026-02-30", "2029-13-01", "2026-1-05", "26-01-05", "2026-01-05T00:00", ""])
def test_an_impossible_or_loosely_written_date_is_refused(day: str) -> None:
    conn = v2()
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed: event_date"):
        conn.execute("INSERT INTO events (name, event_date, amount) VALUES ('x', ?, 1)", (day,))
    conn.execute("INSERT INTO events (name, event_date, amount) VALUES ('x', '2028-02-29', 1)")
