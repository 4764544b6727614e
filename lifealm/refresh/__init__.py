"""Bring the ledger up to date from the price and FX sources (`lifealm update`), and confirm reported splits."""

from lifealm.refresh.ledger_update import LedgerUpdate, Narrowing, UpdateLine, update_ledger

__all__ = ["LedgerUpdate", "Narrowing", "UpdateLine", "update_ledger"]
