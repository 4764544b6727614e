"""`report` stays offline even when the config asks `run` to update first and the price server is up: a real
`lifealm report` process, every socket call recorded and refused, the fake Yahoo never asked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kind_rows import row
from trust_support import SITECUSTOMIZE
from update_fakes import Bar, Reply, chart, chart_path, serving, utc

from lifealm.ledger.db import create_ledger
from lifealm.ledger.write import write_rows


def test_report_opens_no_socket_whatever_the_update_settings(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.db"
    conn = create_ledger(ledger)
    write_rows(conn, "holdings", [row("holdings", ticker="7203.T", shares=100, cost_basis=250_000)])
    write_rows(conn, "prices", [("7203.T", "2026-11-27", 3000)])
    conn.close()
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(SITECUSTOMIZE, "utf-8")
    log, loaded = tmp_path / "sockets.log", tmp_path / "loaded"
    with serving() as yahoo:
        yahoo.route(chart_path("7203.T"), Reply(body=chart("7203.T", [Bar(utc(2026, 11, 30), 3100.0)])))
        config = tmp_path / "config.toml"
        config.write_text(f'ledger = "{ledger}"\n\n[update]\nbefore_run = true\nyahoo_url = "{yahoo.url}"\n'
                          "min_interval = 0\n", "utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("LIFEALM_")}
        env.update(PYTHONPATH=str(blocker), TRUST_SOCKET_LOG=str(log), TRUST_SOCKET_LOADED=str(loaded),
                   LIFEALM_CONFIG=str(config))
        done = subprocess.run([sys.executable, "-m", "lifealm", "report", "--no-montecarlo", "--as-of", "2026-11-30",
                               "--out", str(tmp_path / "site")], capture_output=True, text=True, env=env, timeout=180)
        asked = list(yahoo.seen)
    assert loaded.exists(), "the socket blocker was not loaded: this test would prove nothing"
    assert done.returncode == 0, done.stderr
    assert not log.exists() or log.read_text("utf-8") == ""
    assert asked == []
    assert (tmp_path / "site" / "2026-11-30" / "briefing.json").is_file()
