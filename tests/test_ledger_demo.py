"""The demo ledger: the series' numbers, reproducible from its seed, consistent history."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from demo_ledgers import demo_copy

from lifealm.cli import _register, cli
from lifealm.demo import HISTORY_MC_EVERY
from lifealm.ledger.columns import KINDS
from lifealm.ledger.load import load_inputs
from lifealm.models.briefing import build_briefing

AS_OF = date(2025, 6, 30)


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    _register()
    result = CliRunner(env=env).invoke(cli, list(args))
    return result.exit_code, result.output


def export_everything(db: Path) -> dict[str, str]:
    out = {}
    for kind in KINDS:
        code, text = run("export", kind, "--db", str(db))
        assert code == 0, text
        out[kind] = text
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo as `lifealm.demo.build_demo` writes it with seed 3 (built once per test run)."""
    return demo_copy(tmp_path_factory.mktemp("demo") / "demo.db", as_of=AS_OF, seed=3)


def test_same_seed_same_ledger_and_force_replaces_a_file(demo: Path, tmp_path: Path) -> None:
    """`lifealm demo` refuses to overwrite a file; with --force it writes what the library writes for the seed."""
    target = tmp_path / "mine.db"
    target.write_bytes(b"precious")
    code, output = run("demo", "--db", str(target))
    assert code == 1 and "--force" in output
    assert target.read_bytes() == b"precious"
    code, output = run("demo", "--db", str(target), "--force", "--as-of", AS_OF.isoformat(), "--seed", "3")
    assert code == 0, output
    assert export_everything(target) == export_everything(demo)
    assert target.stat().st_mode & 0o077 == 0  # private to its owner
    other = demo_copy(tmp_path / "other.db", as_of=AS_OF, seed=42)  # another seed (built once per test run)
    assert export_everything(other)["prices"] != export_everything(demo)["prices"]


def test_demo_has_the_series_numbers(demo: Path) -> None:
    conn = sqlite3.connect(demo)
    conn.row_factory = sqlite3.Row
    inputs = load_inputs(conn, AS_OF)
    conn.close()
    kinds = {a.name: (a.kind, a.is_pledged) for a in inputs.accounts}
    assert sorted(kinds.values()) == [("nisa_growth", False), ("taxable", True)]
    pledged = [h for h in inputs.holdings if kinds[h.account][1]]
    nisa = [h for h in inputs.holdings if not kinds[h.account][1]]
    assert 8 <= len(pledged) <= 12 and nisa
    assert {h.ticker for h in nisa} <= {h.ticker for h in pledged}  # the same stock in both accounts
    assert all(not h.ticker[0].isalpha() and h.ticker.endswith(".T") for h in inputs.holdings)
    assert any(any("\u3040" <= ch <= "\u9fff" for ch in h.name) for h in inputs.holdings)  # Japanese names
    closes = {p.ticker: p for p in inputs.prices}
    assert all(closes[h.ticker].price_date == AS_OF for h in inputs.holdings)
    value = sum(h.shares * closes[h.ticker].close for h in pledged)  # the series' ¥125M are the collateral
    assert value == pytest.approx(125e6, rel=0.01)
    secured = [loan for loan in inputs.loans if loan.is_secured]
    standby = [loan for loan in inputs.loans if loan.is_credit_line]
    mortgage = [loan for loan in inputs.loans if loan.is_amortizing]
    assert len(secured) == 1 and len(standby) == 1 and len(mortgage) == 1
    assert mortgage[0].balance < 10e6 and mortgage[0].monthly_payment
    margin = secured[0]
    assert (margin.balance, margin.rate) == (50e6, 0.02)
    assert (margin.freeze_pct, margin.margin_call_pct, margin.forced_liq_pct, margin.target_ratio) == (
        0.60, 0.70, 0.85, 0.65)
    assert standby[0].balance == 0 and (standby[0].credit_limit or 0) > 0
    assert sum(c.balance for c in inputs.cash_accounts) == 4.5e6 and len(inputs.cash_accounts) >= 2
    assert [a.liquid for a in inputs.other_assets] == [False]
    assert sum(e.monthly_amount for e in inputs.expenses) == pytest.approx(800_000, rel=0.05)
    assert len(inputs.expenses) >= 4
    side = [i for i in inputs.income if i.kind == "side"]
    assert side and side[0].monthly_amount == 1e6 and side[0].annual_change == -0.05
    assert any(i.end is not None and i.end > AS_OF for i in inputs.income)  # an income that ends
    assert any(i.kind == "pension" and i.start is not None and i.start > AS_OF for i in inputs.income)
    assert len([e for e in inputs.events if e.name.startswith("大学")]) == 4 and len(inputs.members) >= 2


