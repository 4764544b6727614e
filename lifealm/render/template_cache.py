"""Compiled templates kept between runs (Jinja's bytecode cache) in lifealm's private cache folder, so a report
renders its pages without compiling the templates again: about 0.1 s of every report, spent before the print
HTML can go to the PDF process."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import jinja2

from lifealm.atomic import make_dirs
from lifealm.settings import default_cache_dir


class TemplateCache(jinja2.FileSystemBytecodeCache):
    """A cache that is only ever a cache: an entry that cannot be read (damaged, cut short, from another Jinja) is
    compiled again, and one that cannot be written is not kept; neither stops a report."""

    def load_bytecode(self, bucket: Any) -> None:  # a jinja2.bccache.Bucket
        try:
            super().load_bytecode(bucket)
        except Exception:  # whatever a damaged file raises: the template is compiled instead
            bucket.reset()

    def dump_bytecode(self, bucket: Any) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def template_cache(folder: Path | None = None) -> TemplateCache | None:
    """The cache in `folder` (default: `templates` in lifealm's cache folder), made owner-only; None when it cannot
    be made or someone else could write into it (Jinja runs the code it finds there)."""
    try:
        folder = default_cache_dir() / "templates" if folder is None else folder
        make_dirs(folder)
        found = folder.stat()
    except (OSError, RuntimeError):  # RuntimeError: no home folder to put it in
        return None
    if found.st_uid != os.getuid() or found.st_mode & 0o077:
        return None
    return TemplateCache(str(folder))
