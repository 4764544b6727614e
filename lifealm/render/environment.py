"""The Jinja environment: templates from the lifealm.templates package, autoescape on, strict undefined."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import jinja2

from lifealm.render.filters import FILTERS


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """One shared environment; every template is escaped and a missing variable is an error, not blank."""
    root = resources.files("lifealm.templates")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def render_template(name: str, **context: object) -> str:
    """Render one template with the given context."""
    return environment().get_template(name).render(**context)
