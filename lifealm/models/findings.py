"""Data problems as values: a finding is returned and shown in the report, never silently dropped."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How much a finding matters to the answer."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Finding:
    """One data problem: a stable machine code, what it concerns, and the facts (no display strings)."""

    code: str  # e.g. "missing_price", "stale_price", "no_dividend_data", "negative_balance"
    severity: Severity
    subject: str  # the ticker, account or table the finding is about
    detail: tuple[tuple[str, str | float | int | None], ...] = ()

    def detail_dict(self) -> dict[str, str | float | int | None]:
        return dict(self.detail)
