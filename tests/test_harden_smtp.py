"""SMTP credentials: any text works (sent as UTF-8), and none is ever printed, even by a server that echoes AUTH."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from deliver_support import Inbox, free_port
from harden_support import Done, clean_env, demo_copy, lifealm

USER = "kakeibo-ユーザー"
PASSWORD = "pässwörd-秘密-🔑-Zz9"
MECHANISMS = ("PLAIN", "LOGIN")


def _authenticator(echo: bool, expected: str) -> Any:
    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() \
            and auth_data.password == expected.encode()
        if ok and not echo:
            return AuthResult(success=True)
        # A badly behaved server that quotes what it was sent, in the wire form of the mechanism used.
        login, password = auth_data.login, auth_data.password
        token = base64.b64encode(b"\0" + login + b"\0" + password if mechanism == "PLAIN" else password).decode()
        return AuthResult(success=False, handled=False,
                          message=f"535 5.7.8 rejected: AUTH {mechanism} {token} (was {password!r})")
    return authenticate


@contextmanager
def _server(mechanism: str, *, echo: bool, expected: str = PASSWORD) -> Iterator[int]:
    port = free_port()
    others = [m for m in (*MECHANISMS, "CRAM-MD5") if m != mechanism]
    controller = Controller(Inbox(), hostname="127.0.0.1", port=port, authenticator=_authenticator(echo, expected),
                            auth_require_tls=False, auth_exclude_mechanism=others)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def _doctor(tmp_path: Path, port: int, *, password: str | None = PASSWORD, password_file: str | None = None) -> Done:
    env = clean_env(LIFEALM_SMTP_HOST="127.0.0.1", LIFEALM_SMTP_PORT=str(port), LIFEALM_SMTP_SECURITY="none",
                    LIFEALM_SMTP_USER=USER, LIFEALM_MAIL_FROM="lifealm@example.org",
                    LIFEALM_MAIL_TO="household@example.org", LIFEALM_SMTP_TIMEOUT="10")
    if password is not None:
        env["LIFEALM_SMTP_PASSWORD"] = password
    if password_file is not None:
        env["LIFEALM_SMTP_PASSWORD_FILE"] = password_file
    return lifealm("doctor", "--smtp", "--db", demo_copy(tmp_path / "ledger.db"), "--out", tmp_path / "site",
                   env=env, timeout=60)


def _password_forms(password: str) -> list[str]:
    raw = password.encode()
    return [password, repr(raw)[2:-1], base64.b64encode(raw).decode(),
            base64.b64encode(b"\0" + USER.encode() + b"\0" + raw).decode(), password[:8], password[-8:]]


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_a_non_ascii_password_logs_in(tmp_path: Path, mechanism: str) -> None:
    with _server(mechanism, echo=False) as port:
        done = _doctor(tmp_path, port)
    smtp = [line for line in done.stdout.splitlines() if "smtp:" in line]
    assert smtp and smtp[0].startswith("ok"), done.output  # was: UnicodeEncodeError naming a character
    assert "Traceback" not in done.output


@pytest.mark.parametrize("password", [PASSWORD, "plain-ascii-Secret42"])
@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_a_server_echoing_the_auth_line_never_shows_the_password(tmp_path: Path, mechanism: str,
                                                                  password: str) -> None:
    with _server(mechanism, echo=True, expected=password + "-not") as port:
        done = _doctor(tmp_path, port, password=password)
    assert done.returncode == 1 and "rejected the login" in done.stdout, done.output
    leaked = [form for form in _password_forms(password) if form in done.output]
    assert not leaked, done.output  # was: "AUTH PLAIN <the password in base64>"


def test_a_password_file_that_never_ends_is_refused_quickly(tmp_path: Path) -> None:
    for endless in ("/dev/urandom", "/dev/zero"):
        done = _doctor(tmp_path, free_port(), password=None, password_file=endless)  # was: never returned
        assert done.returncode == 1 and "Traceback" not in done.output, done.output
        assert "password file" in done.stdout


def test_a_password_file_with_a_non_ascii_password_logs_in(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n", "utf-8")
    with _server("PLAIN", echo=False) as port:
        done = _doctor(tmp_path, port, password=None, password_file=str(secret))
    assert any(line.startswith("ok") and "smtp:" in line for line in done.stdout.splitlines()), done.output
