"""Under umask 000 every directory lifealm creates is owner-only (0700), wherever it is; links are not followed."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest
from harden_support import AS_OF, clean_env, demo_copy, lifealm


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_ledger_directories_are_owner_only_under_umask_000(tmp_path: Path) -> None:
    db = tmp_path / "a" / "b" / "ledger.db"
    done = lifealm("init", "--db", db, umask=0)
    assert done.returncode == 0, done.output
    assert {p.name: _mode(p) for p in (tmp_path / "a", tmp_path / "a" / "b")} == {"a": 0o700, "b": 0o700}
    assert _mode(db) == 0o600


def test_the_default_ledger_directory_is_owner_only(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(HOME=str(home))
    done = lifealm("demo", "--if-missing", "--as-of", AS_OF, env=env, umask=0, timeout=180)
    assert done.returncode == 0, done.output
    created = [home / ".local", home / ".local" / "share", home / ".local" / "share" / "lifealm"]
    assert [oct(_mode(p)) for p in created] == [oct(0o700)] * 3  # was 0777: anyone could replace the ledger
    assert _mode(created[-1] / "ledger.db") == 0o600


def test_output_and_dry_run_parents_are_owner_only(tmp_path: Path) -> None:
    db = demo_copy(tmp_path / "ledger.db")
    out = tmp_path / "p" / "q" / "site"
    done = lifealm("report", "--db", db, "--out", out, "--as-of", AS_OF, "--no-montecarlo", umask=0)
    assert done.returncode == 0, done.output
    for directory in (tmp_path / "p", tmp_path / "p" / "q", out, out / AS_OF, out / "assets", out / ".lifealm"):
        assert _mode(directory) == 0o700, directory
    eml = tmp_path / "m" / "n" / "briefing.eml"
    done = lifealm("email", "--dry-run", eml, "--to", "home@example.com", "--db", db, "--out", out, "--as-of", AS_OF,
                   umask=0)
    assert done.returncode == 0, done.output
    assert (_mode(tmp_path / "m"), _mode(tmp_path / "m" / "n"), _mode(eml)) == (0o700, 0o700, 0o600)


@pytest.mark.slow  # two reports
def test_a_symlinked_assets_directory_is_never_chmodded(tmp_path: Path) -> None:
    db = demo_copy(tmp_path / "ledger.db")
    out = tmp_path / "site"
    report = ("report", "--db", db, "--out", out, "--as-of", AS_OF, "--no-montecarlo")
    assert lifealm(*report).returncode == 0
    shared = tmp_path / "shared-assets"
    shutil.move(out / "assets", shared)
    shared.chmod(0o755)
    for bundle in shared.iterdir():
        bundle.chmod(0o644)
    (out / "assets").symlink_to(shared)
    done = lifealm(*report)
    assert done.returncode == 0, done.output
    assert _mode(shared) == 0o755  # was: chmod followed the link and made the target 0700
    assert {_mode(bundle) for bundle in shared.iterdir()} == {0o644}
    assert (out / "assets").is_symlink()
