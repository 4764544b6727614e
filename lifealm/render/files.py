"""File modes for generated output (owner-only by default: a briefing is private); atomic writes: lifealm.atomic."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from lifealm.atomic import reraise_with_path


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


def write_file(path: Path, data: bytes, modes: FileModes) -> None:
    """Write a file inside a directory that is not visible yet (no rename needed), with the right mode."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, modes.file)
        with os.fdopen(fd, "wb") as stream:
            os.fchmod(stream.fileno(), modes.file)  # exact whatever the umask, and never through a link
            stream.write(data)
    except OSError as exc:
        reraise_with_path(exc, path)
