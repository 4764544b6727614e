"""Test helpers for delivery: a real aiosmtpd server on 127.0.0.1, a self-signed certificate, a briefing and PDF."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from functools import cache
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from briefing_contract import stand_in

USER = "household"
PASSWORD = "correct horse battery staple"


@dataclass
class Inbox:
    """Everything the test server accepted, as parsed messages."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd calls this hook by name
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.messages.append(parsed)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


@dataclass
class SmtpServer:
    host: str
    port: int
    inbox: Inbox


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() \
        and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


@contextmanager
def smtp_server(*, tls: ssl.SSLContext | None = None, implicit_tls: bool = False,
                auth: bool = False) -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1: plain, STARTTLS (tls) or implicit TLS; with AUTH LOGIN/PLAIN if `auth`."""
    inbox = Inbox()
    port = free_port()
    kwargs: dict[str, Any] = {"hostname": "127.0.0.1", "port": port}
    if auth:
        kwargs.update(authenticator=_authenticator, auth_require_tls=tls is not None)
    if tls is not None and implicit_tls:
        kwargs["ssl_context"] = tls
    elif tls is not None:
        kwargs.update(tls_context=tls, require_starttls=True)
    controller = Controller(inbox, **kwargs)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, inbox)
    finally:
        controller.stop()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A throwaway certificate for localhost / 127.0.0.1, made with the openssl command line."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


def server_tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


@cache
def sample_pdf() -> bytes:
    """A small real PDF made with WeasyPrint (the same engine as the report)."""
    from weasyprint import HTML

    pdf: bytes = HTML(string="<h1>lifealm briefing</h1><p>安全 SAFE</p>").write_pdf()
    return pdf


def sample_briefing(**overrides: Any) -> dict[str, Any]:
    """A briefing.json with the contract's headline keys; figures are arbitrary and not round on purpose."""
    briefing: dict[str, Any] = {
        "schema_version": 1,
        "as_of": "2026-11-25",
        "base_currency": "JPY",
        "status": "SAFE",
        "portfolio": {"value": 125_432_109.0, "unrealized_pnl": 20_000_000.0},
        "margin": {"balance": 50_000_000.0, "ratio": 0.39862, "has_loan": True},
        "stress": {"forced_liquidation_drawdown": 0.41234, "max_survivable_drawdown": 0.52947},
        "cashflow": {"monthly": -123_456.0},
        "balance_sheet": {"net_worth": 160_987_654.0},
        "fire": {"ratio": 0.6127},
        "montecarlo": {"ran": True, "success_probability": 0.9342},
        "history": {"previous_date": "2026-11-24", "status_changed": False, "changes": [
            {"field": "portfolio_value", "kind": "money", "previous": 124_000_000.0, "current": 125_432_109.0,
             "delta": 1_432_109.0, "changed": True},
            {"field": "status", "kind": "status", "previous": "SAFE", "current": "SAFE", "delta": None,
             "changed": False},
        ]},
        "findings": [],
    }
    briefing.update(overrides)
    return briefing


def write_day(out: Path, briefing: dict[str, Any], pdf: bytes | None = None) -> Path:
    """Lay out site/DATE/briefing.json and briefing.pdf as `lifealm report` does."""
    import json

    day = out / str(briefing["as_of"])
    day.mkdir(parents=True, exist_ok=True)
    stand_in(day / "briefing.json").write_text(json.dumps(briefing), "utf-8")
    (day / "briefing.pdf").write_bytes(sample_pdf() if pdf is None else pdf)
    return day


def pdf_attachment(message: EmailMessage) -> bytes:
    parts = [part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert len(parts) == 1
    payload = parts[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload
