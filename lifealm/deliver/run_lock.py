"""An exclusive fcntl.flock on a lock file in the output directory, so overlapping runs never write the site at once."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lifealm.atomic import make_dirs
from lifealm.errors import LifealmError

LOCK_NAME = "run.lock"


def lock_path(out_dir: Path) -> Path:
    return out_dir / ".lifealm" / LOCK_NAME


@contextmanager
def run_lock(out_dir: Path, *, wait_seconds: float = 600.0, poll_seconds: float = 0.1) -> Iterator[Path]:
    """Hold the output directory's lock; wait up to `wait_seconds` for another run, then fail clearly.

    flock is released by the kernel when the process dies, so a crashed run never leaves a stale lock behind.
    """
    path = lock_path(out_dir)
    if out_dir.is_symlink() and not out_dir.exists():
        raise LifealmError(f"{out_dir}: a symbolic link to {os.readlink(out_dir)}, which does not exist; "
                           "nothing was written.", hint="create the link's target directory, or point --out "
                           "elsewhere")
    try:
        # Private, and so are the parents it creates (the output's own mode is set when the site is written).
        make_dirs(path.parent)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except (NotADirectoryError, FileExistsError) as exc:
        raise LifealmError(f"{exc.filename or out_dir}: not a directory, so the output directory {out_dir} "
                           "cannot be used.", hint="point --out (or LIFEALM_OUT / `out` in the config) at a "
                           "directory, or at a path that does not exist yet") from None
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _read_holder(fd)
                    raise LifealmError(
                        f"{path}: another lifealm run{holder} still holds the lock after {wait_seconds:g} s; "
                        "nothing was written.",
                        hint="wait for it to finish (or raise --wait); a crashed run releases the lock by itself",
                    ) from None
                time.sleep(poll_seconds)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield path
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return f" (pid {text})" if text.isdigit() else ""
