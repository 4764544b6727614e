"""A process killed (SIGKILL) in the middle of a large import leaves the ledger consistent: all rows or none."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from ledger_rows import add_holding

from lifealm.ledger.db import create_ledger

TICKERS = 40
DAYS = 3000  # 120,000 rows: long enough to be caught mid-write


def _prepare(tmp_path: Path) -> tuple[Path, Path]:
    db = tmp_path / "ledger.db"
    conn = create_ledger(db)
    for i in range(TICKERS):
        add_holding(conn, f"K{i:03d}", 1)
    conn.execute("INSERT INTO prices VALUES ('K000', '1999-12-31', 1)")  # a row that must survive either way
    conn.commit()
    conn.close()
    days = [(date(2000, 1, 3) + timedelta(days=n)).isoformat() for n in range(DAYS)]
    csv_file = tmp_path / "prices.csv"
    with csv_file.open("w") as out:
        out.write("ticker,price_date,close_price\n")
        for i in range(TICKERS):
            out.writelines(f"K{i:03d},{d},{100 + n % 7}\n" for n, d in enumerate(days))
    return db, csv_file


def _count_after_recovery(db: Path) -> int:
    conn = sqlite3.connect(db)  # opening rolls back a hot journal left by the killed process
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        return int(conn.execute("SELECT count(*) FROM prices").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.parametrize("moment", ["while-writing", "while-validating"])
def test_sigkill_during_import_leaves_all_or_nothing(tmp_path: Path, moment: str) -> None:
    db, csv_file = _prepare(tmp_path)
    journal = Path(f"{db}-journal")
    process = subprocess.Popen([sys.executable, "-m", "lifealm", "import", "prices", str(csv_file), "--db", str(db)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    killed_while_writing = False
    if moment == "while-writing":
        while process.poll() is None and time.monotonic() < deadline:
            if journal.exists():
                os.kill(process.pid, signal.SIGKILL)
                killed_while_writing = True
                break
            time.sleep(0.001)
    else:
        time.sleep(0.8)  # the interpreter has started and is parsing the CSV
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    count = _count_after_recovery(db)
    assert count in (1, 1 + TICKERS * DAYS)
    if moment == "while-writing":
        assert killed_while_writing, "the import finished before its write transaction could be caught"
        assert process.returncode == -signal.SIGKILL
        assert count == 1  # the single write transaction was rolled back
