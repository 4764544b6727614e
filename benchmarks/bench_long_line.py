"""Import a CSV whose second line is 2 GiB long (a sparse file): the refusal's time and the child's peak RSS."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LINE_BYTES = 2 << 30


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db, source = folder / "ledger.db", folder / "long.csv"
        subprocess.run([sys.executable, "-m", "lifealm", "init", "--db", str(db)], check=True,
                       stdout=subprocess.DEVNULL)
        with source.open("wb") as out:  # sparse: the 2 GiB of the line cost no disk
            out.write(b"ticker,name,shares\nA.T,")
            out.seek(LINE_BYTES, os.SEEK_CUR)
            out.write(b",1\n")
        with tempfile.TemporaryFile("w+") as err:
            started = time.perf_counter()
            child = subprocess.Popen([sys.executable, "-m", "lifealm", "import", "holdings", str(source), "--db",
                                      str(db)], stdout=subprocess.DEVNULL, stderr=err)
            _, status, usage = os.wait4(child.pid, 0)
            seconds = time.perf_counter() - started
            err.seek(0)
            first = err.readline().strip()
        code = os.waitstatus_to_exitcode(status)
        print(f"   a {LINE_BYTES >> 20} MiB line: exit {code} in {seconds:.2f} s, peak RSS of the child "
              f"{usage.ru_maxrss // 1024} MiB")
        print(f"   {first[:120]}")


if __name__ == "__main__":
    main()
