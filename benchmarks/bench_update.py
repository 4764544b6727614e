"""`fetch_updates` for 300 securities and two currencies against fake sources on 127.0.0.1, then `lifealm update`
itself (a real process) on a 300-security ledger.

Three runs: the morning update (a week of new closes each), a first backfill of a year (about 250 closes and
four dividends each), and the morning run with Yahoo answering 429 to everything (the clean stop). The polite
pace is switched off (min_interval 0) to measure lifealm's own cost; against the real Yahoo the default pace of
one request a second makes a 300-security morning run take about five minutes. Reported: wall time, requests,
tracemalloc peak, and the client used (curl_cffi when the [update] extra is installed). The ledger runs: the
morning `lifealm update` (Friday's closes stored, Monday's written) and a first `--history max` backfill, each as
a process (wall time, requests the fake server saw, peak RSS) and once in process (tracemalloc peak).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the fake servers the tests use

from update_fakes import YAHOO_429, Bar, Reply, Seen, boj_json, chart, ecb_xml, serving

from benchmarks.child import run_lifealm
from lifealm.ledger.columns import KINDS
from lifealm.ledger.db import create_ledger
from lifealm.ledger.write import write_rows
from lifealm.refresh import Narrowing, update_ledger
from lifealm.settings import load_settings
from lifealm.update import (
    FxRequest,
    History,
    SecurityRequest,
    Sources,
    UpdateConfig,
    UpdateOptions,
    UpdateResult,
    fetch_updates,
)

TODAY = date(2026, 11, 30)
SECURITIES = 300
NOW = datetime(2026, 11, 30, 22, tzinfo=UTC).timestamp()


def _business_days(start: date, end: date) -> list[date]:
    days = (start + timedelta(days=n) for n in range((end - start).days + 1))
    return [d for d in days if d.weekday() < 5]


def _chart_for(days: list[date], regular: tuple[int, int] | None = None) -> bytes:
    stamps = [int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp()) for d in days]
    quarter_ends = [s for d, s in zip(days, stamps, strict=True) if d.month % 3 == 0 and d.day >= 27][::3]
    return chart("BENCH.T", [Bar(s, 1000.0 + i % 50) for i, s in enumerate(stamps)],
                 dividends=[(s, 25.0) for s in quarter_ends], regular=regular)


def _measure(label: str, config: UpdateConfig, requests: list[SecurityRequest], options: UpdateOptions) -> None:
    def once() -> UpdateResult:
        return fetch_updates(requests, [FxRequest("USD"), FxRequest("EUR")], options, config,
                             sources=Sources.standard(config, clock=lambda: NOW))

    started = time.perf_counter()
    result = once()
    seconds = time.perf_counter() - started
    tracemalloc.start()  # a second, traced run for the peak: tracing slows the first one's timing down
    once()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    prices = sum(len(o.prices) for o in result.securities)
    dividends = sum(len(o.dividends) for o in result.securities)
    print(f"   {label}: {seconds:.2f} s, {result.requests} requests, {prices} closes, {dividends} dividends, "
          f"{len(result.failed)} failed, tracemalloc peak {peak:.1f} MiB")


def main() -> None:
    week = _chart_for(_business_days(TODAY - timedelta(days=9), TODAY))
    year = _chart_for(_business_days(TODAY - timedelta(days=365), TODAY))
    ecb = ecb_xml([(d.isoformat(), {"USD": "1.0500", "JPY": "164.85"}) for d in
                   reversed(_business_days(TODAY - timedelta(days=90), TODAY))])
    boj = boj_json([int(d.strftime("%Y%m%d")) for d in _business_days(TODAY - timedelta(days=30), TODAY)],
                   [156.5] * len(_business_days(TODAY - timedelta(days=30), TODAY)))
    body = {"week": week, "year": year}
    mode = {"now": "week"}

    def yahoo(_: Seen) -> Reply:
        return YAHOO_429 if mode["now"] == "429" else Reply(body=body[mode["now"]])

    with serving() as fake, serving() as fx:  # two hosts, as Yahoo and the central banks are
        for n in range(SECURITIES):
            fake.routes[f"/v8/finance/chart/{n + 1000:04d}.T"] = yahoo
        fx.route("/ecb/eurofxref-hist-90d.xml", Reply(body=ecb, content_type="text/xml"))
        fx.route("/ecb/eurofxref-hist.xml", Reply(body=ecb, content_type="text/xml"))
        fx.route("/api/v1/getDataCode", Reply(body=boj))
        config = UpdateConfig(yahoo_url=fake.url, ecb_url=fx.url + "/ecb", boj_url=fx.url, min_interval=0,
                              backoff=0, retries=3)
        print(f"   client: {Sources.standard(config).client.transport.name}; {SECURITIES} securities, USD and EUR")
        morning = [SecurityRequest(f"{n + 1000:04d}.T", "JPY", last_stored=TODAY - timedelta(days=3))
                   for n in range(SECURITIES)]
        _measure("morning update (Friday's closes stored, Monday's fetched)", config, morning,
                 UpdateOptions(today=TODAY))
        mode["now"] = "year"
        fresh = [SecurityRequest(f"{n + 1000:04d}.T", "JPY") for n in range(SECURITIES)]
        _measure("first backfill (--history max, a year each)", config, fresh,
                 UpdateOptions(today=TODAY, history=History.MAX))
        mode["now"] = "429"
        before = len(fake.seen)
        _measure("Yahoo answering 429 to everything", config, morning, UpdateOptions(today=TODAY))
        print(f"   … Yahoo was asked {(len(fake.seen) - before) // 2} times in each run before it stopped asking "
              f"(first try and {config.retries} retries)")
    ledger_runs()


def _ledger(path: Path) -> None:
    """300 holdings in yen with a year of closes each, Friday's the last."""
    conn = create_ledger(path)
    tickers = [f"{n + 1000:04d}.T" for n in range(SECURITIES)]
    holdings = KINDS["holdings"]
    write_rows(conn, holdings, [holdings.row(ticker=t, shares=100, cost_basis=100_000, asset_class="equity",
                                             currency="JPY") for t in tickers])
    days = _business_days(TODAY - timedelta(days=365), TODAY - timedelta(days=3))
    write_rows(conn, "prices", ((t, d, 1000.0 + i % 50) for t in tickers for i, d in enumerate(days)))
    conn.close()


