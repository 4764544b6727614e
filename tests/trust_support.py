"""The trust tests' one shared build: hostile text and marker values imported by CSV, reported with sockets blocked.

Not a test module of its own (it holds no tests): test_trust_hostile.py and test_trust_privacy.py both read the
site built here once per test session (`trust_site()`), so the expensive report is rendered a single time.
"""

from __future__ import annotations

import atexit
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from click.testing import CliRunner
from demo_ledgers import demo_copy

from lifealm.cli import _register, cli

AS_OF = date(2026, 11, 25)
DAY = AS_OF.isoformat()

# Text a user (or a broker's export) could put in any text cell. Each must come out as the same text, never markup.
PAYLOADS: dict[str, str] = {
    "script": '<script>alert("x")</script>',
    "img": '"><img src=x onerror=alert(1)>',
    "breakout": "</script><script>alert(1)</script>",
    "jinja": "{{ 7*7 }}",
    "sql": "' OR 1=1 --",
    "drop": "'; DROP TABLE holdings; --",
    "rlo": "invoice\u202egnp.exe",
    "japanese": "日本語の銘柄名・三菱商事",
    "long": "長い名前" + "x" * 480 + "END",  # the ledger caps text at 500 characters; the field tag adds 4
}
# A short tag per field, so a test can tell which field a value on the page came from.
FIELD_TAGS: dict[str, str] = {
    "holding name": "hn",
    "ticker": "tk",
    "asset_class": "ac",
    "account": "an",
    "loan name": "ln",
    "cash account": "ca",
    "other asset name": "on",
    "other asset kind": "ok",
    "expense category": "ex",
    "income source": "in",
}
# The text fields the HTML page and the PDF show (the others are in briefing.json only).
SHOWN_FIELDS = ("holding name", "ticker", "loan name", "cash account", "other asset name", "expense category",
                "income source")
TICKER_LIMIT = 120  # tickers are keys and chart labels: the long payload is cut for them


def tagged(field: str, payload: str) -> str:
    """The exact text stored for `payload` in `field`."""
    text = f"{FIELD_TAGS[field]}: {payload}"
    return text[:TICKER_LIMIT] if field == "ticker" else text


def stored_values() -> dict[tuple[str, str], str]:
    """(field, payload name) → the text imported into the ledger."""
    return {(field, name): tagged(field, payload) for field in FIELD_TAGS for name, payload in PAYLOADS.items()}


# Marker values for the privacy checks: ledger contents that must never reach a log line.
MARKER_TICKER = "QZXTICK9"
MARKER_NAME = "Quuxmarker Holdings 7731"
MARKER_SHARES = "271828"
MARKER_CASH_NAME = "Zyxwv marker bank"
MARKER_CASH = "31415926"
MARKERS = (MARKER_TICKER, MARKER_NAME, MARKER_CASH_NAME, MARKER_SHARES, MARKER_CASH, "31,415,926", "271,828")

# Loaded through PYTHONPATH into every Python the report starts: any network attempt is recorded, then refused.
SITECUSTOMIZE = textwrap.dedent('''\
    """Block every socket connection and name lookup; record each attempt (a test fixture)."""
    import os
    import socket

    _LOG = os.environ["TRUST_SOCKET_LOG"]


    def _refuse(what):
        def refuse(*args, **kwargs):
            with open(_LOG, "a", encoding="utf-8") as log:
                log.write(f"{what} {args[1:] if what.startswith('socket.') else args!r}\\n")
            raise OSError(f"network blocked by the lifealm privacy test: {what}")
        return refuse


    socket.socket.connect = _refuse("socket.connect")
    socket.socket.connect_ex = _refuse("socket.connect_ex")
    socket.socket.sendto = _refuse("socket.sendto")
    socket.create_connection = _refuse("create_connection")
    socket.getaddrinfo = _refuse("getaddrinfo")
    socket.gethostbyname = _refuse("gethostbyname")
    with open(os.environ["TRUST_SOCKET_LOADED"], "w", encoding="utf-8") as mark:
        mark.write("loaded\\n")
    ''')


