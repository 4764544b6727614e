"""`lifealm` commands as real child processes forked from one interpreter that imported lifealm once.

Not a test module. A fresh `python -m lifealm` spends most of a second importing click, numpy, Altair and
WeasyPrint before it reads the ledger; a test that runs dozens of hostile ledgers through every command would
spend minutes there. `Forks` starts this file once as a server (`python lifealm_forks.py`), which imports
lifealm and then, per job, forks a child: a separate process with its own exit status, its stdout and stderr
redirected at the file-descriptor level, its own environment, working directory and argv, entering the console
script's `lifealm.cli.main()`. Nothing is shared back: whatever a child does, the server only reads its status.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

PARALLEL = 2  # the machine has two cores


@dataclass(frozen=True)
class Job:
    """One `lifealm ARGS` run: where its stdout and stderr go, its environment and working directory."""

    args: tuple[str, ...]
    stdout: Path
    stderr: Path
    env: dict[str, str]
    cwd: Path


@dataclass(frozen=True)
class Finished:
    """A finished child: its exit status (negative: killed by that signal) and what it wrote."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


class Forks:
    """The server process; `run(jobs)` runs a batch, at most PARALLEL children at a time, in order."""

    def __init__(self, env: dict[str, str]) -> None:
        self._server = subprocess.Popen([sys.executable, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True, env=env)
        ready = self._read()
        if ready != {"ready": True}:
            raise RuntimeError(f"the fork server did not start: {ready}")

    def _read(self) -> Any:
        assert self._server.stdout is not None
        line = self._server.stdout.readline()
        if not line:
            raise RuntimeError("the fork server stopped")
        return json.loads(line)

    def run(self, jobs: list[Job]) -> list[Finished]:
        assert self._server.stdin is not None
        batch = [{"args": list(j.args), "stdout": str(j.stdout), "stderr": str(j.stderr), "env": j.env,
                  "cwd": str(j.cwd)} for j in jobs]
        self._server.stdin.write(json.dumps(batch) + "\n")
        self._server.stdin.flush()
        codes = self._read()
        return [Finished(j.args, code, j.stdout.read_text("utf-8", "replace"), j.stderr.read_text("utf-8", "replace"))
                for j, code in zip(jobs, codes, strict=True)]

    def close(self) -> None:
        if self._server.stdin is not None:
            self._server.stdin.close()
        self._server.wait(timeout=30)


# --- the server side (this file run as a script) ---

def _child(job: dict[str, Any]) -> None:
    """In the forked child: become `lifealm ARGS` and exit with its status; never return."""
    code = 70
    try:
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for fd, path in ((1, job["stdout"]), (2, job["stderr"])):
            target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(target, fd)
            os.close(target)
        os.environ.clear()
        os.environ.update(job["env"])
        os.chdir(job["cwd"])
        sys.argv = ["lifealm", *job["args"]]
        from lifealm.cli import main

        try:
            main()
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except BaseException:  # what escapes lifealm prints as it would from `python -m lifealm`
        traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # a closed stream: nothing left to flush
                stream.flush()
        os._exit(code)


def _serve(requests: IO[str], replies: IO[str]) -> None:
    # imported once here, so each child starts with lifealm and its libraries loaded
    import lifealm.cli
    import lifealm.pipeline
    import lifealm.simulate

    lifealm.cli._register()
    replies.write(json.dumps({"ready": True}) + "\n")
    replies.flush()
    for line in requests:
        jobs = json.loads(line)
        codes: list[int] = [0] * len(jobs)
        running: dict[int, int] = {}
        pending = list(enumerate(jobs))
        while pending or running:
            while pending and len(running) < PARALLEL:
                index, job = pending.pop(0)
                replies.flush()
                pid = os.fork()
                if pid == 0:
                    _child(job)
                running[pid] = index
            pid, status = os.wait()
            codes[running.pop(pid)] = os.waitstatus_to_exitcode(status)
        replies.write(json.dumps(codes) + "\n")
        replies.flush()


if __name__ == "__main__":
    _serve(sys.stdin, sys.stdout)
