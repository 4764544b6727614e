"""The PDF made in two child processes beside the report: one draws the print charts (vl-convert), the other lays
the pages out and writes them (WeasyPrint), each on its own core while this process renders the page.

Both libraries hold the GIL while they work (vl-convert measured: a Python loop beside it ran about fifteen times
slower), so threads gain nothing; processes do. Both start first thing: vl-convert's JavaScript engine warms up
and WeasyPrint's libraries load (about 0.5 s of CPU together) while the models run here. The PDF process is sent
the print HTML with each chart's size and lays the pages out at once; the chart process is sent the print specs
and draws them one by one, and each SVG is handed on to the PDF process, which draws the charts into the pages as
they come. Each is `python -m lifealm.render.print_worker ROLE`, a plain child process, so no caller's `__main__`
is ever run again (as multiprocessing's spawn would). The PDF is the same wherever it is made: vl-convert is
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
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from lifealm.charts.svg import WARM_UP, svg_data_url

Spec = dict[str, Any]
Size = tuple[int, int]  # a chart's width and height in CSS px

# The print HTML names a chart as CHART_SCHEME + ":" + its id; its SVG is asked for only when WeasyPrint draws
# the image (lifealm.render.pdf), so the pages are laid out while the charts are still being drawn.
CHART_SCHEME = "lifealm-chart"


def chart_url(chart_id: str) -> str:
    """The print HTML's image source for a chart whose SVG comes later (see `render_pdf`)."""
    return f"{CHART_SCHEME}:{chart_id}"


class PrintWorkerError(RuntimeError):
    """A print process failed; its message is that process's stderr (shown with `--debug` only: it may hold
    ledger text)."""


def usable_cores() -> int:
    """The cores this process may run on (a container's or taskset's limit, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _line(message: object) -> bytes:
    return json.dumps(message, allow_nan=False).encode("utf-8") + b"\n"


class _Child:
    """One `python -m lifealm.render.print_worker ROLE` process. A thread writes the lines it is sent, in order (a
    pipe fills up while the child is still warming up), until `close`; another hands its stdout to `read`."""

    def __init__(self, role: str, read: Callable[[IO[bytes]], None]) -> None:
        package_root = str(Path(__file__).resolve().parents[2])  # this lifealm, whatever the child's sys.path
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, (package_root, os.environ.get("PYTHONPATH")))))
        self.role = role
        self.process = subprocess.Popen([sys.executable, "-m", "lifealm.render.print_worker", role],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        self._stderr = b""
        self._threads = [threading.Thread(target=target, name=f"lifealm-print-{role}-{name}", daemon=True)
                         for name, target in (("in", self._write), ("out", lambda: self._read(read)),
                                              ("err", self._read_stderr))]
        for thread in self._threads:
            thread.start()

    def _write(self) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        try:
            while (line := self._lines.get()) is not None:
                stdin.write(line)
                stdin.flush()
            stdin.close()
        except (BrokenPipeError, ValueError):  # the child died (or was stopped): its exit status says why
            pass

    def _read(self, read: Callable[[IO[bytes]], None]) -> None:
        assert self.process.stdout is not None
        with self.process.stdout:
            read(self.process.stdout)

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        with self.process.stderr:
            self._stderr = self.process.stderr.read()

    def send(self, line: bytes) -> None:
        self._lines.put(line)

    def close(self) -> None:
        """No more lines: the child reads the end of its input."""
        self._lines.put(None)

    def finish(self) -> None:
        """Wait for the child; its failure is a PrintWorkerError."""
        for thread in self._threads:
            thread.join()
        if self.process.wait() != 0:
            raise PrintWorkerError(f"the print {self.role} process exited {self.process.returncode}: "
                                   f"{self._stderr.decode('utf-8', 'replace').strip()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.close()
        for thread in self._threads:
            thread.join()
        self.process.wait()


class _Workers:
    """The chart process and the PDF process; each chart the first draws is handed on to the second."""

    def __init__(self) -> None:
        self._pdf = b""
        self.pdf = _Child("pdf", self._keep_pdf)
        try:
            self.charts = _Child("charts", self._relay)
        except OSError:
            self.pdf.stop()
            raise

    def _keep_pdf(self, stdout: IO[bytes]) -> None:
        self._pdf = stdout.read()

    def _relay(self, stdout: IO[bytes]) -> None:
        for line in stdout:
            self.pdf.send(line)
        self.pdf.close()  # every chart is drawn (or the chart process failed: then the PDF waits for no more)

    def result(self) -> bytes:
        try:
            self.charts.finish()  # a chart that could not be drawn is the cause, not the PDF that lacks it
        except PrintWorkerError:
            self.pdf.stop()
            raise
        self.pdf.finish()
        return self._pdf

    def stop(self) -> None:
        self.charts.stop()
        self.pdf.stop()


class Printer:
    """A context that makes the PDF: on entry the print processes start (when there is a second core); `pdf` hands
    them the print HTML with its charts' sizes and returns a `PendingPdf`, `charts` the print specs; on exit they are
    stopped. Without them, the charts are drawn and the PDF made in this process, on `PendingPdf.result()`.

    The processes pay for their own engine start and imports (~0.5 s of CPU): that is won back only by a process
    with none of its own, such as `lifealm report`'s. So only a process's first printer starts them (by default);
    a process that reports again (a test run, a long-lived caller) prints in itself from then on, warm after the
    first time.
    """

    _first = True  # no printer has been entered in this process yet
    _early: _Workers | None = None  # started by `start_early`, for the first printer

    def __init__(self, *, parallel: bool | None = None) -> None:
        if parallel is None:
            parallel = Printer._first and usable_cores() > 1 and bool(sys.executable)
        Printer._first = False
        self._parallel = parallel
        self._workers: _Workers | None = None
        self._specs: dict[str, Spec] | None = None
        self._order: list[str] = []  # the charts in the order the print HTML shows them

    @classmethod
    def start_early(cls) -> None:
        """Start the first printer's processes now (`lifealm report` calls this before it imports the pipeline)."""
        if cls._first and cls._early is None and usable_cores() > 1 and sys.executable:
            try:
                cls._early = _Workers()
            except OSError:
                cls._early = None
            else:
                atexit.register(cls._stop_early)  # a report that fails before its charts leaves no process behind

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
            self._workers = early
        elif self._parallel:
            try:
                self._workers = _Workers()
            except OSError:  # no process can be started here (limits, a sandbox): print in this one
                self._workers = None
        return self

    def pdf(self, html: str, sizes: Mapping[str, Size]) -> PendingPdf:
        """The PDF of the print HTML, whose images name the charts by `chart_url`, each of the size given."""
        # The charts are drawn in the order the pages show them, so the PDF rarely waits for one.
        # (found with its closing quote: one id may begin another's)
        self._order = sorted(sizes, key=lambda chart_id: html.find(f'"{chart_url(chart_id)}"'))
        if self._workers is not None:
            self._workers.pdf.send(_line({"html": html, "sizes": sizes}))
        return PendingPdf(html, dict(sizes), self._workers, self)

    def charts(self, specs: Mapping[str, Spec]) -> None:
        """The print charts, by id: they are drawn from now on."""
        self._specs = {chart_id: specs[chart_id] for chart_id in sorted(specs, key=self._place)}
        if self._workers is not None:
            self._workers.charts.send(_line(self._specs))
            self._workers.charts.close()

    def _place(self, chart_id: str) -> int:
        return self._order.index(chart_id) if chart_id in self._order else len(self._order)

    def drawn(self) -> dict[str, Spec]:
        """The specs `charts` was given ({} if it was not called, as for a PDF without charts)."""
        if self._specs is None:
            self.charts({})
        assert self._specs is not None
        return self._specs

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._workers is not None:
            self._workers.stop()
            self._workers = None


