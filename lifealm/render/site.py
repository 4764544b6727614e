"""The site writer: a day is built in a hidden directory inside the output dir, then renamed into place."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from lifealm.render.files import FileModes, write_atomic, write_file

DAY_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class ArchiveEntry:
    """One published briefing as the archive page lists it (read back from its briefing.json)."""

    day: str
    status: str  # SAFE / CAUTION / DANGER, or UNREADABLE when briefing.json cannot be read


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


def archive_entries(out_dir: Path) -> list[ArchiveEntry]:
    """Every published day with the status its own briefing.json records, newest first."""
    entries = []
    for day in reversed(published_days(out_dir)):
        try:
            status = str(json.loads((out_dir / day / "briefing.json").read_text("utf-8"))["status"])
        except (OSError, ValueError, KeyError, TypeError):
            status = "UNREADABLE"
        entries.append(ArchiveEntry(day=day, status=status))
    return entries


def write_page(out_dir: Path, name: str, html: str, modes: FileModes) -> Path:
    """Replace one top-level page (index.html, archive.html) atomically."""
    path = out_dir / name
    write_atomic(path, html.encode("utf-8"), modes)
    return path
