"""--as-of: the CSV import's date forms, "no such date", never after today; index.html is the newest day ≤ today."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from demo_ledgers import demo_copy

import lifealm.cli.report_cmd  # noqa: F401 - registers the command
from lifealm.cli import cli
from lifealm.cli.options import IsoDate
from lifealm.ledger.cells import CellError, DateParser
from lifealm.ledger.columns import Column, ColumnType
from lifealm.pipeline import build_report
from lifealm.settings import load_settings

TODAY = date(2026, 11, 30)


def _report(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["report", "--db", "/nonexistent/ledger.db", *args])
    return result.exit_code, result.output


def test_a_date_after_today_is_a_usage_error_naming_today() -> None:
    today = date.today()
    code, output = _report("--as-of", (today + timedelta(days=1)).isoformat())
    assert code == 2
    assert f"is after today ({today.isoformat()})" in output
    with pytest.raises(Exception, match=r"2027-11-30 is after today \(2026-11-30\)"):
        IsoDate(today=lambda: TODAY).convert("2027-11-30", None, None)


def test_february_30th_is_no_such_date() -> None:
    code, output = _report("--as-of", "2026-02-30")
    assert code == 2 and "no such date" in output


@pytest.mark.parametrize("text", ["2026-11-02", "2026/11/2", "2026/1/05", " 2026-11-02 ", "2026年11月2日",
                                  "2026-11-2", "02/11/2026", "2026-02-30", "yesterday"])
def test_as_of_accepts_exactly_the_forms_the_csv_import_accepts(text: str) -> None:
    column = Column("price_date", ColumnType.DATE)
    try:
        csv_result: str | None = DateParser(TODAY)(text.strip(), column)
    except CellError:
        csv_result = None
    option = IsoDate(today=lambda: TODAY)
    try:
        as_of: str | None = option.convert(text, None, None).isoformat()
    except Exception:  # click's BadParameter: a usage error
        as_of = None
    assert as_of == csv_result
    if text.strip() in ("2026-11-02", "2026/11/2"):
        assert as_of == "2026-11-02"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("dates")
    db = demo_copy(root / "ledger.db", as_of=date(2026, 11, 25))
    return db, root / "site"


def test_a_past_date_prints_its_own_page_and_index_stays_on_the_newest(site: tuple[Path, Path]) -> None:
    db, out = site
    settings = load_settings(db=db, out=out, environ={})
    newest = build_report(settings, as_of=date(2026, 11, 25), montecarlo=False, today=TODAY)
    assert newest.index_updated and newest.page_path == out / "index.html"
    older = build_report(settings, as_of=date(2026, 11, 20), montecarlo=False, today=TODAY)
    assert not older.index_updated and older.page_path == out / "2026-11-20" / "index.html"
    assert (out / "index.html").read_text("utf-8") != (out / "2026-11-20" / "index.html").read_text("utf-8")
    assert "briefing 2026-11-25" in (out / "index.html").read_text("utf-8")
    config = out.parent / "empty.toml"
    config.write_text("", "utf-8")
    result = CliRunner().invoke(cli, ["report", "--db", str(db), "--out", str(out), "--as-of", "2026/11/20",
                                      "--no-montecarlo"], env={"LIFEALM_CONFIG": str(config)})
    assert result.exit_code == 0, result.output
    assert f"open: {(out / '2026-11-20' / 'index.html').resolve().as_uri()}" in result.output
    assert "index.html shows a later briefing" in result.output


def test_a_future_dated_leftover_never_holds_index_html(site: tuple[Path, Path]) -> None:
    db, out = site
    settings = load_settings(db=db, out=out, environ={})
    build_report(settings, as_of=date(2026, 11, 25), montecarlo=False, today=TODAY)
    # A site written before the refusal existed: a day directory after today.
    shutil.copytree(out / "2026-11-25", out / "2027-11-30")
    again = build_report(settings, as_of=date(2026, 11, 25), montecarlo=False, today=TODAY)
    assert again.index_updated
    assert "briefing 2026-11-25" in (out / "index.html").read_text("utf-8")
