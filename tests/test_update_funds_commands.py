"""The 投信協会 NAV CSV (Shift_JIS, per 10,000 units) and a user's `command:` program."""

from __future__ import annotations

import stat
import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from update_fakes import TOUSHIN_PATH, FakeServer, Reply, nav_csv, serving, toushin_reply

from lifealm.update.config import UpdateConfig
from lifealm.update.http import HttpClient, UrllibTransport
from lifealm.update.model import ProblemKind
from lifealm.update.sources.command import CommandSource
from lifealm.update.sources.toushin import ToushinSource

FUND = "JP90C000H1T1/0331418A"


@pytest.fixture
def fake() -> Iterator[FakeServer]:
    with serving() as server:
        yield server


def toushin(fake: FakeServer) -> ToushinSource:
    config = UpdateConfig(toushin_url=fake.url, min_interval=0, retries=0)
    return ToushinSource(HttpClient(config, UrllibTransport()), config)


def test_nav_csv_in_shift_jis_is_stored_per_unit(fake: FakeServer) -> None:
    body = nav_csv([(date(2026, 8, 7), 19980, None), (date(2026, 8, 10), 20053, 150), (date(2026, 8, 11), 20101, None)])
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")  # really Shift_JIS, whatever the header says
    fake.route(TOUSHIN_PATH, toushin_reply(body))
    answer = toushin(fake).fetch(FUND, date(2026, 8, 10), date(2026, 8, 31))
    assert answer.series is not None, answer.problem
    # 基準価額 20,053 yen per 10,000 units = 2.0053 yen per unit; 150 yen per 10,000 units paid on the 決算日.
    assert [(c.day, c.close) for c in answer.series.closes] == [(date(2026, 8, 10), Decimal("2.0053")),
                                                                (date(2026, 8, 11), Decimal("2.0101"))]
    assert [(d.ex_date, d.amount) for d in answer.series.dividends] == [(date(2026, 8, 10), Decimal("0.015"))]
    assert answer.series.currency == "JPY"
    assert fake.seen[0].query == {"isinCd": "JP90C000H1T1", "associFundCd": "0331418A"}


def test_half_width_brackets_in_the_header_are_read_too(fake: FakeServer) -> None:
    fake.route(TOUSHIN_PATH, toushin_reply(nav_csv([(date(2026, 8, 10), 20053, None)],
                                                   header="年月日,基準価額(円),純資産総額(百万円),分配金,決算期")))
    answer = toushin(fake).fetch(FUND, None, date(2026, 8, 31))
    assert answer.series is not None and answer.series.closes[0].close == Decimal("2.0053")


@pytest.mark.parametrize(("reply", "kind", "quoted"), [
    (Reply(200, b"<!DOCTYPE html><html><head><title>\xe3\x82\xa8\xe3\x83\xa9\xe3\x83\xbc</title></head></html>",
           "text/html; charset=utf-8"), ProblemKind.MALFORMED, "エラー"),
    (toushin_reply(nav_csv([])), ProblemKind.NOT_FOUND, "年月日,基準価額(円),純資産総額（百万円）,分配金,決算期"),
    (toushin_reply(nav_csv([(date(2026, 8, 10), 20053, None)]) + "2026年13月01日,1,1,,\r\n".encode("cp932")),
     ProblemKind.MALFORMED, "2026年13月01日,1,1,,"),
])
def test_toushin_failures(fake: FakeServer, reply: Reply, kind: ProblemKind, quoted: str) -> None:
    fake.route(TOUSHIN_PATH, reply)
    answer = toushin(fake).fetch(FUND, None, date(2026, 8, 31))
    assert answer.problem is not None and answer.problem.kind is kind
    assert answer.problem.quoted == quoted


def test_a_badly_written_fund_symbol_is_explained_without_asking(fake: FakeServer) -> None:
    answer = toushin(fake).fetch("eMAXIS Slim", None, date(2026, 8, 31))
    assert answer.problem is not None and "ISIN/協会コード" in answer.problem.message and fake.seen == []


def program(tmp_path: Path, body: str) -> str:
    script = tmp_path / "quote.py"
    script.write_text(body, encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return f"{sys.executable} {script}"


def test_a_command_prints_date_close_csv(tmp_path: Path) -> None:
    command = program(tmp_path, "import os, sys\n"
                                "print('date,close')\n"
                                "print('2026-11-26,101.5')\n"
                                "print('2026-11-27,102')\n"
                                "print('# window', os.environ['LIFEALM_START'], os.environ['LIFEALM_END'], "
                                "file=sys.stderr)\n")
    answer = CommandSource(UpdateConfig()).fetch(command, date(2026, 11, 27), date(2026, 11, 30))
    assert answer.series is not None, answer.problem
    assert [(c.day, c.close) for c in answer.series.closes] == [(date(2026, 11, 27), Decimal("102"))]
    assert answer.series.currency is None  # two columns: the program does not say, the ledger's currency holds


def test_a_failing_command_has_its_stderr_quoted(tmp_path: Path) -> None:
    command = program(tmp_path, "import sys\nprint('looking up', file=sys.stderr)\n"
                                "print('quote server said: unknown fund', file=sys.stderr)\nsys.exit(3)\n")
    answer = CommandSource(UpdateConfig()).fetch(command, None, date(2026, 11, 30))
    assert answer.problem is not None and answer.problem.kind is ProblemKind.COMMAND_FAILED
    assert "status 3" in answer.problem.message
    assert answer.problem.quoted == "looking up | quote server said: unknown fund"


def test_a_command_runs_without_a_shell(tmp_path: Path) -> None:
    marker = tmp_path / "touched"
    command = program(tmp_path, "import sys\nprint('2026-11-27,' + str(len(sys.argv)))\n")
    answer = CommandSource(UpdateConfig()).fetch(f"{command} ';' touch {marker}", None, date(2026, 11, 30))
    assert answer.series is not None and answer.series.closes[0].close == Decimal(4)  # ; and touch were arguments
    assert not marker.exists()


def test_a_command_that_hangs_is_stopped(tmp_path: Path) -> None:
    command = program(tmp_path, "import sys, time\nprint('fetching', file=sys.stderr, flush=True)\ntime.sleep(30)\n")
    answer = CommandSource(UpdateConfig(command_timeout=0.5)).fetch(command, None, date(2026, 11, 30))
    assert answer.problem is not None and "did not finish within 0.5 s" in answer.problem.message
    assert answer.problem.quoted == "fetching"


@pytest.mark.parametrize(("output", "where"), [("2026-11-27\n", "line 1"), ("2026-11-27,abc\n", "line 1"),
                                                ("2026-11-27,100\n27/11/2026,100\n", "line 2"),
                                                ("2026-11-27,-5\n", "line 1")])
def test_command_output_that_is_not_date_close(tmp_path: Path, output: str, where: str) -> None:
    command = program(tmp_path, f"print({output!r}, end='')\n")
    answer = CommandSource(UpdateConfig()).fetch(command, None, date(2026, 11, 30))
    assert answer.problem is not None and answer.problem.kind is ProblemKind.MALFORMED
    assert where in answer.problem.message


def test_a_missing_program() -> None:
    answer = CommandSource(UpdateConfig()).fetch("/nonexistent/quote-tool --fund X", None, date(2026, 11, 30))
    assert answer.problem is not None and "was not found" in answer.problem.message
