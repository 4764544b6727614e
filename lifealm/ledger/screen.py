"""Every row the loader reads, checked against its columns' declarations before the models see it.

SQLite's loose typing lets another tool store text or a blob in a numeric column, NaN, infinity or a subnormal
number, an impossible date or margin thresholds out of order; each value is judged by the write path's own value
checkers and row rules, so what the import would refuse is refused here too. A row of a kind the models can go
without (a holding, a price, an FX rate: the figures only get more cautious) is left out, for the caller to show
as a finding; a row whose loss could flatter the answer (a loan, an expense, a cash balance that may be an
overdraft) stops the load with one LedgerError naming every such row by table, key and column. Text the import
would refuse only because no page could draw it (a control character, ten thousand characters) is kept: the render
layer draws it safely (lifealm.drawable), and the row is reported as unusual. The stored value itself is never put
into a message: it may be exactly what should not reach a terminal or a log.
"""

from __future__ import annotations

import functools
import math
import sqlite3
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date

from lifealm.drawable import TEXT_LIMIT, drawable_text
from lifealm.errors import LedgerError
from lifealm.ledger.cells import CellError
from lifealm.ledger.columns import ABSURD, KINDS, Column, ColumnType, Kind
from lifealm.ledger.row_rules import row_problems
from lifealm.ledger.write import value_checkers
from lifealm.models.assumptions import known_names

# Kinds whose unusable row the models can go without: leaving it out only lowers what is owned or earned (or
# leaves a holding unvalued, a member's age or a past briefing out of the page), so the answer can only get more
# cautious. Every other kind stops the load: a loan, an expense or an event left out could flatter the plan, and
# a holding whose account were left out would count as pledged collateral (lifealm.models.inputs.Holding).
DROPPABLE = frozenset({"holdings", "prices", "dividends", "fx", "other-assets", "income", "members", "snapshots"})
MAX_LISTED = 50
KEY_SHOWN = 60  # a key longer than this is cut in messages (it is still the row's key)
_SMALLEST = sys.float_info.min

# What belongs in a column of each type, for "holds X where Y belongs".
_WHAT = {ColumnType.NUMBER: "a number", ColumnType.DATE: "a date", ColumnType.FLAG: "0 or 1",
         ColumnType.TEXT: "text", ColumnType.CURRENCY: "a currency code"}
_STORED_AS = {ColumnType.NUMBER: (int, float), ColumnType.DATE: (str,), ColumnType.FLAG: (int,),
              ColumnType.TEXT: (str,), ColumnType.CURRENCY: (str,)}
# Values a text column may hold that its declaration cannot list (the model parameters change with the code).
_CHOICES: dict[tuple[str, str], Callable[[], Sequence[str]]] = {("assumptions", "name"): known_names}


def _NO_CHOICES() -> Sequence[str]:
    return ()


@dataclass(frozen=True, slots=True)
class Unusable:
    """One row the models cannot take: where it is and what is wrong with it (never its values)."""

    kind: Kind
    row: str  # "name 'Margin loan'", "ticker 1234.T, price_date (unreadable)"
    subject: str  # a finding's subject: the row's first readable key (as stored), else the table
    problems: tuple[tuple[str, str], ...]  # (column, what is wrong)

    def detail(self) -> tuple[tuple[str, str], ...]:
        """The facts a finding carries: table, columns, what is wrong (never the value)."""
        return (("table", self.kind.table), ("column", ", ".join(c for c, _ in self.problems)),
                ("problem", "; ".join(p for _, p in self.problems)))

    def line(self) -> str:
        wrong = "; ".join(f"{column}: {problem}" for column, problem in self.problems)
        return f"{self.kind.table} row {self.row}: {wrong}"


def _number_problem(value: float, col: Column) -> str:
    if not math.isfinite(value):
        return "holds NaN or infinity where a finite number belongs"
    if 0 < abs(value) < _SMALLEST:
        return "holds a number too small to store exactly (subnormal)"
    if abs(value) > ABSURD:
        return "holds an absurdly large number (more than 1e15)"
    return f"is out of range (it must be {col.describe_range()})"


def _choice_problem(choices: Sequence[str]) -> str:
    shown = ", ".join(choices) if len(choices) <= 8 else "the names `lifealm assumptions` lists"
    return f"is not one of {shown}"


def text_oddity(value: object, col: Column) -> str | None:
    """Why a usable text cannot be drawn as it is (the import refuses it; a page shows it cut or replaced)."""
    if col.type is not ColumnType.TEXT or not isinstance(value, str):
        return None
    if len(value) > TEXT_LIMIT:
        return f"is {len(value):,} characters long: shown cut to {TEXT_LIMIT}"
    if any(unicodedata.category(c) == "Cc" for c in value) or drawable_text(value) != value:
        return "holds characters no page can draw (a control character or a noncharacter): shown replaced by �"
    return None


