"""`lifealm doctor`: check what a scheduled run needs (fonts, harfbuzz-subset, ledger, output dir, SMTP)."""

from __future__ import annotations

import ctypes.util
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lifealm.deliver.mail_settings import MailSettings
from lifealm.errors import LifealmError
from lifealm.ledger.check import integrity_problems
from lifealm.ledger.db import open_ledger, schema_version
from lifealm.ledger.sqlite_errors import ledger_error


@dataclass(frozen=True)
class Check:
    """One check: `ok` False means a scheduled run will fail or degrade; `fix` says what to do about it."""

    name: str
    ok: bool
    detail: str
    fix: str = ""


def _run(command: list[str]) -> str | None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def check_fonts(fc_list: str = "fc-list") -> Check:
    """A font that covers Japanese (the PDF shows Japanese names; WeasyPrint crashes with no font at all) and
    Liberation Sans, the PDF's Latin face (without it the charts are measured in one font and drawn in another)."""
    from lifealm.charts.theme import PRINT_LATIN_FONT  # the chart code loads only when a check runs, not for --help

    if shutil.which(fc_list) is None:
        return Check("fonts", False, "fc-list (fontconfig) is not installed",
                     "apt-get install fontconfig fonts-noto-cjk fonts-liberation")
    families = sorted({line.split(",")[0].strip() for line in (_run([fc_list, ":lang=ja", "family"]) or "")
                       .splitlines() if line.strip()})
    if not families:
        any_font = (_run([fc_list]) or "").strip()
        what = "no font covers Japanese" if any_font else "no font is installed at all"
        return Check("fonts", False, what, "apt-get install fonts-noto-cjk fonts-liberation")
    if not (_run([fc_list, f"{PRINT_LATIN_FONT}:style=Regular", "family"]) or "").strip():
        return Check("fonts", False, f"Japanese font found: {families[0]}; {PRINT_LATIN_FONT} (the PDF's Latin text) "
                     "is missing", "apt-get install fonts-liberation")
    return Check("fonts", True, f"Japanese font found: {families[0]}; {PRINT_LATIN_FONT} found")


def check_harfbuzz_subset() -> Check:
    """libharfbuzz-subset: without it WeasyPrint embeds whole fonts and is about 15 times slower."""
    found = ctypes.util.find_library("harfbuzz-subset")
    if found:
        return Check("harfbuzz-subset", True, f"{found}")
    if _run(["dpkg-query", "-W", "-f=${Status}", "libharfbuzz-subset0"]) == "install ok installed":
        return Check("harfbuzz-subset", True, "libharfbuzz-subset0 (dpkg)")
    return Check("harfbuzz-subset", False, "libharfbuzz-subset is missing (PDFs are about 15x slower)",
                 "apt-get install libharfbuzz-subset0")


def check_chromium() -> Check:
    """Chromium is only used by the test suite; its absence never fails the doctor."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    return Check("chromium", True, f"found at {path} (tests only)" if path else "not installed (not required; "
                 "only the browser tests use it)")


def check_ledger(path: Path) -> Check:
    """The ledger exists, is a lifealm ledger of this schema version and passes integrity and foreign-key checks.

    Opened as every read-only command opens it (open_ledger), so the doctor says what they would say.
    """
    if not path.is_file():
        return Check("ledger", False, f"{path}: no ledger here",
                     "run `lifealm init` (or `lifealm demo`), or point --db / LIFEALM_DB at your ledger")
    try:
        conn = open_ledger(path, readonly=True)
        try:
            version = schema_version(conn)
            integrity, orphans = integrity_problems(conn)
            empty = _empty_tables(conn)  # open_ledger refused any other schema version
        finally:
            conn.close()
    except LifealmError as exc:
        return Check("ledger", False, exc.message, exc.hint or "")
    except sqlite3.Error as exc:
        error = ledger_error(exc, path)
        return Check("ledger", False, error.message, error.hint or "")
    if integrity:
        return Check("ledger", False, f"{path}: integrity check failed: {'; '.join(integrity[:3])}",
                     "run `lifealm check` for details; restore the ledger from a backup")
    if orphans:
        return Check("ledger", False, f"{path}: {len(orphans)} row(s) point at missing rows ({orphans[0]})",
                     "run `lifealm check` for details")
    if empty:
        return Check("ledger", False, f"{path}: the ledger has no {' and no '.join(empty)}, so every briefing "
                     "would say NO DATA", "add them with `lifealm import holdings FILE` and `lifealm import "
                     "expenses FILE` (or try `lifealm demo` in another file), or point --db at your ledger")
    return Check("ledger", True, f"{path}: schema version {version}, integrity ok")


def _empty_tables(conn: sqlite3.Connection) -> list[str]:
    """What an answerable briefing needs and the ledger lacks: held shares, monthly expenses."""
    empty = []
    if conn.execute("SELECT COUNT(*) FROM holdings WHERE shares > 0").fetchone()[0] == 0:
        empty.append("holdings")
    if conn.execute("SELECT COUNT(*) FROM expenses WHERE monthly_amount > 0").fetchone()[0] == 0:
        empty.append("expenses")
    return empty


def check_output_dir(out: Path) -> Check:
    """The output directory (or the nearest existing parent that would hold it) accepts a new file."""
    target = out
    while not target.exists() and target != target.parent:
        target = target.parent
    if not target.is_dir():
        return Check("output", False, f"{target} is not a directory", "choose another --out")
    try:
        with tempfile.NamedTemporaryFile(dir=target, prefix=".lifealm-doctor-"):
            pass
    except OSError as exc:
        return Check("output", False, f"{target}: cannot write ({exc.strerror})",
                     f"make it writable (chmod u+w {target}) or choose another --out")
    state = "writable" if target == out else f"will be created (in writable {target})"
    return Check("output", True, f"{out}: {state}")


def check_smtp(load_mail: Callable[[], MailSettings]) -> Check:
    """Settings complete, then connect, secure, log in; the password never appears in the result."""
    try:
        mail = load_mail()
        from lifealm.deliver.smtp import check_connection  # on use: smtplib and ssl only for --smtp

        return Check("smtp", True, check_connection(mail))
    except LifealmError as exc:
        return Check("smtp", False, exc.message, exc.hint or "")


def run_checks(*, db: Path, out: Path, smtp: Callable[[], MailSettings] | None = None) -> list[Check]:
    """Every check, in the order they are printed."""
    checks = [check_fonts(), check_harfbuzz_subset(), check_chromium(), check_ledger(db), check_output_dir(out)]
    if smtp is not None:
        checks.append(check_smtp(smtp))
    return checks
