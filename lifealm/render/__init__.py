"""lifealm render."""
