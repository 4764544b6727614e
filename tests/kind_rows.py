"""Rows for the write path given by column name (or alias), in whatever column order the ledger's schema declares."""

from __future__ import annotations

from lifealm.ledger.columns import KINDS


def row(kind: str, /, **values: object) -> tuple[object, ...]:
    """One row of `kind`: each keyword names a column or one of its aliases; the other columns stay empty."""
    columns = KINDS[kind].columns
    by_name = {name: col.name for col in columns for name in (col.name, *col.aliases)}
    unknown = sorted(set(values) - set(by_name))
    if unknown:
        raise KeyError(f"{kind} has no column {', '.join(unknown)}")
    given = {by_name[key]: value for key, value in values.items()}
    return tuple(given.get(col.name) for col in columns)
