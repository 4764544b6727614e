"""File modes and atomic writes for generated output (owner-only by default: a briefing is private)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class FileModes:
    """Permission bits for generated files and directories."""

    file: int = 0o600
    directory: int = 0o700

    @classmethod
    def private(cls) -> FileModes:
        """Readable by the owner only (the default: the site holds the household's figures)."""
        return cls()

    @classmethod
    def shared(cls) -> FileModes:
        """Readable as the process umask allows (e.g. 0644 / 0755 under umask 022), for a served site."""
        mask = os.umask(0)
        os.umask(mask)
        return cls(file=0o666 & ~mask, directory=0o777 & ~mask)


def write_atomic(path: Path, data: bytes, modes: FileModes) -> None:
    """Write `data` to a temporary file beside `path`, fsync it, then rename it over `path`."""
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_name, modes.file)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def write_file(path: Path, data: bytes, modes: FileModes) -> None:
    """Write a file inside a directory that is not visible yet (no rename needed), with the right mode."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, modes.file)
    with os.fdopen(fd, "wb") as stream:
        stream.write(data)
    os.chmod(path, modes.file)
