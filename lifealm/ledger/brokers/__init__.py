"""Japanese broker exports read into typed records: each layout is a small module behind one protocol."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Protocol, cast

from lifealm.ledger.brokers import rakuten_assets, rakuten_dividends, sbi_holdings, sbi_portfolio
from lifealm.ledger.brokers.common import Row, read_broker_rows
from lifealm.ledger.brokers.records import (
    AccountKind,
    BrokerAccount,
    BrokerCash,
    BrokerClose,
    BrokerDividend,
    BrokerExport,
    BrokerFormatError,
    BrokerHolding,
)

__all__ = ["FORMATS", "AccountKind", "BrokerAccount", "BrokerCash", "BrokerClose", "BrokerDividend", "BrokerExport",
           "BrokerFormat", "BrokerFormatError", "BrokerHolding", "detect_format", "read_broker_export"]


class BrokerFormat(Protocol):
    """One broker layout: its `--from` name, a title for messages, whether a real file was seen, detect and parse."""

    NAME: str
    TITLE: str
    BROKER: str
    VERIFIED: bool

    def detect(self, rows: list[Row]) -> bool:
        """True when the file's first rows are this layout's."""

    def parse(self, rows: list[Row], path: Path, as_of: date | None) -> BrokerExport:
        """The file's records; a BrokerFormatError names the first line that does not fit the layout."""


def _format(module: ModuleType) -> BrokerFormat:
    return cast(BrokerFormat, module)


FORMATS: dict[str, BrokerFormat] = {
    fmt.NAME: fmt for fmt in map(_format, (sbi_portfolio, sbi_holdings, rakuten_assets, rakuten_dividends))
}


def _known() -> str:
    return "; ".join(f"{f.NAME} ({f.TITLE}{'' if f.VERIFIED else ', layout not verified on a real file'})"
                     for f in FORMATS.values())


def detect_format(rows: list[Row], path: Path) -> BrokerFormat:
    """The layout the rows are in, or a BrokerFormatError naming the first line and listing the formats."""
    for fmt in FORMATS.values():
        if fmt.detect(rows):
            return fmt
    if not rows:
        raise BrokerFormatError(f"{path}: the file has no rows.", hint=f"lifealm reads: {_known()}")
    first = rows[0]
    shown = ",".join(first.cells[:3])[:60]
    web = " it is a web page (HTML), not the CSV download;" if shown.lstrip().startswith("<") else ""
    raise BrokerFormatError(f"{path}:{first.line}: the first line does not match any broker export lifealm reads "
                            f"(found {shown!r});{web} lifealm reads: {_known()}.",
                            hint="download the CSV from the broker again, or import it with `lifealm import KIND`")


def read_broker_export(path: Path, fmt: str | None = None, *, as_of: date | None = None,
                       encoding: str = "auto") -> BrokerExport:
    """Read a broker export as `fmt` (a FORMATS name; None: detected), its prices dated by the file or `as_of`."""
    if fmt is not None and fmt not in FORMATS:
        raise BrokerFormatError(f"--from {fmt}: unknown broker format.", hint=f"use one of: {', '.join(FORMATS)}")
    rows = read_broker_rows(path, encoding)
    if fmt is None:
        return detect_format(rows, path).parse(rows, path, as_of)
    chosen = FORMATS[fmt]
    if not chosen.detect(rows):
        actual = next((f for f in FORMATS.values() if f.detect(rows)), None)
        if actual is not None:
            raise BrokerFormatError(f"{path}: the file is a {actual.NAME} export ({actual.TITLE}), not {fmt}.",
                                    hint=f"import it with --from {actual.NAME}")
        detect_format(rows, path)  # raises, naming the first line and the formats
    return chosen.parse(rows, path, as_of)
