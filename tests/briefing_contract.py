"""The suite-wide briefing.json contract check's ledger of hand-written stand-ins.

conftest.py validates every briefing.json the suite produces against the shipped schema. A test that lays out a
partial or broken briefing.json on purpose (to feed the e-mail or the archive a document lifealm did not write)
names the file here, so the check can tell a deliberate stand-in from a report that broke the contract.
"""

from __future__ import annotations

from pathlib import Path

STAND_INS: set[Path] = set()


def stand_in(path: Path) -> Path:
    """Mark `path` as a briefing.json a test wrote by hand (not produced by lifealm); returns it."""
    STAND_INS.add(path.resolve())
    return path
