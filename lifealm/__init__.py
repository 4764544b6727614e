"""lifealm: a daily asset-liability briefing for a household that invests with leverage."""

__version__ = "0.1.0"
