"""File-system writes every layer shares: atomic replace, owner-only directories, chmod that never follows a link."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, NoReturn

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def _with_path(exc: OSError, path: Path) -> OSError:
    """`exc` naming `path` (a failed write() carries no file name, so the message could not say where)."""
    if exc.filename is not None:
        return exc
    return type(exc)(exc.errno, exc.strerror or os.strerror(exc.errno or 0), str(path))


def reraise_with_path(exc: OSError, path: Path) -> NoReturn:
    """Raise `exc`, or a copy naming `path` when it names no file (so the message can say which disk is full)."""
    named = _with_path(exc, path)
    if named is exc:
        raise exc
    raise named from exc


def make_dirs(path: Path, mode: int = PRIVATE_DIR) -> None:
    """Create `path` and any missing parent, each with `mode` (owner-only by default) whatever the umask.

    Existing directories are left as they are: lifealm never changes the mode of a directory it did not make.
    """
    missing: list[Path] = []
    current = path
    while not current.is_dir():
        if current.exists() or current.is_symlink():
            raise NotADirectoryError(errno.ENOTDIR, "not a directory", str(current))
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for directory in reversed(missing):
        try:
            os.mkdir(directory, mode)
        except FileExistsError:
            if not directory.is_dir():
                raise
            continue  # another process made it first
        # mkdir applies the umask; a umask can only remove bits, but chmod makes the mode exact (e.g. shared 0755).
        chmod_no_follow(directory, mode)


def chmod_no_follow(path: Path, mode: int) -> bool:
    """chmod `path` itself; a symbolic link is left alone (its target is not ours to change). True if changed."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # a symlink: never followed
            return False
        raise
    try:
        os.fchmod(fd, mode)
    finally:
        os.close(fd)
    return True


@contextmanager
def atomic_file(path: Path, mode: int = PRIVATE_FILE) -> Iterator[BinaryIO]:
    """A binary stream to a temporary file beside `path`; on a clean exit it is fsynced and renamed over `path`.

    A reader sees the old file or the new one, never half of one; a failure leaves no temporary file behind and
    the OSError names `path` (a full disk is reported as the disk holding that file).
    """
    try:
        handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        reraise_with_path(exc, path)
    try:
        with os.fdopen(handle, "wb") as stream:
            os.fchmod(stream.fileno(), mode)
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        try:
            os.replace(temp_name, path)
        except OSError as exc:  # name the target, not the temporary file (e.g. `path` is a directory)
            raise type(exc)(exc.errno, exc.strerror, str(path)) from exc
    except OSError as exc:
        Path(temp_name).unlink(missing_ok=True)
        reraise_with_path(exc, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes, mode: int = PRIVATE_FILE) -> None:
    """Write `data` to `path` atomically (see `atomic_file`)."""
    with atomic_file(path, mode) as stream:
        stream.write(data)
