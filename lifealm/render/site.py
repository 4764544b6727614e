"""The site writer: a day is built in a hidden directory inside the output dir, then renamed into place."""

from __future__ import annotations

import ctypes
import errno
import functools
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from lifealm.atomic import chmod_no_follow, make_dirs, write_atomic
from lifealm.render.files import FileModes, write_file

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

    Everything is written into `out_dir/.build-DAY-*` first; only a complete directory takes the place of `day`,
    so a failure at any point leaves the previous site exactly as it was. The old and new directories are
    swapped in one step (renameat2 RENAME_EXCHANGE), so a reader never finds `day` missing and a concurrent
    publisher of the same day cannot make this one fail.
    """
    if not DAY_PATTERN.match(day):
        raise ValueError(f"not a YYYY-MM-DD day: {day!r}")
    make_dirs(out_dir, modes.directory)
    chmod_no_follow(out_dir, modes.directory)  # the site's root follows this run's modes, like its files
    staging = Path(tempfile.mkdtemp(dir=out_dir, prefix=f".build-{day}-"))
    try:
        os.chmod(staging, modes.directory)
        for relative in sorted(files):
            target = staging / relative
            if target.parent != staging:
                target.parent.mkdir(mode=modes.directory, parents=True, exist_ok=True)
                os.chmod(target.parent, modes.directory)
            write_file(target, files[relative], modes)
        final = out_dir / day
        _put_in_place(staging, final, out_dir)
    finally:
        # After a swap `staging` holds the replaced copy; after a plain rename it is gone.
        shutil.rmtree(staging, ignore_errors=True)
    return final


_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function: Callable[..., int] = libc.renameat2
    except (OSError, AttributeError):  # not Linux, or a libc older than glibc 2.28
        return None
    return function


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one step; False when the system or file system cannot (then: two renames)."""
    function = _renameat2()
    if function is None:
        return False
    if function(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    if code == errno.ENOENT and not b.exists():
        raise FileNotFoundError(code, os.strerror(code), str(b))  # the caller renames instead
    raise OSError(code, os.strerror(code), str(b))


def _put_in_place(staging: Path, final: Path, out_dir: Path, attempts: int = 50) -> None:
    """Make the complete `staging` directory become `final`, whatever another publisher does meanwhile."""
    for _ in range(attempts):
        if final.exists():
            try:
                if _exchange(staging, final):
                    return
            except FileNotFoundError:
                continue  # `final` vanished (a publisher without RENAME_EXCHANGE): rename instead
            # No atomic swap here: move the old copy aside, then rename (a reader may briefly miss the day).
            trash = Path(tempfile.mkdtemp(dir=out_dir, prefix=f".old-{final.name}-"))
            try:
                try:
                    os.replace(final, trash / final.name)
                except FileNotFoundError:
                    continue  # another publisher moved it first
                try:
                    os.replace(staging, final)
                    return
                except OSError as exc:
                    if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                        raise
            finally:
                shutil.rmtree(trash, ignore_errors=True)
            continue
        try:
            os.rename(staging, final)  # onto nothing (or an empty directory): atomic
            return
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise  # another publisher created `final` first: swap with it on the next round
    raise OSError(errno.EBUSY, "other processes kept replacing the day directory", str(final))


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
    write_atomic(path, html.encode("utf-8"), modes.file)
    return path
