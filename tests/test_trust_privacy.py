"""Privacy: the report runs with no network at all, everything lifealm writes is owner-only, logs hold no ledger data.

The report and the e-mail dry run are real `python -m lifealm` processes (trust_support.trust_site()) with a
sitecustomize that refuses and records every socket call, inside a network namespace with no interface when the
system allows one, and with umask 022 so that owner-only files can only come from lifealm itself.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from trust_support import (
    DAY,
    MARKER_NAME,
    MARKER_TICKER,
    MARKERS,
    SITECUSTOMIZE,
    Command,
    TrustSite,
    run_blocked,
    trust_site,
)

from lifealm.cli import _register, cli


@pytest.fixture(scope="module")
def built() -> TrustSite:
    return trust_site()


def test_the_socket_blocker_really_blocks(tmp_path: Path) -> None:
    """The fixture itself: a connection attempt under it fails and is recorded (else the tests below prove nothing)."""
    (tmp_path / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    log = tmp_path / "sockets.log"
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(tmp_path), "TRUST_SOCKET_LOG": str(log),
           "TRUST_SOCKET_LOADED": str(tmp_path / "loaded")}
    code = "import socket\ntry:\n    socket.create_connection(('127.0.0.1', 9), timeout=1)\nexcept OSError:\n" \
           "    print('refused')\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert done.stdout.strip() == "refused"
    assert "create_connection" in log.read_text("utf-8")


@pytest.mark.parametrize("which", ["report", "email"])
def test_runs_with_every_socket_blocked(built: TrustSite, which: str) -> None:
    command: Command = getattr(built, which)
    assert command.blocker_loaded
    assert command.returncode == 0, command.stderr
    assert command.socket_attempts == ""
    for name in ("index.html", "briefing.pdf", "briefing.json"):
        assert (built.day / name).stat().st_size > 0
    assert built.eml.stat().st_size > 0


def _tree(root: Path) -> Iterator[Path]:
    yield root
    yield from sorted(root.rglob("*"))


def test_everything_written_is_owner_only_under_umask_022(built: TrustSite) -> None:
    loose = []
    for path in [*_tree(built.site), built.eml, built.db]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode & 0o077:
            loose.append(f"{path.relative_to(built.root)} {oct(mode)}")
    assert loose == []


def test_no_build_leftovers_beside_the_site(built: TrustSite) -> None:
    # Staging and replaced day directories are hidden copies of the briefing: none may be left behind.
    names = {p.name for p in built.site.iterdir()}
    assert names <= {"index.html", "archive.html", "assets", DAY, ".lifealm"}, names


def test_export_file_is_owner_only(built: TrustSite, tmp_path: Path) -> None:
    _register()
    old = os.umask(0o022)
    try:
        result = CliRunner().invoke(cli, ["export", "holdings", "--db", str(built.db), "-o", str(tmp_path / "h.csv")])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert MARKER_NAME in (tmp_path / "h.csv").read_text("utf-8")  # the file does hold ledger contents
    assert stat.S_IMODE((tmp_path / "h.csv").stat().st_mode) == 0o600


def _leaks(*outputs: str) -> list[str]:
    return [marker for marker in MARKERS for text in outputs if marker in text]


@pytest.mark.parametrize("which", ["report", "email"])
def test_command_output_carries_no_ledger_contents(built: TrustSite, which: str) -> None:
    command: Command = getattr(built, which)
    assert _leaks(command.stdout, command.stderr) == []
    # The markers are in the outputs, so their absence from the logs is meaningful.
    assert MARKER_TICKER in (built.day / "briefing.json").read_text("utf-8")


def test_import_and_doctor_output_carry_no_ledger_contents(built: TrustSite, tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    db.write_bytes(built.db.read_bytes())
    _register()
    imported = CliRunner().invoke(cli, ["import", "holdings", str(built.root / "holdings.csv"), "--db", str(db)])
    assert imported.exit_code == 0, imported.output
    doctor = CliRunner().invoke(cli, ["doctor", "--db", str(db), "--out", str(tmp_path / "site")])
    assert "ledger" in doctor.output
    assert _leaks(imported.output, doctor.output) == []


@pytest.mark.slow  # a second full report (about 5 s); the report's and the e-mail's own output are checked above
def test_run_log_carries_no_ledger_contents(tmp_path: Path) -> None:
    """`lifealm run` on a small ledger full of markers: its log line (stderr) and stdout name none of them."""
    from trust_support import MARKER_CASH, MARKER_CASH_NAME, MARKER_SHARES

    db = tmp_path / "ledger.db"
    _register()
    assert CliRunner().invoke(cli, ["init", "--db", str(db)]).exit_code == 0
    files = {
        "holdings": f"ticker,name,shares,cost_basis\n{MARKER_TICKER},{MARKER_NAME},{MARKER_SHARES},1000\n",
        "prices": f"ticker,price_date,close_price\n{MARKER_TICKER},{DAY},1.5\n",
        "cash": f"name,balance\n{MARKER_CASH_NAME},{MARKER_CASH}\n",
        "loans": "name,balance,rate,collateral_type,freeze_pct,margin_call_pct,forced_liq_pct\n"
                 "Margin 4471,100000,0.02,portfolio,0.6,0.7,0.85\n",
    }
    for kind, text in files.items():
        (tmp_path / f"{kind}.csv").write_text(text, encoding="utf-8")
        result = CliRunner().invoke(cli, ["import", kind, str(tmp_path / f"{kind}.csv"), "--db", str(db)])
        assert result.exit_code == 0, result.output
    run = run_blocked(["run", "--no-email", "--db", str(db), "--out", str(tmp_path / "site"), "--as-of", DAY],
                      tmp_path)
    assert run.returncode == 0, run.stderr
    assert "lifealm run" in run.stderr and f"as_of={DAY}" in run.stderr  # the log line is there
    assert _leaks(run.stdout, run.stderr) == []
    assert MARKER_NAME in (tmp_path / "site" / DAY / "briefing.json").read_text("utf-8")
    assert run.socket_attempts == ""
