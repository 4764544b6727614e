"""The filters in Japanese: Babel's ja_JP formats, 億/万 yen read back to the same yen, the same rounding as English."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from lifealm.cli import cli
from lifealm.errors import LifealmError
from lifealm.render.filters import (
    MISSING,
    iso_date,
    long_date,
    money,
    number,
    pad,
    percent,
    percent_down,
    points,
    points_plain,
    signed_money,
    signed_yen_words,
    yen_words,
)
from lifealm.settings import load_settings


def test_money_in_japanese_uses_the_locale_symbols_and_each_currency_precision() -> None:
    assert money(125_000_000, lang="ja") == "￥125,000,000"  # CLDR ja writes the full-width yen sign
    assert money(-1234.5, "USD", lang="ja") == "−$1,234.50"
    assert money(10, "CHF", lang="ja") == "CHF 10.00"  # a letter symbol is set off from the digits
    assert money(1000, "KRW", lang="ja") == "₩1,000"  # no minor unit (ISO 4217), from Babel's data
    assert signed_money(189_430, lang="ja") == "+￥189,430"
    assert money(None, lang="ja") == MISSING


def test_percentages_points_and_numbers_in_japanese() -> None:
    assert percent(0.4, lang="ja") == "40.0%"
    assert percent(-0.0001, lang="ja") == "−0.0%"
    assert percent_down(0.6659, lang="ja") == "66.5%"  # toward zero, as in English
    assert points(0.012, lang="ja") == "+1.2ポイント"
    assert points_plain(0.0912, lang="ja") == "9ポイント"
    assert number(1234.5678, lang="ja") == "1,234.5678"


def test_dates_in_japanese() -> None:
    assert iso_date("2026-11-02", lang="ja") == "2026/11/02"
    assert iso_date(date(2026, 11, 2), lang="ja") == "2026/11/02"
    assert long_date("2026-11-02", lang="ja") == "2026年11月2日"
    assert long_date("2026-11-02") == iso_date("2026-11-02") == "2026-11-02"
    assert iso_date(None, lang="ja") == MISSING


@pytest.mark.parametrize(("amount", "text"), [
    (125_000_000, "1億2,500万円"),
    (100_000_000, "1億円"),
    (100_000_567, "1億567円"),
    (12_345_678_901, "123億4,567万8,901円"),
    (10_000, "1万円"),
    (189_430, "18万9,430円"),
    (-30_000_000, "−3,000万円"),
    (9_999, "￥9,999"),  # below ¥10,000 the plain form reads better
    (99_999.6, "10万円"),  # rounded to the yen first, as every money figure is
])
def test_yen_words_by_hand(amount: float, text: str) -> None:
    assert yen_words(amount, lang="ja") == text


def test_yen_words_are_plain_money_in_english_and_for_other_currencies() -> None:
    assert yen_words(125_000_000) == money(125_000_000) == "¥125,000,000"
    assert yen_words(125_000_000, "USD", lang="ja") == "$125,000,000.00"
    assert signed_yen_words(189_430, lang="ja") == "+18万9,430円"
    assert signed_yen_words(-189_430, lang="ja") == "−18万9,430円"


def _read_oku_man(text: str) -> int:
    match = re.fullmatch(r"(−?)(?:([\d,]+)億)?(?:([\d,]+)万)?([\d,]+)?円", text)
    assert match, text
    oku, man, rest = (int((g or "0").replace(",", "")) for g in match.group(2, 3, 4))
    assert man < 10_000 and rest < 10_000
    return (-1 if match.group(1) else 1) * (oku * 10**8 + man * 10**4 + rest)


@given(st.integers(min_value=-(10**13), max_value=10**13))
def test_yen_words_read_back_to_the_same_yen(amount: int) -> None:
    text = yen_words(amount, lang="ja")
    if abs(amount) < 10_000:
        assert text == money(amount, lang="ja")
    else:
        assert _read_oku_man(text) == amount


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_the_figures_are_the_same_in_both_languages(value: float) -> None:
    """Only symbols differ: strip them and English and Japanese give the same digits."""
    def digits(text: str) -> str:
        return re.sub(r"[^\d.−+±<]", "", text)
    for english, japanese in [(money(value), money(value, lang="ja")), (percent(value), percent(value, lang="ja")),
                              (number(value), number(value, lang="ja")), (points(value), points(value, lang="ja"))]:
        assert digits(english) == digits(japanese)


def test_pad_counts_wide_characters_twice() -> None:
    assert pad("Net worth:", 12) == "Net worth:  "
    assert pad("純資産：", 12) == "純資産：    "  # four wide characters take eight columns
    assert pad("a long label here", 4) == "a long label here"


def test_the_language_comes_from_the_config_and_a_wrong_one_names_the_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('ledger = "a.db"\nlang = "ja"\n', "utf-8")
    assert load_settings(config=config, environ={}).lang == "ja"
    assert load_settings(config=config, environ={}, lang="en").lang == "en"  # the flag wins
    assert load_settings(config=config, environ={"LIFEALM_LANG": "en"}).lang == "en"  # the environment beats the file
    with pytest.raises(LifealmError, match="LIFEALM_LANG: must be one of en, ja, not 'de'"):
        load_settings(config=config, environ={"LIFEALM_LANG": "de"})
    config.write_text('ledger = "a.db"\nlang = "fr"\n', "utf-8")
    with pytest.raises(LifealmError) as caught:
        load_settings(config=config, environ={})
    assert f"{config}:2: lang: must be one of en, ja, not 'fr'" in str(caught.value)


def test_an_unknown_lang_flag_is_a_usage_error(tmp_path: Path) -> None:
    import lifealm.cli.report_cmd  # noqa: F401 - registers the command on the group

    done = CliRunner().invoke(cli, ["report", "--db", str(tmp_path / "a.db"), "--lang", "fr"])
    assert done.exit_code == 2 and "'fr' is not one of 'en', 'ja'" in done.output
