"""Messages that say what to do: check findings carry their fix, SMTP hints name where a setting came from,
`lifealm assumptions` lists every parameter with its source, and `import --help` points to it."""

from __future__ import annotations

import json
import re
import socket
from contextlib import closing
from dataclasses import fields
from pathlib import Path

from briefing_contract import stand_in
from click.testing import CliRunner
from ledger_rows import add_holding

from lifealm.assumption_catalog import MEANINGS
from lifealm.cli import _register, cli
from lifealm.ledger.db import create_ledger
from lifealm.models.assumptions import Assumptions
from lifealm.render.context import FINDING_TEXT
from lifealm.render.fixes import FINDING_FIX

_register()
PACKAGE = Path(__file__).resolve().parents[1] / "lifealm"


def _invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.output


def test_every_finding_code_in_the_source_has_a_text_and_a_fix() -> None:
    codes = {code for path in PACKAGE.rglob("*.py")
             for code in re.findall(r'Finding\(\s*"([a-z_]+)"', path.read_text("utf-8"))}
    assert len(codes) >= 10  # the scan found the models' findings
    assert codes <= set(FINDING_FIX), codes - set(FINDING_FIX)
    assert codes <= set(FINDING_TEXT), codes - set(FINDING_TEXT)


def test_every_text_and_fix_belongs_to_a_finding_the_source_can_produce() -> None:
    """A finding's words outlive their finding only by mistake: each code the pages word is still a code the
    source writes (as a literal anywhere outside the tables of words themselves)."""
    tables = {PACKAGE / "render" / "fixes.py", PACKAGE / "render" / "context.py"}
    literals = {word for path in PACKAGE.rglob("*.py") if path not in tables
                for word in re.findall(r'"([a-z_]+)"', path.read_text("utf-8"))}
    assert set(FINDING_FIX) - literals == set()
    assert set(FINDING_TEXT) - literals == set()


def test_check_prints_the_fix_under_every_finding(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    with closing(create_ledger(db)) as conn, conn:
        add_holding(conn, "OLD", 10, cost_basis=1000)
        add_holding(conn, "NEW", 5, cost_basis=500)
        conn.execute("INSERT INTO prices VALUES ('OLD', '2026-11-01', 100)")  # 24 days old on 2026-11-25
    code, output = _invoke("check", "--db", str(db), "--as-of", "2026-11-25", "--config", str(_empty(tmp_path)))
    assert code == 0, output
    lines = output.splitlines()
    findings = [i for i, line in enumerate(lines) if re.match(r"^(error|warning|info): ", line)]
    assert {lines[i].split(": ")[1] for i in findings} >= {"missing_price", "stale_price", "no_expenses"}
    for i in findings:
        assert lines[i + 1].startswith("  fix: "), lines[i:i + 2]
    assert "  fix: add the monthly expenses with `lifealm import expenses FILE`" in output


def _empty(tmp_path: Path) -> Path:
    config = tmp_path / "empty.toml"
    config.write_text("", "utf-8")
    return config


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_smtp_error_names_the_config_line_and_the_variable_behind_it(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('# lifealm\n\n[mail]\nhost = "127.0.0.1"\nsecurity = "none"\nfrom = "me@example.org"\n'
                      'to = "me@example.org"\n', "utf-8")
    out = tmp_path / "site"
    day = out / "2026-11-25"
    day.mkdir(parents=True)
    stand_in(day / "briefing.json").write_text(json.dumps({
        "as_of": "2026-11-25", "status": "SAFE", "base_currency": "JPY", "margin": {"balance": 0.0},
        "stress": {"forced_liquidation_drawdown": None, "max_survivable_drawdown": 1.0}, "findings": []}), "utf-8")
    (day / "briefing.pdf").write_bytes(b"%PDF-1.7\n%%EOF\n")
    port = _closed_port()
    code, output = _invoke("email", "--config", str(config), "--out", str(out), "--db", str(tmp_path / "l.db"),
                           "--as-of", "2026-11-25", env={"LIFEALM_SMTP_PORT": str(port)})
    assert code == 1
    assert f"cannot connect to SMTP server 127.0.0.1:{port}: connection refused" in output
    assert f"host from {config}:4 (host), port from LIFEALM_SMTP_PORT" in output


def test_assumptions_lists_every_parameter_with_value_and_source(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    with closing(create_ledger(db)) as conn, conn:
        conn.execute("INSERT INTO assumptions VALUES ('market_return', '0.05'), ('inflation', '0.01')")
    config = tmp_path / "config.toml"
    config.write_text("[mail]\n\n[assumptions]\n# the household's own view\ninflation = 0.03\n", "utf-8")
    code, output = _invoke("assumptions", "--db", str(db), "--config", str(config), "--json")
    assert code == 0, output
    rows = {row["name"]: row for row in json.loads(output)}
    assert set(rows) == {f.name for f in fields(Assumptions)} == set(MEANINGS)
    assert (rows["market_return"]["value"], rows["market_return"]["source"]) == (0.05, "ledger")
    assert rows["inflation"]["value"] == 0.03 and rows["inflation"]["source"] == f"config {config}:5"
    assert (rows["caution_ratio"]["value"], rows["caution_ratio"]["source"]) == (0.5, "default")
    assert rows["caution_ratio"]["allowed"] == "number 0 … 1" and rows["mc_paths"]["allowed"].startswith("whole")
    assert all(row["meaning"] for row in rows.values())
    code, text = _invoke("assumptions", "--db", str(db), "--config", str(config))
    assert code == 0 and f"inflation = 0.03   (config {config}:5; default 0.02; number -0.5 … 1)" in text


def test_import_help_points_to_the_assumptions_command() -> None:
    code, output = _invoke("import", "--help")
    assert code == 0 and "`lifealm assumptions` lists every name" in " ".join(output.split())
