"""Publishing one day from several processes at once: no error, and a reader always finds the day directory."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lifealm.render import site
from lifealm.render.files import FileModes
from lifealm.render.site import publish_day

PUBLISHERS = 4
ROUNDS = 80
DAY = "2026-11-25"

PUBLISHER = textwrap.dedent("""\
    import sys
    from pathlib import Path
    from lifealm.render.files import FileModes
    from lifealm.render.site import publish_day
    out, tag, rounds, day = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
    for n in range(rounds):
        body = f"{tag}-{n}".encode()
        publish_day(out, day, {"figures.json": body, "charts/a.vl.json": body, "index.html": body},
                    FileModes.private())
    """)

READER = textwrap.dedent("""\
    import os, sys, time
    day, stop = sys.argv[1], sys.argv[2]
    seen = missing = 0
    deadline = time.monotonic() + 60
    while not os.path.exists(stop) and time.monotonic() < deadline:
        seen += 1
        if not os.path.isdir(day):
            missing += 1
    print(seen, missing)
    """)


def _race(out: Path) -> tuple[list[subprocess.CompletedProcess[str]], int, int]:
    publish_day(out, DAY, {"figures.json": b"first"}, FileModes.private())
    stop = out.parent / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(out / DAY), str(stop)],
                              stdout=subprocess.PIPE, text=True)
    publishers = [subprocess.Popen([sys.executable, "-c", PUBLISHER, str(out), f"p{i}", str(ROUNDS), DAY],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                  for i in range(PUBLISHERS)]
    done = []
    for process in publishers:
        stdout, stderr = process.communicate(timeout=120)
        done.append(subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr))
    stop.touch()
    seen, missing = map(int, reader.communicate(timeout=60)[0].split())
    return done, seen, missing


def test_concurrent_publishers_never_fail_and_the_day_never_disappears(tmp_path: Path) -> None:
    out = tmp_path / "site"
    done, seen, missing = _race(out)
    failures = [d.stderr.strip().splitlines()[-1] for d in done if d.returncode != 0]
    assert not failures  # was: FileNotFoundError and ENOTEMPTY (OSError 39)
    assert seen > 0 and missing == 0  # was: the day directory missing ~2.6 % of the time
    day = out / DAY
    # The final copy is one publisher's complete set, never a mix; no staging or old copies remain.
    texts = {(day / name).read_bytes() for name in ("figures.json", "charts/a.vl.json", "index.html")}
    assert len(texts) == 1 and texts.pop().endswith(f"-{ROUNDS - 1}".encode())
    assert sorted(p.name for p in out.iterdir()) == [DAY]


def test_without_an_atomic_swap_a_replace_still_completes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(site, "_renameat2", lambda: None)  # a system without renameat2: two renames
    publish_day(tmp_path, DAY, {"a.txt": b"old"}, FileModes.private())
    publish_day(tmp_path, DAY, {"a.txt": b"new"}, FileModes.private())
    assert (tmp_path / DAY / "a.txt").read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == [DAY]


HOLDER = textwrap.dedent("""\
    import sys, time
    from pathlib import Path
    from lifealm.deliver.run_lock import run_lock
    with run_lock(Path(sys.argv[1])):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
        Path(sys.argv[3]).write_text(repr(time.time()))
    """)


@pytest.mark.slow  # holds the lock for 12 s on purpose
def test_report_waits_for_the_run_lock(tmp_path: Path) -> None:
    from harden_support import AS_OF, LIFEALM, clean_env, demo_copy

    db = demo_copy(tmp_path / "ledger.db")
    out, released = tmp_path / "site", tmp_path / "released"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(out), "12", str(released)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    report = subprocess.run([*LIFEALM, "report", "--db", str(db), "--out", str(out), "--as-of", AS_OF,
                             "--no-montecarlo"], capture_output=True, text=True, timeout=180, env=clean_env())
    holder.wait(timeout=30)
    assert report.returncode == 0, report.stderr
    # The briefing was published only after the holder let go (before: report ignored the lock).
    assert (out / AS_OF / "briefing.json").stat().st_mtime >= float(released.read_text())
