"""`lifealm assumptions`: every model parameter with its meaning, range, default, value in force and its source."""

from __future__ import annotations

import json

import click

from lifealm.cli import cli
from lifealm.cli.options import with_settings
from lifealm.settings import Settings


@cli.command("assumptions")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON instead of a table.")
@with_settings()
def assumptions_command(settings: Settings, as_json: bool) -> None:
    """List every model parameter: meaning, allowed range, default, the value in force and where it came from.

    Values come from the defaults, then the ledger's assumptions table (`lifealm import assumptions FILE`,
    columns name, value), then the config file's [assumptions] table, the last one winning.
    """
    from lifealm.assumption_catalog import assumptions_in_force  # imported here so `lifealm --help` stays fast
    from lifealm.render.filters import plain

    rows = assumptions_in_force(settings)
    if as_json:
        click.echo(json.dumps([{"name": r.name, "meaning": r.meaning, "allowed": r.allowed, "default": r.default,
                                "value": r.value, "source": r.source} for r in rows], indent=2, ensure_ascii=False))
        return
    for r in rows:
        click.echo(f"{r.name} = {plain(r.value)}   ({r.source}; default {plain(r.default)}; {r.allowed})")
        click.echo(f"    {r.meaning}")
