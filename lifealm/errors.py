"""The one exception type for failures the user must fix; the CLI turns it into a message and exit 1."""

from __future__ import annotations


class LifealmError(Exception):
    """A failure with a message that says where it happened and how to fix it."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  fix: {self.hint}"
        return self.message


class LedgerError(LifealmError):
    """The ledger file cannot be opened, read or migrated."""


class ImportValidationError(LifealmError):
    """A CSV file has bad rows; nothing was written. `problems` holds one `FILE:LINE: column: problem` each."""

    def __init__(self, problems: list[str], *, hint: str | None = None) -> None:
        shown = problems[:50]
        more = len(problems) - len(shown)
        text = "\n".join(shown) + (f"\n… and {more} more problems" if more > 0 else "")
        super().__init__(
            f"{len(problems)} problem(s) found; nothing was written to the ledger:\n{text}", hint=hint
        )
        self.problems = problems
