"""`lifealm update`: bring prices, dividends and FX rates up to date from the sources, then print a summary table."""

from __future__ import annotations

import sys
import time
from datetime import date
from typing import Any

import click

from lifealm.cli import cli
from lifealm.cli.options import ISO_DATE, resolved_as_of, with_settings
from lifealm.refresh import LedgerUpdate, Narrowing, UpdateLine, update_ledger
from lifealm.settings import Settings
from lifealm.update import History

BAR_AFTER = 2.0  # seconds: a quick run draws no progress bar


class DelayedBar:
    """A progress bar on stderr that appears only on a terminal and only once the run has taken BAR_AFTER seconds."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.bar: Any = None

    def __call__(self, done: int, total: int, label: str) -> None:
        if self.bar is None:
            if not sys.stderr.isatty() or time.monotonic() - self.started < BAR_AFTER:
                return
            self.bar = click.progressbar(length=total, label="Updating", file=sys.stderr, show_pos=True,
                                         item_show_func=lambda item: item)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos, current_item=label)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _cell(line: UpdateLine) -> tuple[str, ...]:
    name = f"{line.subject} (FX)" if line.kind == "fx" else line.subject
    last = line.last_date.isoformat() if line.last_date else "-"
    return name, line.source or "-", str(line.new_rows), last, line.problem or ""


def summary_table(update: LedgerUpdate) -> str:
    """The summary: one line per security and currency (security, source, new rows, last date, problem)."""
    rows = [("security", "source", "new rows", "last date", "problem"), *(_cell(line) for line in update.lines)]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True))
                     + (f"  {row[4]}" if row[4] else "") for row in rows).rstrip()


def _tally(update: LedgerUpdate) -> str:
    count = sum(1 for line in update.lines if line.kind == "security")
    new = sum(line.new_rows for line in update.lines)
    failed = len(update.failed)
    state = "all up to date" if not failed else f"{failed} not brought up to date (see the problem column)"
    return (f"{count} securities and {len(update.lines) - count} currencies: {new} new rows, {state}; "
            f"{update.requests} requests in {update.seconds:.1f} s ({update.client}).")


@cli.command("update")
@click.option("--since", "since", type=ISO_DATE, help="Fetch from this date, whatever the ledger already has.")
@click.option("--history", "history", type=click.Choice(["max"]), default=None,
              help="`max`: everything the sources have (a first backfill).")
@click.option("--prices", "prices", is_flag=True, help="Closes only (with --dividends / --fx: those too).")
@click.option("--dividends", "dividends", is_flag=True, help="Dividends only (combinable with --prices, --fx).")
@click.option("--fx", "fx", is_flag=True, help="Exchange rates only (combinable with --prices, --dividends).")
@click.option("--confirm-split", "confirm", nargs=2, type=(str, ISO_DATE), default=None, metavar="TICKER DATE",
              help="Confirm the split a source reported: set the new share count and fetch the history again.")
@click.option("--shares", "shares", type=click.FloatRange(min=0), default=None, metavar="N",
              help="With --confirm-split: the share count after the split, when it is not shares × the ratio.")
@with_settings(as_of=True)
def update_command(settings: Settings, since: date | None, history: str | None, prices: bool, dividends: bool,
                   fx: bool, confirm: tuple[str, date] | None, shares: float | None) -> None:
    """Fetch the prices, dividends and FX rates the ledger lacks, for every security the household holds and every
    currency it uses, from the last stored date up to --as-of (default today).

    Each security's rows are validated and written together or not at all; a security whose sources fail is left
    as it was and named in the problem column, quoting the source. A split a source reports is never applied on
    its own: confirm it with --confirm-split TICKER DATE. Only this command (and `lifealm run` with
    `[update] before_run = true`) uses the network.

    Exit 0 when everything is up to date, 1 when any security or currency failed or awaits a split confirmation
    (the others are written all the same), 2 for a usage error.
    """
    as_of = resolved_as_of(settings)
    if shares is not None and confirm is None:
        raise click.UsageError("--shares goes with --confirm-split TICKER DATE")
    if since is not None and history is not None:
        raise click.UsageError("give --since or --history max, not both")
    if confirm is not None:
        from lifealm.refresh.splits import confirm_split

        confirmed = confirm_split(settings, ticker=confirm[0], day=confirm[1], as_of=as_of, shares=shares)
        click.echo(confirmed.message)
        update = confirmed.update
    else:
        narrowing = Narrowing(since=since, history=History.MAX if history else History.INCREMENTAL,
                              prices=prices or not (dividends or fx), dividends=dividends or not (prices or fx),
                              fx=fx or not (prices or dividends))
        bar = DelayedBar()
        try:
            update = update_ledger(settings, as_of=as_of, narrowing=narrowing, progress=bar)
        finally:
            bar.close()
    if not update.lines:
        click.echo("Nothing to update: the ledger holds no securities and no foreign currency.")
        return
    click.echo(summary_table(update))
    click.echo(_tally(update))
    if not update.ok:
        click.get_current_context().exit(1)