def value_problem(value: object, col: Column, check: Callable[[object, Column], object],
                  choices: Sequence[str] = ()) -> str | None:
    """What is wrong with a stored `value` for `col` (the write path's checks), or None; never the value."""
    if value is None or (col.required and isinstance(value, str) and not value.strip()):
        # A NULL is fine only where the declaration's default is NULL (an optional threshold, a pay date).
        return "is empty, but a value is required" if col.required or col.default is not None else None
    if isinstance(value, bytes):
        return f"holds binary data (a blob) where {_WHAT[col.type]} belongs"
    if isinstance(value, bool) or not isinstance(value, _STORED_AS[col.type]):
        return f"holds {'text' if isinstance(value, str) else 'a number'} where {_WHAT[col.type]} belongs"
    if col.type is ColumnType.TEXT:  # drawing it is the render layer's business (text_oddity says so)
        allowed = choices or col.choices
        return _choice_problem(allowed) if allowed and value not in allowed else None
    try:
        stored = check(value, col)
    except CellError:
        stored = CellError
    if stored is not CellError and stored == value:
        return None
    if col.type is ColumnType.NUMBER:
        return _number_problem(float(value), col)
    if col.type is ColumnType.DATE:
        return "is not a real date written YYYY-MM-DD"
    if col.type is ColumnType.CURRENCY:
        return "is not a three-letter currency code in capitals, such as JPY"
    return f"is not {_WHAT[col.type]}"


def _quick_number(col: Column) -> Callable[[object], bool]:
    low, high = col.minimum, col.maximum

    def quick(value: object) -> bool:
        if type(value) is not float and type(value) is not int:  # bool and every other type go the full way
            return False
        number: float = value
        if not -ABSURD <= number <= ABSURD or (number != 0 and -_SMALLEST < number < _SMALLEST):  # NaN fails too
            return False
        if low is not None and (number < low or (col.min_exclusive and number == low)):
            return False
        return high is None or not (number > high or (col.max_exclusive and number == high))

    return quick


def _quick_parsed(col: Column) -> Callable[[object], bool]:
    """Dates and currency codes: each text is judged once per column and remembered, since a ledger repeats the
    same dates and codes on row after row."""
    check = value_checkers(date.max)[col.type]

    @functools.lru_cache(maxsize=65536)
    def stored_as_is(text: str) -> bool:
        try:
            return bool(text.strip()) and check(text, col) == text
        except CellError:
            return False

    return lambda value: type(value) is str and stored_as_is(value)


def _quick(col: Column, choices: Callable[[], Sequence[str]]) -> Callable[[object], bool]:
    """A quick yes for a value stored as the write path stores it: True only where `value_problem` finds nothing
    (tests/test_ledger_screen.py checks every column against it); False sends the value the full way."""
    if col.type is ColumnType.NUMBER:
        return _quick_number(col)
    if col.type is ColumnType.FLAG:
        return lambda value: type(value) is int and (value == 0 or value == 1)
    if col.type is ColumnType.TEXT:
        if choices is not _NO_CHOICES:  # known only when asked (the model parameters change with the code)
            return lambda value: False
        allowed = frozenset(col.choices)
        return lambda value: (type(value) is str and (not col.required or bool(value.strip()))
                              and (not allowed or value in allowed))
    return _quick_parsed(col)


@dataclass(frozen=True, slots=True)
class _Plan:
    """How a kind's stored rows are judged, worked out once per kind rather than once per cell (a ledger of
    years of snapshots and prices is screened row by row on every load)."""

    columns: tuple[tuple[Column, Callable[[], Sequence[str]], Callable[[object], bool]], ...]  # declaration,
    # choices and quick yes of each column
    names: tuple[str, ...]
    present: frozenset[str]
    text: tuple[tuple[int, Column], ...]  # the text columns, by position: the only ones a page may draw oddly


_PLANS: dict[int, tuple[Kind, _Plan]] = {}  # by the kind's identity: hashing a Kind hashes all its columns


def _plan(kind: Kind) -> _Plan:
    known = _PLANS.get(id(kind))
    if known is not None and known[0] is kind:
        return known[1]
    columns = []
    for col in kind.columns:
        stored = _stored(col)
        choices = _CHOICES.get((kind.name, col.name), _NO_CHOICES)
        columns.append((stored, choices, _quick(stored, choices)))
    plan = _Plan(tuple(columns), kind.column_names, frozenset(kind.column_names),
                 tuple((n, col) for n, col in enumerate(kind.columns) if col.type is ColumnType.TEXT))
    _PLANS[id(kind)] = (kind, plan)
    return plan


def _stored(col: Column) -> Column:
    """The declaration a stored value answers to: a column carried from another table (a holding's security
    name, read through the join) is judged as that table declares it, not as a file may leave it empty."""
    if not col.table:
        return col
    owner = next(k for k in KINDS.values() if k.table == col.table and not k.carried)
    return next(c for c in owner.columns if c.name == col.name)


def _shown(value: object) -> str:
    return drawable_text(str(value), KEY_SHOWN)


