"""Hostile text in every user-controlled text field stays text: ledger, briefing.json, HTML, charts, PDF, e-mail.

The ledger is filled through real `lifealm import` CSV files and reported by the real `lifealm report` and
`lifealm email --dry-run` (built once, in trust_support.trust_site()).
"""

from __future__ import annotations

import csv
import email
import email.policy
import json
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from email.message import EmailMessage
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from trust_support import DAY, FIELD_TAGS, PAYLOADS, SHOWN_FIELDS, TrustSite, stored_values, trust_site

from lifealm.cli import _register, cli


@pytest.fixture(scope="module")
def built() -> TrustSite:
    site = trust_site()
    assert site.report.returncode == 0, site.report.stderr
    assert site.email.returncode == 0, site.email.stderr
    return site


class Page(HTMLParser):
    """Every element with its attributes, the text outside <script>/<style>, and each script's raw content."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text_parts: list[str] = []
        self._raw: str | None = None
        self._raw_attrs: dict[str, str | None] = {}
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._raw, self._raw_attrs = tag, dict(attrs)
            self._chunks: list[str] = []

    def handle_endtag(self, tag: str) -> None:
        if self._raw is not None and tag == self._raw:
            if tag == "script":
                self.scripts.append((self._raw_attrs, "".join(self._chunks)))
            self._raw = None

    def handle_data(self, data: str) -> None:
        if self._raw is not None:
            self._chunks.append(data)
        else:
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.text_parts)


def strings(node: Any) -> Iterator[str]:
    """Every string value in a JSON document."""
    if isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)
    elif isinstance(node, str):
        yield node


def shown_values() -> dict[tuple[str, str], str]:
    return {key: value for key, value in stored_values().items() if key[0] in SHOWN_FIELDS}


def test_the_ledger_stores_every_hostile_value_exactly(built: TrustSite) -> None:
    conn = sqlite3.connect(built.db)
    try:
        columns = {
            "holding name": "SELECT name FROM securities", "ticker": "SELECT ticker FROM holdings",
            "asset_class": "SELECT asset_class FROM securities", "account": "SELECT account FROM holdings",
            "loan name": "SELECT name FROM loans", "cash account": "SELECT name FROM cash_accounts",
            "other asset name": "SELECT name FROM other_assets", "other asset kind": "SELECT kind FROM other_assets",
            "expense category": "SELECT category FROM expenses", "income source": "SELECT source FROM income",
        }
        assert set(columns) == set(FIELD_TAGS)
        stored = {field: {str(r[0]) for r in conn.execute(sql)} for field, sql in columns.items()}
        # "' OR 1=1 --" and "DROP TABLE" were data, not SQL: the table is still there, with every row.
        assert conn.execute("SELECT count(*) FROM holdings WHERE ticker LIKE 'tk: %'").fetchone()[0] == len(PAYLOADS)
    finally:
        conn.close()
    for (field, _), value in stored_values().items():
        assert value in stored[field], (field, value)


def test_briefing_json_carries_every_value_exactly(built: TrustSite) -> None:
    doc = json.loads((built.day / "briefing.json").read_text("utf-8"))
    present = set(strings(doc))
    missing = {key: value for key, value in stored_values().items() if value not in present}
    assert not missing


@pytest.mark.parametrize("page", ["index.html", f"{DAY}/index.html", "archive.html"])
def test_html_contains_no_injected_markup(built: TrustSite, page: str) -> None:
    raw = (built.site / page).read_text("utf-8")
    parsed = Page(raw)
    for tag, attrs in parsed.elements:
        handlers = [name for name in attrs if name.lower().startswith("on")]
        assert not handlers, (tag, attrs)
        assert not (tag == "img" and attrs.get("src") == "x"), attrs
    for attrs, _ in parsed.scripts:
        # Only the local Vega bundle, the inline drawing code, and JSON chart specs: nothing a name could add.
        assert (attrs.get("src") or "").startswith(("assets/", "../assets/")) or attrs == {} \
            or (attrs.get("type") == "application/json" and str(attrs.get("id", "")).startswith("spec-")), attrs
    assert sum(1 for attrs, _ in parsed.scripts if attrs == {}) <= 1
    # Each </script in the file closes a real script element: no payload broke out of its context.
    assert len(re.findall(r"</script", raw, flags=re.IGNORECASE)) == len(parsed.scripts)


def test_html_shows_the_text_as_text(built: TrustSite) -> None:
    text = Page((built.day / "index.html").read_text("utf-8")).text
    for key, value in shown_values().items():
        assert value in text, key
    # The template engine never evaluated the user's braces.
    assert "hn: {{ 7*7 }}" in text and "hn: 49" not in text


def test_chart_specs_hold_the_text_as_data(built: TrustSite) -> None:
    parsed = Page((built.day / "index.html").read_text("utf-8"))
    inline = {str(attrs["id"]).removeprefix("spec-"): body for attrs, body in parsed.scripts
              if attrs.get("type") == "application/json"}
    assert inline
    for chart_id, body in inline.items():
        assert "</" not in body and "<!--" not in body, chart_id  # cannot end the script element early
        spec = json.loads(body)
        on_disk = json.loads((built.day / "charts" / f"{chart_id}.vl.json").read_text("utf-8"))
        assert spec == on_disk, chart_id
    allocation = inline["allocation"]
    labels = [str(row.get("holding", "")) for row in json.loads(allocation)["data"]["values"]]
    for name in PAYLOADS:
        value = stored_values()[("ticker", name)]
        assert any(value in label for label in labels), name
    for chart_id, body in inline.items():
        _no_text_in_expressions(json.loads(body), chart_id)


def _no_text_in_expressions(node: Any, chart_id: str) -> None:
    """User text may sit in data values only, never inside a Vega expression string (it would be code)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("expr", "test", "calculate", "filter", "labelExpr", "signal") and isinstance(value, str):
                assert not any(p in value for p in PAYLOADS.values()), (chart_id, key, value)
            _no_text_in_expressions(value, chart_id)
    elif isinstance(node, list):
        for value in node:
            _no_text_in_expressions(value, chart_id)


