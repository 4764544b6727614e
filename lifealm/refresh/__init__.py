"""Bring the ledger up to date from the price and FX sources (`lifealm update`), and confirm reported splits."""

from lifealm.refresh.ledger_update import LedgerUpdate, Narrowing, update_ledger
from lifealm.refresh.writing import UpdateLine

__all__ = ["LedgerUpdate", "Narrowing", "UpdateLine", "update_ledger"]
