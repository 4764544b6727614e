"""Open, create and migrate the SQLite ledger; the schema version lives in PRAGMA user_version."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from lifealm.errors import LedgerError


@dataclass(frozen=True)
class Migration:
    """One forward migration: the schema version it produces, its name and its SQL."""

    version: int
    name: str
    sql: str


def migrations() -> tuple[Migration, ...]:
    """Every shipped migration, in order; file names are `NNNN_name.sql`."""
    found = []
    for entry in resources.files("lifealm.ledger.migrations").iterdir():
        if entry.name.endswith(".sql"):
            number, _, rest = entry.name.partition("_")
            found.append(Migration(int(number), rest.removesuffix(".sql"), entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise RuntimeError(f"migration {migration.name} has number {migration.version}, expected {expected}")
    return tuple(found)


SCHEMA_VERSION = len(migrations())


def _configure(conn: sqlite3.Connection) -> sqlite3.Connection:
    conn.execute("PRAGMA foreign_keys = ON")
    conn.row_factory = sqlite3.Row
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    """The ledger's schema version (0 for a new, empty file)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, path: Path | str = "ledger") -> int:
    """Apply every migration the ledger has not seen yet, each in its own transaction; return the version."""
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise LedgerError(
            f"{path}: the ledger has schema version {current}, but this lifealm only knows up to "
            f"{SCHEMA_VERSION}; it was written by a newer lifealm.",
            hint="upgrade lifealm (pip install -U lifealm) instead of using this older version on it",
        )
    for migration in migrations()[current:]:
        # executescript commits first; BEGIN makes the migration and its version bump atomic.
        conn.executescript(
            f"BEGIN;\n{migration.sql}\nPRAGMA user_version = {migration.version};\nCOMMIT;"
        )
    return schema_version(conn)


def readonly_uri(path: Path) -> str:
    """A SQLite URI opening `path` read-only; as_uri() escapes `#`, `?` and `%`, which a raw path would not."""
    return path.resolve().as_uri() + "?mode=ro"


def _check_is_ledger(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            header = handle.read(16)
    except PermissionError as exc:
        raise LedgerError(f"{path}: cannot read the ledger ({exc.strerror}).",
                          hint=f"give your user read access: chmod u+r {path}") from exc
    except IsADirectoryError as exc:
        raise LedgerError(f"{path}: is a directory, not a ledger file.",
                          hint="point --db or LIFEALM_DB at the .db file") from exc
    if header and header != b"SQLite format 3\x00":
        raise LedgerError(f"{path}: this file is not a SQLite database.",
                          hint="point --db or LIFEALM_DB at your lifealm ledger, or run `lifealm init`")


def open_ledger(path: Path, *, create: bool = False, readonly: bool = False) -> sqlite3.Connection:
    """Open the ledger at `path`, migrating it to the current schema; refuse files that are not ledgers."""
    if not path.exists():
        if not create:
            raise LedgerError(
                f"{path}: no ledger here.",
                hint="create one with `lifealm init` (empty) or `lifealm demo` (example data), "
                "or point --db / LIFEALM_DB at your ledger",
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        # Create the file ourselves so the ledger is private (0600) from its first byte, whatever the umask.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    else:
        _check_is_ledger(path)
    try:
        if readonly:
            conn = sqlite3.connect(readonly_uri(path), uri=True)
        else:
            conn = sqlite3.connect(path)
        _configure(conn)
        version = schema_version(conn)
        if not readonly:
            migrate(conn, path)
        elif version > SCHEMA_VERSION:
            migrate(conn, path)  # raises the "written by a newer lifealm" error
        elif version < SCHEMA_VERSION:
            raise LedgerError(f"{path}: the ledger has schema version {version} and needs migrating.",
                              hint="run a command that writes to it once, such as `lifealm report`, to migrate it")
        return conn
    except sqlite3.DatabaseError as exc:
        raise LedgerError(f"{path}: cannot use the ledger: {exc}.",
                          hint="run `lifealm check` to diagnose it, or restore it from a backup") from exc


def create_ledger(path: Path) -> sqlite3.Connection:
    """Create an empty ledger at `path` (refuses to touch an existing file)."""
    if path.exists():
        raise LedgerError(f"{path}: a file already exists here.",
                          hint="choose another path with --db, or remove the file if you meant to start over")
    return open_ledger(path, create=True)
