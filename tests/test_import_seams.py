"""Commands load only what they use: `simulate`, `check` and `--help` never import the chart, render, PDF or e-mail
stack (a real `python -m lifealm` child reports the modules it ended with)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from demo_ledgers import demo_copy

from lifealm.render.print_worker import usable_cores

# What the report and e-mail need and the other commands must not pay for at start-up.
HEAVY = ("weasyprint", "altair", "jinja2", "vl_convert", "pandas", "smtplib", "lifealm.render", "lifealm.charts",
         "lifealm.deliver.smtp")
# Plain-text tables the CLI's messages share (no Jinja, no third-party import): allowed everywhere.
LIGHT = {"lifealm.render", "lifealm.render.fixes"}

# Runs the real CLI in this child, then prints the loaded modules that start with a HEAVY name.
PROBE = """
import json, sys
from lifealm.cli import main
heavy = {heavy!r}
try:
    sys.argv = ["lifealm", *{args!r}]
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
loaded = sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in heavy))
print(json.dumps({{"code": code, "loaded": loaded}}), file=sys.stderr)
"""


def _loaded(*args: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY, args=list(args))],
                          capture_output=True, text=True, timeout=120, check=False)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] in (0, None), done.stderr
    return [m for m in report["loaded"] if m not in LIGHT]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_copy(tmp_path_factory.mktemp("seams") / "ledger.db", as_of=date(2026, 11, 25))


def test_simulate_loads_no_render_chart_pdf_or_mail_code(demo_db: Path) -> None:
    assert _loaded("simulate", "--db", str(demo_db), "--as-of", "2026-11-25", "--paths", "50") == []


def test_check_loads_no_render_chart_pdf_or_mail_code(demo_db: Path) -> None:
    assert _loaded("check", "--db", str(demo_db), "--as-of", "2026-11-25") == []


def test_help_loads_no_render_chart_pdf_or_mail_code() -> None:
    assert _loaded("--help") == []


def test_the_probe_sees_the_report_stack(demo_db: Path, tmp_path: Path) -> None:
    """The probe is not blind: `report` does load the chart and page libraries; with a second core WeasyPrint is
    loaded by the print worker only (tests/test_render_print_worker.py), without one by the command itself."""
    loaded = set(_loaded("report", "--db", str(demo_db), "--out", str(tmp_path / "site"), "--as-of", "2026-11-25"))
    assert {"altair", "jinja2", "lifealm.render.print_worker"} <= loaded
    assert ("weasyprint" in loaded) is (usable_cores() == 1)


def test_a_command_imports_only_its_own_module(demo_db: Path) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE.format(heavy=("lifealm.cli", "lifealm.ledger.csv_import"),
                                                              args=["simulate", "--db", str(demo_db), "--as-of",
                                                                    "2026-11-25", "--paths", "50"])],
                          capture_output=True, text=True, timeout=120, check=False)
    loaded = set(json.loads(done.stderr.strip().splitlines()[-1])["loaded"])
    assert loaded == {"lifealm.cli", "lifealm.cli.options", "lifealm.cli.simulate_cmd"}


def test_every_command_is_listed_and_found() -> None:
    from click.testing import CliRunner

    from lifealm.cli import COMMAND_MODULES, cli

    listed = CliRunner().invoke(cli, ["--help"]).output
    for name in COMMAND_MODULES:
        assert f"  {name} " in listed, name
        assert CliRunner().invoke(cli, [name, "--help"]).exit_code == 0, name
    assert set(COMMAND_MODULES) == set(cli.commands)  # every registered command has its module named
