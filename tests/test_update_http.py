"""The run's HTTP client on both transports: pace, retries and backoff, a clean stop, proxies, timeouts, offline."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest
from update_fakes import YAHOO_429, Reply, serving

from lifealm.errors import LifealmError
from lifealm.update.config import UpdateConfig
from lifealm.update.http import CurlTransport, HttpClient, HttpFailure, Transport, UrllibTransport
from lifealm.update.model import ProblemKind

TRANSPORTS: list[Callable[[], Transport]] = [CurlTransport, UrllibTransport]


class FakeTime:
    """A clock that only moves when the client sleeps: the waits it asked for are recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


def client(transport: Callable[[], Transport], time: FakeTime | None = None, **settings: float) -> HttpClient:
    time = time or FakeTime()
    return HttpClient(UpdateConfig(**settings), transport(), sleep=time.sleep, clock=time.clock)  # type: ignore[arg-type]


@pytest.mark.parametrize("transport", TRANSPORTS, ids=["curl_cffi", "urllib"])
def test_backoff_doubles_and_retry_after_wins(transport: Callable[[], Transport]) -> None:
    with serving() as fake:
        fake.route("/x", YAHOO_429, Reply(503, b"busy", "text/plain", (("Retry-After", "7"),)), YAHOO_429,
                   Reply(200, b"fine", "text/plain"))
        time = FakeTime()
        answer = client(transport, time, retries=3, backoff=2, min_interval=0).get(fake.url + "/x")
    assert answer.status == 200 and answer.body == b"fine"
    assert time.sleeps == [2.0, 7.0, 8.0]  # 2 s, then the server's Retry-After, then 2 × 2²


@pytest.mark.parametrize("transport", TRANSPORTS, ids=["curl_cffi", "urllib"])
def test_a_polite_interval_between_requests_to_one_host(transport: Callable[[], Transport]) -> None:
    with serving() as fake:
        fake.route("/x", Reply(200, b"ok", "text/plain"))
        time = FakeTime()
        http = client(transport, time, min_interval=1.5)
        for _ in range(3):
            http.get(fake.url + "/x", {"symbol": "7203.T"})
    assert time.sleeps == [1.5, 1.5] and http.requests == 3
    assert fake.seen[0].query == {"symbol": "7203.T"}


@pytest.mark.parametrize("transport", TRANSPORTS, ids=["curl_cffi", "urllib"])
def test_the_backoff_is_capped(transport: Callable[[], Transport]) -> None:
    with serving() as fake:
        fake.route("/x", Reply(429, b"slow down", "text/plain", (("Retry-After", "3600"),)))
        time = FakeTime()
        with pytest.raises(HttpFailure) as failed:
            client(transport, time, retries=2, max_backoff=30, min_interval=0).get(fake.url + "/x")
    assert time.sleeps == [30.0, 30.0]
    assert failed.value.kind is ProblemKind.RATE_LIMITED and failed.value.quoted == "slow down"


@pytest.mark.parametrize("transport", TRANSPORTS, ids=["curl_cffi", "urllib"])
def test_proxies_come_from_the_environment(transport: Callable[[], Transport],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # The fake acts as the proxy: the request for a host that does not exist reaches it with the absolute URL.
    with serving() as proxy:
        proxy.route("/v8/finance/chart/7203.T", Reply(200, b"via the proxy", "text/plain"))
        for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
            monkeypatch.setenv(name, proxy.url)
        monkeypatch.delenv("no_proxy", raising=False)
        monkeypatch.delenv("NO_PROXY", raising=False)
        answer = client(transport, min_interval=0, retries=0).get("http://quotes.invalid/v8/finance/chart/7203.T")
    assert answer.body == b"via the proxy"
    assert proxy.seen[0].proxied


@pytest.mark.parametrize("transport", TRANSPORTS, ids=["curl_cffi", "urllib"])
def test_a_slow_server_times_out(transport: Callable[[], Transport]) -> None:
    with serving() as fake:
        fake.route("/x", Reply(200, b"late", "text/plain", delay=1.0))
        with pytest.raises(HttpFailure) as failed:
            client(transport, timeout=0.2, retries=0, min_interval=0).get(fake.url + "/x")
    assert failed.value.kind is ProblemKind.TIMEOUT
    assert "did not answer within 0.2 s" in failed.value.message


@pytest.mark.parametrize("transport", TRANSPORTS, ids=["curl_cffi", "urllib"])
def test_offline_is_a_clear_message_and_stops_that_host(transport: Callable[[], Transport]) -> None:
    with socket.socket() as probe:  # a port nobody listens on: the connection is refused, as when offline
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    time = FakeTime()
    http = client(transport, time, retries=1, backoff=1, min_interval=0)
    with pytest.raises(HttpFailure) as failed:
        http.get(f"http://127.0.0.1:{port}/x")
    assert failed.value.kind is ProblemKind.OFFLINE
    assert "could not be reached" in failed.value.message and "https_proxy" in failed.value.message
    assert http.requests == 2
    with pytest.raises(HttpFailure) as again:
        http.get(f"http://127.0.0.1:{port}/y")
    assert again.value.kind is ProblemKind.STOPPED and http.requests == 2


def test_a_404_is_returned_not_retried() -> None:
    with serving() as fake:
        http = client(UrllibTransport, min_interval=0)
        assert http.get(fake.url + "/nothing").status == 404
    assert http.requests == 1


@pytest.mark.parametrize("settings", [{"timeout": 0}, {"retries": -1}, {"min_interval": -1}])
def test_bad_settings_are_refused_with_a_fix(settings: dict[str, object]) -> None:
    with pytest.raises(LifealmError) as refused:
        UpdateConfig(**settings)  # type: ignore[arg-type]
    assert "[update]" in str(refused.value) and "fix:" in str(refused.value)
