"""The briefing's languages: the gettext catalogues (compiled by Babel) and the Babel locale of each language."""

from __future__ import annotations

import gettext
from functools import cache
from importlib import resources

LANGUAGES = ("en", "ja")  # English is the source language: its text lives in the code and the templates
DEFAULT_LANGUAGE = "en"
DOMAIN = "lifealm"
# The Babel (CLDR) locale that formats numbers, money and dates for each language.
BABEL_LOCALES = {"en": "en", "ja": "ja_JP"}


def N_(message: str) -> str:
    """Mark a display string for extraction (pybabel -k N_); it is translated where it is shown, by the render layer."""
    return message


def check_language(lang: str) -> str:
    """`lang` itself when lifealm speaks it; otherwise a ValueError naming the choices."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r} (choices: {', '.join(LANGUAGES)})")
    return lang


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of `lang` (shipped in the wheel); English is the source text, so it needs none.

    A missing catalogue for a language lifealm claims to speak is a packaging fault, not a fallback to English:
    gettext raises FileNotFoundError and the briefing is not written half-translated.
    """
    check_language(lang)
    if lang == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    localedir = resources.files("lifealm.i18n") / "locale"
    return gettext.translation(DOMAIN, localedir=str(localedir), languages=[lang])
