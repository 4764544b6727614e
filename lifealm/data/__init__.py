"""lifealm data."""
