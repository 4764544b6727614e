"""The `lifealm` command line: a thin click group; each command module parses and calls the pipeline."""

from __future__ import annotations

import errno
import importlib
import os
import sqlite3
import sys
import traceback
from types import TracebackType
from typing import Any

import click

from lifealm import __version__
from lifealm.errors import LifealmError
from lifealm.ledger.sqlite_errors import ledger_error

DEBUG_ENV = "LIFEALM_DEBUG"

# Where an unexpected error happened, told by the innermost frame's module: (module prefix, stage, what is left).
_STAGES: tuple[tuple[str, str, str], ...] = (
    ("weasyprint", "PDF", "the site was left as it was"),
    ("lifealm.render.pdf", "PDF", "the site was left as it was"),
    ("vl_convert", "charts", "the site was left as it was"),
    ("altair", "charts", "the site was left as it was"),
    ("lifealm.charts", "charts", "the site was left as it was"),
    ("lifealm.render.site", "write", "the site may be partly updated; run the command again"),
    ("lifealm.render.assets", "write", "the site may be partly updated; run the command again"),
    ("lifealm.atomic", "write", "the file being written was left as it was"),
    ("jinja2", "HTML", "the site was left as it was"),
    ("lifealm.render", "HTML", "the site was left as it was"),
    ("lifealm.ledger.snapshots", "snapshot", "nothing was changed"),
    ("lifealm.models.montecarlo", "Monte Carlo", "nothing was changed"),
    ("lifealm.models", "models", "nothing was changed"),
    ("lifealm.ledger.csv", "import", "nothing was imported"),
    ("lifealm.ledger.cells", "import", "nothing was imported"),
    ("lifealm.demo", "demo", "no demo ledger was written"),
    ("lifealm.update", "update", ""),  # what was fetched before the error may be stored: not claimed either way
    ("lifealm.simulate", "simulation", "nothing was changed"),
    ("lifealm.ledger", "ledger", "nothing was changed"),
    ("smtplib", "e-mail", "the e-mail may not have been sent"),
    ("lifealm.deliver", "delivery", "check whether the e-mail was sent before running again"),
    ("lifealm.settings", "settings", "nothing was changed"),
)


def failure_stage(tb: TracebackType | None) -> tuple[str, str] | None:
    """(stage, what was left) for the innermost frame of `tb` whose module lifealm knows, or None."""
    found: tuple[str, str] | None = None
    while tb is not None:
        module = str(tb.tb_frame.f_globals.get("__name__", ""))
        for prefix, stage, left in _STAGES:
            if module == prefix or module.startswith(prefix + "."):
                found = (stage, left)
                break
        tb = tb.tb_next
    return found


def unexpected_error_message(exc: BaseException) -> str:
    """One sentence for an error nothing else caught: the stage and the exception's type, never its text."""
    where = failure_stage(exc.__traceback__)
    stage = f" in the {where[0]} stage" if where else ""
    left = f"; {where[1]}" if where and where[1] else ""
    return (f"an unexpected error{stage} ({type(exc).__name__}){left}; run again with `--debug` for the details")


def is_expected_failure(exc: BaseException) -> bool:
    """True for the failures turned into a clear message (`run` logs them as outcome=failed, others as error)."""
    return isinstance(exc, LifealmError | click.ClickException | sqlite3.Error | OSError)


def _os_error_message(exc: OSError) -> str:
    where = exc.filename if exc.filename not in (None, "") else None
    path = f"{where}" if where is not None else "a file lifealm was writing"
    if exc.errno == errno.ENOSPC:
        return (f"the disk holding {path} is full; nothing was changed"
                "\n  fix: free some space and run the command again")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (f"permission denied: {path}\n  fix: check the file's owner and mode, or choose another path")
    if exc.errno == errno.ENOTDIR:
        return (f"{path}: a part of this path is a file, not a directory"
                "\n  fix: choose a path whose parents are directories")
    if exc.errno == errno.EISDIR:
        return f"{path}: is a directory\n  fix: give the path of a file"
    if exc.errno == errno.ELOOP:
        return f"{path}: too many levels of symbolic links\n  fix: choose a path without a link loop"
    reason = exc.strerror or os.strerror(exc.errno or 0)
    return f"{path}: {reason}\n  fix: check the path and choose another one if needed"


# Which module defines each command: running one command imports only its module (`simulate` never loads the
# import, e-mail or report code). A command missing here is still found: every module is then imported.
COMMAND_MODULES: dict[str, str] = {
    "assumptions": "assumptions_cmd",
    "email": "deliver_cmds", "run": "deliver_cmds", "doctor": "deliver_cmds",
    "init": "ledger_cmds", "import": "ledger_cmds", "export": "ledger_cmds", "demo": "ledger_cmds",
    "check": "ledger_cmds", "remove": "ledger_cmds",
    "report": "report_cmd",
    "simulate": "simulate_cmd",
}


class LifealmGroup(click.Group):
    """Turns the failures a user can fix into `Error: …` and exit 1; usage errors stay exit 2 (click).

    The last line of defence: anything else becomes one sentence naming the stage, never ledger contents,
    and exit 1; `lifealm --debug` (or LIFEALM_DEBUG=1) prints the traceback first.
    """

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            importlib.import_module(f"lifealm.cli.{COMMAND_MODULES[cmd_name]}")
        if cmd_name not in self.commands:
            _register()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        _register()  # `--help` lists them all
        return super().list_commands(ctx)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, KeyboardInterrupt):
            raise
        except LifealmError as exc:
            raise click.ClickException(str(exc)) from exc
        except sqlite3.Error as exc:
            raise click.ClickException(str(ledger_error(exc, "the ledger"))) from exc
        except OSError as exc:
            _print_traceback_if_debugging(ctx)
            raise click.ClickException(_os_error_message(exc)) from exc
        except Exception as exc:
            _print_traceback_if_debugging(ctx)
            raise click.ClickException(unexpected_error_message(exc)) from exc


def _print_traceback_if_debugging(ctx: click.Context) -> None:
    if ctx.params.get("debug") or os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true", "yes", "on"):
        traceback.print_exc(file=sys.stderr)


@click.group(cls=LifealmGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lifealm")
@click.option("--debug", is_flag=True, help="On an unexpected error, print its traceback (also: LIFEALM_DEBUG=1).")
def cli(debug: bool) -> None:
    """lifealm answers one question every morning: "Am I safe?"

    It reads the household's SQLite ledger, runs the stress, defense, dividend and Monte Carlo models, and
    writes a static daily briefing (HTML, PDF, JSON).
    """


def _register() -> None:
    # Each command module adds its commands to `cli`; imported here so `lifealm --help` lists them all.
    from lifealm.cli import assumptions_cmd, deliver_cmds, ledger_cmds, report_cmd, simulate_cmd  # noqa: F401


def main() -> None:
    """Console-script entry point; each command's module is imported when it is run (see COMMAND_MODULES)."""
    cli()