class PendingPdf:
    """A PDF being made: `result()` waits for it (or makes it here, without print processes), once."""

    def __init__(self, html: str, sizes: dict[str, Size], workers: _Workers | None, printer: Printer) -> None:
        self._html, self._sizes, self._workers, self._printer = html, sizes, workers, printer
        self._pdf: bytes | None = None

    def result(self) -> bytes:
        if self._pdf is None:
            specs = self._printer.drawn()
            if self._workers is not None:
                self._pdf = self._workers.result()
            else:
                from lifealm.render.pdf import render_pdf  # WeasyPrint: loaded only by a process that prints

                self._pdf = render_pdf(self._html, self._sizes, lambda chart_id: svg_data_url(specs[chart_id]))
        return self._pdf


def _serve_charts() -> None:
    """The chart process: warm up, read the specs (a line of JSON), write each chart's SVG as it is drawn."""
    svg_data_url(WARM_UP)  # vl-convert's engine and fonts, while the parent runs the models
    specs = json.loads(sys.stdin.buffer.readline() or b"{}")
    for chart_id, spec in specs.items():
        sys.stdout.buffer.write(_line({"chart": chart_id, "svg": svg_data_url(spec)}))
        sys.stdout.buffer.flush()


def _serve_pdf() -> None:
    """The PDF process: load WeasyPrint, read the print HTML and the charts (lines of JSON, the charts in any order
    and as they are drawn), write the PDF to stdout."""
    from lifealm.render.pdf import render_pdf  # WeasyPrint and its libraries, while the parent runs the models

    page: dict[str, Any] | None = None
    svgs: dict[str, str] = {}

    def read() -> None:
        nonlocal page
        line = sys.stdin.buffer.readline()
        if not line:
            raise EOFError
        message = json.loads(line)
        if "html" in message:
            page = message
        else:
            svgs[message["chart"]] = message["svg"]

    def source(chart_id: str) -> str:
        while chart_id not in svgs:
            try:
                read()
            except EOFError:
                raise RuntimeError(f"the chart {chart_id!r} was never drawn") from None
        return svgs[chart_id]

    while page is None:
        try:
            read()
        except EOFError:
            raise RuntimeError("no print HTML came") from None
    sizes = {chart_id: (width, height) for chart_id, (width, height) in page["sizes"].items()}
    sys.stdout.buffer.write(render_pdf(page["html"], sizes, source))


if __name__ == "__main__":
    {"charts": _serve_charts, "pdf": _serve_pdf}[sys.argv[1]]()
    sys.stdout.flush()
    sys.stderr.flush()
    # The output is out and nothing else is open: the interpreter's teardown (vl-convert's JavaScript engine,
    # WeasyPrint's caches), which took the parent about 0.1 s of waiting, is skipped.
    os._exit(0)
