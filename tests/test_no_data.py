"""NO DATA: an empty ledger, or a date before any price, is neither SAFE nor DANGER — the run fails and says why."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner
from deliver_support import smtp_server
from ledger_rows import add_holding

import lifealm.cli.deliver_cmds  # noqa: F401 - registers the commands on the group
from lifealm.cli import cli
from lifealm.ledger.db import create_ledger, migrate, migrations, open_ledger
from lifealm.ledger.snapshots import read_snapshots

FIRST_PRICE = "2026-11-20"
BEFORE_ANY_PRICE = "2026-11-10"


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text("[assumptions]\nmc_paths = 50\nmc_years = 5\n", "utf-8")
    return config


def _mail_env(server_host: str, port: int) -> dict[str, str]:
    return {"LIFEALM_SMTP_HOST": server_host, "LIFEALM_SMTP_PORT": str(port), "LIFEALM_SMTP_SECURITY": "none",
            "LIFEALM_MAIL_FROM": "lifealm@example.org", "LIFEALM_MAIL_TO": "me@example.org"}


def _run(tmp_path: Path, db: Path, as_of: str, *extra: str) -> tuple[int, str, str, list[str]]:
    """`lifealm run` against a real SMTP server on 127.0.0.1: exit code, stdout, stderr, subjects received."""
    with smtp_server() as server:
        result = CliRunner().invoke(
            cli, ["run", "--db", str(db), "--out", str(tmp_path / "site"), "--config", str(_config(tmp_path)),
                  "--as-of", as_of, *extra], env=_mail_env(server.host, server.port))
        subjects = [str(m["Subject"]) for m in server.inbox.messages]
    return result.exit_code, result.stdout, result.stderr, subjects


def _household(db: Path) -> None:
    """One holding priced from FIRST_PRICE on, one expense: answerable from FIRST_PRICE, not before."""
    with closing(create_ledger(db)) as conn, conn:
        add_holding(conn, "8306.T", 1000, name="bank", cost_basis=1e6)
        conn.execute("INSERT INTO prices VALUES ('8306.T', ?, 1500)", (FIRST_PRICE,))
        conn.execute("INSERT INTO expenses (category, monthly_amount) VALUES ('living', 300000)")


@pytest.mark.parametrize("fail_on", [[], ["--fail-on", "danger"], ["--fail-on", "caution"]])
def test_an_empty_ledger_is_no_data_in_page_json_subject_and_exit_code(tmp_path: Path, fail_on: list[str]) -> None:
    db = tmp_path / "ledger.db"
    create_ledger(db).close()  # exactly what `lifealm init` leaves
    code, _, stderr, subjects = _run(tmp_path, db, "2026-11-25", *fail_on)
    assert code == 1  # --fail-on never hides it: a scheduler pointed at the wrong ledger must notice
    assert "status=NO DATA" in stderr and "outcome=no-data" in stderr
    assert subjects == ["[NO DATA] 2026-11-25 · the ledger cannot answer: no holdings, expenses"]
    day = tmp_path / "site" / "2026-11-25"
    doc = json.loads((day / "briefing.json").read_text("utf-8"))
    assert doc["status"] == "NO DATA" and doc["missing"] == ["no_holdings", "no_expenses"]
    page = (day / "index.html").read_text("utf-8")
    assert '<span class="badge nodata" id="status">NO DATA</span>' in page
    assert "lifealm import holdings FILE" in page and "lifealm import expenses FILE" in page
    assert "SAFE" not in page.split('id="status"')[1].split("</section>")[0]


def test_a_date_before_any_price_is_no_data_naming_the_prices(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    _household(db)
    code, _, _, subjects = _run(tmp_path, db, BEFORE_ANY_PRICE)
    assert code == 1
    assert subjects == [f"[NO DATA] {BEFORE_ANY_PRICE} · the ledger cannot answer: no prices"]
    doc = json.loads((tmp_path / "site" / BEFORE_ANY_PRICE / "briefing.json").read_text("utf-8"))
    assert doc["status"] == "NO DATA" and doc["missing"] == ["no_prices"]
    assert doc["portfolio"]["value"] == 0.0
    page = (tmp_path / "site" / BEFORE_ANY_PRICE / "index.html").read_text("utf-8")
    assert "lifealm import prices FILE" in page and "lifealm update" in page
    # The same ledger on the day of its first price answers (no loan: SAFE) and the run succeeds.
    code, _, _, subjects = _run(tmp_path, db, FIRST_PRICE)
    assert code == 0 and subjects[0].startswith(f"[SAFE] {FIRST_PRICE}")
    with closing(open_ledger(db)) as conn:
        assert [(s.snapshot_date.isoformat(), s.status) for s in read_snapshots(conn)] == [
            (BEFORE_ANY_PRICE, "NO DATA"), (FIRST_PRICE, "SAFE")]


def test_a_holding_without_price_among_priced_ones_is_a_finding_not_no_data(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    _household(db)
    with sqlite3.connect(db) as conn:
        add_holding(conn, "NEW", 10, cost_basis=1000)
    code, _, _, subjects = _run(tmp_path, db, FIRST_PRICE)
    assert code == 0 and subjects[0].startswith("[SAFE]")
    doc = json.loads((tmp_path / "site" / FIRST_PRICE / "briefing.json").read_text("utf-8"))
    assert doc["missing"] == [] and ("missing_price", "NEW") in {(f["code"], f["subject"]) for f in doc["findings"]}


def test_the_migration_carries_every_snapshot_over_and_accepts_no_data(tmp_path: Path) -> None:
    db = tmp_path / "v1.db"
    first = migrations()[0]
    with closing(sqlite3.connect(db)) as conn:
        conn.executescript(f"BEGIN;\n{first.sql}\nPRAGMA user_version = 1;\nCOMMIT;")
        rows = [("2026-11-01", "SAFE", 1e8, 1e6, 4e7, 0.4, 6e7, 1e5, 0.5, 0.52, 0.93),
                ("2026-11-02", "DANGER", 5e7, 0.0, 4e7, None, 1e7, -2e5, None, None, None)]
        conn.executemany("INSERT INTO snapshots VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        conn.commit()
        with pytest.raises(sqlite3.IntegrityError):  # v1 refuses the new status
            conn.execute("INSERT INTO snapshots VALUES ('2026-11-03', 'NO DATA', 0, 0, 0, NULL, 0, 0, NULL, NULL, "
                         "NULL)")
        assert migrate(conn, db) == len(migrations())
        assert conn.execute("SELECT * FROM snapshots ORDER BY snapshot_date").fetchall() == rows
        conn.execute("INSERT INTO snapshots VALUES ('2026-11-03', 'NO DATA', 0, 0, 0, NULL, 0, 0, NULL, NULL, NULL)")
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("INSERT INTO snapshots VALUES ('2026-11-04', 'MAYBE', 0, 0, 0, NULL, 0, 0, NULL, NULL, NULL)")
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
