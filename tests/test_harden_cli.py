"""Simple mistakes and unexpected failures end in one clear sentence and exit 1 (or 2 for usage), never a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from harden_support import AS_OF, LIFEALM, Done, assert_clean_failure, clean_env, demo_copy, lifealm

MARKER = "Quuxmarker-7731"


def _usage_error(done: Done, option: str) -> None:
    assert done.returncode == 2, done.output
    assert "Traceback" not in done.output and option in done.stderr, done.output


# --- the last line of defence ---

# Loaded through PYTHONPATH into the lifealm process: the valuation fails with a message quoting ledger-like text,
# as a bug in a model could. (A ledger cannot cause this any more: the loader checks every value it reads.)
_FAILING_MODEL = f"""
import lifealm.models.valuation as valuation

def value_portfolio(inputs):
    raise RuntimeError({MARKER!r})

valuation.value_portfolio = value_portfolio
"""


def _unexpected_failure(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A demo ledger, and an environment in which lifealm's valuation raises an error nothing else catches."""
    db = demo_copy(tmp_path / "ledger.db")
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(_FAILING_MODEL, "utf-8")
    return db, clean_env(PYTHONPATH=str(hook))


def test_an_unexpected_error_is_one_sentence_without_ledger_contents(tmp_path: Path) -> None:
    db, env = _unexpected_failure(tmp_path)
    done = lifealm("report", "--db", db, "--out", tmp_path / "site", "--as-of", AS_OF, "--no-montecarlo", env=env)
    assert_clean_failure(done)
    assert MARKER not in done.output  # was: a traceback whose last line quoted the cell
    assert "unexpected error in the models stage" in done.stderr and "--debug" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    db, env = _unexpected_failure(tmp_path)
    done = lifealm("--debug", "check", "--db", db, "--as-of", AS_OF, env=env)
    assert done.returncode == 1 and "Traceback (most recent call last)" in done.stderr, done.output


def test_run_logs_outcome_error_for_an_unexpected_failure(tmp_path: Path) -> None:
    db, env = _unexpected_failure(tmp_path)
    done = lifealm("run", "--no-email", "--db", db, "--out", tmp_path / "site", "--as-of", AS_OF, env=env)
    assert_clean_failure(done)
    log = [line for line in done.stderr.splitlines() if line.startswith("lifealm run ")]
    assert len(log) == 1 and "outcome=error" in log[0] and MARKER not in done.output


# --- numbers: non-finite and subnormal refused with the option's name ---

@pytest.mark.parametrize(("option", "value"), [
    ("--initial", "nan"), ("--withdrawal-rate", "nan"), ("--mean-return", "nan"), ("--initial", "inf"),
    ("--initial", "1e-320"), ("--volatility", "-nan"), ("--loan", "infinity"),
])
def test_simulate_refuses_non_finite_and_subnormal_numbers(option: str, value: str) -> None:
    args = [option, value] if option == "--initial" else ["--initial", "100000000", option, value]
    done = lifealm("simulate", *args, "--paths", "10")
    _usage_error(done, option)  # was: success_probability 1.0 and 460 NaN tokens
    assert "NaN" not in done.stdout


def test_wait_refuses_nan(tmp_path: Path) -> None:
    _usage_error(lifealm("run", "--no-email", "--wait", "nan", "--db", tmp_path / "l.db"), "--wait")


@pytest.mark.parametrize("value", ["nan", "inf", "1e-320"])
def test_config_numbers_refuse_non_finite_and_subnormal(tmp_path: Path, value: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"[assumptions]\nmarket_return = {value}\n\n[mail]\ntimeout = {value}\n", "utf-8")
    done = lifealm("check", "--db", demo_copy(tmp_path / "l.db"), "--config", config, "--as-of", AS_OF)
    assert_clean_failure(done)
    assert "market_return" in done.stderr


# --- simple mistakes ---

def test_mistakes_about_paths_are_clear(tmp_path: Path) -> None:
    db = demo_copy(tmp_path / "ledger.db")
    a_file = tmp_path / "a-file"
    a_file.write_text("x", "utf-8")
    a_dir = tmp_path / "a-dir"
    a_dir.mkdir()
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "missing" / "target")
    report = ("report", "--db", db, "--as-of", AS_OF, "--no-montecarlo")
    cases = {
        "dry run into a directory": (("email", "--dry-run", a_dir, "--to", "home@example.com", "--db", db,
                                      "--out", tmp_path / "s1", "--as-of", AS_OF), str(a_dir)),
        "--out a dangling link": ((*report, "--out", dangling), str(dangling)),
        "--out below a file": ((*report, "--out", a_file / "site"), str(a_file)),
        "init below a file": (("init", "--db", a_file / "l.db"), str(a_file)),
        "demo below a file": (("demo", "--db", a_file / "l.db", "--as-of", AS_OF), str(a_file)),
        "--out /proc/self": ((*report, "--out", "/proc/self"), "/proc/self"),
    }
    for name, (args, named) in cases.items():
        done = lifealm(*args, timeout=180)
        assert_clean_failure(done)
        assert named in done.stderr, (name, done.output)
    assert not dangling.exists() and not any(a_dir.iterdir())


