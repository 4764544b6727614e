"""The PDF made in the print worker: the same bytes as made in this process, its failures errors (never a PDF
with charts missing), and no worker left behind however a report ends."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from typing import Any

import pytest
from chart_specs import EXTERNAL, SPECS

from lifealm.charts.svg import svg_data_urls
from lifealm.render.print_worker import Printer, PrintWorkerError, _Worker, chart_url


def _html(chart_ids: list[str]) -> str:
    images = "".join(f'<img src="{chart_url(c)}" style="width: 100%">' for c in chart_ids)
    return f"<!DOCTYPE html><html><head><title>t</title></head><body><p>株価 &lt;b&gt;</p>{images}</body></html>"


def _pdf(parallel: bool, specs: dict[str, Any] = SPECS, html: str | None = None) -> bytes:
    with Printer(parallel=parallel) as printer:
        printer.charts(specs)
        return printer.pdf(html or _html(list(specs))).result()


def test_the_worker_makes_the_pdf_this_process_makes() -> None:
    from_worker, here = _pdf(True), _pdf(False)
    assert from_worker.startswith(b"%PDF-") and from_worker == here


def test_this_process_draws_each_chart_once_however_many_images_ask(monkeypatch: pytest.MonkeyPatch) -> None:
    import lifealm.render.print_worker as print_worker

    drawn: list[list[str]] = []

    def counting(specs: dict[str, Any]) -> dict[str, str]:
        drawn.append(list(specs))
        return svg_data_urls(specs)

    monkeypatch.setattr(print_worker, "svg_data_urls", counting)
    assert _pdf(False, html=_html(["line", "text", "line"])).startswith(b"%PDF-")
    assert drawn == [["line", "text"]]


@pytest.mark.parametrize("parallel", [True, False])
def test_a_pdf_without_charts(parallel: bool) -> None:
    with Printer(parallel=parallel) as printer:
        assert printer.pdf(_html([])).result().startswith(b"%PDF-")


def test_external_data_stops_the_pdf_in_the_worker_and_here() -> None:
    with pytest.raises(PrintWorkerError, match="External data url not allowed"):
        _pdf(True, {"bad": EXTERNAL})
    with pytest.raises(ValueError, match="External data url not allowed"):
        _pdf(False, {"bad": EXTERNAL})


def test_a_chart_the_html_names_but_nobody_drew_is_an_error() -> None:
    with pytest.raises(PrintWorkerError, match="KeyError: 'missing'"):
        _pdf(True, html=_html(["line", "missing"]))


def test_a_killed_worker_is_an_error_not_missing_charts() -> None:
    with Printer(parallel=True) as printer:
        worker = printer._worker
        assert worker is not None
        worker.process.send_signal(signal.SIGKILL)
        printer.charts(SPECS)
        with pytest.raises(PrintWorkerError, match="exited -9"):
            printer.pdf(_html(list(SPECS))).result()


@pytest.mark.parametrize("sent", [0, 1])
def test_a_printer_left_early_stops_its_worker(sent: int) -> None:
    """A report that fails before its charts (a broken ledger) or between them and the HTML leaves no process."""
    with pytest.raises(RuntimeError, match="models failed"), Printer(parallel=True) as printer:
        worker = printer._worker
        if sent:
            printer.charts(SPECS)
        raise RuntimeError("models failed")
    assert worker is not None and worker.process.returncode is not None
    assert not worker._talk.is_alive()


def test_only_a_processes_first_printer_starts_a_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Printer, "_first", True)
    monkeypatch.setattr("lifealm.render.print_worker.usable_cores", lambda: 2)
    first, second = Printer(), Printer()
    assert first._parallel and not second._parallel
    monkeypatch.setattr(Printer, "_first", True)
    monkeypatch.setattr("lifealm.render.print_worker.usable_cores", lambda: 1)
    assert not Printer()._parallel  # one core: a worker would only compete with this process


@pytest.fixture
def early(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Worker]:
    """The worker `lifealm report` starts before it loads the pipeline, in a fresh process on two cores."""
    monkeypatch.setattr(Printer, "_first", True)
    monkeypatch.setattr("lifealm.render.print_worker.usable_cores", lambda: 2)
    Printer.start_early()
    worker = Printer._early
    assert worker is not None
    yield worker
    Printer._stop_early()


def test_an_early_worker_serves_the_first_printer(early: _Worker) -> None:
    with Printer() as printer:
        assert printer._worker is early and Printer._early is None
        printer.charts(SPECS)
        assert printer.pdf(_html(list(SPECS))).result().startswith(b"%PDF-")
    assert early.process.returncode == 0


def test_an_early_worker_nobody_uses_is_stopped(early: _Worker) -> None:
    Printer._stop_early()  # what the exit hook does when the report failed before its charts
    assert early.process.returncode is not None and Printer._early is None
