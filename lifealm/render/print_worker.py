"""The PDF made in a second process: its charts drawn (vl-convert) and the pages laid out (WeasyPrint) there, while
this process builds the screen charts and renders the page.

Both libraries hold the GIL while they work (vl-convert measured: a Python loop beside it ran about fifteen times
slower), so a thread gains nothing; a worker process does. It is started first thing: its JavaScript engine warms
up and WeasyPrint's libraries load (about 0.7 s of CPU together) while the models run here. It is fed two lines of
JSON on stdin, the print charts' specs (drawing starts as soon as they come) and then the print HTML, and answers
with the PDF's bytes on stdout. It is `python -m lifealm.render.print_worker`: a plain child process, so no caller's
`__main__` is ever run again (as multiprocessing's spawn would). The PDF is the same either way: vl-convert is
deterministic but for the numbers of its `clip` ids, which count the charts a process drew before and never reach
the PDF.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from lifealm.charts.svg import WARM_UP, svg_data_url, svg_data_urls

Spec = dict[str, Any]

# The print HTML names a chart as CHART_SCHEME + ":" + its id; its SVG is asked for only when WeasyPrint reaches
# the image (lifealm.render.pdf), so the HTML is parsed and styled while the charts are still being drawn.
CHART_SCHEME = "lifealm-chart"


def chart_url(chart_id: str) -> str:
    """The print HTML's image source for a chart whose SVG comes later (see `render_pdf`'s `charts`)."""
    return f"{CHART_SCHEME}:{chart_id}"


class PrintWorkerError(RuntimeError):
    """The print worker failed; its message is the worker's stderr (shown with `--debug` only: it may hold
    ledger text)."""


def usable_cores() -> int:
    """The cores this process may run on (a container's or taskset's limit, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class _Worker:
    """One `python -m lifealm.render.print_worker` child. A thread writes its two lines as they come (a pipe fills
    up while the child is still warming up) and then reads its answer; `result` waits for that."""

    def __init__(self) -> None:
        package_root = str(Path(__file__).resolve().parents[2])  # this lifealm, whatever the child's sys.path
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, (package_root, os.environ.get("PYTHONPATH")))))
        self.process = subprocess.Popen([sys.executable, "-m", "lifealm.render.print_worker"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self._lines: queue.Queue[bytes] = queue.Queue()
        self._answer: tuple[bytes, bytes] = (b"", b"")
        self._talk = threading.Thread(target=self._converse, name="lifealm-print-worker", daemon=True)
        self._talk.start()

    def _converse(self) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        try:
            for _ in range(2):
                line = self._lines.get()
                if not line:  # stop() before both lines were sent
                    break
                stdin.write(line)
                stdin.flush()
        except (BrokenPipeError, ValueError):  # the child died (or was stopped): its exit status says why
            pass
        self._answer = self.process.communicate()

    def send(self, message: object) -> None:
        self._lines.put(json.dumps(message, allow_nan=False).encode("utf-8") + b"\n")

    def result(self) -> bytes:
        self._talk.join()
        out, err = self._answer
        if self.process.returncode != 0:
            raise PrintWorkerError(f"the print worker exited {self.process.returncode}: "
                                   f"{err.decode('utf-8', 'replace').strip()}")
        return out

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self._lines.put(b"")
        self._talk.join()


class Printer:
    """A context that makes the PDF: on entry a worker process starts (when there is a second core); `charts`
    hands it the print specs, `pdf` the print HTML and returns a `PendingPdf`; on exit the worker is stopped.
    Without a worker the charts are drawn and the PDF made in this process, on `PendingPdf.result()`.

    A worker pays for its own engine start and imports (~0.7 s of CPU): that is won back only by a process with
    none of its own, such as `lifealm report`'s. So only a process's first printer starts one (by default); a
    process that reports again (a test run, a long-lived caller) prints in itself from then on, warm after the
    first time.
    """

    _first = True  # no printer has been entered in this process yet
    _early: _Worker | None = None  # started by `start_early`, for the first printer

    def __init__(self, *, parallel: bool | None = None) -> None:
        if parallel is None:
            parallel = Printer._first and usable_cores() > 1 and bool(sys.executable)
        Printer._first = False
        self._parallel = parallel
        self._worker: _Worker | None = None
        self._specs: dict[str, Spec] | None = None

    @classmethod
    def start_early(cls) -> None:
        """Start the first printer's worker now (`lifealm report` calls this before it imports the pipeline)."""
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

    def __enter__(self) -> Printer:
        early, Printer._early = Printer._early, None
        if early is not None and not self._parallel:
            early.stop()
        elif early is not None:
            self._worker = early
        elif self._parallel:
            try:
                self._worker = _Worker()
            except OSError:  # no process can be started here (limits, a sandbox): print in this one
                self._worker = None
        return self

    def charts(self, specs: Mapping[str, Spec]) -> None:
        """The print charts, by id: the worker starts drawing them now."""
        self._specs = dict(specs)
        if self._worker is not None:
            self._worker.send(self._specs)

    def pdf(self, html: str) -> PendingPdf:
        """The PDF of the print HTML, whose images name the charts by `chart_url`."""
        if self._specs is None:  # a PDF without charts: the worker still reads its line of specs first
            self.charts({})
        assert self._specs is not None
        if self._worker is not None:
            self._worker.send(html)
        return PendingPdf(html, self._specs, self._worker)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None


class PendingPdf:
    """A PDF being made: `result()` waits for it (or makes it here, when no worker runs), once."""

    def __init__(self, html: str, specs: Mapping[str, Spec], worker: _Worker | None) -> None:
        self._html = html
        self._specs = specs
        self._worker = worker
        self._pdf: bytes | None = None

    def result(self) -> bytes:
        if self._pdf is None:
            if self._worker is not None:
                self._pdf = self._worker.result()
            else:
                from lifealm.render.pdf import render_pdf  # WeasyPrint: loaded only by a process that prints

                drawn: dict[str, str] = {}

                def charts() -> dict[str, str]:  # asked for once per image: drawn the first time
                    if not drawn:
                        drawn.update(svg_data_urls(self._specs))
                    return drawn

                self._pdf = render_pdf(self._html, charts)
        return self._pdf


def _serve() -> None:
    """The worker: warm up, then read the specs and the HTML (a line of JSON each) and write the PDF to stdout."""
    svg_data_url(WARM_UP)  # vl-convert's engine and fonts, while the parent runs the models
    from lifealm.render.pdf import render_pdf  # WeasyPrint and its libraries, likewise

    specs = json.loads(sys.stdin.buffer.readline())
    svgs = svg_data_urls(specs)  # drawn while the parent renders the print HTML
    html = json.loads(sys.stdin.buffer.readline())
    sys.stdout.buffer.write(render_pdf(html, lambda: svgs))


if __name__ == "__main__":
    _serve()
    sys.stdout.flush()
    sys.stderr.flush()
    # The PDF is out and nothing else is open: the interpreter's teardown (vl-convert's JavaScript engine,
    # WeasyPrint's caches), which took the parent about 0.1 s of waiting, is skipped.
    os._exit(0)
