"""`lifealm email` against a real SMTP server on 127.0.0.1: plain, STARTTLS with a self-signed CA, bad logins."""

from __future__ import annotations

import json
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from deliver_support import (
    PASSWORD,
    USER,
    free_port,
    pdf_attachment,
    sample_briefing,
    self_signed_certificate,
    server_tls_context,
    smtp_server,
    write_day,
)

from lifealm.cli import cli, deliver_cmds, ledger_cmds  # noqa: F401 - importing registers the commands
from lifealm.deliver.briefing_mail import outbox_path, sent_record_path

AS_OF = "2026-11-25"


def _env(port: int, **extra: str) -> dict[str, str]:
    env = {"LIFEALM_SMTP_HOST": "127.0.0.1", "LIFEALM_SMTP_PORT": str(port), "LIFEALM_SMTP_SECURITY": "none",
           "LIFEALM_MAIL_FROM": "lifealm@example.org", "LIFEALM_MAIL_TO": "me@example.org",
           "LIFEALM_CONFIG": "", "LIFEALM_DB": "", "LIFEALM_OUT": ""}
    env.update(extra)
    return env


def _email(out: Path, env: dict[str, str], *args: str) -> Any:
    # --config points at an empty file so a developer's own ~/.config/lifealm never leaks into the test.
    config = out.parent / "empty.toml"
    config.write_text("", "utf-8")
    return CliRunner().invoke(cli, ["email", "--out", str(out), "--as-of", AS_OF, "--config", str(config),
                                    "--db", str(out.parent / "ledger.db"), *args], env=env)


def _figure(text: str, label: str) -> str:
    match = re.search(rf"^\s*{re.escape(label)}:\s+(.+?)\s*$", text, re.MULTILINE)
    assert match, f"{label!r} not in the text body"
    return match.group(1)


def _percent(shown: str) -> float:
    return float(shown.replace("\u2212", "-").replace("%", "").strip()) / 100


def _yen(shown: str) -> float:
    return float(shown.replace("\u2212", "-").replace("+", "").replace("¥", "").replace(",", ""))


def _assert_body_matches(message: EmailMessage, briefing: dict[str, Any]) -> None:
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    assert text_part is not None and html_part is not None
    text, html = text_part.get_content(), html_part.get_content()
    assert abs(_percent(_figure(text, "Margin ratio")) - briefing["margin"]["ratio"]) <= 0.0005 + 1e-12
    # The page's two figures, each with its condition, rounded down (never up) to one decimal.
    for label, key in (("Forced sale, if nothing is done, at a fall of", "forced_liquidation_drawdown"),
                       ("Survives, spending cash, a fall of", "max_survivable_drawdown")):
        drop = -_percent(_figure(text, label))
        assert drop <= briefing["stress"][key] < drop + 0.001
    assert _yen(_figure(text, "Portfolio value")) == round(briefing["portfolio"]["value"])
    assert _yen(_figure(text, "Net worth")) == round(briefing["balance_sheet"]["net_worth"])
    assert _yen(_figure(text, "Monthly cash flow")) == round(briefing["cashflow"]["monthly"])
    assert abs(_percent(_figure(text, "FIRE ratio")) - briefing["fire"]["ratio"]) <= 0.0005 + 1e-12
    success = _percent(_figure(text, "Monte Carlo success"))
    assert abs(success - briefing["montecarlo"]["success_probability"]) <= 0.0005 + 1e-12
    # The HTML shows the same strings as the text part, and no script can run in it.
    for element_id, label in (("margin-ratio", "Margin ratio"), ("portfolio-value", "Portfolio value"),
                              ("forced-drop", "Forced sale, if nothing is done, at a fall of"),
                              ("max-drop", "Survives, spending cash, a fall of")):
        assert re.search(rf'id="{element_id}"[^>]*>{re.escape(_figure(text, label))}<', html)
    assert "<script" not in html.lower()


def test_email_arrives_with_subject_figures_and_identical_pdf(tmp_path: Path) -> None:
    out = tmp_path / "site"
    briefing = sample_briefing()
    day = write_day(out, briefing)
    with smtp_server() as server:
        result = _email(out, _env(server.port))
        assert result.exit_code == 0, result.output
        assert len(server.inbox.messages) == 1
        message = server.inbox.messages[0]
    assert server.inbox.envelopes[0] == ("lifealm@example.org", ["me@example.org"])
    subject = str(message["Subject"])
    assert subject.startswith(f"[SAFE] {AS_OF} · margin ")
    margin = re.search(r"margin ([\d.]+) %", subject)
    forced = re.search(r"forced sale at \u2212(\d+\.\d) % if nothing is done", subject)
    survives = re.search(r"survives \u2212(\d+\.\d) % spending cash", subject)
    assert margin and forced and survives
    assert abs(float(margin.group(1)) / 100 - briefing["margin"]["ratio"]) <= 0.0005 + 1e-12
    assert survives.group(1) == f"{int(briefing['stress']['max_survivable_drawdown'] * 1000) / 10:.1f}"
    assert forced.group(1) == f"{int(briefing['stress']['forced_liquidation_drawdown'] * 1000) / 10:.1f}"
    _assert_body_matches(message, briefing)
    assert pdf_attachment(message) == (day / "briefing.pdf").read_bytes()
    assert "Portfolio: ¥124,000,000 -> ¥125,432,109" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    record = json.loads(sent_record_path(out, AS_OF).read_text("utf-8"))
    assert record["message_id"] == message["Message-ID"]
    assert "Sent" in result.output and f"127.0.0.1:{server.port}" in result.output


