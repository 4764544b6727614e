"""The ledger file: only init and demo create one, and SQLite failures are explained truly (by error code)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from harden_support import AS_OF, assert_clean_failure, demo_copy, lifealm

from lifealm.errors import LedgerError
from lifealm.ledger import db as db_module
from lifealm.ledger.db import open_ledger
from lifealm.ledger.sqlite_errors import Failure, classify, ledger_error

COMMANDS = {
    "check": ("check",),
    "export": ("export", "holdings"),
    "report": ("report", "--no-montecarlo", "--as-of", AS_OF),
    "run": ("run", "--no-email", "--fail-on", "caution", "--as-of", AS_OF),
    "simulate": ("simulate", "--paths", "10"),
}


def _not_ledgers(tmp_path: Path) -> dict[str, Path]:
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    conn.close()
    return {"0-byte": empty, "other SQLite": other}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_empty_or_foreign_file_is_not_a_ledger_and_never_safe(tmp_path: Path, command: str) -> None:
    for kind, path in _not_ledgers(tmp_path).items():
        before = path.read_bytes()
        done = lifealm(*COMMANDS[command], "--db", path, "--out", tmp_path / "site") if command in (
            "report", "run") else lifealm(*COMMANDS[command], "--db", path)
        assert_clean_failure(done)
        assert "not a lifealm ledger" in done.stderr and str(path) in done.stderr, (kind, done.output)
        assert "SAFE" not in done.stdout and "status=SAFE" not in done.stderr, (kind, done.output)
        assert path.read_bytes() == before, kind  # was: migrated into an empty ledger that reported SAFE


def test_doctor_calls_an_empty_file_not_a_ledger(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    done = lifealm("doctor", "--db", empty, "--out", tmp_path / "site")
    assert done.returncode == 1 and "not a lifealm ledger" in done.stdout, done.output
    assert "schema version 0" not in done.output and empty.read_bytes() == b""


def test_import_refuses_an_empty_file_too(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    csv_file = tmp_path / "cash.csv"
    csv_file.write_text("name,balance\nWallet,100\n", "utf-8")
    done = lifealm("import", "cash", csv_file, "--db", empty)
    assert_clean_failure(done)
    assert "not a lifealm ledger" in done.stderr and empty.read_bytes() == b""


KILLED_WRITER = textwrap.dedent("""\
    import os, sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("PRAGMA cache_size = 10")  # spill to the file, so the journal is needed to undo it
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE prices SET close_price = close_price * 1000")
    conn.execute("DELETE FROM holdings")
    os._exit(9)  # killed mid-transaction: a hot journal is left behind
    """)


def _hot_journal(db: Path) -> tuple[int, float]:
    with sqlite3.connect(db) as conn:
        before = (conn.execute("SELECT count(*) FROM holdings").fetchone()[0],
                  conn.execute("SELECT sum(close_price) FROM prices").fetchone()[0])
    conn.close()
    subprocess.run([sys.executable, "-c", KILLED_WRITER, str(db)], check=False, timeout=60)
    assert Path(f"{db}-journal").stat().st_size > 0
    return before


@pytest.mark.parametrize("command", [("check", "--as-of", AS_OF), ("export", "holdings"), ("doctor",)])
def test_read_only_commands_recover_a_killed_import(tmp_path: Path, command: tuple[str, ...]) -> None:
    db = demo_copy(tmp_path / "ledger.db")
    before = _hot_journal(db)
    done = lifealm(*command, "--db", db, *(("--out", str(tmp_path / "site")) if command[0] == "doctor" else ()))
    assert "backup" not in done.output, done.output  # was: "restore it from a backup"
    assert done.returncode == 0, done.output
    with sqlite3.connect(db) as conn:  # rolled back: the killed transaction's changes are gone, nothing else
        after = (conn.execute("SELECT count(*) FROM holdings").fetchone()[0],
                 conn.execute("SELECT sum(close_price) FROM prices").fetchone()[0])
    conn.close()
    assert after == before


def test_without_write_access_the_hot_journal_message_says_how_to_recover(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = demo_copy(tmp_path / "ledger.db")
    _hot_journal(db)
    monkeypatch.setattr(db_module, "_writable", lambda path: False)  # as if the user could not write there
    with pytest.raises(LedgerError) as caught:
        open_ledger(db, readonly=True)
    text = str(caught.value)
    assert "interrupted write" in text and "rolls it back" in text and "nothing in the ledger is lost" in text
    assert "backup" not in text


LOCK_HOLDER = textwrap.dedent("""\
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    """)


def test_a_ledger_locked_by_another_process_names_the_file_and_says_retry(tmp_path: Path) -> None:
    db = demo_copy(tmp_path / "ledger.db")
    holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(db), "30"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        done = lifealm("check", "--db", db, "--as-of", AS_OF)
    finally:
        holder.kill()
        holder.wait()
    assert_clean_failure(done)
    assert str(db) in done.stderr and "locked by another process" in done.stderr
    assert "run the command again" in done.stderr and "backup" not in done.stderr


def test_a_full_disk_is_classified_by_its_code_and_names_the_ledger(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA max_page_count = 8")  # SQLite's own way to run out of room: SQLITE_FULL
    conn.execute("CREATE TABLE t (x TEXT)")
    with pytest.raises(sqlite3.Error) as caught:
        for _ in range(100):
            conn.execute("INSERT INTO t VALUES (?)", ("x" * 4000,))
    conn.close()
    assert classify(caught.value) is Failure.FULL
    message = str(ledger_error(caught.value, db, outcome="nothing was imported"))
    assert f"the disk holding {db} is full" in message and "nothing was imported" in message


def test_classification_never_reads_the_message() -> None:
    class Fake(sqlite3.OperationalError):
        sqlite_errorname = "SQLITE_BUSY_SNAPSHOT"

    assert classify(Fake("database or disk is full")) is Failure.LOCKED  # the code decides, not the words
    assert classify(sqlite3.OperationalError("database is locked")) is Failure.OTHER  # no code: not guessed
    assert "Quux" not in str(ledger_error(sqlite3.OperationalError("text 'Quux'"), "l.db"))


def test_a_killed_init_leaves_no_half_ledger_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lifealm.ledger.db import create_ledger

    def fail(*args: object, **kwargs: object) -> int:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(db_module, "migrate", fail)
    with pytest.raises(LedgerError):
        create_ledger(tmp_path / "new.db")
    assert not (tmp_path / "new.db").exists()
    assert os.listdir(tmp_path) == []
