"""History and change: the snapshot series and what moved since the previous snapshot (status first)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from lifealm.models.inputs import Snapshot

# The order the report lists changes in: the status first, then the headline money and ratios.
CHANGE_FIELDS: tuple[tuple[str, str], ...] = (
    ("status", "status"),
    ("portfolio_value", "money"),
    ("margin_ratio", "ratio"),
    ("net_worth", "money"),
    ("max_survivable_drawdown", "ratio"),
    ("cash", "money"),
    ("margin_balance", "money"),
    ("monthly_cashflow", "money"),
    ("fire_ratio", "ratio"),
    ("success_probability", "ratio"),
)
# Fields a briefing may leave empty because a model did not run (`--no-montecarlo`): a value next to an empty one
# is not a change, only two computed values can differ.
ONLY_BETWEEN_VALUES = frozenset({"success_probability"})


@dataclass(frozen=True, slots=True)
class Change:
    field: str
    kind: str  # "status", "money" or "ratio"
    previous: str | float | None
    current: str | float | None
    delta: float | None  # current − previous for numbers when both are known
    changed: bool


@dataclass(frozen=True, slots=True)
class History:
    previous_date: date | None
    changes: tuple[Change, ...]  # empty when there is no earlier snapshot
    series: tuple[Snapshot, ...]  # earlier snapshots then the current one, oldest first

    @property
    def status_changed(self) -> bool:
        return any(c.field == "status" and c.changed for c in self.changes)


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)
    return a == b


def changes_since(previous: Snapshot, current: Snapshot) -> tuple[Change, ...]:
    out: list[Change] = []
    for name, kind in CHANGE_FIELDS:
        before = getattr(previous, name)
        now = getattr(current, name)
        delta = None
        if kind != "status" and isinstance(before, int | float) and isinstance(now, int | float):
            delta = float(now) - float(before)
        changed = not _same(before, now)
        if name in ONLY_BETWEEN_VALUES and (before is None or now is None):
            changed = False
        out.append(Change(name, kind, before, now, delta, changed))
    return tuple(out)


def history(earlier: tuple[Snapshot, ...], current: Snapshot) -> History:
    """`earlier` may hold any snapshots; only those strictly before the current date count, by date."""
    before = sorted((s for s in earlier if s.snapshot_date < current.snapshot_date), key=lambda s: s.snapshot_date)
    if not before:
        return History(None, (), (current,))
    previous = before[-1]
    return History(previous.snapshot_date, changes_since(previous, current), (*before, current))