@dataclass
class RowScreen:
    """Checks the rows of one load: the rows left out, the rows that must stop it, the rows kept with odd text."""

    ledger: str
    left_out: list[Unusable] = field(default_factory=list)
    refused: list[Unusable] = field(default_factory=list)
    unusual: list[Unusable] = field(default_factory=list)
    _checkers: dict[ColumnType, Callable[[object, Column], object]] = field(
        default_factory=lambda: value_checkers(date.max))  # "not in the future" is the loader's as-of's business

    def problems(self, kind: Kind, row: Sequence[object]) -> Unusable | None:
        """The row's unusable cells (then its rules across cells), or None when the models can take it."""
        plan = _plan(kind)
        values = row[: len(plan.columns)]
        wrong: list[tuple[str, str]] = []
        for (col, choices, quick), value in zip(plan.columns, values, strict=True):
            if quick(value):
                continue
            problem = value_problem(value, col, self._checkers[col.type], choices())
            if problem is not None:
                wrong.append((col.name, problem))
        if not wrong:
            named = dict(zip(plan.names, values, strict=True))
            broken = row_problems(kind, named, plan.present, "row")
            if broken:
                columns = broken[0].split(": ")[1]
                known = all(part in kind.column_names for part in columns.split("/"))
                wrong.append((columns if known else "value", f"breaks the rule: {kind.rules}"))
        return self._named(kind, values, wrong) if wrong else None

    def oddities(self, kind: Kind, row: Sequence[object]) -> Unusable | None:
        """The row's text cells that the pages show cut or replaced, or None."""
        odd = [(col.name, problem) for n, col in _plan(kind).text if (problem := text_oddity(row[n], col)) is not None]
        return self._named(kind, row[: len(kind.columns)], odd, readable_keys=True) if odd else None

    @staticmethod
    def _named(kind: Kind, values: Sequence[object], wrong: list[tuple[str, str]], *,
               readable_keys: bool = False) -> Unusable:
        bad = set() if readable_keys else {column for column, _ in wrong}
        parts = [f"{k} (unreadable)" if k in bad else f"{k} '{_shown(v)}'"
                 for k, v in zip(kind.column_names, values, strict=True) if k in kind.key]
        readable = [str(v) for k, v in zip(kind.column_names, values, strict=True) if k in kind.key
                    and k not in bad]
        return Unusable(kind, ", ".join(parts), readable[0] if readable else kind.table, tuple(wrong))

    def usable(self, kind: Kind, rows: Iterable[Sequence[object]]) -> Iterator[Sequence[object]]:
        """The rows the models can take; each other row is kept aside, to be shown or to stop the load."""
        for row in rows:
            found = self.problems(kind, row)
            if found is None:
                odd = self.oddities(kind, row)
                if odd is not None:
                    self.unusual.append(odd)
                yield row
            elif kind.name in DROPPABLE:
                self.left_out.append(found)
            else:
                self.refused.append(found)

    def raise_if_refused(self) -> None:
        """One LifealmError naming every row whose loss could flatter the answer, with the fix."""
        if not self.refused:
            return
        kinds = list(dict.fromkeys(u.kind.name for u in self.refused))
        shown = "\n".join(f"  {u.line()}" for u in self.refused[:MAX_LISTED])
        more = f"\n  … and {len(self.refused) - MAX_LISTED} more" if len(self.refused) > MAX_LISTED else ""
        fixes = "; ".join(f"`lifealm export {k}`, edit, `lifealm import {k} FILE`" for k in kinds if k in KINDS)
        raise LedgerError(
            f"{self.ledger}: {len(self.refused)} row(s) hold values the models cannot use (edited outside "
            f"lifealm?); nothing was changed:\n{shown}{more}",
            hint=f"correct the cells named above{f' ({fixes})' if fixes else ''} or with the sqlite3 shell; then "
            "run again")


_ACTIVE: ContextVar[RowScreen | None] = ContextVar("lifealm_row_screen", default=None)


def ledger_name(conn: sqlite3.Connection) -> str:
    row = conn.execute("PRAGMA database_list").fetchone()
    return str(row[2]) if row is not None and row[2] else "the ledger"


@contextmanager
def screening(conn: sqlite3.Connection) -> Iterator[RowScreen]:
    """Check every row the loader reads inside the block; the caller takes the findings and the refusals."""
    screen = RowScreen(ledger_name(conn))
    token = _ACTIVE.set(screen)
    try:
        yield screen
    finally:
        _ACTIVE.reset(token)


def screened(conn: sqlite3.Connection, kind: Kind, rows: Iterable[Sequence[object]]) -> Iterator[Sequence[object]]:
    """The rows of `kind` the models can take. Outside `screening` a single unusable row is an error at once."""
    screen = _ACTIVE.get()
    if screen is not None:
        yield from screen.usable(kind, rows)
        return
    alone = RowScreen(ledger_name(conn))
    for row in rows:
        found = alone.problems(kind, row)
        if found is not None:
            alone.refused.append(found)
            alone.raise_if_refused()
        yield row