def test_demo_dividends_twice_a_year_growing_plus_projections(demo: Path) -> None:
    conn = sqlite3.connect(demo)
    inputs = load_inputs(conn, AS_OF)
    conn.close()
    for holding in inputs.holdings:
        actual = [d for d in inputs.dividends if d.ticker == holding.ticker and not d.is_projection]
        projected = [d for d in inputs.dividends if d.ticker == holding.ticker and d.is_projection]
        last_year = [d for d in actual if d.ex_date > AS_OF - timedelta(days=365)]
        assert len(last_year) == 2
        assert projected and all(d.ex_date > AS_OF for d in projected)
        amounts = [d.amount_per_share for d in sorted(actual, key=lambda d: d.ex_date)]
        assert amounts[-1] >= amounts[0] and amounts == sorted(amounts)


def test_demo_prices_cover_a_year_of_business_days(demo: Path) -> None:
    conn = sqlite3.connect(demo)
    dates = [date.fromisoformat(r[0]) for r in conn.execute(
        "SELECT price_date FROM prices WHERE ticker = (SELECT min(ticker) FROM holdings) ORDER BY price_date")]
    conn.close()
    assert dates[-1] == AS_OF and (AS_OF - dates[0]).days >= 360
    assert 250 <= len(dates) <= 265
    assert all(d.weekday() < 5 for d in dates[:-1])


def test_demo_snapshots_are_90_safe_days_before_as_of(demo: Path) -> None:
    conn = sqlite3.connect(demo)
    inputs = load_inputs(conn, AS_OF)
    conn.close()
    snaps = inputs.snapshots
    assert len(snaps) == 90
    assert snaps[0].snapshot_date == AS_OF - timedelta(days=90) and snaps[-1].snapshot_date == AS_OF - timedelta(1)
    assert {s.status for s in snaps} == {"SAFE"}
    mortgage = next(loan.balance for loan in inputs.loans if loan.is_amortizing)
    conn = sqlite3.connect(demo)
    for snap in snaps:
        # The ratio is on the collateral: the taxable account's holdings at each day's close (the NISA's are not).
        (pledged,) = conn.execute(
            "SELECT sum(h.shares * (SELECT close_price FROM prices p WHERE p.ticker = h.ticker AND p.price_date <= ? "
            "ORDER BY p.price_date DESC LIMIT 1)) FROM holdings h JOIN accounts a ON a.name = h.account "
            "WHERE a.kind = 'taxable'", (snap.snapshot_date.isoformat(),)).fetchone()
        assert snap.margin_ratio == pytest.approx(snap.margin_balance / pledged, rel=1e-9)
        assert pledged < snap.portfolio_value
        assert snap.net_worth == pytest.approx(snap.portfolio_value + snap.cash + 45e6 - snap.margin_balance
                                               - mortgage, abs=2)
        ran = (AS_OF - snap.snapshot_date).days % HISTORY_MC_EVERY == 0 or snap is snaps[-1]
        success = snap.success_probability
        assert (success is not None and 0 < success <= 1) if ran else success is None, snap.snapshot_date
    conn.close()


def test_if_missing_builds_only_at_the_default_location(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "LIFEALM_DB": "",
           "LIFEALM_CONFIG": ""}
    default = tmp_path / "data" / "lifealm" / "ledger.db"
    code, output = run("demo", "--if-missing", "--as-of", AS_OF.isoformat(), env=env)
    assert code == 0 and default.exists()
    assert str(default) in output and "LIFEALM_DB" in output and "--db" in output
    before = default.read_bytes()
    code, output = run("demo", "--if-missing", env=env)
    assert code == 0 and output == "" and default.read_bytes() == before
    explicit = tmp_path / "explicit.db"
    code, output = run("demo", "--if-missing", "--db", str(explicit), env=env)
    assert code == 0 and output == "" and not explicit.exists()
    code, output = run("demo", "--if-missing", env={**env, "LIFEALM_DB": str(explicit)})
    assert code == 0 and not explicit.exists()


def test_demo_history_is_what_the_models_compute_for_each_day(demo: Path) -> None:
    day = AS_OF - timedelta(days=1)
    with sqlite3.connect(demo) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("SELECT * FROM snapshots WHERE snapshot_date = ?", (day.isoformat(),)).fetchone()
        briefing = build_briefing(load_inputs(conn, day))
    assert row is not None
    assert row["portfolio_value"] == pytest.approx(briefing.snapshot.portfolio_value, rel=1e-12)
    assert row["net_worth"] == pytest.approx(briefing.snapshot.net_worth, rel=1e-12)
    assert row["max_survivable_drawdown"] == pytest.approx(briefing.snapshot.max_survivable_drawdown, rel=1e-12)
    assert row["status"] == briefing.snapshot.status
    assert 0.0 <= row["success_probability"] <= 1.0
