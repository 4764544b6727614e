"""The e-mail's subject and bodies from briefing.json: figures read back equal the JSON, hostile text stays text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from deliver_support import pdf_attachment, sample_briefing, sample_pdf
from hypothesis import given
from hypothesis import strategies as st

from lifealm.deliver.briefing_mail import compose_message
from lifealm.errors import LifealmError
from lifealm.render.email_body import render_email

SUBJECT = re.compile(
    r"^\[(SAFE|CAUTION|DANGER)\] (\d{4}-\d{2}-\d{2}) · margin ([\d,]+\.\d) %"
    r" · forced sale at \u2212?(\d+\.\d) % if nothing is done"
    r" · survives \u2212?(\d+\.\d) % spending (cash and line|cash)"
    r"( \(was \w+\))?$"
)


@given(ratio=st.floats(0, 3), forced=st.floats(0, 1), extra=st.floats(0, 1), line=st.booleans(),
       status=st.sampled_from(["SAFE", "CAUTION", "DANGER"]))
def test_subject_figures_read_back_to_the_briefing(ratio: float, forced: float, extra: float, line: bool,
                                                   status: str) -> None:
    drop = min(1.0, forced + extra)  # spending the defense never survives less than doing nothing
    briefing = sample_briefing(status=status, margin={"ratio": ratio, "balance": 5e7, "has_loan": True},
                               defense={"credit_available": 1e6 if line else 0.0},
                               stress={"forced_liquidation_drawdown": forced, "max_survivable_drawdown": drop})
    match = SUBJECT.match(render_email(briefing).subject)
    assert match, render_email(briefing).subject
    assert match.group(1) == status and match.group(2) == briefing["as_of"]
    assert abs(float(match.group(3).replace(",", "")) / 100 - ratio) <= 0.0005 + 1e-9
    assert match.group(6) == ("cash and line" if line else "cash")
    for group, figure in ((4, forced), (5, drop)):
        shown = float(match.group(group)) / 100
        assert shown <= figure + 1e-9 < shown + 0.001 + 1e-9  # one decimal, rounded down, never up


def test_a_status_change_is_in_the_subject_and_listed_first() -> None:
    changes = [
        {"field": "portfolio_value", "kind": "money", "previous": 2.0e8, "current": 1.0e8, "delta": -1.0e8,
         "changed": True},
        {"field": "status", "kind": "status", "previous": "SAFE", "current": "DANGER", "delta": None,
         "changed": True},
    ]
    content = render_email(sample_briefing(status="DANGER", history={"previous_date": "2026-11-24",
                                                                     "changes": changes}))
    assert content.subject.endswith("(was SAFE)") and content.subject.startswith("[DANGER]")
    listed = [line.strip() for line in content.text.splitlines() if line.strip().startswith("- ")]
    assert listed[0] == "- Status: SAFE -> DANGER"
    assert listed[1] == "- Portfolio: ¥200,000,000 -> ¥100,000,000 (\u2212¥100,000,000)"


def test_no_margin_loan_and_no_earlier_briefing() -> None:
    briefing = sample_briefing(margin={"ratio": None}, stress={"max_survivable_drawdown": None},
                               history={"previous_date": None, "changes": []})
    content = render_email(briefing)
    assert content.subject == f"[SAFE] {briefing['as_of']} · no margin loan"
    assert "(no earlier briefing)" in content.text


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.attributes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(name for name, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_hostile_text_is_shown_as_text_in_html_and_verbatim_in_plain_text() -> None:
    hostile = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
    changes = [{"field": hostile, "kind": "text", "previous": hostile, "current": "ok", "delta": None,
                "changed": True}]
    content = render_email(sample_briefing(history={"previous_date": "2026-11-24", "changes": changes}))
    parser = _Collector()
    parser.feed(content.html)
    assert "script" not in parser.tags and "img" not in parser.tags
    assert not any(name.startswith("on") for name in parser.attributes)
    assert hostile in "".join(parser.text)  # the browser shows the characters themselves
    assert hostile in content.text  # the plain-text part is not HTML-escaped


def test_composed_message_has_text_html_and_the_pdf_unchanged() -> None:
    briefing = sample_briefing()
    message = compose_message(briefing, sample_pdf(), sender="lifealm@example.org",
                              recipients=("a@example.org", "b@example.org"))
    assert message["To"] == "a@example.org, b@example.org"
    assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None
    assert pdf_attachment(message) == sample_pdf()
    attachment = next(message.iter_attachments())
    assert attachment.get_filename() == f"lifealm-briefing-{briefing['as_of']}.pdf"
    assert b"Content-Type: application/pdf" in message.as_bytes()


def test_a_briefing_that_is_not_a_briefing_is_refused_clearly() -> None:
    for bad in (sample_briefing(status="FINE"), sample_briefing(as_of="2026-11-25\nBcc: x@example.org")):
        with pytest.raises(LifealmError, match="cannot be mailed"):
            compose_message(bad, sample_pdf(), sender="a@example.org", recipients=("b@example.org",))
