"""`lifealm run`: overlapping runs under the lock, one e-mail per date, the log line and the --fail-on exit code."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from deliver_support import smtp_server
from demo_ledgers import demo_copy

import lifealm.cli.deliver_cmds  # noqa: F401 - registers the commands on the group
from lifealm.cli import cli
from lifealm.deliver.briefing_mail import sent_record_path
from lifealm.deliver.daily_run import EXIT_STATUS_ALERT, STATUS_ORDER, alert_exit_code
from lifealm.deliver.run_lock import lock_path, run_lock

AS_OF = "2026-11-25"
LIFEALM = [sys.executable, "-m", "lifealm"]


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIFEALM_")}
    env.update(extra)
    return env


@pytest.fixture
def demo(tmp_path: Path) -> tuple[Path, Path]:
    """A demo ledger and a config file that keeps the Monte Carlo small (the run's speed is not tested here)."""
    ledger = tmp_path / "ledger.db"
    config = tmp_path / "config.toml"
    config.write_text(f'ledger = "{ledger}"\n\n[assumptions]\nmc_paths = 200\n', "utf-8")
    demo_copy(ledger, as_of=date.fromisoformat(AS_OF))  # what `lifealm demo --as-of AS_OF` writes
    return ledger, config


def test_two_runs_at_once_leave_a_complete_site_one_snapshot_and_one_email(
    tmp_path: Path, demo: tuple[Path, Path]
) -> None:
    ledger, config = demo
    out = tmp_path / "site"
    with sqlite3.connect(ledger) as conn:
        conn.execute("DELETE FROM snapshots WHERE snapshot_date = ?", (AS_OF,))
    with smtp_server() as server:
        env = _clean_env(LIFEALM_SMTP_HOST=server.host, LIFEALM_SMTP_PORT=str(server.port),
                         LIFEALM_SMTP_SECURITY="none", LIFEALM_MAIL_FROM="lifealm@example.org",
                         LIFEALM_MAIL_TO="me@example.org")
        command = [*LIFEALM, "run", "--config", str(config), "--out", str(out), "--as-of", AS_OF]
        runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(2)]
        results = [(run.wait(timeout=120), *run.communicate()) for run in runs]
        messages = list(server.inbox.messages)
    for code, _, stderr in results:
        assert code == 0, stderr
    logs = [stderr.strip().splitlines() for _, _, stderr in results]
    assert all(len(lines) == 1 for lines in logs), logs  # exactly one log line per run
    emails = sorted(line[0].rsplit("email=", 1)[1] for line in logs)
    assert emails == ["already-sent", "sent"]
    assert len(messages) == 1
    assert sent_record_path(out, AS_OF).is_file()

    with sqlite3.connect(ledger) as conn:
        rows = conn.execute("SELECT status FROM snapshots WHERE snapshot_date = ?", (AS_OF,)).fetchall()
    briefing = json.loads((out / AS_OF / "briefing.json").read_text("utf-8"))
    assert rows == [(briefing["status"],)]
    assert (out / AS_OF / "briefing.pdf").read_bytes().startswith(b"%PDF")
    assert (out / AS_OF / "index.html").stat().st_size > 0 and (out / "index.html").is_file()
    leftovers = [p.name for p in out.iterdir() if p.name.startswith((".build-", ".old-"))]
    assert leftovers == []
    for _, _, stderr in results:  # the log carries no ledger contents
        assert briefing["holdings"][0]["ticker"] not in stderr and briefing["holdings"][0]["name"] not in stderr


def test_a_held_lock_makes_the_run_wait_then_fail_clearly(tmp_path: Path) -> None:
    out = tmp_path / "site"
    with run_lock(out):
        started = time.monotonic()
        result = CliRunner().invoke(cli, ["run", "--no-email", "--db", str(tmp_path / "none.db"), "--out", str(out),
                                          "--as-of", AS_OF, "--wait", "0.5", "--config", str(_empty(tmp_path))],
                                    env={"LIFEALM_CONFIG": ""})
        waited = time.monotonic() - started
    assert result.exit_code == 1
    assert waited >= 0.5
    assert f"pid {os.getpid()}" in result.output and "still holds the lock" in result.output
    assert str(lock_path(out)) in result.output
    assert "outcome=failed" in result.stderr and f"as_of={AS_OF}" in result.stderr
    assert not (out / AS_OF).exists()


def test_the_lock_is_released_when_its_holder_dies(tmp_path: Path) -> None:
    out = tmp_path / "site"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from lifealm.deliver.run_lock import "
         "run_lock\nwith run_lock(Path(sys.argv[1])):\n    print('locked', flush=True); time.sleep(60)", str(out)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(Exception, match="still holds the lock"), run_lock(out, wait_seconds=0.2):
            pass
    finally:
        holder.kill()
        holder.wait()
    with run_lock(out, wait_seconds=2.0) as path:  # a killed run never leaves a stale lock
        assert path.read_text().strip() == str(os.getpid())


def _empty(folder: Path) -> Path:
    config = folder / "empty.toml"
    config.write_text("", "utf-8")
    return config


def test_a_failed_run_logs_one_line_and_exits_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["run", "--no-email", "--db", str(tmp_path / "missing.db"), "--out",
                                      str(tmp_path / "site"), "--as-of", AS_OF, "--config", str(_empty(tmp_path))])
    assert result.exit_code == 1
    assert "no ledger here" in result.output
    log = [line for line in result.stderr.splitlines() if line.startswith("lifealm run ")]
    assert len(log) == 1 and "outcome=failed" in log[0] and "status=-" in log[0]


def test_run_without_mail_settings_fails_before_touching_the_site(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["run", "--db", str(tmp_path / "x.db"), "--out", str(tmp_path / "site"),
                                      "--as-of", AS_OF, "--config", str(_empty(tmp_path))],
                                env={"LIFEALM_SMTP_HOST": "", "LIFEALM_MAIL_FROM": "", "LIFEALM_MAIL_TO": ""})
    assert result.exit_code == 1
    assert "no SMTP host" in result.output
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("status", STATUS_ORDER)
@pytest.mark.parametrize("fail_on", [None, "caution", "danger"])
def test_alert_exit_code_is_3_exactly_at_or_above_the_level(status: str, fail_on: str | None) -> None:
    expected_alert = fail_on is not None and STATUS_ORDER.index(status) >= STATUS_ORDER.index(fail_on.upper())
    assert alert_exit_code(status, fail_on) == (EXIT_STATUS_ALERT if expected_alert else 0)


@pytest.mark.slow
def test_fail_on_reflects_a_danger_status_in_the_exit_code(tmp_path: Path, demo: tuple[Path, Path]) -> None:
    ledger, config = demo
    with sqlite3.connect(ledger) as conn:
        # Borrow until the margin ratio passes the loan's own freeze threshold: the status becomes DANGER.
        conn.execute("UPDATE loans SET balance = balance * 2 WHERE kind = 'margin'")
    base = [*LIFEALM, "run", "--no-email", "--config", str(config), "--out", str(tmp_path / "site"),
            "--as-of", AS_OF]
    codes = {}
    for flag in ([], ["--fail-on", "danger"], ["--fail-on", "caution"]):
        done = subprocess.run([*base, *flag], capture_output=True, text=True, env=_clean_env())
        codes[tuple(flag)] = done.returncode
        assert "status=DANGER" in done.stderr, done.stderr
    assert codes == {(): 0, ("--fail-on", "danger"): 3, ("--fail-on", "caution"): 3}
