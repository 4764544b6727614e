"""The Jinja environments, one per language: templates from lifealm.templates, autoescape on, strict undefined,
the i18n extension with the language's gettext catalogue, and filters that format for the language's locale."""

from __future__ import annotations

from functools import cache
from importlib import resources

import jinja2
import markupsafe

from lifealm.charts.theme import PRINT_FONT, css_font_family
from lifealm.i18n import DEFAULT_LANGUAGE, check_language, translations
from lifealm.render.filters import filters_for, percent_down
from lifealm.render.key_words import ASSUMPTION_WORDS, FINDING_WORDS
from lifealm.render.template_cache import template_cache


def drop(value: object, digits: int = 1, *, lang: str = DEFAULT_LANGUAGE) -> str:
    """A survivable fall 0.5294 as '−52.9 %', rounded down: the briefing never promises more than the model."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return percent_down(value, digits, lang=lang)  # "—"
    return percent_down(-value, digits, lang=lang)


@cache
def environment(lang: str = DEFAULT_LANGUAGE) -> jinja2.Environment:
    """One shared environment per language; every HTML template is escaped and a missing variable is an error.

    The plain-text e-mail (.txt) is not escaped (an & in a name stays an &); everything else is.
    """
    check_language(lang)
    root = resources.files("lifealm.templates")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), disabled_extensions=("txt",), default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
        bytecode_cache=template_cache(),
    )
    # New-style gettext: `_("… %(name)s", name=x)` formats and escapes its arguments, and a missing one is an error.
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(filters_for(lang))
    env.filters["drop"] = lambda value, digits=1: drop(value, digits, lang=lang)
    env.globals["lang"] = lang
    # The PDF's text in the print charts' fonts (one declaration: lifealm.charts.theme); a constant, so not escaped.
    env.globals["print_font"] = markupsafe.Markup(css_font_family(PRINT_FONT))
    # English shows the config names alone (they are English); other languages add what each one means.
    gettext = translations(lang).gettext
    english = lang == DEFAULT_LANGUAGE
    env.globals["assumption_words"] = {} if english else {k: gettext(v) for k, v in ASSUMPTION_WORDS.items()}
    env.globals["finding_words"] = {} if english else {k: gettext(v) for k, v in FINDING_WORDS.items()}
    return env


def render_template(name: str, lang: str = DEFAULT_LANGUAGE, /, **context: object) -> str:
    """Render one template with the given context in `lang`."""
    return environment(lang).get_template(name).render(**context)
