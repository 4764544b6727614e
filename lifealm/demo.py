"""A realistic, seeded demo ledger on the series' numbers (¥125M of dividend stocks pledged against a ¥50M margin
loan, …) and a household around them: a NISA account, a mortgage, an income that ends, a pension that starts later,
university fees and the members' birth dates.

Its rows go through the ledger's one write path and its 90 past snapshots through the pipeline, as a user's would.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from lifealm.atomic import make_dirs
from lifealm.errors import LedgerError
from lifealm.ledger.db import open_ledger
from lifealm.ledger.write import write_rows
from lifealm.models.assumptions import DEFAULT_SEED
from lifealm.pipeline import compute_briefing, read_model_inputs, record_snapshot

PORTFOLIO_TARGET = 125_000_000.0
MARGIN_LOAN = 50_000_000.0
CREDIT_LIMIT = 10_000_000.0
FREEZE, MARGIN_CALL, FORCED, TARGET = 0.60, 0.70, 0.85, 0.65
HISTORY_MC_PATHS = 500  # past snapshots' Monte Carlo runs; a live report uses the mc_paths assumption
HISTORY_MC_EVERY = 7  # days between past snapshots that ran the Monte Carlo


@dataclass(frozen=True, slots=True)
class DemoStock:
    ticker: str  # TSE-style codes starting with 0 are not issued to listed companies: these are fictional
    name: str
    weight: float  # share of the portfolio value at the as-of date
    dividend_yield: float
    growth: float  # yearly dividend growth


STOCKS = (
    DemoStock("0101.T", "架空商事", 0.14, 0.038, 0.07),
    DemoStock("0202.T", "みなと電力", 0.08, 0.045, 0.02),
    DemoStock("0303.T", "Sakura Demo Bank", 0.12, 0.042, 0.06),
    DemoStock("0404.T", "北斗通信", 0.13, 0.036, 0.05),
    DemoStock("0505.T", "Kumo Insurance Holdings", 0.09, 0.044, 0.08),
    DemoStock("0606.T", "青葉製薬", 0.08, 0.033, 0.04),
    DemoStock("0707.T", "Tsubasa Leasing", 0.10, 0.040, 0.09),
    DemoStock("0808.T", "東雲たばこ産業", 0.07, 0.055, 0.03),
    DemoStock("0909.T", "Hikari Realty REIT", 0.10, 0.047, 0.02),
    DemoStock("0110.T", "若葉化学", 0.09, 0.039, 0.05),
)
CASH = (("みずほ架空銀行 普通預金", 2_000_000.0), ("Demo Net Bank savings", 1_500_000.0),
        ("証券口座 預り金", 1_000_000.0))
EXPENSES = (("住居 housing upkeep", 90_000.0, 1), ("食費 food", 150_000.0, 1), ("光熱費 utilities", 40_000.0, 1),
            ("通信 phone and internet", 20_000.0, 1), ("保険 insurance", 60_000.0, 1),
            ("教育 education", 160_000.0, 1), ("医療 health", 30_000.0, 1), ("交通 transport", 50_000.0, 1),
            ("税金・社会保険 taxes", 100_000.0, 1), ("趣味・旅行 leisure and travel", 100_000.0, 0))
TAXABLE, NISA = "特定口座 (margin)", "NISA 成長投資枠"
# (ticker, shares) held in the NISA account besides the pledged taxable ones: not collateral, dividends untaxed.
NISA_HOLDINGS = (("0101.T", 400.0), ("0808.T", 600.0), ("0909.T", 500.0))
# (source, monthly amount, kind, yearly change, start, end): the writing fees stop, the pension starts at 65.
INCOME = (("副業 side business", 1_000_000.0, "side", -0.05, None, None),
          ("原稿料 writing fees", 30_000.0, "other", 0.0, None, date(2028, 3, 31)),
          ("年金 public pension", 220_000.0, "pension", 0.0, date(2042, 5, 1), None))
MEMBERS = (("太郎 Taro", date(1977, 4, 20)), ("花子 Hanako", date(1979, 8, 15)), ("健 Ken", date(2012, 6, 1)))
# University fees each April while Ken studies (today's money), and a car bought in 2029 (as it will be paid).
EVENTS = (*((f"大学 university fees {year}", date(year, 4, 1), 1_300_000.0, "expense", "real")
            for year in range(2031, 2035)),
          ("車 car", date(2029, 6, 1), 3_000_000.0, "expense", "nominal"))
MORTGAGE = ("住宅ローン mortgage", "amortizing", 6_000_000.0, 0.0075, None, None, None, None, None, 0.65, 55_000.0,
            date(2036, 3, 31))


def _business_days(end: date, start: date) -> list[date]:
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    chosen = [d for d in days if d.weekday() < 5]
    if not chosen or chosen[-1] != end:
        chosen.append(end)  # the series ends on the as-of date even when that is a weekend
    return chosen


def _price_paths(rng: np.random.Generator, days: int) -> np.ndarray:
    """One seeded random walk per stock (a shared market factor plus noise), final value scaled later."""
    market = rng.normal(0.0003, 0.008, days)
    own = rng.normal(0.0, 0.009, (len(STOCKS), days))
    log_paths = np.cumsum(market + own, axis=1)
    return np.asarray(np.exp(log_paths - log_paths[:, -1:]))  # 1.0 on the as-of date


def _fill(conn: sqlite3.Connection, as_of: date, seed: int) -> None:
    rng = np.random.default_rng(seed)
    days = _business_days(as_of, as_of - timedelta(days=365))
    paths = _price_paths(rng, len(days))
    holdings: list[tuple[object, ...]] = []
    prices: list[tuple[object, ...]] = []
    dividends: list[tuple[object, ...]] = []
    for stock, path in zip(STOCKS, paths, strict=True):
        final_price = float(rng.uniform(1500, 6000))
        shares = max(100.0, round(PORTFOLIO_TARGET * stock.weight / final_price / 100) * 100)
        final_price = PORTFOLIO_TARGET * stock.weight / shares  # so the total hits the target
        series = np.round(path * final_price, 1)
        cost = round(shares * final_price * float(rng.uniform(0.6, 0.95)))
        added = as_of - timedelta(days=int(rng.integers(400, 3000)))
        holdings.append((stock.ticker, stock.name, shares, float(cost), "equity", added, TAXABLE, "JPY",
                         stock.growth, None))
        nisa = dict(NISA_HOLDINGS).get(stock.ticker)
        if nisa is not None:  # no random draw here, so the taxable holdings stay the series' figures
            holdings.append((stock.ticker, None, nisa, round(nisa * final_price * 0.8), None,
                             as_of - timedelta(days=700), NISA, None, None, None))
        prices.extend((stock.ticker, d, float(p)) for d, p in zip(days, series, strict=True))
        dividends.extend(_dividends(stock, final_price, as_of))

    def put(kind: str, rows: Sequence[Sequence[object]]) -> None:
        write_rows(conn, kind, rows, origin="demo", today=as_of)  # the demo's "today" is its as-of date

    put("accounts", [(TAXABLE, "taxable", None, None), (NISA, "nisa_growth", None, None)])
    put("holdings", holdings)
    put("prices", prices)
    put("dividends", dividends)
    put("loans", [
        ("証券担保ローン margin loan", "margin", MARGIN_LOAN, 0.02, TAXABLE, FREEZE, MARGIN_CALL, FORCED, None, TARGET,
         None, None),
        ("コミットメントライン standby credit line", "credit_line", 0.0, 0.025, None, None, None, None, CREDIT_LIMIT,
         0.65, None, None),
        MORTGAGE,
    ])
    put("cash", [(name, balance, "JPY") for name, balance in CASH])
    put("other-assets", [("自宅 home", "real_estate", 45_000_000.0, False, "JPY")])
    put("expenses", [(*row, None, None) for row in EXPENSES])
    put("income", INCOME)
    put("members", MEMBERS)
    put("events", EVENTS)
    _snapshots(conn, as_of, seed)


def _dividends(stock: DemoStock, price: float, as_of: date) -> list[tuple[object, ...]]:
    """Two payments a year (record dates end of March and September), growing; projections for the next two."""
    annual_now = price * stock.dividend_yield
    rows: list[tuple[object, ...]] = []
    for year in range(as_of.year - 3, as_of.year + 2):
        for month, pay_month in ((3, 6), (9, 12)):
            ex = date(year, month, 27)
            years_back = (as_of - ex).days / 365.25
            per_share = round(annual_now / 2 / (1 + stock.growth) ** years_back, 1)
            projection = ex > as_of
            if projection and ex > as_of + timedelta(days=400):
                continue
            rows.append((stock.ticker, ex, date(year, pay_month, 20), per_share, projection))
    return rows


def _snapshots(conn: sqlite3.Connection, as_of: date, seed: int) -> None:
    """90 days of snapshots before the as-of date, each computed by the pipeline from the ledger as it was.

    The history charts and "since the last briefing" then agree with what today's report computes. The past
    Monte Carlo runs use fewer paths than a live report, and run once a week and on the last day only (the one
    "since the last briefing" compares with), as on mornings a household reports with `--no-montecarlo`: they
    were four fifths of the demo's build time.
    """
    history = {"mc_paths": HISTORY_MC_PATHS, "mc_seed": seed}
    for back in range(90, 0, -1):
        loaded = read_model_inputs(conn, as_of - timedelta(days=back), history)
        # Commits as it goes: harmless, the demo is built in a temporary file and renamed into place.
        record_snapshot(conn, compute_briefing(loaded.inputs, montecarlo=back % HISTORY_MC_EVERY == 0 or back == 1),
                        Path("demo"))


def build_demo(path: Path, *, as_of: date, seed: int = DEFAULT_SEED, force: bool = False) -> None:
    """Write the demo ledger to `path` atomically (built beside it, then renamed); refuse to overwrite unless forced."""
    if path.exists() and not force:
        raise LedgerError(f"{path}: a file already exists here; the demo will not overwrite it.",
                          hint="use --force to replace it with the demo, or choose another path with --db")
    if path.is_dir():
        raise LedgerError(f"{path}: is a directory.", hint="point --db at a file path")
    make_dirs(path.parent)
    _remove_killed_builds(path.parent)
    handle, temp_name = tempfile.mkstemp(prefix=DEMO_BUILD_PREFIX, suffix=".db", dir=path.parent)
    # Held until the build ends (the kernel drops it if the process is killed): a later demo removes a
    # leftover only when no live build holds it. Closed after SQLite's connection, whose locks it would break.
    fcntl.flock(handle, fcntl.LOCK_EX)
    temp = Path(temp_name)
    try:
        conn = open_ledger(temp, create=True)
        try:
            _fill(conn, as_of, seed)
        finally:
            conn.close()
        os.chmod(temp, 0o600)  # the ledger is private: readable by its owner only
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
        Path(f"{temp}-journal").unlink(missing_ok=True)
        os.close(handle)


DEMO_BUILD_PREFIX = ".demo-"


def _remove_killed_builds(folder: Path) -> None:
    """Delete `.demo-*.db` files a killed demo left behind (those whose build no longer holds their lock)."""
    for leftover in folder.glob(f"{DEMO_BUILD_PREFIX}*.db"):
        try:
            fd = os.open(leftover, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # a demo is being built there right now
        finally:
            os.close(fd)
        leftover.unlink(missing_ok=True)
        Path(f"{leftover}-journal").unlink(missing_ok=True)
