"""Options every command shares (--db, --config, --out, --as-of) and their resolution into Settings."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from lifealm.finite import number_problem
from lifealm.i18n import LANGUAGES
from lifealm.ledger.cells import CellError, parse_date
from lifealm.ledger.sqlite_errors import ledger_error
from lifealm.settings import Settings, load_settings

F = TypeVar("F", bound=Callable[..., Any])


# The dates a report can be about: the models look a year back and up to a century ahead (mc_years), so the
# calendar's ends (0001-01-01, 9999-12-31) cannot work; these bounds leave room on both sides.
EARLIEST_AS_OF = date(1900, 1, 1)
LATEST_AS_OF = date(2199, 12, 31)


class IsoDate(click.ParamType[date]):
    """A date in any form the CSV import accepts (YYYY-MM-DD, YYYY/M/D, …), from EARLIEST_AS_OF, not after today."""

    name = "YYYY-MM-DD"

    def __init__(self, today: Callable[[], date] = date.today) -> None:
        self.today = today

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            day = value
        else:
            try:
                day = parse_date(str(value))
            except CellError as exc:
                self.fail(str(exc), param, ctx)
        if not EARLIEST_AS_OF <= day <= LATEST_AS_OF:
            self.fail(f"{day.isoformat()} is outside the dates lifealm can report on "
                      f"({EARLIEST_AS_OF.isoformat()} to {LATEST_AS_OF.isoformat()})", param, ctx)
        today = self.today()
        if day > today:
            # A briefing dated in the future would be read as today's answer and would pin index.html on it.
            self.fail(f"{day.isoformat()} is after today ({today.isoformat()}); a briefing can only be made for "
                      "today or an earlier date", param, ctx)
        return day


ISO_DATE = IsoDate()


class FiniteFloat(click.FloatRange):
    """A float option that refuses NaN, infinities and subnormal numbers (usage error naming the option).

    click's FloatRange lets `nan` through (it fails no comparison) and with it every result becomes NaN.
    Takes FloatRange's bounds: FiniteFloat(0.0, 1.0), FiniteFloat(min=0, min_open=True).
    """

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        problem = number_problem(number)
        if problem is not None:
            self.fail(f"{value!r} {problem}", param, ctx)
        return super().convert(number, param, ctx)


class NonEmptyPath(click.Path):
    """A path option that refuses an empty string (which would silently mean the current directory)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail("an empty path is not allowed (it would mean the current directory); give a path",
                      param, ctx)
        return super().convert(value, param, ctx)

db_option = click.option(
    "--db", "db", type=NonEmptyPath(path_type=Path, dir_okay=False),
    help="Ledger file. Default: $LIFEALM_DB, else `ledger` in the config file, "
    "else ~/.local/share/lifealm/ledger.db.",
)
config_option = click.option(
    "--config", "config", type=NonEmptyPath(path_type=Path, dir_okay=False),
    help="TOML config file. Default: $LIFEALM_CONFIG, else ~/.config/lifealm/config.toml if it exists.",
)
out_option = click.option(
    "--out", "out", type=NonEmptyPath(path_type=Path, file_okay=False),
    help="Output directory for the site. Default: $LIFEALM_OUT, else `out` in the config file, else ./site.",
)
lang_option = click.option(
    "--lang", "lang", type=click.Choice(LANGUAGES),
    help="Language of the briefing (page, PDF, archive, e-mail). Default: $LIFEALM_LANG, else `lang` in the config "
    "file, else en.",
)
as_of_option = click.option(
    "--as-of", "as_of", type=ISO_DATE,
    help="Report date (YYYY-MM-DD, or YYYY/M/D as in the CSV import); not after today. Default: today.",
)


def with_settings(*, out: bool = False, as_of: bool = False, lang: bool = False) -> Callable[[F], F]:
    """Add --db and --config (and optionally --out, --as-of, --lang) and pass the resolved `settings` keyword."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            settings: Settings = load_settings(
                db=kwargs.pop("db", None),
                config=kwargs.pop("config", None),
                out=kwargs.pop("out", None),
                as_of=kwargs.pop("as_of", None),
                lang=kwargs.pop("lang", None),
            )
            try:
                return func(*args, settings=settings, **kwargs)
            except sqlite3.Error as exc:
                # Whatever SQLite failure escaped the command, it happened on this ledger: say which, and what
                # it means (classified by error code, never by SQLite's text, which can quote a cell).
                raise ledger_error(exc, settings.db) from exc

        decorated: Callable[..., Any] = wrapper
        if lang:
            decorated = lang_option(decorated)
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
