"""The scheduler's one step: under the run lock, render the day's report (snapshot included) and mail it once."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from lifealm.deliver.briefing_mail import Delivery, already_sent, briefing_missing, deliver_briefing
from lifealm.deliver.mail_settings import MailSettings
from lifealm.deliver.run_lock import run_lock
from lifealm.models.margin import Status
from lifealm.settings import Settings

# The ladder --fail-on reads, least to most severe; NO DATA is not on it: always a failure, whatever --fail-on says.
STATUS_ORDER = tuple(s.value for s in Status if s is not Status.NO_DATA)
NO_DATA = Status.NO_DATA.value
FAIL_ON_LEVELS = ("caution", "danger")
EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_STATUS_ALERT = 3  # `--fail-on`: the run worked, but the status is at or above the chosen level


class ReportLike(Protocol):
    """What lifealm run needs from the pipeline's ReportOutcome."""

    @property
    def status(self) -> str: ...  # SAFE, CAUTION, DANGER or NO DATA

    @property
    def day_dir(self) -> Path: ...


class BuildReport(Protocol):
    def __call__(self, settings: Settings, *, as_of: date) -> ReportLike: ...


@dataclass(frozen=True)
class RunResult:
    """How one run ended: the briefing's status, what happened to the e-mail, and the exit code to use."""

    as_of: date
    status: str
    email: str  # "sent", "already sent", "dry run", "off"
    seconds: float
    exit_code: int


def alert_exit_code(status: str, fail_on: str | None) -> int:
    """EXIT_FAILURE for NO DATA (always), EXIT_STATUS_ALERT when `status` is at or above `fail_on`
    (caution|danger), else EXIT_OK."""
    if status == NO_DATA:
        return EXIT_FAILURE
    if fail_on is None or status not in STATUS_ORDER:
        return EXIT_OK
    return EXIT_STATUS_ALERT if STATUS_ORDER.index(status) >= STATUS_ORDER.index(fail_on.upper()) else EXIT_OK


def email_briefing(
    settings: Settings, *, as_of: date, build: BuildReport, mail: MailSettings,
    dry_run: Path | None = None, wait_seconds: float = 600.0,
) -> tuple[Delivery, bool]:
    """`lifealm email`: render the day first if its JSON or PDF is missing, then send; returns (delivery, rendered)."""
    with run_lock(settings.out, wait_seconds=wait_seconds):
        day_dir = settings.out / as_of.isoformat()
        rendered = briefing_missing(day_dir)
        if rendered:
            day_dir = build(settings, as_of=as_of).day_dir
        return deliver_briefing(day_dir, settings.out, mail, dry_run=dry_run), rendered


def run_daily(
    settings: Settings, *, as_of: date, build: BuildReport, mail: MailSettings | None,
    fail_on: str | None = None, wait_seconds: float = 600.0,
) -> RunResult:
    """`lifealm run`: snapshot + report + e-mail under the lock. A briefing already mailed for the date is not
    mailed again, so a retried or overlapping run sends one e-mail."""
    started = time.monotonic()
    with run_lock(settings.out, wait_seconds=wait_seconds):
        outcome = build(settings, as_of=as_of)
        status = outcome.status
        if mail is None:
            email = "off"
        elif already_sent(settings.out, as_of.isoformat()):
            email = "already sent"
        else:
            deliver_briefing(outcome.day_dir, settings.out, mail)
            email = "sent"
    return RunResult(as_of, status, email, time.monotonic() - started, alert_exit_code(status, fail_on))


def log_line(*, as_of: date, started_at: str, seconds: float, status: str | None, outcome: str,
             email: str | None = None) -> str:
    """One line per run for the scheduler's log: date, status, duration, outcome; never ledger contents."""
    parts = [f"lifealm run {started_at}", f"as_of={as_of.isoformat()}", f"status={status or '-'}",
             f"duration={seconds:.1f}s", f"outcome={outcome}"]
    if email is not None:
        parts.append(f"email={email.replace(' ', '-')}")
    return " ".join(parts)
