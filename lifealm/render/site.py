"""The site writer: a day is built in a hidden directory inside the output dir, then renamed into place."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from lifealm.render.files import FileModes, write_atomic, write_file

DAY_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ARCHIVE_PAGE = "archive.html"
# archive.html carries its own index: one <tr data-day="DAY" data-status="STATUS"> per briefing.
ARCHIVE_ROW_PATTERN = re.compile(r'<tr data-day="(\d{4}-\d{2}-\d{2})" data-status="([A-Z_]+(?: [A-Z]+)?)">')


@dataclass(frozen=True, slots=True)
class ArchiveEntry:
    """One published briefing as the archive page lists it (read back from its briefing.json)."""

    day: str
    status: str  # SAFE / CAUTION / DANGER / NO DATA, or UNREADABLE when briefing.json cannot be read


def publish_day(out_dir: Path, day: str, files: Mapping[str, bytes], modes: FileModes) -> Path:
    """Write `files` (relative path → bytes) as `out_dir/day/` atomically; an older copy is replaced whole.

    Everything is written into `out_dir/.build-DAY-*` first; only a complete directory is renamed to `day`,
    so a failure at any point leaves the previous site exactly as it was.
    """
    if not DAY_PATTERN.match(day):
        raise ValueError(f"not a YYYY-MM-DD day: {day!r}")
    out_dir.mkdir(mode=modes.directory, parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out_dir, prefix=f".build-{day}-"))
    try:
        os.chmod(staging, modes.directory)
        for relative in sorted(files):
            target = staging / relative
            if target.parent != staging:
                target.parent.mkdir(mode=modes.directory, parents=True, exist_ok=True)
            write_file(target, files[relative], modes)
        final = out_dir / day
        if final.exists():
            trash = Path(tempfile.mkdtemp(dir=out_dir, prefix=f".old-{day}-"))
            os.replace(final, trash / day)
            os.replace(staging, final)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            os.replace(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final


def published_days(out_dir: Path) -> list[str]:
    """Every day directory under the site, oldest first."""
    if not out_dir.is_dir():
        return []
    return sorted(p.name for p in out_dir.iterdir() if p.is_dir() and DAY_PATTERN.match(p.name))


def _status_of(day_dir: Path) -> str:
    try:
        return str(json.loads((day_dir / "briefing.json").read_text("utf-8"))["status"])
    except (OSError, ValueError, KeyError, TypeError):
        return "UNREADABLE"


def _known_statuses(out_dir: Path) -> dict[str, str]:
    """The day → status pairs the previous run wrote into archive.html's rows (empty when absent)."""
    try:
        page = (out_dir / ARCHIVE_PAGE).read_text("utf-8")
    except (OSError, ValueError):
        return {}
    return dict(ARCHIVE_ROW_PATTERN.findall(page))


def archive_entries(out_dir: Path, *, day: str, status: str) -> list[ArchiveEntry]:
    """Every published day with its status, newest first, `day` recorded as `status`.

    archive.html's rows carry the day → status index they were built from, so twenty years of daily briefings
    do not mean reading thousands of briefing.json files on every run; a day missing from it is read from its
    own briefing.json once, and a day whose directory is gone is dropped.
    """
    known = _known_statuses(out_dir)
    days = published_days(out_dir)
    statuses = {d: known[d] for d in days if d in known}
    statuses[day] = status
    for d in days:
        if d not in statuses:
            statuses[d] = _status_of(out_dir / d)
    return [ArchiveEntry(day=d, status=statuses[d]) for d in reversed(days)]


def remove_leftovers(out_dir: Path, *, older_than_seconds: float = 3600.0) -> None:
    """Delete staging directories a killed run left behind (only old ones: another run may be building now)."""
    if not out_dir.is_dir():
        return
    cutoff = time.time() - older_than_seconds
    for path in out_dir.iterdir():
        if path.name.startswith((".build-", ".old-")) and path.is_dir() and path.stat().st_mtime < cutoff:
            shutil.rmtree(path, ignore_errors=True)


def write_page(out_dir: Path, name: str, html: str, modes: FileModes) -> Path:
    """Replace one top-level page (index.html, archive.html) atomically."""
    path = out_dir / name
    write_atomic(path, html.encode("utf-8"), modes)
    return path
