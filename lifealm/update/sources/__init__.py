"""Price and FX sources, each a small module behind the protocols in lifealm.update.model."""
