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

    def to_dict(self) -> dict[str, object]:
        """The JSON form used by briefing.json and `lifealm simulate`."""
        return {"code": self.code, "severity": self.severity.value, "subject": self.subject,
                "detail": self.detail_dict()}


_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def merge_findings(*groups: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """Several models' findings as one list: duplicates removed, errors first, each model's own order kept."""
    unique = dict.fromkeys(finding for group in groups for finding in group)
    return tuple(sorted(unique, key=lambda f: _SEVERITY_ORDER[f.severity]))  # sorted() is stable