def test_starttls_with_self_signed_certificate_trusted_through_ca_file(tmp_path: Path) -> None:
    cert, key = self_signed_certificate(tmp_path)
    out = tmp_path / "site"
    briefing = sample_briefing(status="CAUTION")
    day = write_day(out, briefing)
    with smtp_server(tls=server_tls_context(cert, key), auth=True) as server:
        env = _env(server.port, LIFEALM_SMTP_SECURITY="starttls", LIFEALM_SMTP_CA_FILE=str(cert),
                   LIFEALM_SMTP_USER=USER, LIFEALM_SMTP_PASSWORD=PASSWORD)
        result = _email(out, env, "--to", "a@example.org", "--to", "b@example.org")
        assert result.exit_code == 0, result.output
        assert len(server.inbox.messages) == 1
    message = server.inbox.messages[0]
    assert server.inbox.envelopes[0][1] == ["a@example.org", "b@example.org"]
    assert str(message["Subject"]).startswith(f"[CAUTION] {AS_OF}")
    assert pdf_attachment(message) == (day / "briefing.pdf").read_bytes()
    assert PASSWORD not in result.output


def test_starttls_without_trusting_the_certificate_fails_clearly(tmp_path: Path) -> None:
    cert, key = self_signed_certificate(tmp_path)
    out = tmp_path / "site"
    write_day(out, sample_briefing())
    with smtp_server(tls=server_tls_context(cert, key)) as server:
        result = _email(out, _env(server.port, LIFEALM_SMTP_SECURITY="starttls"))
        assert not server.inbox.messages
    assert result.exit_code == 1
    assert f"127.0.0.1:{server.port}" in result.output
    assert "certificate" in result.output and "LIFEALM_SMTP_CA_FILE" in result.output
    assert not sent_record_path(out, AS_OF).exists()


@pytest.mark.parametrize("password_via", ["env", "file"])
def test_wrong_password_is_a_clear_error_with_no_partial_state(tmp_path: Path, password_via: str) -> None:
    cert, key = self_signed_certificate(tmp_path)
    out = tmp_path / "site"
    write_day(out, sample_briefing())
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    wrong = "not-the-password-Xy7"
    with smtp_server(tls=server_tls_context(cert, key), auth=True) as server:
        env = _env(server.port, LIFEALM_SMTP_SECURITY="starttls", LIFEALM_SMTP_CA_FILE=str(cert),
                   LIFEALM_SMTP_USER=USER)
        if password_via == "env":
            env["LIFEALM_SMTP_PASSWORD"] = wrong
        else:
            secret = tmp_path / "smtp-password"
            secret.write_text(wrong + "\n", "utf-8")
            env["LIFEALM_SMTP_PASSWORD_FILE"] = str(secret)
        result = _email(out, env)
        assert not server.inbox.messages
    assert result.exit_code == 1
    assert f"127.0.0.1:{server.port}" in result.output
    assert "rejected the login" in result.output and "LIFEALM_SMTP_PASSWORD" in result.output
    assert wrong not in result.output
    assert wrong not in repr(result.exception) and wrong not in str(result.exception)
    assert not sent_record_path(out, AS_OF).exists()
    # The lock file may have been created; nothing else in the site changed.
    after = sorted(p.relative_to(out) for p in out.rglob("*") if ".lifealm" not in p.parts)
    assert after == before


