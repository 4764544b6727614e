"""The gettext catalogues: the .pot holds what the sources mark, Japanese translates all of it, the .mo is current."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "lifealm" / "i18n" / "locale"
PO = LOCALE / "ja" / "LC_MESSAGES" / "lifealm.po"
MO = LOCALE / "ja" / "LC_MESSAGES" / "lifealm.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}|<[^>]+>")


def _ids(catalog: Catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


@pytest.fixture(scope="module")
def ja() -> Catalog:
    with PO.open("rb") as stream:
        return read_po(stream)


def test_the_pot_holds_every_string_the_sources_mark() -> None:
    """What `make i18n-extract` would find today (babel.cfg over the templates, render and charts) is in the .pot."""
    with (ROOT / "babel.cfg").open() as stream:
        method_map, options_map = parse_mapping_cfg(stream)
    found = {message[2] if isinstance(message[2], str) else message[2][0]
             for message in extract_from_dir(str(ROOT), method_map, options_map,
                                             keywords={"_": None, "gettext": None, "ngettext": (1, 2), "N_": None})}
    with (LOCALE / "lifealm.pot").open("rb") as stream:
        pot = _ids(read_po(stream))
    assert found, "nothing extracted: is babel.cfg's mapping right?"
    assert found - pot == set(), "run `make i18n-update` and translate the new strings"
    assert pot - found == set(), "strings no longer in the sources: run `make i18n-update`"


def test_japanese_translates_every_string_without_fuzzy_entries(ja: Catalog) -> None:
    with (LOCALE / "lifealm.pot").open("rb") as stream:
        pot = _ids(read_po(stream))
    assert pot <= _ids(ja), "run `make i18n-update`"
    untranslated = [m.id for m in ja if m.id and not all(m.string if isinstance(m.string, tuple) else (m.string,))]
    fuzzy = [m.id for m in ja if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


def test_translations_keep_every_placeholder_and_tag(ja: Catalog) -> None:
    for message in ja:
        if not message.id:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), (source, text)
    assert list(ja.check()) == []  # Babel's own python-format checks


def test_the_shipped_mo_is_the_compiled_po(ja: Catalog) -> None:
    """The .mo in the wheel is exactly what `make i18n-compile` makes of the .po (so a clean clone has it)."""
    compiled = io.BytesIO()
    write_mo(compiled, ja)
    assert MO.read_bytes() == compiled.getvalue(), "run `make i18n-compile` and commit the .mo"
    with MO.open("rb") as stream:
        assert _ids(read_mo(stream)) == _ids(ja)


def test_the_runtime_finds_the_japanese_catalogue() -> None:
    from lifealm.i18n import translations

    assert translations("ja").gettext("Net worth") == "純資産"
    assert translations("en").gettext("Net worth") == "Net worth"
    with pytest.raises(ValueError, match="choices: en, ja"):
        translations("fr")


def test_every_chart_word_and_key_word_is_in_japanese() -> None:
    """lifealm.charts.labels, lifealm.render.chart_words and lifealm.render.key_words: each English word has its
    own Japanese one, and the Japanese chart labels carry the 億/万 axis, the ja date format and Vega's ja locale."""
    from dataclasses import fields

    from lifealm.charts.labels import ENGLISH, FORMAT_FIELDS
    from lifealm.i18n import translations
    from lifealm.render.chart_words import chart_labels
    from lifealm.render.key_words import ASSUMPTION_WORDS, FINDING_WORDS

    japanese = chart_labels("ja")
    assert chart_labels("en") is ENGLISH
    for field in fields(ENGLISH):
        english, translated = getattr(ENGLISH, field.name), getattr(japanese, field.name)
        assert english != translated or field.name == "money_format", field.name
    assert {field.name for field in fields(ENGLISH)} >= set(FORMAT_FIELDS)
    assert "億" in japanese.money_axis and japanese.date_format == "%Y/%m/%d"
    assert japanese.vega_locale is not None and japanese.vega_locale["time"]["months"][0] == "1月"
    gettext = translations("ja").gettext
    for text in (*ASSUMPTION_WORDS.values(), *FINDING_WORDS.values()):
        assert gettext(text) != text, text