@cache
def _pdf_text(path: Path) -> str:
    # -layout keeps each line as drawn (the default mode joins a line ending in "-" with the next one).
    done = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          check=True)
    return done.stdout.decode("utf-8")


def _pdf_reading_text(path: Path) -> str:
    """The PDF's text in reading order with white space folded: a cell that wraps reads as one run of text.

    (-layout interleaves the columns of a wrapped table row, so it cannot show that a long cell is complete.)
    """
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return " ".join(done.stdout.decode("utf-8").split())


def test_pdf_shows_the_literal_text(built: TrustSite) -> None:
    text = _pdf_text(built.day / "briefing.pdf")
    flat = "".join(text.split())
    for (field, name), value in shown_values().items():
        if name in UNBROKEN:
            continue  # see the test below
        if name == "rlo":
            # The override is invisible and reorders what follows: check the visible letters on both sides.
            assert f"{FIELD_TAGS[field]}: invoice" in text, field
            continue
        assert value in text, (field, name)
    assert "hn:{{7*7}}" in flat and "hn:49" not in flat


UNBROKEN = ("breakout", "long")  # long runs of text without a space


def test_pdf_shows_long_unbroken_names_whole(built: TrustSite) -> None:
    flat = "".join(_pdf_reading_text(built.day / "briefing.pdf").split())
    clipped = [key for key, value in shown_values().items()
               if key[1] in UNBROKEN and "".join(value.split()) not in flat]
    assert not clipped


def test_pdf_a_right_to_left_override_cannot_reorder_lifealm_text(built: TrustSite) -> None:
    text = _pdf_reading_text(built.day / "briefing.pdf")
    doc = json.loads((built.day / "briefing.json").read_text("utf-8"))
    lines = len(doc["balance_sheet"]["standby"])
    assert text.count("(standby, undrawn)") == lines


def _message(path: Path) -> EmailMessage:
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_email_escapes_html_and_keeps_plain_text_literal(built: TrustSite) -> None:
    message = _message(built.eml)
    plain = message.get_body(("plain",))
    rich = message.get_body(("html",))
    assert plain is not None and rich is not None
    plain_text, html_text = str(plain.get_content()), str(rich.get_content())
    parsed = Page(html_text)
    assert not parsed.scripts
    assert not [attrs for _, attrs in parsed.elements if any(n.lower().startswith("on") for n in attrs)]
    assert not [attrs for tag, attrs in parsed.elements if tag == "img"]
    for key, value in stored_values().items():
        if any(c in value for c in "<>\"&"):
            assert value not in html_text, key  # raw markup characters never reach the HTML part
        if value in parsed.text:
            assert value in plain_text, key  # what the HTML shows, the plain part shows literally
        assert value not in str(message["Subject"]), key
    attachments = [part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert len(attachments) == 1
    assert attachments[0].get_content() == (built.day / "briefing.pdf").read_bytes()


def test_export_round_trips_hostile_text(built: TrustSite, tmp_path: Path) -> None:
    _register()
    result = CliRunner().invoke(cli, ["export", "holdings", "--db", str(built.db), "-o", str(tmp_path / "h.csv")])
    assert result.exit_code == 0, result.output
    with (tmp_path / "h.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_ticker = {row["ticker"]: row for row in rows}
    for name in PAYLOADS:
        row = by_ticker[stored_values()[("ticker", name)]]
        assert row["name"] == stored_values()[("holding name", name)]
        assert row["account"] == stored_values()[("account", name)]
