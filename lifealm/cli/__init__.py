"""The `lifealm` command line: a thin click group; each command module parses and calls the pipeline."""

from __future__ import annotations

import errno
import sqlite3
from typing import Any

import click

from lifealm import __version__
from lifealm.errors import LifealmError


class LifealmGroup(click.Group):
    """Turns the failures a user can fix into `Error: …` and exit 1; usage errors stay exit 2 (click)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LifealmError as exc:
            raise click.ClickException(str(exc)) from exc
        except sqlite3.DatabaseError as exc:
            raise click.ClickException(
                f"the ledger could not be used: {exc}\n  fix: run `lifealm check` to diagnose it"
            ) from exc
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise click.ClickException(
                    f"the disk is full while writing {exc.filename or 'output'}; nothing was changed"
                    "\n  fix: free some space and run the command again"
                ) from exc
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise click.ClickException(
                    f"permission denied: {exc.filename or exc}\n  fix: check the file's owner and mode, "
                    "or choose another path"
                ) from exc
            raise


@click.group(cls=LifealmGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lifealm")
def cli() -> None:
    """lifealm answers one question every morning: "Am I safe?"

    It reads the household's SQLite ledger, runs the stress, defense, dividend and Monte Carlo models, and
    writes a static daily briefing (HTML, PDF, JSON).
    """


def _register() -> None:
    # Each command module adds its commands to `cli`; imported here so `lifealm --help` lists them all.
    from lifealm.cli import assumptions_cmd, deliver_cmds, ledger_cmds, report_cmd, simulate_cmd  # noqa: F401


def main() -> None:
    """Console-script entry point."""
    _register()
    cli()
