"""`command:` a program of the user's that prints `date,close` CSV, for anything the other sources do not cover.

The program runs without a shell (its command line is split like a shell would, then executed directly), with
a time limit, and learns the window from LIFEALM_START (empty for all history) and LIFEALM_END. A third column,
if present, names the currency. When it fails, its stderr is quoted in the problem.
"""

from __future__ import annotations

import csv
import io
import os
import shlex
import subprocess
from datetime import date
from decimal import Decimal, InvalidOperation

from lifealm.update.config import UpdateConfig
from lifealm.update.http import excerpt
from lifealm.update.model import Close, PriceAnswer, ProblemKind, Series
from lifealm.update.sources.common import SourceFailure, in_window, normalise_currency, problem

NAME = "command"


class CommandSource:
    name = NAME

    def __init__(self, config: UpdateConfig) -> None:
        self._timeout = config.command_timeout

    def fetch(self, symbol: str, start: date | None, end: date) -> PriceAnswer:
        try:
            output = self._run(symbol, start, end)
            series = _parse(symbol, output, start, end)
        except SourceFailure as error:
            return PriceAnswer(NAME, problem=problem(NAME, symbol, error))
        return PriceAnswer(NAME, series=series)

    def _run(self, command: str, start: date | None, end: date) -> str:
        try:
            argv = shlex.split(command)
        except ValueError as error:
            raise SourceFailure(ProblemKind.COMMAND_FAILED, f"the command line cannot be split ({error})") from error
        if not argv:
            raise SourceFailure(ProblemKind.COMMAND_FAILED, "no command given after `command:`")
        environment = dict(os.environ, LIFEALM_START=start.isoformat() if start else "", LIFEALM_END=end.isoformat())
        try:
            done = subprocess.run(argv, capture_output=True, timeout=self._timeout, env=environment,
                                  stdin=subprocess.DEVNULL, check=False)
        except FileNotFoundError as error:
            raise SourceFailure(ProblemKind.COMMAND_FAILED, f"the program {argv[0]!r} was not found") from error
        except PermissionError as error:
            raise SourceFailure(ProblemKind.COMMAND_FAILED, f"the program {argv[0]!r} cannot be run "
                                "(is it executable?)") from error
        except subprocess.TimeoutExpired as error:
            raise SourceFailure(ProblemKind.COMMAND_FAILED, f"the program did not finish within "
                                f"{self._timeout:g} s (the [update] command_timeout) and was stopped",
                                _tail(error.stderr)) from error
        except OSError as error:
            raise SourceFailure(ProblemKind.COMMAND_FAILED, f"the program could not be started ({error})") from error
        if done.returncode != 0:
            raise SourceFailure(ProblemKind.COMMAND_FAILED, f"the program exited with status {done.returncode}",
                                _tail(done.stderr))
        try:
            return done.stdout.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise SourceFailure(ProblemKind.MALFORMED, "the program's output is not UTF-8 text",
                                _tail(done.stderr)) from error


def _parse(symbol: str, output: str, start: date | None, end: date) -> Series:
    closes: dict[date, Decimal] = {}
    currencies: set[str] = set()
    try:
        rows = list(csv.reader(io.StringIO(output, newline="")))
    except csv.Error as error:
        raise SourceFailure(ProblemKind.MALFORMED, f"the program printed something that is not CSV ({error})",
                            excerpt(output)) from error
    for line, row in enumerate(rows, start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if line == 1 and cells[0].lower() == "date":  # an optional header line
            continue
        try:
            if len(cells) not in (2, 3):
                raise ValueError(f"{len(cells)} columns, expected date,close[,currency]")
            day = date.fromisoformat(cells[0])
            close = Decimal(cells[1])
            if not close.is_finite() or close <= 0:
                raise ValueError("the close is not a positive number")
        except (ValueError, InvalidOperation) as error:
            raise SourceFailure(ProblemKind.MALFORMED, f"the program printed a line that is not date,close "
                                f"(line {line}: {error})", excerpt(",".join(row))) from error
        divisor = Decimal(1)
        if len(cells) == 3 and cells[2]:
            currency, divisor = normalise_currency(cells[2])
            currencies.add(currency)
        if in_window(day, start, end):
            closes[day] = close / divisor
    if len(currencies) > 1:
        raise SourceFailure(ProblemKind.MALFORMED, "the program printed closes in several currencies",
                            ", ".join(sorted(currencies)))
    return Series(symbol, currencies.pop() if currencies else None,
                  tuple(Close(day, close) for day, close in sorted(closes.items())))


def _tail(stderr: bytes | str | None) -> str:
    """The last lines of a program's stderr: where its own explanation usually is."""
    if not stderr:
        return ""
    text = stderr.decode("utf-8", errors="replace") if isinstance(stderr, bytes) else stderr
    lines = [line for line in text.splitlines() if line.strip()]
    return excerpt(" | ".join(lines[-5:]), 300)
