"""Open, create and migrate the SQLite ledger; the schema version lives in PRAGMA user_version."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from lifealm.atomic import make_dirs
from lifealm.errors import LedgerError
from lifealm.ledger.constraints import explain
from lifealm.ledger.sqlite_errors import Failure, classify, ledger_error
from lifealm.ledger.upgrade_check import raise_v2_blockers


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
        if migration.name == "household":
            raise_v2_blockers(conn, path)  # typed (STRICT) tables: name every hand-edited cell they would refuse
        # executescript commits first; BEGIN makes the migration and its version bump atomic.
        try:
            conn.executescript(
                f"BEGIN;\n{migration.sql}\nPRAGMA user_version = {migration.version};\nCOMMIT;"
            )
        except sqlite3.Error as exc:
            if conn.in_transaction:  # a statement failed mid-script: undo the whole migration
                conn.execute("ROLLBACK")
            if migration.name == "household" and isinstance(exc, sqlite3.IntegrityError):
                # A hand-edited v1 row the typed tables' CHECKs refuse (thresholds out of order, a negative
                # amount): say which rule, never SQLite's text, and how to get past it.
                raise LedgerError(
                    f"{path}: the ledger cannot be upgraded to schema v2 (typed columns); nothing was changed: "
                    + explain(exc, where="a v1 row edited outside lifealm", table=""),
                    hint="correct that row with the sqlite3 shell (or export it with an older lifealm, fix the CSV "
                    "and import it), then run the command again") from exc
            raise
    return schema_version(conn)


def readonly_uri(path: Path) -> str:
    """A SQLite URI opening `path` read-only; as_uri() escapes `#`, `?` and `%`, which a raw path would not."""
    return path.resolve().as_uri() + "?mode=ro"


SQLITE_HEADER = b"SQLite format 3\x00"
NOT_A_LEDGER_HINT = ("point --db or LIFEALM_DB at your lifealm ledger; only `lifealm init` (empty) and `lifealm demo` "
                     "(example data) create one")


def _check_is_ledger(path: Path) -> None:
    """Refuse what is not a SQLite file before SQLite sees it: a 0-byte file is not a ledger either."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except PermissionError as exc:
        raise LedgerError(f"{path}: cannot read the ledger ({exc.strerror}).",
                          hint=f"give your user read access: chmod u+r {path}") from exc
    except IsADirectoryError as exc:
        raise LedgerError(f"{path}: is a directory, not a ledger file.",
                          hint="point --db or LIFEALM_DB at the .db file") from exc
    except OSError as exc:
        raise LedgerError(f"{path}: cannot read the ledger ({exc.strerror}).",
                          hint="point --db or LIFEALM_DB at your ledger file") from exc
    if not header:
        raise LedgerError(f"{path}: not a lifealm ledger (the file is empty).",
                          hint="if an interrupted `lifealm init` left it, delete it and run `lifealm init` again; "
                          "otherwise " + NOT_A_LEDGER_HINT)
    if header != SQLITE_HEADER:
        raise LedgerError(f"{path}: not a lifealm ledger (the file is not a SQLite database).",
                          hint=NOT_A_LEDGER_HINT)


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def _roll_back_hot_journal(path: Path) -> None:
    """Let SQLite roll back an interrupted write's journal (what any read-write open does); nothing is lost."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA user_version").fetchone()  # the first read rolls the hot journal back
    finally:
        conn.close()


def _connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    if not readonly:
        return _configure(sqlite3.connect(path))
    conn = _configure(sqlite3.connect(readonly_uri(path), uri=True))
    try:
        schema_version(conn)
    except sqlite3.Error as exc:
        conn.close()
        if classify(exc) is not Failure.HOT_JOURNAL or not _writable(path):
            raise
        # A read-only command meeting a killed import's journal recovers it as a read-write open would.
        _roll_back_hot_journal(path)
        conn = _configure(sqlite3.connect(readonly_uri(path), uri=True))
    return conn


def open_ledger(path: Path, *, create: bool = False, readonly: bool = False) -> sqlite3.Connection:
    """Open the ledger at `path`, migrating it to the current schema; refuse files that are not ledgers.

    Only `create=True` (init, demo) makes a new ledger; an existing file that is empty, not SQLite, or SQLite
    without lifealm's schema is "not a lifealm ledger" and is never migrated into an empty one.
    """
    created = False
    if not path.exists():
        if not create:
            raise LedgerError(
                f"{path}: no ledger here.",
                hint="create one with `lifealm init` (empty) or `lifealm demo` (example data), "
                "or point --db / LIFEALM_DB at your ledger",
            )
        make_dirs(path.parent)  # owner-only, like the ledger (0600) from its first byte, whatever the umask
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        created = True
    elif create and path.is_file() and path.stat().st_size == 0:
        created = True  # init and demo may fill an empty file they made themselves (demo: its locked temp file)
    else:
        _check_is_ledger(path)
    try:
        conn = _connect(path, readonly=readonly)
        try:
            version = schema_version(conn)
            if version == 0 and not created:
                raise LedgerError(f"{path}: not a lifealm ledger (a SQLite database without lifealm's schema).",
                                  hint=NOT_A_LEDGER_HINT)
            if not readonly:
                migrate(conn, path)
            elif version > SCHEMA_VERSION:
                migrate(conn, path)  # raises the "written by a newer lifealm" error
            elif version < SCHEMA_VERSION:
                raise LedgerError(f"{path}: the ledger has schema version {version} and needs migrating.",
                                  hint="run a command that writes to it once, such as `lifealm report`, to "
                                  "migrate it")
        except BaseException:
            conn.close()
            raise
        return conn
    except sqlite3.Error as exc:
        raise ledger_error(exc, path, outcome="nothing was changed") from exc
def create_ledger(path: Path) -> sqlite3.Connection:
    """Create an empty ledger at `path` (refuses to touch an existing file)."""
    if path.exists():
        raise LedgerError(f"{path}: a file already exists here.",
                          hint="choose another path with --db, or remove the file if you meant to start over")
    try:
        return open_ledger(path, create=True)
    except BaseException:
        path.unlink(missing_ok=True)  # a half-made ledger would be "not a lifealm ledger" to every later command
        raise
