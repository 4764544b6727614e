"""One HTTP session per run: a polite rate per host, timeouts, retries with backoff, and a clean stop.

The transport is curl_cffi impersonating a browser when the optional `[update]` extra is installed (Yahoo refuses
other TLS fingerprints), else the standard library, which serves every source but Yahoo. Both take proxies
from the environment (https_proxy, http_proxy, no_proxy).
"""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

from lifealm.update.config import UpdateConfig
from lifealm.update.model import ProblemKind

INSTALL_HINT = "install the optional extra: `pip install 'lifealm[update]'` (or `make venv` in a checkout)"
_OFFLINE_HINT = ("check the internet connection; behind a proxy, set https_proxy (and http_proxy) in the "
                 "environment")
_EXCERPT = 200


@dataclass(frozen=True, slots=True)
class HttpResponse:
    url: str
    status: int
    headers: Mapping[str, str]  # names in lower case
    body: bytes

    def excerpt(self, encoding: str = "utf-8") -> str:
        """The start of the body as one line, to quote the source's own words."""
        return excerpt(self.body.decode(encoding, errors="replace"))


class TransportError(Exception):
    """The request got no HTTP answer at all."""

    def __init__(self, kind: ProblemKind, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


class HttpFailure(Exception):
    """No usable answer after every retry (or the host was already given up); sources turn it into a problem."""

    def __init__(self, kind: ProblemKind, message: str, quoted: str = "", status: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.quoted = quoted
        self.status = status
        self.retry_after = retry_after  # seconds, from the answer's Retry-After header


class Transport(Protocol):
    name: str
    browser_like: bool  # a TLS fingerprint that Yahoo accepts

    def get(self, url: str, params: Mapping[str, str], timeout: float) -> HttpResponse: ...

    def close(self) -> None: ...


class UrllibTransport:
    """The standard library's client: enough for the ECB, the Bank of Japan and the 投信協会."""

    name = "urllib"
    browser_like = False

    def __init__(self) -> None:
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler())  # proxies from the environment
        self._opener.addheaders = [("User-Agent", "lifealm-update (personal use)"), ("Accept", "*/*")]

    def get(self, url: str, params: Mapping[str, str], timeout: float) -> HttpResponse:
        full = _with_params(url, params)
        try:
            with self._opener.open(full, timeout=timeout) as answer:
                return HttpResponse(answer.geturl(), answer.status, _lower(answer.headers.items()), answer.read())
        except urllib.error.HTTPError as error:  # an HTTP answer with an error status: still an answer
            body = error.read() if error.fp is not None else b""
            return HttpResponse(full, error.code, _lower(error.headers.items()), body)
        except TimeoutError as error:
            raise TransportError(ProblemKind.TIMEOUT, str(error) or "timed out") from error
        except urllib.error.URLError as error:
            reason = error.reason
            kind = ProblemKind.TIMEOUT if isinstance(reason, TimeoutError) else ProblemKind.OFFLINE
            raise TransportError(kind, str(reason)) from error
        except OSError as error:  # a reset connection, a broken proxy
            raise TransportError(ProblemKind.OFFLINE, str(error)) from error

    def close(self) -> None:
        self._opener.close()


class CurlTransport:
    """curl_cffi impersonating Chrome: the TLS fingerprint Yahoo's chart endpoint accepts since 2025."""

    name = "curl_cffi"
    browser_like = True

    def __init__(self) -> None:
        from curl_cffi import requests as curl_requests

        self._errors: Any = curl_requests.exceptions
        self._session: Any = curl_requests.Session(impersonate="chrome", trust_env=True)

    def get(self, url: str, params: Mapping[str, str], timeout: float) -> HttpResponse:
        try:
            answer = self._session.get(url, params=dict(params) or None, timeout=timeout, allow_redirects=True)
        except self._errors.Timeout as error:
            raise TransportError(ProblemKind.TIMEOUT, _curl_words(error)) from error
        except self._errors.ImpersonateError as error:  # an installed curl_cffi too old for its browser profile
            raise TransportError(ProblemKind.MISSING_DEPENDENCY, _curl_words(error)) from error
        except self._errors.RequestException as error:
            raise TransportError(ProblemKind.OFFLINE, _curl_words(error)) from error
        return HttpResponse(str(answer.url), int(answer.status_code), _lower(answer.headers.items()),
                            bytes(answer.content))

    def close(self) -> None:
        self._session.close()


def default_transport() -> Transport:
    """curl_cffi when the `[update]` extra is installed, else the standard library."""
    try:
        return CurlTransport()
    except ImportError:
        return UrllibTransport()


@dataclass
class _Host:
    last_request: float | None = None
    stopped: HttpFailure | None = None


@dataclass
class HttpClient:
    """Every request of one run goes through here: one session, one polite pace per host, bounded retries.

    A request that still fails after the retries stops that host for the rest of the run: later requests to it
    fail at once (kind STOPPED) and quote the failure, so a blocked or broken service is not hammered.
    """

    config: UpdateConfig
    transport: Transport = field(default_factory=default_transport)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    requests: int = 0  # HTTP requests actually sent, retries included
    _hosts: dict[str, _Host] = field(default_factory=dict)

    def get(self, url: str, params: Mapping[str, str] | None = None) -> HttpResponse:
        """The first non-retryable answer (2xx, 3xx or a 4xx other than 429), else HttpFailure."""
        host_name = urllib.parse.urlsplit(url).netloc
        host = self._hosts.setdefault(host_name, _Host())
        if host.stopped is not None:
            raise HttpFailure(ProblemKind.STOPPED, f"not asked: earlier in this run {host.stopped.message}",
                              host.stopped.quoted, host.stopped.status)
        failure: HttpFailure | None = None
        for attempt in range(self.config.retries + 1):
            self._pace(host, failure, attempt)
            self.requests += 1
            host.last_request = self.clock()
            try:
                answer = self.transport.get(url, params or {}, self.config.timeout)
            except TransportError as error:
                failure = _transport_failure(error, host_name, self.config.timeout)
                continue
            if answer.status == 429 or answer.status >= 500:
                failure = _status_failure(answer, attempt + 1, host_name)
                continue
            return answer
        assert failure is not None  # the loop ran at least once and did not return
        host.stopped = failure
        raise failure

    def close(self) -> None:
        self.transport.close()

    def _pace(self, host: _Host, failure: HttpFailure | None, attempt: int) -> None:
        wait = 0.0
        if host.last_request is not None:
            wait = self.config.min_interval - (self.clock() - host.last_request)
        if failure is not None:
            backoff = self.config.backoff * 2 ** (attempt - 1)
            asked = failure.retry_after if failure.retry_after is not None else backoff
            wait = max(wait, min(asked, self.config.max_backoff))
        if wait > 0:
            self.sleep(wait)


def _status_failure(answer: HttpResponse, attempts: int, host: str) -> HttpFailure:
    retry_after = _retry_after(answer.headers.get("retry-after"))
    if answer.status == 429:
        return HttpFailure(ProblemKind.RATE_LIMITED, f"{host} answered 429 (too many requests) {attempts} time(s); "
                           "try again later", answer.excerpt(), 429, retry_after)
    return HttpFailure(ProblemKind.SERVER_ERROR, f"{host} answered HTTP {answer.status} (a server error) "
                       f"{attempts} time(s); try again later", answer.excerpt(), answer.status, retry_after)


def _transport_failure(error: TransportError, host: str, timeout: float) -> HttpFailure:
    if error.kind is ProblemKind.MISSING_DEPENDENCY:
        return HttpFailure(error.kind, f"curl_cffi cannot imitate a browser for {host}: upgrade it "
                           "(`pip install -U curl_cffi`)", excerpt(error.detail))
    if error.kind is ProblemKind.TIMEOUT:
        return HttpFailure(ProblemKind.TIMEOUT, f"{host} did not answer within {timeout:g} s (the [update] "
                           "timeout)", excerpt(error.detail))
    return HttpFailure(ProblemKind.OFFLINE, f"{host} could not be reached: {_OFFLINE_HINT}", excerpt(error.detail))


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def excerpt(text: str, limit: int = _EXCERPT) -> str:
    """Text squeezed onto one line and cut to `limit` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _with_params(url: str, params: Mapping[str, str]) -> str:
    if not params:
        return url
    return url + ("&" if "?" in url else "?") + urllib.parse.urlencode(params)


def _lower(items: Any) -> dict[str, str]:
    return {str(name).lower(): str(value) for name, value in items}


def _curl_words(error: Exception) -> str:
    # curl's messages carry a link to its error page after the useful words.
    return str(error).split(". See https://curl.se", 1)[0]
