"""WeasyPrint imported without its library-name search: the sonames it lists last load straight away on Linux."""

from __future__ import annotations

import contextlib
import ctypes.util
import importlib
import sys
import threading
from collections.abc import Iterator
from types import ModuleType

_lock = threading.Lock()


def load_weasyprint() -> ModuleType:
    """The `weasyprint` module, imported once per process.

    WeasyPrint tries each of its C libraries under every platform's name (`libgobject-2.0-0`, `gobject-2.0`, …,
    `libgobject-2.0.so.0`). For each name the dynamic loader does not know, cffi asks `ctypes.util.find_library`,
    which runs ldconfig, gcc and ld as subprocesses: about twenty of them, a third of the import's time and more of
    its CPU, taken from the report running beside it. So the first attempt answers "not found" to those searches;
    the sonames then load directly (the dynamic loader still honours LD_LIBRARY_PATH and its cache). Where they do
    not (a system that names its libraries otherwise), WeasyPrint is imported again the usual way.
    """
    with _lock:
        if "weasyprint" in sys.modules:
            return sys.modules["weasyprint"]
        try:
            with _no_library_search(), contextlib.redirect_stdout(sys.stderr):
                return importlib.import_module("weasyprint")
        except OSError:
            _forget_weasyprint()
        # WeasyPrint prints its installation advice before it raises: on stderr, never into a PDF written to stdout.
        with contextlib.redirect_stdout(sys.stderr):
            return importlib.import_module("weasyprint")


@contextlib.contextmanager
def _no_library_search() -> Iterator[None]:
    search = ctypes.util.find_library
    ctypes.util.find_library = _not_found
    try:
        yield
    finally:
        ctypes.util.find_library = search


def _not_found(name: str) -> None:
    return None


def _forget_weasyprint() -> None:
    """Drop a half-done import, so that the next one starts over (and loads the libraries again)."""
    for name in [name for name in sys.modules if name == "weasyprint" or name.startswith("weasyprint.")]:
        del sys.modules[name]