def _process(label: str, home: Path, fake_seen: list[object], *args: str) -> None:
    os.environ["no_proxy"] = "127.0.0.1"  # the fake server is local whatever proxy the machine uses
    before = len(fake_seen)
    run = run_lifealm("update", "--config", str(home / "config.toml"), "--as-of", TODAY.isoformat(), *args)
    tally = run.stdout.strip().splitlines()[-1]
    print(f"   {label}: {run.seconds:.2f} s wall, {len(fake_seen) - before} requests seen by the fake server, "
          f"peak RSS {run.peak_rss_mib} MiB\n     {tally}")


def _in_process(label: str, home: Path, narrowing: Narrowing) -> None:
    settings = load_settings(config=home / "config.toml", environ={})
    tracemalloc.start()
    started = time.perf_counter()
    result = update_ledger(settings, as_of=TODAY, narrowing=narrowing)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    new = sum(line.new_rows for line in result.lines)
    print(f"   {label} in process: {seconds:.2f} s (traced), {result.requests} requests, {new} new rows, "
          f"{len(result.failed)} failed, tracemalloc peak {peak:.1f} MiB")


def ledger_runs() -> None:
    # Monday's Tokyo session (09:00-15:30 JST) stated, so its bar counts as a close by the real clock of the process.
    monday = (int(datetime(2026, 11, 30, tzinfo=UTC).timestamp()), int(datetime(2026, 11, 30, 6, 30,
                                                                                tzinfo=UTC).timestamp()))
    week = _chart_for(_business_days(TODAY - timedelta(days=9), TODAY), monday)
    year = _chart_for(_business_days(TODAY - timedelta(days=365), TODAY), monday)
    body = {"now": week}
    with serving() as fake, tempfile.TemporaryDirectory(prefix="lifealm-update-") as tmp:
        for n in range(SECURITIES):
            fake.routes[f"/v8/finance/chart/{n + 1000:04d}.T"] = lambda _: Reply(body=body["now"])
        home = Path(tmp)
        (home / "config.toml").write_text(
            f'ledger = "{home / "ledger.db"}"\n[update]\nyahoo_url = "{fake.url}"\nmin_interval = 0\n'
            "backoff = 0\n", "utf-8")
        _ledger(home / "ledger.db")
        print(f"   ledger: {SECURITIES} holdings, a year of closes each up to Friday "
              f"{(TODAY - timedelta(days=3)).isoformat()}")
        _process("`lifealm update` on Monday", home, fake.seen)  # type: ignore[arg-type]
        _in_process("the same again (nothing new)", home, Narrowing())
        body["now"] = year
        _process("`lifealm update --history max` (a year each, upserted)", home, fake.seen,  # type: ignore[arg-type]
                 "--history", "max")
        _in_process("`--history max` again", home, Narrowing(history=History.MAX))
