"""`lifealm doctor`: each check on the real system, a real ledger file and a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from click.testing import CliRunner, Result
from deliver_support import PASSWORD, USER, self_signed_certificate, server_tls_context, smtp_server
from ledger_rows import add_holding

import lifealm.cli.deliver_cmds  # noqa: F401 - registers the commands on the group
from lifealm.cli import cli
from lifealm.deliver.doctor import check_fonts, check_harfbuzz_subset, check_ledger, check_output_dir
from lifealm.ledger.db import SCHEMA_VERSION, create_ledger


def _doctor(tmp_path: Path, db: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    config = tmp_path / "empty.toml"
    config.write_text("", "utf-8")
    return CliRunner().invoke(cli, ["doctor", "--db", str(db), "--out", str(tmp_path / "site"), "--config",
                                    str(config), *args], env=env)


def _lines(result: Result) -> dict[str, str]:
    """check name -> its line (`ok    name: detail` or `FAIL  name: detail`)."""
    found = {}
    for line in result.stdout.splitlines():
        if line[:4] in ("ok  ", "FAIL"):
            found[line[6:].split(":", 1)[0]] = line
    return found


def _household(ledger_path: Path) -> None:
    """The least a ledger needs to answer: one held security and one monthly expense."""
    with closing(create_ledger(ledger_path)) as conn, conn:
        add_holding(conn, "7203.T", 100, cost_basis=250000)
        conn.execute("INSERT INTO expenses (category, monthly_amount) VALUES ('living', 300000)")


def test_a_healthy_setup_passes_every_check(tmp_path: Path, ledger_path: Path) -> None:
    _household(ledger_path)
    result = _doctor(tmp_path, ledger_path)
    assert result.exit_code == 0, result.output
    lines = _lines(result)
    assert set(lines) == {"fonts", "harfbuzz-subset", "chromium", "ledger", "output"}
    assert all(line.startswith("ok") for line in lines.values())
    assert f"schema version {SCHEMA_VERSION}, integrity ok" in lines["ledger"]


def test_an_empty_ledger_fails_naming_what_is_missing_and_how_to_add_it(tmp_path: Path, ledger_path: Path) -> None:
    create_ledger(ledger_path).close()  # what `lifealm init` leaves: a scheduler pointed here reports nothing real
    result = _doctor(tmp_path, ledger_path)
    assert result.exit_code == 1
    line = _lines(result)["ledger"]
    assert line.startswith("FAIL") and "no holdings and no expenses" in line and "NO DATA" in line
    assert "lifealm import holdings FILE" in result.stdout and "lifealm import expenses FILE" in result.stdout


def test_a_ledger_with_holdings_but_no_expenses_fails_naming_only_the_expenses(tmp_path: Path,
                                                                              ledger_path: Path) -> None:
    _household(ledger_path)
    with closing(sqlite3.connect(ledger_path)) as conn, conn:
        conn.execute("DELETE FROM expenses")
    line = _lines(_doctor(tmp_path, ledger_path))["ledger"]
    assert line.startswith("FAIL") and "has no expenses," in line


def test_fonts_and_harfbuzz_are_found_on_this_system() -> None:
    fonts = check_fonts()
    assert fonts.ok and "Japanese font found" in fonts.detail and "Liberation Sans found" in fonts.detail
    assert check_harfbuzz_subset().ok


def test_without_fontconfig_the_font_check_fails_with_the_fix() -> None:
    check = check_fonts(fc_list="fc-list-that-does-not-exist")
    assert not check.ok and "fonts-noto-cjk" in check.fix


def test_without_liberation_sans_the_font_check_fails_naming_the_package(tmp_path: Path) -> None:
    # An fc-list that knows only the Japanese font: what a machine without fonts-liberation answers.
    fake = tmp_path / "fc-list"
    fake.write_text('#!/bin/sh\ncase "$1" in :lang=ja) echo "Noto Sans CJK JP,Noto Sans CJK JP Regular";; '
                    'Liberation*) ;; *) echo "/usr/share/fonts/x.ttc: Noto Sans CJK JP";; esac\n')
    fake.chmod(0o755)
    check = check_fonts(fc_list=str(fake))
    assert not check.ok and "Liberation Sans" in check.detail and check.fix == "apt-get install fonts-liberation"


def test_a_missing_ledger_fails_with_the_fix_and_exit_1(tmp_path: Path, ledger_path: Path) -> None:
    result = _doctor(tmp_path, ledger_path)
    assert result.exit_code == 1
    line = _lines(result)["ledger"]
    assert line.startswith("FAIL") and "no ledger here" in line
    assert "fix: run `lifealm init`" in result.stdout
    assert "1 check(s) failed: ledger" in result.stderr


def test_a_ledger_from_a_newer_lifealm_fails(ledger_path: Path) -> None:
    create_ledger(ledger_path).close()
    with sqlite3.connect(ledger_path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    check = check_ledger(ledger_path)
    assert not check.ok and "newer" in check.detail and check.fix.startswith("upgrade lifealm")


def test_a_file_that_is_not_sqlite_fails(ledger_path: Path) -> None:
    ledger_path.write_bytes(b"holdings,shares\nABC,100\n" * 200)
    check = check_ledger(ledger_path)
    assert not check.ok and "not a lifealm ledger" in check.detail


def test_a_damaged_ledger_fails_the_integrity_check(ledger_path: Path) -> None:
    conn = create_ledger(ledger_path)
    conn.executemany("INSERT INTO expenses (category, monthly_amount) VALUES (?, ?)",
                     [(f"category {i:05d} " + "x" * 200, i) for i in range(2000)])
    conn.commit()
    conn.close()
    data = bytearray(ledger_path.read_bytes())
    page = 4096
    middle = (len(data) // page // 2) * page
    data[middle + 8: middle + page - 8] = b"\xff" * (page - 16)  # trash one page's cells, keep the header
    ledger_path.write_bytes(bytes(data))
    check = check_ledger(ledger_path)
    assert not check.ok
    assert "integrity" in check.detail or "damaged" in check.detail


def test_an_output_dir_that_cannot_exist_fails(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", "utf-8")
    check = check_output_dir(blocker / "site")
    assert not check.ok and "not a directory" in check.detail
    assert check_output_dir(tmp_path / "new" / "site").ok


def test_smtp_check_logs_in_and_reports_a_wrong_password(tmp_path: Path, ledger_path: Path) -> None:
    _household(ledger_path)
    cert, key = self_signed_certificate(tmp_path)
    with smtp_server(tls=server_tls_context(cert, key), auth=True) as server:
        env = {"LIFEALM_SMTP_HOST": server.host, "LIFEALM_SMTP_PORT": str(server.port),
               "LIFEALM_SMTP_CA_FILE": str(cert), "LIFEALM_SMTP_USER": USER, "LIFEALM_SMTP_PASSWORD": PASSWORD,
               "LIFEALM_MAIL_FROM": "lifealm@example.org", "LIFEALM_MAIL_TO": "me@example.org"}
        good = _doctor(tmp_path, ledger_path, "--smtp", env=env)
        bad = _doctor(tmp_path, ledger_path, "--smtp", env={**env, "LIFEALM_SMTP_PASSWORD": "wrong-Pw-123"})
        assert not server.inbox.messages  # the doctor never sends anything
    assert good.exit_code == 0, good.output
    assert f"{server.host}:{server.port} (starttls, logged in as {USER})" in _lines(good)["smtp"]
    assert bad.exit_code == 1
    assert _lines(bad)["smtp"].startswith("FAIL") and "rejected the login" in bad.stdout
    assert "wrong-Pw-123" not in bad.output and PASSWORD not in good.output
