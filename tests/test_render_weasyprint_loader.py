"""WeasyPrint loaded without running ldconfig, gcc or ld, and loaded the usual way where its sonames do not load
directly. Each case runs in a fresh interpreter: an import happens once per process."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

# Counts the processes started while WeasyPrint loads; then checks that it lays out a page with text (its libraries,
# fonts and harfbuzz are really there) and that the library search is back as it was.
_PROBE = """
import ctypes.util, json, subprocess, sys
search = ctypes.util.find_library
started = []
real_init = subprocess.Popen.__init__
def counting_init(self, args, *rest, **kwargs):
    started.append(str(args[0] if isinstance(args, (list, tuple)) else args))
    real_init(self, args, *rest, **kwargs)
subprocess.Popen.__init__ = counting_init
{setup}
from lifealm.render.weasyprint_loader import load_weasyprint
weasyprint = load_weasyprint()
pdf = weasyprint.HTML(string="<p>株価 lifealm</p>").write_pdf()
print(json.dumps({{"started": started, "pdf": pdf[:5].decode(), "restored": ctypes.util.find_library is search,
                  "again": load_weasyprint() is weasyprint}}))
"""

# A system whose libraries the dynamic loader knows only by other names: every direct load fails while the search
# is off, as it would if WeasyPrint's sonames did not exist there.
_SONAMES_DO_NOT_LOAD = """
import cffi.api
import lifealm.render.weasyprint_loader as loader
real_load = cffi.api._load_backend_lib
def load(backend, name, flags):
    if ctypes.util.find_library is loader._not_found:
        raise OSError(f"cannot load {name}")
    return real_load(backend, name, flags)
cffi.api._load_backend_lib = load
"""


def _probe(setup: str = "") -> tuple[dict[str, object], str]:
    code = textwrap.dedent(_PROBE).format(setup=setup)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout), done.stderr


def test_weasyprint_loads_without_starting_a_process() -> None:
    result, _ = _probe()
    assert result == {"started": [], "pdf": "%PDF-", "restored": True, "again": True}


def test_where_the_sonames_do_not_load_it_loads_the_usual_way() -> None:
    result, stderr = _probe(_SONAMES_DO_NOT_LOAD)
    # The usual way asks ldconfig (and gcc, ld) for the names it cannot load, and then succeeds.
    assert any("ldconfig" in started for started in result["started"])  # type: ignore[attr-defined]
    assert (result["pdf"], result["restored"], result["again"]) == ("%PDF-", True, True)
    # WeasyPrint's installation advice from the failed first attempt went to stderr, not into stdout's JSON.
    assert "WeasyPrint could not import some external libraries" in stderr
