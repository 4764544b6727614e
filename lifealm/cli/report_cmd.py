"""`lifealm report`: write the day's briefing (HTML, PDF, JSON, chart specs) and refresh the archive."""

from __future__ import annotations

import click

from lifealm.cli import cli
from lifealm.cli.options import resolved_as_of, with_settings
from lifealm.deliver.run_lock import run_lock
from lifealm.ledger.db import open_ledger
from lifealm.settings import Settings


@cli.command("report")
@with_settings(out=True, as_of=True, lang=True)
@click.option("--shared-output", is_flag=True, default=None,
              help="Write files readable as the umask allows (e.g. for a web server) instead of owner-only. "
              "Also: LIFEALM_SHARED_OUTPUT=1.")
@click.option("--no-montecarlo", is_flag=True, help="Skip the Monte Carlo simulation (its section says so).")
def report_command(settings: Settings, shared_output: bool | None, no_montecarlo: bool) -> None:
    """Write the briefing for --as-of (default today) into --out (default ./site)."""
    from lifealm.render.print_worker import Printer

    open_ledger(settings.db).close()  # a missing or broken ledger fails before the output directory is made
    Printer.start_early()  # the print processes warm up while the pipeline's libraries load
    from lifealm.pipeline import build_report  # imported here so `lifealm --help` stays fast

    with run_lock(settings.out):  # the same lock as `run`: two writers never publish into one site at once
        outcome = build_report(settings, as_of=resolved_as_of(settings), shared_output=shared_output or None,
                               montecarlo=not no_montecarlo)
    click.echo(f"{outcome.status} · briefing for {outcome.as_of.isoformat()} written to {outcome.day_dir}")
    click.echo(f"open: {outcome.page_path.resolve().as_uri()}")
    if not outcome.index_updated:
        click.echo(f"(index.html shows a later briefing; this one is {outcome.as_of.isoformat()}'s own page)")
