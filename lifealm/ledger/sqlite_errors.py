"""What a SQLite failure means for the user, classified by its error code name (never by its message text).

SQLite's messages are for programmers and can quote ledger contents ("Could not decode … with text '…'"), so a
message for the user is built from `sqlite3.Error.sqlite_errorname` alone: the disk is full, the ledger is
locked, read-only, damaged, not a ledger, or an interrupted write left a journal to roll back.
"""

from __future__ import annotations

import sqlite3
from enum import StrEnum
from pathlib import Path

from lifealm.errors import LedgerError


class Failure(StrEnum):
    """The kinds of SQLite failure a user can act on differently."""

    FULL = "full"  # SQLITE_FULL: the disk (or the temporary directory's) has no room
    LOCKED = "locked"  # SQLITE_BUSY / SQLITE_LOCKED: another process holds the ledger
    HOT_JOURNAL = "hot journal"  # SQLITE_READONLY_ROLLBACK: a read-only open met an interrupted write's journal
    READONLY = "read-only"  # SQLITE_READONLY / SQLITE_PERM / SQLITE_AUTH
    CORRUPT = "corrupt"  # SQLITE_CORRUPT
    NOT_A_LEDGER = "not a database"  # SQLITE_NOTADB
    CANT_OPEN = "cannot open"  # SQLITE_CANTOPEN
    IO = "input/output"  # SQLITE_IOERR
    CONSTRAINT = "constraint"  # SQLITE_CONSTRAINT / SQLITE_MISMATCH
    OTHER = "other"


# Most specific first: an extended name (SQLITE_READONLY_ROLLBACK) before its primary one (SQLITE_READONLY).
_BY_NAME: tuple[tuple[str, Failure], ...] = (
    ("SQLITE_READONLY_ROLLBACK", Failure.HOT_JOURNAL),
    ("SQLITE_READONLY_RECOVERY", Failure.HOT_JOURNAL),
    ("SQLITE_FULL", Failure.FULL),
    ("SQLITE_BUSY", Failure.LOCKED),
    ("SQLITE_LOCKED", Failure.LOCKED),
    ("SQLITE_READONLY", Failure.READONLY),
    ("SQLITE_PERM", Failure.READONLY),
    ("SQLITE_AUTH", Failure.READONLY),
    ("SQLITE_CORRUPT", Failure.CORRUPT),
    ("SQLITE_NOTADB", Failure.NOT_A_LEDGER),
    ("SQLITE_CANTOPEN", Failure.CANT_OPEN),
    ("SQLITE_IOERR", Failure.IO),
    ("SQLITE_CONSTRAINT", Failure.CONSTRAINT),
    ("SQLITE_MISMATCH", Failure.CONSTRAINT),
)


def error_name(exc: sqlite3.Error) -> str:
    """SQLite's name for the failure (SQLITE_FULL, SQLITE_IOERR_WRITE, …), or "" for the module's own errors."""
    return str(getattr(exc, "sqlite_errorname", None) or "")


def classify(exc: sqlite3.Error) -> Failure:
    """The kind of failure `exc` is, from its error code name (an extended name counts as its primary one)."""
    name = error_name(exc)
    for known, failure in _BY_NAME:
        if name == known or name.startswith(known + "_"):
            return failure
    return Failure.OTHER


def ledger_error(exc: sqlite3.Error, path: Path | str, *, outcome: str = "nothing was changed") -> LedgerError:
    """A LedgerError for `exc` on the ledger at `path` that says what happened and how to fix it.

    `outcome` says what the failed command left behind ("nothing was imported"). The SQLite message itself is
    never quoted: it can carry a cell's text. The import and write paths should raise this (after a rollback
    that checks `conn.in_transaction` first: SQLite has already rolled back on a full disk).
    """
    ledger = Path(path)
    failure = classify(exc)
    name = error_name(exc) or type(exc).__name__
    if failure is Failure.FULL:
        return LedgerError(f"{ledger}: the disk holding {ledger} is full (or the one holding the temporary "
                           f"directory); {outcome}.",
                           hint="free some space (or point TMPDIR at a roomier disk) and run the command again")
    if failure is Failure.LOCKED:
        return LedgerError(f"{ledger}: the ledger is locked by another process (another lifealm command, or a "
                           f"program that has it open); {outcome}.",
                           hint="wait for that process to finish, then run the command again")
    if failure is Failure.HOT_JOURNAL:
        return LedgerError(f"{ledger}: an interrupted write left a journal ({ledger}-journal) that must be rolled "
                           "back before the ledger can be read; nothing in the ledger is lost.",
                           hint=f"any command that writes to the ledger rolls it back (for example `lifealm "
                           f"report`), run by a user who can write to {ledger} and its directory")
    if failure is Failure.READONLY:
        return LedgerError(f"{ledger}: the ledger is read-only for this user; {outcome}.",
                           hint=f"give your user write access to the ledger and its directory "
                           f"(chmod u+w {ledger} {ledger.parent}), or use another ledger with --db")
    if failure is Failure.CORRUPT:
        return LedgerError(f"{ledger}: the ledger file is damaged: SQLite finds it malformed ({name}); {outcome}.",
                           hint="run `lifealm check` for details; restore it from a backup, or export what is "
                           "readable and import it into a new ledger")
    if failure is Failure.NOT_A_LEDGER:
        return LedgerError(f"{ledger}: not a lifealm ledger (the file is not a SQLite database).",
                           hint="point --db or LIFEALM_DB at your ledger, or create one with `lifealm init`")
    if failure is Failure.CANT_OPEN:
        return LedgerError(f"{ledger}: the ledger cannot be opened (its directory is missing or not accessible); "
                           f"{outcome}.", hint=f"check that {ledger.parent} exists and that your user can enter it")
    if failure is Failure.IO:
        return LedgerError(f"{ledger}: the disk holding the ledger reported an input/output error ({name}); "
                           f"{outcome}.", hint="check the disk (dmesg, free space), then run the command again")
    if failure is Failure.CONSTRAINT:
        return LedgerError(f"{ledger}: the ledger refused the change ({name}); {outcome}.",
                           hint="run `lifealm check` on the ledger")
    return LedgerError(f"{ledger}: the ledger could not be used ({name}); {outcome}.",
                       hint="run `lifealm check` on the ledger; run again with `--debug` for the details")
