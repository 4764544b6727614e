"""Number formatting filters: yen without decimals, other currencies with theirs, percentages, signed deltas."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lifealm.render.filters import (
    MISSING,
    money,
    number,
    percent,
    percent_down,
    plain,
    points,
    points_down,
    points_plain,
    script_json,
    signed_money,
)


def test_yen_has_no_decimals_and_thousands_separators() -> None:
    assert money(125_000_000) == "¥125,000,000"
    assert money(1234.6, "JPY") == "¥1,235"
    assert money(-50_000_000.0) == "−¥50,000,000"


def test_other_currencies_keep_their_minor_unit() -> None:
    assert money(1234.5, "USD") == "$1,234.50"
    assert money(0.015, "EUR") in ("€0.01", "€0.02")  # binary floats round either way at half a cent
    assert money(10, "CHF") == "CHF 10.00"


def test_missing_and_non_finite_values_show_a_dash_not_nan() -> None:
    for value in (None, math.nan, math.inf, "12"):
        assert money(value) == MISSING
        assert percent(value) == MISSING


def test_percent_and_points() -> None:
    assert percent(0.4) == "40.0 %"
    assert percent(0.52941, 0) == "53 %"
    assert percent(-0.012) == "−1.2 %"
    assert points(0.094) == "+9.4 pt"
    assert points(-0.001) == "−0.1 pt"
    assert points(0.0) == "±0.0 pt"
    assert points_plain(0.0912) == "9 points"
    assert points_plain(0.01) == "1 point"


def test_signed_money() -> None:
    assert signed_money(189_430) == "+¥189,430"
    assert signed_money(-5) == "−¥5"
    assert signed_money(0.2) == "±¥0"


def test_plain_assumption_values() -> None:
    assert plain(True) == "true"
    assert plain(0.20315) == "0.20315"
    assert plain(10_000) == "10000"


@given(st.floats(min_value=-1e13, max_value=1e13, allow_nan=False))
def test_yen_text_reads_back_as_the_rounded_amount(value: float) -> None:
    text = money(value)
    digits = text.replace("−", "-").replace("¥", "").replace(",", "")
    assert int(digits) == round(value) or abs(int(digits) - value) <= 0.5 + 1e-6 * abs(value)


@given(st.recursive(st.text(), lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner,
                                                                                           max_size=3)))
def test_script_json_never_contains_markup_and_parses_back(value: object) -> None:
    text = str(script_json(value))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == value


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [(0.6659, 1, "66.5 %"), (0.6659, 0, "66 %"), (0.52947, 0, "52 %"), (0.3 - 1e-13, 1, "30.0 %"), (1.0, 0, "100 %")],
)
def test_survival_figures_are_rounded_toward_zero(value: float, digits: int, expected: str) -> None:
    assert percent_down(value, digits) == expected


@given(st.floats(min_value=0, max_value=1))
def test_percent_down_never_shows_more_than_the_value(value: float) -> None:
    shown = float(percent_down(value, 1).removesuffix(" %")) / 100
    assert shown <= value + 1e-9


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3400, "3,400"), (12.5, "12.5"), (1234.56789, "1,234.5679"), (0.00001, "<0.0001"), (2.5e-05, "<0.0001")],
)
def test_share_counts_show_fractions_and_never_a_false_zero(value: float, expected: str) -> None:
    assert number(value) == expected


def test_survival_change_is_the_difference_of_what_is_shown() -> None:
    assert percent_down(0.66537) == percent_down(0.6659) == "66.5 %"
    assert points_down(0.66537, 0.6659) == "±0.0 pt"
    assert points_down(0.60, 0.6659) == "+6.5 pt"
