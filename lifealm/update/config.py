"""The update step's settings as one frozen value: where each source lives and how politely to ask it.

The URLs and numbers a user sets are validated once, by the [update] section of lifealm.config_schema.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from lifealm.errors import LifealmError
from lifealm.settings import UpdateSettings

DEFAULT_YAHOO_URL = "https://query1.finance.yahoo.com"
DEFAULT_ECB_URL = "https://www.ecb.europa.eu/stats/eurofxref"
DEFAULT_BOJ_URL = "https://www.stat-search.boj.or.jp"
DEFAULT_TOUSHIN_URL = "https://toushin-lib.fwg.ne.jp"
_HINT = "correct the [update] section of the config file (or remove the line to use the default)"


@dataclass(frozen=True, slots=True)
class UpdateConfig:
    """Base URLs (a test, a mirror or a corporate proxy can stand in for each source) and the network manners."""

    yahoo_url: str = DEFAULT_YAHOO_URL
    ecb_url: str = DEFAULT_ECB_URL
    boj_url: str = DEFAULT_BOJ_URL
    toushin_url: str = DEFAULT_TOUSHIN_URL
    timeout: float = 20.0  # seconds for one HTTP request (connect + read)
    min_interval: float = 1.0  # seconds between two requests to the same host: about one a second, as Yahoo tolerates
    retries: int = 3  # further attempts after a 429, a 5xx, a timeout or a refused connection
    backoff: float = 2.0  # first wait before a retry, doubled each time (a Retry-After header wins, capped)
    max_backoff: float = 60.0
    command_timeout: float = 60.0  # seconds a user's `command:` source may run
    lookback_days: int = 30  # first fetch of a security with no stored price and no --since / --history max
    overlap_days: int = 7  # re-read this many days before the last stored date, to see late events and corrections

    def __post_init__(self) -> None:
        for name in ("timeout", "command_timeout"):
            if not getattr(self, name) > 0:
                raise LifealmError(f"[update] {name} must be a positive number of seconds", hint=_HINT)
        for name in ("min_interval", "backoff", "max_backoff"):
            if getattr(self, name) < 0:
                raise LifealmError(f"[update] {name} cannot be negative", hint=_HINT)
        if self.retries < 0 or self.lookback_days < 1 or self.overlap_days < 0:
            raise LifealmError("[update] retries and overlap_days must be 0 or more, lookback_days 1 or more",
                               hint=_HINT)

    @classmethod
    def from_settings(cls, settings: UpdateSettings) -> UpdateConfig:
        """The config file's [update] table (validated by lifealm.config_schema, the one schema) over the defaults;
        a key the file does not set keeps the default above."""
        given = {f.name: getattr(settings, f.name) for f in fields(settings)
                 if f.name in _SETTABLE and getattr(settings, f.name) is not None}
        return cls(**given)


_SETTABLE = frozenset(f.name for f in fields(UpdateConfig))
