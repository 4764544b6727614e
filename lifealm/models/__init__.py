"""lifealm models."""