@dataclass(frozen=True)
class Command:
    """A finished lifealm subprocess."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    socket_attempts: str  # what the blocked-socket log recorded (empty: no attempt)
    blocker_loaded: bool
    network_namespace: bool  # also run without any network interface (unshare), when the system allows it


@dataclass(frozen=True)
class TrustSite:
    """The shared build: paths, and the report and e-mail commands that produced them."""

    root: Path
    db: Path
    site: Path
    day: Path
    eml: Path
    report: Command
    email: Command


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _import(db: Path, kind: str, path: Path) -> None:
    _register()
    result = CliRunner().invoke(cli, ["import", kind, str(path), "--db", str(db)])
    if result.exit_code != 0:
        raise AssertionError(f"import {kind} failed: {result.output}")


def import_hostile_ledger(db: Path, folder: Path) -> None:
    """Every text field gets every payload (tagged), through `lifealm import` of real CSV files."""
    values = stored_values()
    names = list(PAYLOADS)

    def v(field: str, name: str) -> str:
        return values[(field, name)]

    csvs = {
        "holdings": (["ticker", "name", "shares", "cost_basis", "asset_class", "account"],
                     [[v("ticker", n), v("holding name", n), 20_000, 9000, v("asset_class", n), v("account", n)]
                      for n in names]
                     + [[MARKER_TICKER, MARKER_NAME, MARKER_SHARES, 1000, "equity", ""]]),
        "prices": (["ticker", "price_date", "close_price"],
                   [[v("ticker", n), DAY, 1000] for n in names] + [[MARKER_TICKER, DAY, 1]]),
        "loans": (["name", "balance", "rate", "credit_limit"], [[v("loan name", n), 0, 0.01, 1000] for n in names]),
        "cash": (["name", "balance"], [[v("cash account", n), 1000] for n in names]
                 + [[MARKER_CASH_NAME, MARKER_CASH]]),
        "other-assets": (["name", "kind", "value"],
                         [[v("other asset name", n), v("other asset kind", n), 1000] for n in names]),
        "expenses": (["category", "monthly_amount"], [[v("expense category", n), 1] for n in names]),
        "income": (["source", "monthly_amount"], [[v("income source", n), 1] for n in names]),
    }
    for kind, (header, rows) in csvs.items():
        _import(db, kind, _write_csv(folder / f"{kind}.csv", header, rows))


def _unshare_prefix() -> list[str]:
    """`unshare -rn` (no network interface at all, so native code cannot connect either) when permitted."""
    tool = shutil.which("unshare")
    if tool is None:
        return []
    probe = subprocess.run([tool, "-rn", "true"], capture_output=True)
    return [tool, "-rn"] if probe.returncode == 0 else []


def run_blocked(args: list[str], folder: Path, env: dict[str, str] | None = None) -> Command:
    """Run `python -m lifealm ARGS` with umask 022, every Python socket blocked, and no network namespace."""
    blocker = folder / "blocker"
    blocker.mkdir(exist_ok=True)
    (blocker / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    log, loaded = folder / f"sockets-{args[0]}.log", folder / f"loaded-{args[0]}"
    log.write_text("", encoding="utf-8")
    loaded.unlink(missing_ok=True)
    environ = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(folder), "LANG": "C.UTF-8",
        "PYTHONPATH": str(blocker), "TRUST_SOCKET_LOG": str(log), "TRUST_SOCKET_LOADED": str(loaded),
        "XDG_CONFIG_HOME": str(folder / "config"), "XDG_DATA_HOME": str(folder / "data"),
        **(env or {}),
    }
    prefix = _unshare_prefix()

    def umask_022() -> None:
        os.umask(0o022)  # the usual default: owner-only output must come from lifealm, not from the umask

    done = subprocess.run([*prefix, sys.executable, "-m", "lifealm", *args], capture_output=True, text=True,
                          env=environ, cwd=folder, preexec_fn=umask_022, timeout=300)
    return Command(tuple(args), done.returncode, done.stdout, done.stderr, log.read_text("utf-8"),
                   loaded.exists(), bool(prefix))


@cache
def trust_site() -> TrustSite:
    """Build the hostile ledger once, then `lifealm report` and `lifealm email --dry-run` on it, sockets blocked."""
    root = Path(tempfile.mkdtemp(prefix="lifealm-trust-"))
    atexit.register(shutil.rmtree, root, True)
    db = demo_copy(root / "ledger.db", as_of=AS_OF)
    import_hostile_ledger(db, root)
    site = root / "site"
    common = ["--db", str(db), "--out", str(site), "--as-of", DAY]
    report = run_blocked(["report", *common], root)
    eml = root / "outbox" / "briefing.eml"
    mail_env = {"LIFEALM_MAIL_FROM": "lifealm@example.invalid", "LIFEALM_MAIL_TO": "household@example.invalid"}
    email = run_blocked(["email", *common, f"--dry-run={eml}"], root, env=mail_env)
    return TrustSite(root=root, db=db, site=site, day=site / DAY, eml=eml, report=report, email=email)
