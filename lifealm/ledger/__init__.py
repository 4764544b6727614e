"""lifealm ledger."""
