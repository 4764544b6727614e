"""Jinja2 templates and CSS for the lifealm briefing (shipped in the wheel as lifealm.templates)."""
