"""The PDF made by the print processes (charts drawn in one, pages laid out in the other): the same bytes as made
in this process, its failures errors (never a PDF with charts missing), and no process left behind however a
report ends."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from typing import Any

import pytest
from chart_specs import EXTERNAL, SIZES, SPECS

from lifealm.render.pdf import ChartDrawnAtAnotherSize
from lifealm.render.print_worker import Printer, PrintWorkerError, Size, _Workers, chart_url


def _html(chart_ids: list[str]) -> str:
    images = "".join(f'<img src="{chart_url(c)}" style="width: 100%">' for c in chart_ids)
    return f"<!DOCTYPE html><html><head><title>t</title></head><body><p>株価 &lt;b&gt;</p>{images}</body></html>"


def _pdf(parallel: bool, specs: dict[str, Any] = SPECS, html: str | None = None,
         sizes: dict[str, Size] = SIZES) -> bytes:
    with Printer(parallel=parallel) as printer:
        pending = printer.pdf(html or _html(list(specs)), sizes)
        printer.charts(specs)
        return pending.result()


def test_the_print_processes_make_the_pdf_this_process_makes() -> None:
    from_processes, here = _pdf(True), _pdf(False)
    assert from_processes.startswith(b"%PDF-") and from_processes == here


def test_the_specs_may_come_before_the_html() -> None:
    with Printer(parallel=True) as printer:
        printer.charts(SPECS)
        assert printer.pdf(_html(list(SPECS)), SIZES).result() == _pdf(False)


def test_the_charts_are_drawn_in_the_order_the_pages_show_them() -> None:
    with Printer(parallel=False) as printer:
        printer.pdf(_html(["text", "line"]), SIZES)
        printer.charts(SPECS)  # given line first
        assert list(printer.drawn()) == ["text", "line"]
    with Printer(parallel=False) as printer:  # an id that begins another's is not found in it
        printer.pdf(_html(["line-2", "line"]), {"line": SIZES["line"], "line-2": SIZES["line"]})
        printer.charts({"line": SPECS["line"], "line-2": SPECS["line"]})
        assert list(printer.drawn()) == ["line-2", "line"]


def test_this_process_draws_each_chart_once_however_many_images_ask(monkeypatch: pytest.MonkeyPatch) -> None:
    import lifealm.render.print_worker as print_worker

    drawn: list[str] = []
    real = print_worker.svg_data_url

    def counting(spec: dict[str, Any]) -> str:
        drawn.append(spec["title"])
        return real(spec)

    monkeypatch.setattr(print_worker, "svg_data_url", counting)
    assert _pdf(False, html=_html(["line", "text", "line"])).startswith(b"%PDF-")
    assert drawn == ["a line", "some text"]


@pytest.mark.parametrize("parallel", [True, False])
def test_a_pdf_without_charts(parallel: bool) -> None:
    with Printer(parallel=parallel) as printer:
        assert printer.pdf(_html([]), {}).result().startswith(b"%PDF-")


def test_external_data_stops_the_pdf_in_the_processes_and_here() -> None:
    sizes = {"bad": (100, 100)}
    with pytest.raises(PrintWorkerError, match=r"(?s)charts process exited 1: .*External data url not allowed"):
        _pdf(True, {"bad": EXTERNAL}, sizes=sizes)
    with pytest.raises(ValueError, match="External data url not allowed"):
        _pdf(False, {"bad": EXTERNAL}, sizes=sizes)


def test_a_chart_sized_but_never_drawn_is_an_error() -> None:
    sizes = {**SIZES, "missing": (10, 10)}
    with pytest.raises(PrintWorkerError, match=r"(?s)pdf process exited 1: .*the chart 'missing' was never drawn"):
        _pdf(True, html=_html(["line", "missing"]), sizes=sizes)
    with pytest.raises(KeyError, match="missing"):
        _pdf(False, html=_html(["line", "missing"]), sizes=sizes)


def test_a_chart_the_html_shows_without_a_size_is_an_error() -> None:
    with pytest.raises(PrintWorkerError, match="the chart 'text', which has no size"):
        _pdf(True, sizes={"line": SIZES["line"]})


def test_a_chart_drawn_at_another_size_than_laid_out_is_an_error_not_a_stretched_chart() -> None:
    with pytest.raises(ChartDrawnAtAnotherSize, match=r"'line' was drawn at 300×160 px, its page laid out for 300×150"):
        _pdf(False, sizes={**SIZES, "line": (300, 150)})


@pytest.mark.parametrize("role", ["pdf", "charts"])
def test_a_killed_process_is_an_error_not_missing_charts(role: str) -> None:
    with Printer(parallel=True) as printer:
        workers = printer._workers
        assert workers is not None
        child = workers.pdf if role == "pdf" else workers.charts
        child.process.send_signal(signal.SIGKILL)
        pending = printer.pdf(_html(list(SPECS)), SIZES)
        printer.charts(SPECS)
        with pytest.raises(PrintWorkerError, match=f"{role} process exited -9"):
            pending.result()


@pytest.mark.parametrize("sent", [0, 1, 2])
def test_a_printer_left_early_stops_its_processes(sent: int) -> None:
    """A report that fails before its charts (a broken ledger), between the HTML and the specs, or after both,
    leaves no process."""
    with pytest.raises(RuntimeError, match="models failed"), Printer(parallel=True) as printer:
        workers = printer._workers
        if sent:
            printer.pdf(_html(list(SPECS)), SIZES)
        if sent > 1:
            printer.charts(SPECS)
        raise RuntimeError("models failed")
    assert workers is not None
    for child in (workers.pdf, workers.charts):
        assert child.process.returncode is not None
        assert not any(thread.is_alive() for thread in child._threads)


def test_only_a_processes_first_printer_starts_the_print_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Printer, "_first", True)
    monkeypatch.setattr("lifealm.render.print_worker.usable_cores", lambda: 2)
    first, second = Printer(), Printer()
    assert first._parallel and not second._parallel
    monkeypatch.setattr(Printer, "_first", True)
    monkeypatch.setattr("lifealm.render.print_worker.usable_cores", lambda: 1)
    assert not Printer()._parallel  # one core: the processes would only compete with this one


@pytest.fixture
def early(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Workers]:
    """The processes `lifealm report` starts before it loads the pipeline, in a fresh process on two cores."""
    monkeypatch.setattr(Printer, "_first", True)
    monkeypatch.setattr("lifealm.render.print_worker.usable_cores", lambda: 2)
    Printer.start_early()
    workers = Printer._early
    assert workers is not None
    yield workers
    Printer._stop_early()


def test_early_processes_serve_the_first_printer(early: _Workers) -> None:
    with Printer() as printer:
        assert printer._workers is early and Printer._early is None
        pending = printer.pdf(_html(list(SPECS)), SIZES)
        printer.charts(SPECS)
        assert pending.result().startswith(b"%PDF-")
    assert early.pdf.process.returncode == 0 and early.charts.process.returncode == 0


def test_early_processes_nobody_uses_are_stopped(early: _Workers) -> None:
    Printer._stop_early()  # what the exit hook does when the report failed before its charts
    assert early.pdf.process.returncode is not None and early.charts.process.returncode is not None
    assert Printer._early is None
