"""The one rule for numbers entering lifealm from outside: finite and normal (no NaN, no infinity, no subnormal)."""

from __future__ import annotations

import math
import sys


def number_problem(value: float) -> str | None:
    """Why `value` cannot be computed with, or None when it can.

    NaN compares false with everything, so a range check lets it through and every result becomes NaN; a
    subnormal (such as 1e-320) loses precision and overflows to infinity when divided by.
    """
    if math.isnan(value):
        return "is not a number (NaN)"
    if math.isinf(value):
        return "is infinite"
    if value != 0.0 and abs(value) < sys.float_info.min:
        return "is too close to zero to compute with (a subnormal number); use 0 or a larger value"
    return None
