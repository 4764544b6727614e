"""The scheduling recipes under contrib/ and the daily-report workflow call `lifealm run` with options it accepts."""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import click
import pytest

import lifealm.cli.deliver_cmds  # noqa: F401 - registers the commands on the group
from lifealm.cli import cli

ROOT = Path(__file__).resolve().parent.parent
CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))


def _parses_as_lifealm(words: list[str]) -> None:
    """The words after the lifealm executable are a valid command line (click raises on unknown options)."""
    assert words[0] == "run", words
    command = cli.commands["run"]
    with command.make_context("run", words[1:], resilient_parsing=False) as ctx:
        assert set(ctx.params["fail_on"]) <= {"caution", "danger", "stale"} and ctx.params["fail_on"]


def _lifealm_words(line: str) -> list[str]:
    words = shlex.split(line, comments=False)
    start = next(i for i, word in enumerate(words) if word.endswith("/lifealm") or word == "lifealm")
    end = next((i for i, word in enumerate(words) if i > start and (word.startswith("2>") or word in ("||", ";"))),
               len(words))
    return words[start + 1: end]


def _cron_field_ok(field: str, low: int, high: int) -> bool:
    for part in field.split(","):
        base, _, step = part.partition("/")
        if step and not step.isdigit():
            return False
        if base == "*":
            continue
        bounds = base.split("-")
        if not all(b.isdigit() and low <= int(b) <= high for b in bounds):
            return False
    return True


def test_crontab_line_is_valid_and_its_command_parses() -> None:
    lines = [line for line in (ROOT / "contrib/lifealm.crontab").read_text("utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert len(lines) == 1
    fields = lines[0].split()[:5]
    assert all(_cron_field_ok(f, lo, hi) for f, (lo, hi) in zip(fields, CRON_RANGES, strict=True))
    assert "%" not in lines[0]  # cron turns a bare % into a newline
    _parses_as_lifealm(_lifealm_words(lines[0]))


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((ROOT / "contrib/systemd" / name).read_text("utf-8"))
    return parser


def test_systemd_service_and_timer() -> None:
    service, timer = _unit("lifealm.service"), _unit("lifealm.timer")
    assert service["Service"]["Type"] == "oneshot"
    _parses_as_lifealm(_lifealm_words(service["Service"]["ExecStart"]))
    assert timer["Install"]["WantedBy"] == "timers.target"
    assert timer["Timer"]["Persistent"] == "true"
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed: the calendar expression was not checked")
    done = subprocess.run(["systemd-analyze", "calendar", timer["Timer"]["OnCalendar"]], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "06:30:00" in done.stdout


def test_daily_report_workflow_is_scheduled_private_and_keeps_the_site() -> None:
    text = (ROOT / ".github/workflows/daily-report.yml").read_text("utf-8")
    assert re.search(r"^on:\n  schedule:\n    - cron: \"([^\"]+)\"", text, re.MULTILINE)
    cron = re.search(r"- cron: \"([^\"]+)\"", text)
    assert cron is not None
    assert all(_cron_field_ok(f, lo, hi) for f, (lo, hi) in zip(cron.group(1).split(), CRON_RANGES, strict=True))
    assert "actions/upload-artifact@" in text and "path: |\n            site/" in text
    assert "--jq .private" in text  # refuses to run in a public repository
    assert "ledger.db.gpg" in text and "never committed in the clear" in text
    run_line = next(line for line in text.splitlines() if "bin/lifealm run" in line)
    words = _lifealm_words(run_line.replace('"${mail[@]}"', ""))
    _parses_as_lifealm(words)


def test_an_unknown_option_would_be_caught() -> None:
    # Guards the helper above: a recipe with a typo must fail this suite, not pass silently.
    with pytest.raises(click.UsageError):
        _parses_as_lifealm(["run", "--fail-on", "danger", "--no-emial"])
