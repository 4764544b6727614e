"""lifealm deliver."""
