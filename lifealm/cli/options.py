"""Options every command shares (--db, --config, --out, --as-of) and their resolution into Settings."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from lifealm.ledger.cells import CellError, parse_date
from lifealm.settings import Settings, load_settings

F = TypeVar("F", bound=Callable[..., Any])


class IsoDate(click.ParamType[date]):
    """A date in any form the CSV import accepts (YYYY-MM-DD, YYYY/M/D, …), not after today; else exit 2."""

    name = "YYYY-MM-DD"

    def __init__(self, today: Callable[[], date] = date.today) -> None:
        self.today = today

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            day = parse_date(str(value))
        except CellError as exc:
            self.fail(str(exc), param, ctx)
        today = self.today()
        if day > today:
            # A briefing dated in the future would be read as today's answer and would pin index.html on it.
            self.fail(f"{day.isoformat()} is after today ({today.isoformat()}); a briefing can only be made for "
                      "today or an earlier date", param, ctx)
        return day


ISO_DATE = IsoDate()

db_option = click.option(
    "--db", "db", type=click.Path(path_type=Path, dir_okay=False),
    help="Ledger file. Default: $LIFEALM_DB, else `ledger` in the config file, "
    "else ~/.local/share/lifealm/ledger.db.",
)
config_option = click.option(
    "--config", "config", type=click.Path(path_type=Path, dir_okay=False),
    help="TOML config file. Default: $LIFEALM_CONFIG, else ~/.config/lifealm/config.toml if it exists.",
)
out_option = click.option(
    "--out", "out", type=click.Path(path_type=Path, file_okay=False),
    help="Output directory for the site. Default: $LIFEALM_OUT, else `out` in the config file, else ./site.",
)
as_of_option = click.option(
    "--as-of", "as_of", type=ISO_DATE,
    help="Report date (YYYY-MM-DD, or YYYY/M/D as in the CSV import); not after today. Default: today.",
)


def with_settings(*, out: bool = False, as_of: bool = False) -> Callable[[F], F]:
    """Add --db and --config (and optionally --out, --as-of) and pass the resolved `settings` keyword."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            settings: Settings = load_settings(
                db=kwargs.pop("db", None),
                config=kwargs.pop("config", None),
                out=kwargs.pop("out", None),
                as_of=kwargs.pop("as_of", None),
            )
            return func(*args, settings=settings, **kwargs)

        decorated: Callable[..., Any] = wrapper
        if as_of:
            decorated = as_of_option(decorated)
        if out:
            decorated = out_option(decorated)
        decorated = config_option(decorated)
        decorated = db_option(decorated)
        return decorated  # type: ignore[return-value]

    return decorate


def resolved_as_of(settings: Settings) -> date:
    """The as-of date: the flag if given, else today."""
    return settings.as_of or date.today()
