"""How fresh the briefing's prices are, as data: the model's dates and stale flag, briefing.json's `freshness`, the
sentence the page and the e-mail open with, the e-mail subject, and what `lifealm run` does with a failed update."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from deliver_support import sample_briefing

from lifealm.deliver.daily_run import EXIT_OK, EXIT_STALE, EXIT_STATUS_ALERT, alert_exit_code, log_line, run_daily
from lifealm.errors import LifealmError
from lifealm.models.briefing import build_briefing
from lifealm.models.briefing_json import briefing_to_json
from lifealm.models.freshness import UpdateReport
from lifealm.models.inputs import Holding, LedgerInputs, PricePoint
from lifealm.render.context import stale_sentence
from lifealm.render.email_body import render_email
from lifealm.settings import Settings

MONDAY = date(2026, 11, 30)
WORDS = 'yahoo: 127.0.0.1 answered 429 (it said: "Too Many Requests")'
FAILED = UpdateReport(("7203.T", "6758.T"), f"7203.T: {WORDS} (and 1 more)", 0,
                      (("security", "7203.T", WORDS), ("security", "6758.T", "yahoo: not asked: earlier in this run …"),
                       ("fx", "USD", "ecb: answered HTTP 500")))


def inputs(*price_dates: date) -> LedgerInputs:
    tickers = [f"{1000 + n}.T" for n in range(len(price_dates))]
    return LedgerInputs(as_of=MONDAY, holdings=tuple(Holding(t, "", 100, 1000) for t in tickers),
                        prices=tuple(PricePoint(t, d, 10.0) for t, d in zip(tickers, price_dates, strict=True)))


def test_fresh_prices_and_a_good_update_are_not_stale() -> None:
    briefing = build_briefing(inputs(date(2026, 11, 27), MONDAY), update=UpdateReport(updated=2))
    fresh = briefing.freshness
    assert (fresh.newest_price, fresh.oldest_price, fresh.stale_holdings) == (MONDAY, date(2026, 11, 27), 0)
    assert not fresh.stale and not fresh.update_failed
    assert briefing_to_json(briefing)["freshness"] == {
        "newest_price_date": "2026-11-30", "oldest_price_date": "2026-11-27", "stale_holdings": 0, "stale": False,
        "update_failed": False, "update": {"ok": True, "failed": [], "problem": None, "updated": 2}}


def test_a_failed_update_makes_even_fridays_prices_stale_on_monday() -> None:
    briefing = build_briefing(inputs(date(2026, 11, 27), date(2026, 11, 27)), update=FAILED)
    assert briefing.freshness.stale and briefing.freshness.update_failed
    doc = briefing_to_json(briefing)
    assert doc["freshness"]["update"]["failed"] == ["7203.T", "6758.T"]
    # Each security left as it was is a finding quoting the source.
    failed = [f for f in doc["findings"] if f["code"] == "update_failed"]
    assert [(f["subject"], f["severity"]) for f in failed] == [("7203.T", "warning"), ("6758.T", "warning")]
    assert failed[0]["detail"]["problem"] == WORDS
    (fx,) = [f for f in doc["findings"] if f["code"] == "fx_update_failed"]
    assert (fx["subject"], fx["detail"]["problem"]) == ("USD", "ecb: answered HTTP 500")
    assert stale_sentence(doc) == f"Prices are from 2026-11-27: the update failed: {FAILED.problem}"


def test_without_an_update_old_prices_are_still_stale_and_said_so() -> None:
    days = 5  # the stale_price_days default: a close 6 days old is stale
    briefing = build_briefing(inputs(date(2026, 11, 24), MONDAY))
    assert briefing.freshness.update is None and briefing.freshness.stale_holdings == 1
    doc = briefing_to_json(briefing)
    assert doc["assumptions"]["stale_price_days"] == days and doc["freshness"]["update"] is None
    assert stale_sentence(doc) == "Prices are from 2026-11-24: 1 holding without a close in the last 5 days"
    assert stale_sentence(briefing_to_json(build_briefing(inputs(MONDAY)))) is None


def _email_doc(fresh: dict[str, Any] | None) -> dict[str, Any]:
    doc = sample_briefing(as_of="2026-11-30")
    if fresh is not None:
        doc["freshness"] = fresh
        doc["assumptions"] = {"stale_price_days": 5}
    return doc


def test_the_email_subject_and_body_carry_the_stale_prices() -> None:
    stale = {"stale": True, "update_failed": True, "oldest_price_date": "2026-11-27", "stale_holdings": 0,
             "update": {"ok": False, "failed": ["7203.T"], "problem": "7203.T: yahoo: answered 429", "updated": 0}}
    content = render_email(_email_doc(stale))
    assert content.subject.startswith("[SAFE] 2026-11-30 · prices from 2026-11-27 (update failed) · margin ")
    said = "Prices are from 2026-11-27: the update failed: 7203.T: yahoo: answered 429"
    assert said in content.text and content.text.index(said) < content.text.index("Headline figures")
    assert said in content.html and 'id="stale-sentence"' in content.html
    old = dict(stale, update_failed=False, update=None, stale_holdings=2)
    assert "· prices from 2026-11-27 (stale) ·" in render_email(_email_doc(old)).subject
    for fresh in (None, dict(stale, stale=False)):  # an older briefing.json without `freshness`, or fresh prices
        content = render_email(_email_doc(fresh))
        assert "prices from" not in content.subject and "Prices are from" not in content.text


@pytest.mark.parametrize(("status", "fail_on", "stale", "code"), [
    ("SAFE", ("stale",), True, EXIT_STALE), ("SAFE", ("stale",), False, EXIT_OK), ("SAFE", (), True, EXIT_OK),
    ("DANGER", ("danger", "stale"), True, EXIT_STATUS_ALERT), ("CAUTION", ("danger", "stale"), True, EXIT_STALE),
    ("CAUTION", "caution", True, EXIT_STATUS_ALERT), ("SAFE", None, True, EXIT_OK)])
def test_fail_on_stale_exits_4_and_a_status_alert_wins(status: str, fail_on: Any, stale: bool, code: int) -> None:
    assert alert_exit_code(status, fail_on, stale=stale) == code


class _Report:
    def __init__(self, stale: bool, day_dir: Path) -> None:
        self.status, self.stale, self.day_dir = "SAFE", stale, day_dir


def test_a_failing_update_step_still_writes_the_briefing_and_the_run_exits_as_asked(tmp_path: Path) -> None:
    settings = Settings(db=tmp_path / "ledger.db", db_source="flag", out=tmp_path / "site")
    seen: list[UpdateReport | None] = []

    def build(settings: Settings, *, as_of: date, update: UpdateReport | None = None) -> _Report:
        seen.append(update)
        return _Report(update is not None and not update.ok, tmp_path / "site" / as_of.isoformat())

    def broken_update(settings: Settings, *, as_of: date) -> UpdateReport:
        raise LifealmError("ledger.db: the ledger is in use by another lifealm command", hint="wait")

    result = run_daily(settings, as_of=MONDAY, build=build, mail=None, fail_on=("stale",), update=broken_update)
    assert seen == [UpdateReport(problem="ledger.db: the ledger is in use by another lifealm command")]
    assert [(f.subject, f.detail_dict()["problem"]) for f in seen[0].findings()] == [
        ("update", "ledger.db: the ledger is in use by another lifealm command")]
    assert result.exit_code == EXIT_STALE and result.stale and result.update == seen[0]
    line = log_line(as_of=MONDAY, started_at="t", seconds=1.0, status="SAFE", outcome="x", update=result.update)
    assert "update=failed(all)" in line
    # No update configured: the build is told nothing ran.
    plain = run_daily(settings, as_of=MONDAY, build=build, mail=None, fail_on=("stale",))
    assert seen[-1] is None and plain.exit_code == EXIT_OK and plain.update is None
