"""lifealm ledger migrations."""
