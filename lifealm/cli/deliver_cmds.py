"""Delivery commands: `lifealm email`, `lifealm run` (for the scheduler) and `lifealm doctor`."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from pathlib import Path

import click

from lifealm.cli import cli, is_expected_failure
from lifealm.cli.options import FiniteFloat, resolved_as_of, with_settings
from lifealm.deliver.briefing_mail import outbox_path
from lifealm.deliver.daily_run import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_STALE,
    EXIT_STATUS_ALERT,
    FAIL_ON_LEVELS,
    NO_DATA,
    ReportLike,
    email_briefing,
    log_line,
    run_daily,
)
from lifealm.deliver.doctor import run_checks
from lifealm.deliver.mail_settings import MailSettings, load_mail_settings
from lifealm.models.freshness import UpdateReport
from lifealm.settings import Settings


def _build_report(settings: Settings, *, as_of: date, update: UpdateReport | None = None) -> ReportLike:
    # Imported on use: the pipeline pulls in WeasyPrint and numpy, and `lifealm doctor` must still start (and
    # diagnose) when the PDF stack is broken.
    from lifealm.pipeline import build_report

    return build_report(settings, as_of=as_of, update=update)


def _update_prices(settings: Settings, *, as_of: date) -> UpdateReport:
    from lifealm.refresh import update_ledger

    return update_ledger(settings, as_of=as_of).report()


def _mail(settings: Settings, to: tuple[str, ...], *, require_server: bool = True) -> MailSettings:
    source = f"{settings.config_path} [mail]" if settings.config_path else "[mail]"
    return load_mail_settings(settings.mail, source=source, to_override=to, require_server=require_server,
                              config_path=settings.config_path)


to_option = click.option("--to", "to", multiple=True, metavar="ADDR",
                         help="Recipient (repeatable). Default: LIFEALM_MAIL_TO, else `to` in [mail].")
wait_option = click.option("--wait", "wait", type=FiniteFloat(min=0), default=600.0, show_default=True,
                           help="Seconds to wait for another run that holds the output directory's lock.")


@cli.command("email")
@to_option
@click.option("--dry-run", "dry_run", is_flag=False, flag_value="", default=None, metavar="[PATH]",
              help="Write the message as an .eml file instead of sending it "
              "(default: .lifealm/outbox/DATE.eml in --out).")
@wait_option
@with_settings(out=True, as_of=True, lang=True)
def email_command(settings: Settings, to: tuple[str, ...], dry_run: str | None, wait: float) -> None:
    """E-mail the briefing for --as-of (default today), rendering it first if its JSON or PDF is missing.

    SMTP settings come from the [mail] table of the config file or LIFEALM_SMTP_* / LIFEALM_MAIL_* (the
    environment wins). The PDF is attached; the password is never printed.
    """
    as_of = resolved_as_of(settings)
    mail = _mail(settings, to, require_server=dry_run is None)
    eml = None
    if dry_run is not None:
        eml = Path(dry_run) if dry_run else outbox_path(settings.out, as_of.isoformat())
    delivery, rendered = email_briefing(settings, as_of=as_of, build=_build_report, mail=mail, dry_run=eml,
                                        wait_seconds=wait)
    if rendered:
        click.echo(f"Rendered the briefing for {as_of.isoformat()} first (it was missing).")
    if delivery.eml_path is not None:
        click.echo(f"Dry run: wrote the message to {delivery.eml_path} (nothing was sent).")
        click.echo(f"Subject: {delivery.subject}")
    else:
        click.echo(f"Sent “{delivery.subject}” to {', '.join(delivery.recipients)} via {mail.endpoint}.")


@cli.command("run")
@click.option("--fail-on", "fail_on", type=click.Choice(FAIL_ON_LEVELS), multiple=True,
              help=f"Exit {EXIT_STATUS_ALERT} when the status is at or above caution|danger; exit {EXIT_STALE} "
              "for `stale` when the briefing's prices are stale (the update failed, or a price is old). Repeatable.")
@click.option("--update/--no-update", "update", default=None,
              help="Update prices first (default: `before_run` in the config's [update] table).")
@click.option("--no-email", "no_email", is_flag=True, help="Render and snapshot only; send nothing.")
@to_option
@wait_option
@with_settings(out=True, as_of=True, lang=True)
def run_command(settings: Settings, fail_on: tuple[str, ...], update: bool | None, no_email: bool,
                to: tuple[str, ...], wait: float) -> None:
    """Update, snapshot, report and e-mail in one step, for a scheduler.

    With `[update] before_run = true` (or --update) the prices are brought up to date first; when that fails the
    briefing is still written and e-mailed, and says first that its prices are stale. Overlapping runs take turns
    on a lock in the output directory; a briefing already e-mailed for the date is not sent again. One log line
    per run goes to stderr. Exit 0 ok, 1 failure or NO DATA (the ledger cannot answer; the e-mail still goes out
    and says what is missing), 3 with --fail-on caution|danger when the status is at or above that level, 4 with
    --fail-on stale when the prices are stale (3 wins when both apply).
    """
    as_of = resolved_as_of(settings)
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.monotonic()
    try:
        mail = None if no_email else _mail(settings, to)
        before = settings.update.before_run if update is None else update
        result = run_daily(settings, as_of=as_of, build=_build_report, mail=mail, fail_on=fail_on,
                           wait_seconds=wait, update=_update_prices if before else None)
    except BaseException as exc:
        if not isinstance(exc, KeyboardInterrupt | SystemExit | click.exceptions.Exit):
            click.echo(log_line(as_of=as_of, started_at=started_at, seconds=time.monotonic() - started,
                                status=None, outcome="failed" if is_expected_failure(exc) else "error"), err=True)
        raise
    outcome = "ok" if result.exit_code == EXIT_OK else "no-data" if result.status == NO_DATA \
        else f"alert(fail-on={','.join(fail_on)})"
    click.echo(log_line(as_of=as_of, started_at=started_at, seconds=result.seconds, status=result.status,
                        outcome=outcome, email=result.email, update=result.update), err=True)
    if result.exit_code != EXIT_OK:
        click.get_current_context().exit(result.exit_code)


@cli.command("doctor")
@click.option("--smtp", "smtp", is_flag=True, help="Also connect to the SMTP server and log in.")
@to_option
@with_settings(out=True)
def doctor_command(settings: Settings, smtp: bool, to: tuple[str, ...]) -> None:
    """Check fonts, harfbuzz-subset, the ledger, the output directory and (with --smtp) the mail server."""
    checks = run_checks(db=settings.db, out=settings.out,
                        smtp=(lambda: _mail(settings, to)) if smtp else None)
    for check in checks:
        click.echo(f"{'ok  ' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
        if not check.ok and check.fix:
            click.echo(f"      fix: {check.fix}")
    failed = [check.name for check in checks if not check.ok]
    if failed:
        click.echo(f"{len(failed)} check(s) failed: {', '.join(failed)}", err=True)
        click.get_current_context().exit(EXIT_FAILURE)
    click.echo("All checks passed.")
