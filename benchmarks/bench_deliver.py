"""Delivery: composing the e-mail from the demo briefing, sending it to a local SMTP server, and `lifealm run`."""

from __future__ import annotations

import json
import tempfile
import time
import tracemalloc
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from benchmarks.child import run_lifealm
from lifealm.deliver.briefing_mail import compose_message, load_briefing
from lifealm.deliver.mail_settings import MailSettings
from lifealm.deliver.smtp import send_message

AS_OF = "2026-11-25"
REPEAT = 50


class _Count:
    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd calls it by name
        message_from_bytes(envelope.original_content, policy=policy.default)
        self.received += 1
        return "250 OK"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        ledger, out = root / "ledger.db", root / "site"
        run_lifealm("demo", "--db", str(ledger), "--as-of", AS_OF)

        done = run_lifealm("run", "--no-email", "--db", str(ledger), "--out", str(out), "--as-of", AS_OF)
        print(f"   lifealm run --no-email (demo ledger, child process): {done.seconds:.2f} s wall, "
              f"peak RSS {done.peak_rss_mib} MiB")
        print(f"   its log line: {done.stderr.strip()}")

        briefing, pdf = load_briefing(out / AS_OF)
        tracemalloc.start()
        started = time.perf_counter()
        for _ in range(REPEAT):
            message = compose_message(briefing, pdf, sender="lifealm@example.org", recipients=("me@example.org",))
            data = message.as_bytes()
        compose_ms = (time.perf_counter() - started) / REPEAT * 1000
        peak_kb = tracemalloc.get_traced_memory()[1] / 1024
        tracemalloc.stop()
        print(f"   compose the e-mail (render subject/text/HTML, attach the {len(pdf) / 1024:.0f} KB PDF, serialise "
              f"{len(data) / 1024:.0f} KB): {compose_ms:.1f} ms each, tracemalloc peak {peak_kb:.0f} KB")

        handler = _Count()
        controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
        controller.start()
        try:
            mail = MailSettings(host="127.0.0.1", port=controller.port, security="none",
                                sender="lifealm@example.org", recipients=("me@example.org",))
            started = time.perf_counter()
            for _ in range(REPEAT // 5):
                send_message(message, mail)
            send_ms = (time.perf_counter() - started) / (REPEAT // 5) * 1000
        finally:
            controller.stop()
        print(f"   send to a local aiosmtpd server (connect, send, quit): {send_ms:.1f} ms each, "
              f"{handler.received} received")
        print(f"   briefing status {json.loads((out / AS_OF / 'briefing.json').read_text())['status']}")


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


if __name__ == "__main__":
    main()
