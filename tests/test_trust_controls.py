"""Control characters in ledger text (terminal escape sequences): refused at import, never echoed raw to a terminal."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from demo_ledgers import demo_copy
from ledger_rows import add_holding

from lifealm.cli import _register, cli

AS_OF = date(2026, 11, 25)
# Set the terminal title, then clear the screen: harmless as data, hostile when printed to a terminal.
ESCAPES = "\x1b]0;owned\x07\x1b[2J"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_copy(tmp_path_factory.mktemp("controls") / "demo.db", as_of=AS_OF)


def _invoke(*args: str) -> tuple[int, str]:
    _register()
    # color=True: click keeps the output as it would reach a terminal (it strips styles only for pipes).
    result = CliRunner().invoke(cli, list(args), color=True)
    return result.exit_code, result.output


def test_import_refuses_control_characters_in_text(demo: Path, tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    db.write_bytes(demo.read_bytes())
    before = db.read_bytes()
    csv_file = tmp_path / "holdings.csv"
    csv_file.write_text(f"ticker,name,shares\nCTRL.T,Name{ESCAPES},10\n", encoding="utf-8")
    code, output = _invoke("import", "holdings", str(csv_file), "--db", str(db))
    assert code == 1
    assert f"{csv_file}:2: name:" in output  # FILE:LINE: column: problem, like every other bad cell
    assert "\x1b" not in output and "\x07" not in output
    assert db.read_bytes() == before


def test_check_never_prints_raw_control_characters(demo: Path, tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    db.write_bytes(demo.read_bytes())
    with sqlite3.connect(db) as conn:  # a ledger edited with another tool: no price, so check names the ticker
        add_holding(conn, f"CTRL{ESCAPES}", 1, name="x")
    code, output = _invoke("check", "--db", str(db), "--as-of", AS_OF.isoformat())
    assert code == 0
    assert "CTRL" in output  # the finding is there ...
    assert "\x1b" not in output and "\x07" not in output  # ... without the raw escape sequence


@pytest.mark.parametrize("variable", ["LIFEALM_MAIL_TO", "LIFEALM_MAIL_FROM"])
def test_a_line_break_in_a_mail_address_cannot_add_a_header(demo: Path, tmp_path: Path, variable: str) -> None:
    config = tmp_path / "empty.toml"  # so no config file of the machine's user is read
    config.write_text("", encoding="utf-8")
    env = {"LIFEALM_MAIL_FROM": "lifealm@example.invalid", "LIFEALM_MAIL_TO": "household@example.invalid",
           "LIFEALM_CONFIG": str(config)}
    env[variable] = env[variable] + "\r\nBcc: someone@example.invalid"
    eml = tmp_path / "message.eml"
    _register()
    result = CliRunner().invoke(cli, ["email", "--db", str(demo), "--out", str(tmp_path / "site"),
                                      "--as-of", AS_OF.isoformat(), f"--dry-run={eml}"], env=env)
    assert result.exit_code == 1, result.output
    assert variable in result.output and "fix:" in result.output
    assert not eml.exists() and not (tmp_path / "site").exists()  # refused before anything was rendered
