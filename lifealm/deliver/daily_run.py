"""The scheduler's one step: under the run lock, update the prices (when the config asks), render the day's report
(snapshot included) and mail it once."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from lifealm.deliver.briefing_mail import Delivery, already_sent, briefing_missing, deliver_briefing
from lifealm.deliver.mail_settings import MailSettings
from lifealm.deliver.run_lock import run_lock
from lifealm.errors import LifealmError
from lifealm.models.freshness import UpdateReport
from lifealm.models.margin import Status
from lifealm.settings import Settings

# The ladder --fail-on reads, least to most severe; NO DATA is not on it: always a failure, whatever --fail-on says.
STATUS_ORDER = tuple(s.value for s in Status if s is not Status.NO_DATA)
NO_DATA = Status.NO_DATA.value
FAIL_ON_LEVELS = ("caution", "danger", "stale")
EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_STATUS_ALERT = 3  # `--fail-on caution|danger`: the run worked, but the status is at or above the chosen level
EXIT_STALE = 4  # `--fail-on stale`: the run worked, but the prices are stale (the update failed, or a price is old)


class ReportLike(Protocol):
    """What lifealm run needs from the pipeline's ReportOutcome."""

    @property
    def status(self) -> str: ...  # SAFE, CAUTION, DANGER or NO DATA

    @property
    def day_dir(self) -> Path: ...

    @property
    def stale(self) -> bool: ...  # the briefing says its prices are stale


class BuildReport(Protocol):
    def __call__(self, settings: Settings, *, as_of: date, update: UpdateReport | None = None) -> ReportLike: ...


class UpdateStep(Protocol):
    """`lifealm update` for the morning run: what it did, as the briefing shows it."""

    def __call__(self, settings: Settings, *, as_of: date) -> UpdateReport: ...


@dataclass(frozen=True)
class RunResult:
    """How one run ended: the briefing's status, what happened to the e-mail, and the exit code to use."""

    as_of: date
    status: str
    email: str  # "sent", "already sent", "dry run", "off"
    seconds: float
    exit_code: int
    update: UpdateReport | None = None  # None: no update ran before the report
    stale: bool = False  # the briefing says its prices are stale


def alert_exit_code(status: str, fail_on: str | Iterable[str] | None, *, stale: bool = False) -> int:
    """EXIT_FAILURE for NO DATA (always); EXIT_STATUS_ALERT when `status` is at or above a `fail_on` level
    (caution|danger); else EXIT_STALE when `fail_on` holds "stale" and the prices are; else EXIT_OK. The status
    alert wins over staleness: it is the more urgent."""
    if status == NO_DATA:
        return EXIT_FAILURE
    levels = {fail_on} if isinstance(fail_on, str) else set(fail_on or ())
    for level in sorted(levels - {"stale"}, key=lambda name: STATUS_ORDER.index(name.upper())):
        if status in STATUS_ORDER and STATUS_ORDER.index(status) >= STATUS_ORDER.index(level.upper()):
            return EXIT_STATUS_ALERT
    return EXIT_STALE if stale and "stale" in levels else EXIT_OK


def update_before_report(settings: Settings, as_of: date, update: UpdateStep) -> UpdateReport:
    """Run the update step; a failure of the whole step (the ledger busy, a source setting) becomes the report's
    problem instead of stopping the run: the briefing is still written, and says so first."""
    try:
        return update(settings, as_of=as_of)
    except LifealmError as exc:
        return UpdateReport(problem=exc.message)


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
        return deliver_briefing(day_dir, settings.out, mail, dry_run=dry_run, lang=settings.lang), rendered


def run_daily(
    settings: Settings, *, as_of: date, build: BuildReport, mail: MailSettings | None,
    fail_on: str | Iterable[str] | None = None, wait_seconds: float = 600.0, update: UpdateStep | None = None,
) -> RunResult:
    """`lifealm run`: (update +) snapshot + report + e-mail under the lock. A briefing already mailed for the date
    is not mailed again, so a retried or overlapping run sends one e-mail. With `update`, the prices are brought
    up to date first; when that fails the briefing is written all the same and says so first."""
    started = time.monotonic()
    with run_lock(settings.out, wait_seconds=wait_seconds):
        report = update_before_report(settings, as_of, update) if update is not None else None
        outcome = build(settings, as_of=as_of, update=report)
        status = outcome.status
        if mail is None:
            email = "off"
        elif already_sent(settings.out, as_of.isoformat()):
            email = "already sent"
        else:
            deliver_briefing(outcome.day_dir, settings.out, mail, lang=settings.lang)
            email = "sent"
    return RunResult(as_of, status, email, time.monotonic() - started,
                     alert_exit_code(status, fail_on, stale=outcome.stale), report, outcome.stale)


def log_line(*, as_of: date, started_at: str, seconds: float, status: str | None, outcome: str,
             email: str | None = None, update: UpdateReport | None = None) -> str:
    """One line per run for the scheduler's log: date, status, duration, outcome; never ledger contents (the
    update is a count of what failed, never a ticker)."""
    parts = [f"lifealm run {started_at}", f"as_of={as_of.isoformat()}", f"status={status or '-'}",
             f"duration={seconds:.1f}s", f"outcome={outcome}"]
    if update is not None:
        parts.append("update=ok" if update.ok else f"update=failed({len(update.failed) or 'all'})")
    if email is not None:
        parts.append(f"email={email.replace(' ', '-')}")
    return " ".join(parts)
