"""Ledger commands: init, demo, import, export, check."""

from __future__ import annotations

import click

from lifealm.cli import cli
from lifealm.cli.options import with_settings
from lifealm.ledger.db import SCHEMA_VERSION, create_ledger
from lifealm.settings import Settings


@cli.command("init")
@with_settings()
def init_command(settings: Settings) -> None:
    """Create an empty ledger at --db (or the default location)."""
    conn = create_ledger(settings.db)
    conn.close()
    click.echo(f"Created an empty ledger at {settings.db} (schema version {SCHEMA_VERSION}).")