@pytest.mark.parametrize(("command", "day"), [("report", "0001-01-01"), ("demo", "9999-12-31")])
def test_as_of_dates_out_of_range_are_usage_errors(tmp_path: Path, command: str, day: str) -> None:
    done = lifealm(command, "--db", tmp_path / "l.db", "--as-of", day)
    _usage_error(done, "--as-of")


def test_an_empty_out_is_refused_not_the_current_directory(tmp_path: Path) -> None:
    db = demo_copy(tmp_path / "ledger.db")
    work = tmp_path / "cwd"
    work.mkdir()
    done = lifealm("report", "--db", db, "--out", "", "--no-montecarlo", "--as-of", AS_OF, cwd=work)
    _usage_error(done, "--out")
    assert list(work.iterdir()) == []  # was: the site written into the current directory


def test_a_killed_demo_leaves_nothing_behind_after_the_next_one(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    demo = [*LIFEALM, "demo", "--force", "--db", str(db), "--as-of", AS_OF]
    process = subprocess.Popen(demo, env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".demo-*.db")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert list(tmp_path.glob(".demo-*.db")), "the kill came too late to leave a build behind"
    done = lifealm("demo", "--force", "--db", db, "--as-of", AS_OF)
    assert done.returncode == 0, done.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.db"]  # was: one hidden .demo-*.db per kill


def test_a_demo_being_built_keeps_its_file(tmp_path: Path) -> None:
    import fcntl

    from lifealm.demo import _remove_killed_builds

    live = tmp_path / ".demo-live.db"
    live.write_bytes(b"")
    fd = os.open(live, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _remove_killed_builds(tmp_path)
        assert live.exists()
    finally:
        os.close(fd)
    _remove_killed_builds(tmp_path)
    assert not live.exists()


# --- output errors name the path ---

def test_a_full_disk_during_a_write_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from lifealm.atomic import write_atomic
    from lifealm.cli import _os_error_message

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")  # as write()/fsync() raise it: no file name

    monkeypatch.setattr(os, "fsync", full)
    target = tmp_path / "index.html"
    with pytest.raises(OSError) as caught:
        write_atomic(target, b"x")
    assert caught.value.filename == str(target)
    assert f"the disk holding {target} is full" in _os_error_message(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_a_full_output_disk_names_the_path(tmp_path: Path) -> None:
    """A real full disk: a 1.5 MB tmpfs mounted in a private mount namespace (skipped where that is not allowed)."""
    import shlex
    import shutil

    if shutil.which("unshare") is None:
        pytest.skip("unshare is not installed")
    db = demo_copy(tmp_path / "ledger.db")
    small = tmp_path / "small"
    small.mkdir()
    out = small / "site"
    command = " ".join(shlex.quote(str(part)) for part in (
        *LIFEALM, "report", "--db", db, "--out", out, "--as-of", AS_OF, "--no-montecarlo"))
    script = f"mount -t tmpfs -o size=1500k tmpfs {shlex.quote(str(small))} || exit 97; {command}"
    done = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                          capture_output=True, text=True, timeout=180, env=clean_env())
    if done.returncode == 97 or "unshare:" in done.stderr:
        pytest.skip("mounting a small file system is not allowed here")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "the disk holding" in done.stderr and f"{out}/" in done.stderr and "is full" in done.stderr


@pytest.mark.parametrize(("module", "stage"), [("weasyprint.layout", "PDF"), ("vl_convert", "charts"),
                                               ("lifealm.models.montecarlo.engine", "Monte Carlo"),
                                               ("lifealm.demo", "demo"), ("somewhere.else", None)])
def test_the_stage_is_named_from_the_innermost_known_frame(module: str, stage: str | None) -> None:
    from lifealm.cli import unexpected_error_message

    try:  # a frame whose module is `module`, called from this test (an unknown module)
        exec(f"raise ValueError({MARKER!r})", {"__name__": module})
    except ValueError as exc:
        message = unexpected_error_message(exc)
    assert MARKER not in message and "(ValueError)" in message
    assert (f"in the {stage} stage" in message) if stage else ("stage" not in message)
