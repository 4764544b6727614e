"""A security's `source` field: an ordered fallback chain such as `yahoo:7203.T,toushin:JP90C000H1T1/0331418A`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lifealm.errors import LifealmError

PRICE_SOURCES = ("yahoo", "toushin", "command")
FX_SOURCES = ("ecb", "boj")
_NEXT_LINK = re.compile(r",\s*(?=(?:" + "|".join(PRICE_SOURCES) + r"):)")  # a command line may hold commas
_TSE = re.compile(r"^[0-9][0-9A-Z]{3}$")  # 7203, and the newer alphanumeric codes such as 285A
_FUND = re.compile(r"^[A-Z]{2}[0-9A-Z]{9}[0-9]/[0-9A-Z]{8}$")
_YAHOO = re.compile(r"^\^?[A-Z0-9][A-Z0-9.\-=]{0,19}$")


@dataclass(frozen=True, slots=True)
class SourceRef:
    """One link of a chain: which source, and the symbol it knows the security by."""

    source: str
    symbol: str

    def __str__(self) -> str:
        return f"{self.source}:{self.symbol}"


class ChainError(LifealmError):
    """A `source` field that cannot be read."""


def parse_chain(spec: str) -> tuple[SourceRef, ...]:
    """`yahoo:7203.T,toushin:ISIN/CODE,command:prog args` → its links, in order of preference."""
    links: list[SourceRef] = []
    for part in _NEXT_LINK.split(spec.strip()):
        name, colon, symbol = part.strip().partition(":")
        name = name.strip().lower()
        if not colon or name not in PRICE_SOURCES:
            raise ChainError(f"unknown price source {part.strip()!r} in {spec!r}",
                             hint=f"write SOURCE:SYMBOL with SOURCE one of {', '.join(PRICE_SOURCES)}, "
                                  "e.g. yahoo:7203.T or toushin:JP90C000H1T1/0331418A")
        if not symbol.strip():
            raise ChainError(f"{name}: has no symbol in {spec!r}", hint=f"write {name}:SYMBOL")
        links.append(SourceRef(name, symbol.strip()))
    return tuple(links)


def default_chain(ticker: str) -> tuple[SourceRef, ...]:
    """A sensible chain from the ticker alone, until every security stores its own: () when there is none."""
    code = ticker.strip().upper()
    if _FUND.match(code):
        return (SourceRef("toushin", code),)
    if _TSE.match(code):
        return (SourceRef("yahoo", f"{code}.T"),)
    if _YAHOO.match(code):
        return (SourceRef("yahoo", code),)  # 7203.T, VOO, BRK-B, ^N225: Yahoo's own symbols
    return ()
