"""The print charts as vector SVG (vl-convert), drawn in a second process while this one lays out the rest.

vl-convert holds the GIL while it draws (measured: a Python loop beside it ran about fifteen times slower), so a
thread gains nothing; a worker process does. It is started first thing, so its JavaScript engine warms up (most of
a first conversion's ~0.8 s) while the models run, and it draws the SVGs while this process imports WeasyPrint
and renders the HTML. The worker is `python -m lifealm.charts.svg`, fed the specs as JSON on stdin: a plain
child process, so no caller's `__main__` is ever run again (as multiprocessing's spawn would). The SVGs are the
same either way: vl-convert is deterministic but for the numbers of its `clip` ids, which count the charts the
process drew before and never reach the PDF.
"""

from __future__ import annotations

import atexit
import base64
import json
import os
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from lifealm.charts.theme import PRINT_FONT

Spec = dict[str, Any]

# Small, with text in the charts' font: the first conversion pays for the engine and for finding the font.
_WARM_UP: Spec = {
    "data": {"values": [{"x": 1, "t": "0"}]},
    "mark": "text",
    "encoding": {"x": {"field": "x", "type": "quantitative"}, "text": {"field": "t"}},
    "config": {"font": PRINT_FONT},
}


class ChartWorkerError(RuntimeError):
    """The SVG worker failed; its message is the worker's stderr (shown with `--debug` only: it may hold
    ledger text)."""


def svg_data_url(spec: Spec) -> str:
    """One chart as an SVG data: URL; external data is refused (every chart carries its rows inline)."""
    import vl_convert  # on use: only the worker and the serial path draw

    svg = vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def svg_data_urls(specs: Mapping[str, Spec]) -> dict[str, str]:
    """Every chart as an SVG data: URL, keyed and ordered as `specs`."""
    return {chart_id: svg_data_url(spec) for chart_id, spec in specs.items()}


def usable_cores() -> int:
    """The cores this process may run on (a container's or taskset's limit, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class PendingSvgs:
    """SVGs being drawn: `result()` waits for them (or draws them here, when no worker runs), once."""

    def __init__(self, specs: Mapping[str, Spec], worker: _Worker | None) -> None:
        self._specs = specs
        self._worker = worker
        self._svgs: dict[str, str] | None = None

    def result(self) -> dict[str, str]:
        if self._svgs is None:
            self._svgs = svg_data_urls(self._specs) if self._worker is None else self._worker.result(list(self._specs))
        return self._svgs


class _Worker:
    """One `python -m lifealm.charts.svg` child; `send` hands it the specs from a thread (a pipe fills up while
    the child is still warming up), `result` waits for its answer."""

    def __init__(self) -> None:
        package_root = str(Path(__file__).resolve().parents[2])  # this lifealm, whatever the child's sys.path
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, (package_root, os.environ.get("PYTHONPATH")))))
        self.process = subprocess.Popen([sys.executable, "-m", "lifealm.charts.svg"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self._talk: threading.Thread | None = None
        self._answer: tuple[bytes, bytes] = (b"", b"")

    def send(self, specs: Mapping[str, Spec]) -> None:
        payload = json.dumps(specs, allow_nan=False).encode("utf-8")

        def talk() -> None:
            self._answer = self.process.communicate(payload)

        self._talk = threading.Thread(target=talk, name="lifealm-svg-worker", daemon=True)
        self._talk.start()

    def result(self, chart_ids: list[str]) -> dict[str, str]:
        assert self._talk is not None, "send() comes first"
        self._talk.join()
        out, err = self._answer
        if self.process.returncode != 0:
            raise ChartWorkerError(f"the SVG worker exited {self.process.returncode}: "
                                   f"{err.decode('utf-8', 'replace').strip()}")
        svgs: dict[str, str] = json.loads(out)
        if list(svgs) != chart_ids:
            raise ChartWorkerError(f"the SVG worker answered for {sorted(svgs)}, not {sorted(chart_ids)}")
        return svgs

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        if self._talk is not None:
            self._talk.join()
        else:
            self.process.communicate()


class SvgDrawer:
    """A context: on entry a worker process starts (when there is a second core) and warms vl-convert up; `draw`
    hands it the specs; on exit it is stopped. Without a worker, `draw` draws on `result()`, in this process.

    A worker pays for its own engine start (~0.8 s of CPU): that is won back only by a process with no warm
    engine of its own, such as `lifealm report`'s. So only a process's first drawer starts one (by default); a
    process that reports again (a test run, a long-lived caller) draws in itself from then on, its engine warm
    after the first time.
    """

    _first = True  # no drawer has been entered in this process yet
    _early: _Worker | None = None  # started by `start_early`, for the first drawer

    def __init__(self, *, parallel: bool | None = None) -> None:
        if parallel is None:
            parallel = SvgDrawer._first and usable_cores() > 1 and bool(sys.executable)
        SvgDrawer._first = False
        self._parallel = parallel
        self._worker: _Worker | None = None

    @classmethod
    def start_early(cls) -> None:
        """Start the first drawer's worker now (`lifealm report` calls this before it imports the pipeline)."""
        if cls._first and cls._early is None and usable_cores() > 1 and sys.executable:
            try:
                cls._early = _Worker()
            except OSError:
                cls._early = None
            else:
                atexit.register(cls._stop_early)  # a report that fails before its charts leaves no worker behind

    @classmethod
    def _stop_early(cls) -> None:
        early, cls._early = cls._early, None
        if early is not None:
            early.stop()

    def __enter__(self) -> SvgDrawer:
        early, SvgDrawer._early = SvgDrawer._early, None
        if early is not None and not self._parallel:
            early.stop()
        elif early is not None:
            self._worker = early
        elif self._parallel:
            try:
                self._worker = _Worker()
            except OSError:  # no process can be started here (limits, a sandbox): draw in this one
                self._worker = None
        return self

    def draw(self, specs: Mapping[str, Spec]) -> PendingSvgs:
        chosen = dict(specs)
        if self._worker is not None:
            self._worker.send(chosen)
        return PendingSvgs(chosen, self._worker)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None


def _serve() -> None:
    """The worker: warm up, then read the specs (JSON on stdin) and write their SVG data: URLs (JSON on stdout)."""
    svg_data_url(_WARM_UP)
    specs = json.loads(sys.stdin.buffer.read())
    sys.stdout.write(json.dumps(svg_data_urls(specs)))


if __name__ == "__main__":
    _serve()