def test_connection_refused_names_host_port_and_fix(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_day(out, sample_briefing())
    port = free_port()  # nothing listens here
    result = _email(out, _env(port))
    assert result.exit_code == 1
    assert f"127.0.0.1:{port}" in result.output and "connection refused" in result.output
    assert "fix:" in result.output
    assert not sent_record_path(out, AS_OF).exists()


def test_implicit_tls_mode(tmp_path: Path) -> None:
    cert, key = self_signed_certificate(tmp_path)
    out = tmp_path / "site"
    write_day(out, sample_briefing())
    with smtp_server(tls=server_tls_context(cert, key), implicit_tls=True) as server:
        result = _email(out, _env(server.port, LIFEALM_SMTP_SECURITY="ssl", LIFEALM_SMTP_CA_FILE=str(cert)))
        assert result.exit_code == 0, result.output
        assert len(server.inbox.messages) == 1


def test_a_dry_run_without_a_recipient_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_day(out, sample_briefing())
    target = tmp_path / "preview.eml"
    env = {"LIFEALM_CONFIG": "", "LIFEALM_DB": "", "LIFEALM_OUT": "", "LIFEALM_SMTP_HOST": "",
           "LIFEALM_MAIL_FROM": "", "LIFEALM_MAIL_TO": ""}
    result = _email(out, env, "--dry-run", str(target))
    assert result.exit_code == 1
    assert "no recipient: pass --to, set LIFEALM_MAIL_TO or `to` in [mail]" in result.output
    assert not target.exists()
    assert _email(out, env, "--dry-run", str(target), "--to", "me@example.org").exit_code == 0 and target.is_file()


def test_dry_run_writes_an_eml_file_and_sends_nothing(tmp_path: Path) -> None:
    out = tmp_path / "site"
    briefing = sample_briefing()
    day = write_day(out, briefing)
    target = tmp_path / "preview.eml"
    # No SMTP host at all: a dry run does not need one (it does need a recipient: see the next test).
    env = {"LIFEALM_CONFIG": "", "LIFEALM_DB": "", "LIFEALM_OUT": "", "LIFEALM_SMTP_HOST": "",
           "LIFEALM_MAIL_FROM": "", "LIFEALM_MAIL_TO": "me@example.org"}
    result = _email(out, env, "--dry-run", str(target))
    assert result.exit_code == 0, result.output
    assert str(target) in result.output and "nothing was sent" in result.output
    message = message_from_bytes(target.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert str(message["Subject"]).startswith(f"[SAFE] {AS_OF}")
    assert pdf_attachment(message) == (day / "briefing.pdf").read_bytes()
    _assert_body_matches(message, briefing)
    assert not sent_record_path(out, AS_OF).exists()

    default = _email(out, env, "--dry-run")
    assert default.exit_code == 0, default.output
    assert outbox_path(out, AS_OF).is_file()
    assert not (day / "briefing.eml").exists()  # the published site holds no addresses


def test_incomplete_mail_settings_list_every_problem(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_day(out, sample_briefing())
    env = {"LIFEALM_CONFIG": "", "LIFEALM_SMTP_HOST": "", "LIFEALM_MAIL_FROM": "not-an-address",
           "LIFEALM_MAIL_TO": "", "LIFEALM_SMTP_SECURITY": "tls", "LIFEALM_SMTP_PORT": "99999"}
    result = _email(out, env)
    assert result.exit_code == 1
    for expected in ("no SMTP host", "not an e-mail address", "no recipient", "'tls' is not one of",
                     "not a TCP port"):
        assert expected in result.output


@pytest.mark.slow  # renders a whole report (about 4 s); the default suite renders one in test_run_daily
def test_email_renders_a_missing_briefing_first_and_mails_its_figures(tmp_path: Path) -> None:
    ledger, out = tmp_path / "ledger.db", tmp_path / "site"
    config = tmp_path / "config.toml"
    config.write_text("[assumptions]\nmc_paths = 200\n", "utf-8")
    demo = CliRunner().invoke(cli, ["demo", "--db", str(ledger), "--as-of", AS_OF, "--config", str(config)],
                              env={"LIFEALM_CONFIG": "", "LIFEALM_DB": ""})
    assert demo.exit_code == 0, demo.output
    with smtp_server() as server:
        result = CliRunner().invoke(cli, ["email", "--db", str(ledger), "--out", str(out), "--as-of", AS_OF,
                                          "--config", str(config)], env=_env(server.port))
        assert result.exit_code == 0, result.output
        assert len(server.inbox.messages) == 1
    assert "Rendered the briefing for 2026-11-25 first" in result.output
    briefing = json.loads((out / AS_OF / "briefing.json").read_text("utf-8"))
    message = server.inbox.messages[0]
    assert str(message["Subject"]).startswith(f"[{briefing['status']}] {AS_OF} · margin ")
    _assert_body_matches(message, briefing)
    assert pdf_attachment(message) == (out / AS_OF / "briefing.pdf").read_bytes()


def test_starttls_required_but_not_offered_is_refused_before_any_password_is_sent(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_day(out, sample_briefing())
    with smtp_server() as server:  # a plain server that offers no STARTTLS
        result = _email(out, _env(server.port, LIFEALM_SMTP_SECURITY="starttls", LIFEALM_SMTP_USER=USER,
                                  LIFEALM_SMTP_PASSWORD=PASSWORD))
        assert not server.inbox.messages
    assert result.exit_code == 1
    assert "does not offer STARTTLS" in result.output and "LIFEALM_SMTP_SECURITY" in result.output
    assert not sent_record_path(out, AS_OF).exists()
