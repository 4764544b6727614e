"""Ledger text made drawable by every renderer (Vega/SVG, HTML, WeasyPrint): XML-safe characters, bounded length.

A name edited into the ledger with another tool can hold what an import refuses: U+FFFF, an escape, a line
break, a lone surrogate, ten thousand characters without a space. vl-convert aborts the whole process on a
character XML cannot hold, and WeasyPrint takes minutes to break a very long word, so the render layer passes
every ledger string through `drawable_text` before charts or pages see it. briefing.json keeps the exact value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

REPLACEMENT = "\ufffd"
# The longest text a page or chart lays out: the same cap `lifealm import` puts on every text cell.
TEXT_LIMIT = 500
ELLIPSIS = "…"


def _undrawable(char: str) -> bool:
    code = ord(char)
    if code < 0x20 or 0x7F <= code <= 0x9F:  # C0 (tab and line breaks too: a label is one line) and DEL/C1
        return True
    if 0xD800 <= code <= 0xDFFF:  # a lone surrogate (a valid pair never reaches a Python str as two halves)
        return True
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE  # noncharacters, U+xFFFE/U+xFFFF in any plane


def drawable_text(text: str, limit: int = TEXT_LIMIT) -> str:
    """`text` with every character XML (and so SVG/PDF) cannot hold replaced by U+FFFD, cut to `limit` with …."""
    if len(text) > limit:
        text = text[: limit - 1] + ELLIPSIS
    if text.isascii() and text.isprintable():  # the common case: nothing to replace
        return text
    return "".join(REPLACEMENT if _undrawable(c) else c for c in text)


def drawable_tree(value: Any) -> Any:
    """A copy of a JSON-like value (dicts, lists, scalars) with every string, keys included, made drawable."""
    if isinstance(value, str):
        return drawable_text(value)
    if isinstance(value, Mapping):
        return {drawable_text(str(k)) if isinstance(k, str) else k: drawable_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [drawable_tree(item) for item in value]
    return value
