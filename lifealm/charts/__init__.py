"""lifealm charts."""
