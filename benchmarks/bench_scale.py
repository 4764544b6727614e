"""`lifealm report` on a ledger grown for twenty years (300 holdings, ~1.5M daily prices, 7,300 snapshots) vs the demo.

The scale ledger starts as the demo ledger (same loans, cash, expenses, income) and is grown by direct
`executemany` into the real schema (the CSV import path is measured on its own in bench_import): 290 more
holdings, twenty years of business-day prices for all 300, quarterly dividends, and a daily snapshot for twenty
years. The charts draw the last year daily and older history at month-ends, the 20 largest holdings plus one
"others" bar; the PDF lists the 25 largest holdings. Each report runs as a fresh `python -m lifealm report`
child; its wall time and peak RSS (ru_maxrss from wait4) are measured. When the aim (under 1.3× the demo's time,
under 1 GB) is missed, or LIFEALM_BENCH_PROFILE=1, one in-process report on the scale ledger is profiled.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sqlite3
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from benchmarks.child import run_lifealm
from lifealm.demo import build_demo
from lifealm.ledger.load import LATEST_PRICE_SQL
from lifealm.pipeline import STAGES, build_report
from lifealm.settings import load_settings

AS_OF = date(2026, 11, 25)
HOLDINGS = 300
YEARS = 20
RUNS = 5
AIM_RATIO, AIM_RSS_MIB = 1.3, 1024


def _business_days(start: date, end: date) -> list[str]:
    days = (start + timedelta(days=n) for n in range((end - start).days + 1))
    return [d.isoformat() for d in days if d.weekday() < 5]


def grow(db: Path) -> dict[str, int]:
    """Turn a demo ledger into twenty years of a 300-holding household; returns the row counts."""
    rng = np.random.default_rng(20)
    start = AS_OF.replace(year=AS_OF.year - YEARS)
    days = _business_days(start, AS_OF)
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        existing = [str(r[0]) for r in conn.execute("SELECT DISTINCT ticker FROM holdings ORDER BY ticker")]
        extra = [f"S{i:03d}.T" for i in range(HOLDINGS - len(existing))]
        conn.execute("INSERT OR IGNORE INTO accounts (name, kind) VALUES ('特定口座 (scale)', 'taxable')")
        conn.executemany("INSERT INTO securities (ticker, name, asset_class) VALUES (?, ?, 'equity')",
                         [(t, f"Scale Holding {t}") for t in extra])
        conn.executemany("INSERT INTO holdings (ticker, shares, cost_basis, account) "
                         "VALUES (?, 100.0, 100000.0, '特定口座 (scale)')", [(t,) for t in extra])
        # Geometric random walks ending near each holding's own level; the demo's own recent prices are kept.
        for ticker in existing + extra:
            last = conn.execute("SELECT close_price FROM prices WHERE ticker = ? ORDER BY price_date DESC LIMIT 1",
                                (ticker,)).fetchone()
            level = float(last[0]) if last else 1_000.0
            steps = rng.normal(0.0002, 0.015, len(days))
            path = level * np.exp(np.cumsum(steps) - np.sum(steps))
            conn.executemany("INSERT OR IGNORE INTO prices VALUES (?, ?, ?)",
                             zip([ticker] * len(days), days, np.round(path, 1).tolist(), strict=True))
        quarters = [d for d in days if d[5:7] in ("03", "06", "09", "12") and d[8:10] in ("27", "28")][::2]
        conn.executemany(
            "INSERT OR IGNORE INTO dividends (ticker, ex_date, amount_per_share, is_projection) VALUES (?, ?, ?, 0)",
            [(t, d, 10.0 + n * 0.1) for t in extra for n, d in enumerate(quarters)])
        conn.execute("DELETE FROM snapshots")
        all_days = [(start + timedelta(days=n)).isoformat() for n in range((AS_OF - start).days)]
        wobble = rng.normal(0, 0.01, len(all_days)).cumsum()
        conn.executemany(
            "INSERT INTO snapshots VALUES (?, 'SAFE', ?, 4.5e6, 5e7, ?, ?, -2.0e5, 0.4, 0.5, 0.9)",
            [(d, 1.25e8 * (1 + w), 0.4 / (1 + w), 7.95e7 * (1 + w)) for d, w in zip(all_days, wobble, strict=True)])
        conn.commit()
        return {table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
                for table in ("holdings", "prices", "dividends", "snapshots")}
    finally:
        conn.close()


def run_report(db: Path, out: Path) -> tuple[float, int]:
    """`python -m lifealm report` as a child process: (wall seconds, the child's own peak RSS in MiB)."""
    done = run_lifealm("report", "--db", str(db), "--out", str(out), "--as-of", AS_OF.isoformat())
    return done.seconds, done.peak_rss_mib


def stage_timings(db: Path, out: Path) -> dict[str, float]:
    """Seconds per pipeline stage for one in-process report (after a first run that loads fonts and imports)."""
    settings = load_settings(db=db, out=out, environ={})
    build_report(settings, as_of=AS_OF)
    return build_report(settings, as_of=AS_OF).timings


def _inline_rows(node: object) -> int:
    """The largest inline `values` list anywhere in a spec (layers and datasets included)."""
    if isinstance(node, dict):
        own = len(node["values"]) if isinstance(node.get("values"), list) else 0
        return max([own, *(_inline_rows(v) for v in node.values())])
    if isinstance(node, list):
        return max([0, *(_inline_rows(v) for v in node)])
    return 0


def drawn(day: Path, snapshots: int) -> str:
    """What the scale report shows: history points per chart, allocation bars, PDF pages (from its own files)."""
    import json

    from pypdf import PdfReader

    history = json.loads((day / "charts" / "net-worth-history.vl.json").read_text("utf-8"))
    bars = json.loads((day / "charts" / "allocation.vl.json").read_text("utf-8"))
    series = json.loads((day / "briefing.json").read_text("utf-8"))["history"]["series"]
    pages = len(PdfReader(day / "briefing.pdf").pages)
    return (f"scale report draws {_inline_rows(history):,} of {len(series):,} history points ({snapshots:,} "
            f"snapshots before today; briefing.json keeps all), {_inline_rows(bars)} allocation bars, "
            f"a {pages}-page PDF")


def breakdown(db: Path) -> list[str]:
    """Inside the charts and PDF stages: Altair building per theme, vl-convert per chart, WeasyPrint, output sizes."""
    import json

    from pypdf import PdfReader

    from lifealm.charts import theme
    from lifealm.charts.builders import build_all
    from lifealm.charts.collect import chart_data
    from lifealm.charts.svg import svg_data_url
    from lifealm.ledger.db import open_ledger
    from lifealm.ledger.load import load_inputs
    from lifealm.models.briefing import build_briefing
    from lifealm.models.briefing_json import briefing_to_json
    from lifealm.pipeline import run_montecarlo
    from lifealm.render import pages
    from lifealm.render.pdf import render_pdf

    conn = open_ledger(db, readonly=True)
    try:
        inputs = load_inputs(conn, AS_OF)
    finally:
        conn.close()
    briefing = build_briefing(inputs, montecarlo=run_montecarlo(inputs))
    doc = briefing_to_json(briefing)
    data = chart_data(briefing)
    lines = []
    for chosen in (theme.DARK, theme.LIGHT):
        started = time.perf_counter()
        specs = build_all(data, chosen)
        lines.append(f"Altair build_all ({chosen.name}): {time.perf_counter() - started:.2f} s; inline rows per chart: "
                     + ", ".join(f"{k} {_inline_rows(v)}" for k, v in specs.items()))
    svg_times, svgs = [], {}
    for chart_id, spec in specs.items():
        started = time.perf_counter()
        svgs[chart_id] = svg_data_url(spec)
        svg_times.append(f"{chart_id} {time.perf_counter() - started:.2f}")
    lines.append("vl-convert SVG seconds: " + ", ".join(svg_times))
    html = pages.render_print(doc, svgs)
    started = time.perf_counter()
    pdf = render_pdf(html)
    seconds = time.perf_counter() - started
    page_count = len(PdfReader(io.BytesIO(pdf)).pages)
    lines.append(f"WeasyPrint: {seconds:.2f} s for {page_count} pages ({len(html) / 1024:.0f} KiB of print HTML)")
    sizes = sorted(((len(json.dumps(v)), k) for k, v in doc.items()), reverse=True)[:4]
    lines.append("briefing.json KiB by key: " + ", ".join(f"{k} {n / 1024:.0f}" for n, k in sizes))
    return lines


def profile(db: Path, out: Path) -> str:
    settings = load_settings(db=db, out=out, environ={})
    build_report(settings, as_of=AS_OF)  # warm: imports and fonts are not what we look for
    profiler = cProfile.Profile()
    profiler.enable()
    build_report(settings, as_of=AS_OF)
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
    return text.getvalue()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="lifealm-scale-") as tmp:
        root = Path(tmp)
        demo, scale = root / "demo.db", root / "scale.db"
        build_demo(demo, as_of=AS_OF)
        build_demo(scale, as_of=AS_OF)
        started = time.perf_counter()
        counts = grow(scale)
        print(f"   scale ledger grown in {time.perf_counter() - started:.1f} s (direct executemany into the schema): "
              + ", ".join(f"{n:,} {t}" for t, n in counts.items())
              + f"; {scale.stat().st_size / 2**20:.0f} MiB on disk")

        conn = sqlite3.connect(scale)
        plan = conn.execute("EXPLAIN QUERY PLAN " + LATEST_PRICE_SQL, ("S001.T", AS_OF.isoformat())).fetchall()
        conn.close()
        print("   latest-price query (lifealm/ledger/load.py LATEST_PRICE_SQL):")
        print("     " + LATEST_PRICE_SQL)
        print("   plan: " + "; ".join(str(row[3]) for row in plan))

        results: dict[str, list[tuple[float, int]]] = {"demo": [], "scale": []}
        run_report(demo, root / "warmup")  # the first child pays for cold caches (fonts, .pyc): not counted
        for _ in range(RUNS):  # interleaved, so a busy machine slows both alike
            results["demo"].append(run_report(demo, root / "site-demo"))
            results["scale"].append(run_report(scale, root / "site-scale"))
        wall = {k: statistics.median(s for s, _ in v) for k, v in results.items()}
        rss = {k: max(m for _, m in v) for k, v in results.items()}
        ratio = wall["scale"] / wall["demo"]
        print(f"   `lifealm report`, new process, median of {RUNS} (peak RSS of the child):")
        for key in results:
            print(f"     {key:<6} {wall[key]:6.2f} s   {rss[key]:5d} MiB")
        missed = ratio > AIM_RATIO or rss["scale"] > AIM_RSS_MIB
        print(f"   {os.cpu_count()} cores; load average (1, 5, 15 min) after: "
              + " ".join(f"{x:.2f}" for x in os.getloadavg()))
        print(f"   scale / demo: {ratio:.2f}x time (aim < {AIM_RATIO:g}x), {rss['scale']} MiB "
              f"(aim < {AIM_RSS_MIB} MiB): {'MISSED' if missed else 'met'}")

        stages = {"demo": stage_timings(demo, root / "stage-demo"), "scale": stage_timings(scale, root / "stage-scale")}
        print("   in-process stage seconds (warm):   demo    scale")
        for stage in STAGES:
            print(f"     {stage:<11}                  {stages['demo'].get(stage, 0.0):6.3f}  "
                  f"{stages['scale'].get(stage, 0.0):6.3f}")
        sizes = [(p.relative_to(root / "site-scale"), p.stat().st_size) for p in (root / "site-scale").rglob("*")
                 if p.is_file() and "assets" not in p.parts]
        print("   largest scale outputs: " + ", ".join(f"{p} {s / 1024:.0f} KiB"
                                                      for p, s in sorted(sizes, key=lambda x: -x[1])[:4]))
        print("   " + drawn(root / "site-scale" / AS_OF.isoformat(), counts["snapshots"]))
        if missed or os.environ.get("LIFEALM_BENCH_PROFILE") == "1":
            print("   where the scale report's time goes (demo figures in brackets):")
            for scale_line, demo_line in zip(breakdown(scale), breakdown(demo), strict=True):
                print(f"     {scale_line}\n       [{demo_line}]")
            print("   cProfile of one warm in-process report on the scale ledger (top 25 by cumulative time):")
            print("     " + profile(scale, root / "profile").replace("\n", "\n     "))


if __name__ == "__main__":
    main()
