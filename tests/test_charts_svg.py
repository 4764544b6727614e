"""The print charts' SVG: the worker process draws what this process would, refuses external data, and its
failures surface as errors, never as a report with charts missing."""

from __future__ import annotations

import base64
import re
import signal

import pytest

from lifealm.charts.svg import ChartWorkerError, SvgDrawer, svg_data_urls

ROWS = [{"x": i, "y": i * i, "label": "株価 <b>&"} for i in range(12)]
SPECS = {
    "line": {"data": {"values": ROWS}, "mark": "line", "title": "line",
             "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"}}},
    "text": {"data": {"values": ROWS}, "mark": {"type": "text", "clip": True}, "title": "text",
             "encoding": {"x": {"field": "x", "type": "quantitative"}, "text": {"field": "label"}}},
}
EXTERNAL = {"data": {"url": "http://127.0.0.1:9/prices.csv"}, "mark": "point"}


def _svg(url: str) -> str:
    prefix = "data:image/svg+xml;base64,"
    assert url.startswith(prefix)
    # vl-convert numbers its clip paths per process (clip1, clip2, … across every chart it drew): not content
    return re.sub(r"clip\d+", "clip", base64.b64decode(url[len(prefix):]).decode("utf-8"))


def test_the_worker_draws_what_this_process_draws() -> None:
    with SvgDrawer(parallel=True) as drawer:
        from_worker = drawer.draw(SPECS).result()
    here = svg_data_urls(SPECS)
    assert list(from_worker) == list(SPECS) == list(here)
    assert {k: _svg(v) for k, v in from_worker.items()} == {k: _svg(v) for k, v in here.items()}
    assert "株価 &lt;b&gt;&amp;" in _svg(from_worker["text"])  # ledger-like text stays text


def test_serial_drawer_draws_on_result() -> None:
    with SvgDrawer(parallel=False) as drawer:
        pending = drawer.draw(SPECS)
        assert _svg(pending.result()["line"]).startswith("<svg")


def test_external_data_is_refused_in_the_worker_and_here() -> None:
    with SvgDrawer(parallel=True) as drawer, pytest.raises(ChartWorkerError, match="External data url not allowed"):
        drawer.draw({"bad": EXTERNAL}).result()
    with pytest.raises(ValueError, match="External data url not allowed"):
        svg_data_urls({"bad": EXTERNAL})


def test_a_killed_worker_is_an_error_not_missing_charts() -> None:
    with SvgDrawer(parallel=True) as drawer:
        worker = drawer._worker
        assert worker is not None
        worker.process.send_signal(signal.SIGKILL)
        with pytest.raises(ChartWorkerError, match="exited -9"):
            drawer.draw(SPECS).result()


def test_a_drawer_left_early_stops_its_worker() -> None:
    """A report that fails before its charts (a broken ledger) leaves no process behind."""
    with pytest.raises(RuntimeError, match="models failed"), SvgDrawer(parallel=True) as drawer:
        worker = drawer._worker
        raise RuntimeError("models failed")
    assert worker is not None and worker.process.returncode is not None


def test_only_a_processes_first_drawer_starts_a_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SvgDrawer, "_first", True)
    monkeypatch.setattr("lifealm.charts.svg.usable_cores", lambda: 2)
    first, second = SvgDrawer(), SvgDrawer()
    assert first._parallel and not second._parallel
    monkeypatch.setattr(SvgDrawer, "_first", True)
    monkeypatch.setattr("lifealm.charts.svg.usable_cores", lambda: 1)
    assert not SvgDrawer()._parallel  # one core: a worker would only compete with this process


def test_an_early_worker_serves_the_first_drawer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SvgDrawer, "_first", True)
    monkeypatch.setattr("lifealm.charts.svg.usable_cores", lambda: 2)
    SvgDrawer.start_early()
    early = SvgDrawer._early
    assert early is not None
    with SvgDrawer() as drawer:
        assert drawer._worker is early and SvgDrawer._early is None
        assert list(drawer.draw(SPECS).result()) == list(SPECS)
    assert early.process.returncode == 0


def test_an_early_worker_nobody_uses_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SvgDrawer, "_first", True)
    monkeypatch.setattr("lifealm.charts.svg.usable_cores", lambda: 2)
    SvgDrawer.start_early()
    early = SvgDrawer._early
    assert early is not None
    SvgDrawer._stop_early()  # what the exit hook does when the report failed before its charts
    assert early.process.returncode is not None and SvgDrawer._early is None
