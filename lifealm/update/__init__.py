"""`lifealm update`'s engine: price and FX sources behind one protocol, fetched politely, returned as rows.

Only this package touches the network, and only when asked; it never writes the ledger itself.
"""

from lifealm.update.chain import ChainError, SourceRef, default_chain, parse_chain
from lifealm.update.config import UpdateConfig
from lifealm.update.fetch import FxRequest, History, Progress, SecurityRequest, Sources, UpdateOptions, fetch_updates
from lifealm.update.http import HttpClient
from lifealm.update.model import (
    Close,
    Dividend,
    FxAnswer,
    FxSource,
    PriceAnswer,
    PriceSource,
    ProblemKind,
    Rate,
    RateSeries,
    Series,
    SourceProblem,
    Split,
)
from lifealm.update.results import DividendRow, FxOutcome, FxRow, PriceRow, SecurityOutcome, SplitFinding, UpdateResult

__all__ = [
    "ChainError", "Close", "Dividend", "DividendRow", "FxAnswer", "FxOutcome", "FxRequest", "FxRow", "FxSource",
    "History", "HttpClient", "PriceAnswer", "PriceRow", "PriceSource", "ProblemKind", "Progress", "Rate",
    "RateSeries", "SecurityOutcome", "SecurityRequest", "Series", "SourceProblem", "SourceRef", "Sources", "Split",
    "SplitFinding", "UpdateConfig", "UpdateOptions", "UpdateResult", "default_chain", "fetch_updates",
    "parse_chain",
]
