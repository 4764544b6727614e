"""The TOML config and mail settings: every error listed at once with its line, env over file, password hidden."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import lifealm.cli.deliver_cmds  # noqa: F401 - registers the commands on the group
from lifealm.cli import cli
from lifealm.deliver.mail_settings import MailSettings, Secret, load_mail_settings
from lifealm.errors import LifealmError
from lifealm.settings import load_settings

BAD_CONFIG = """\
ledger = "~/money/ledger.db"
colour = "dark"

[mail]
host = "smtp.example.org"
port = "587"
passwrd = "typo"

[assumptions]
caution_ratio = 1.5
mc_paths = "lots"
no_such_assumption = 1
"""


def test_every_config_error_is_listed_at_once_with_file_and_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(BAD_CONFIG, "utf-8")
    with pytest.raises(LifealmError) as caught:
        load_settings(config=config, environ={})
    text = str(caught.value)
    lines = BAD_CONFIG.splitlines()
    expected = {  # key -> the words its problem must contain
        "colour": "unknown key 'colour'",
        "port": "mail.port: must be a whole number",
        "passwrd": "unknown key 'passwrd'",
        "caution_ratio": "assumptions.caution_ratio: 1.5 is outside 0.0..1.0",
        "mc_paths": "assumptions.mc_paths: 'lots' is not valid",
        "no_such_assumption": "unknown assumption",
    }
    for key, words in expected.items():
        problem = next((line for line in text.splitlines() if words in line), None)
        assert problem is not None, f"{words!r} missing from:\n{text}"
        number = next(i for i, line in enumerate(lines, start=1) if line.startswith(f"{key} ="))
        assert problem.startswith(f"{config}:{number}: "), problem
    assert "fix:" in text


def test_a_valid_config_sets_ledger_out_mail_and_assumptions(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'ledger = "books/ledger.db"\nout = "public"\n\n[mail]\nhost = "smtp.example.org"\nport = 2525\n'
        'to = ["a@example.org", "b@example.org"]\nfrom = "lifealm@example.org"\n\n'
        "[assumptions]\nmc_paths = 500\ncaution_ratio = 0.45\n", "utf-8")
    settings = load_settings(config=config, environ={})
    assert settings.db == Path("books/ledger.db") and settings.db_source == "config"
    assert settings.out == Path("public")
    assert settings.assumption_overrides == {"mc_paths": 500, "caution_ratio": 0.45}
    mail = load_mail_settings(settings.mail, environ={})
    assert (mail.host, mail.port, mail.security) == ("smtp.example.org", 2525, "starttls")
    assert mail.recipients == ("a@example.org", "b@example.org")


def test_environment_overrides_the_mail_table(tmp_path: Path) -> None:
    table = {"host": "file.example.org", "port": 25, "security": "none", "from": "f@example.org",
             "to": "file@example.org", "user": "fileuser", "password": "file-secret"}
    env = {"LIFEALM_SMTP_HOST": "env.example.org", "LIFEALM_SMTP_PORT": "465", "LIFEALM_SMTP_SECURITY": "ssl",
           "LIFEALM_MAIL_TO": "x@example.org, y@example.org", "LIFEALM_SMTP_PASSWORD": "env-secret"}
    mail = load_mail_settings(table, environ=env)
    assert (mail.host, mail.port, mail.security) == ("env.example.org", 465, "ssl")
    assert mail.recipients == ("x@example.org", "y@example.org")
    assert mail.sender == "f@example.org" and mail.user == "fileuser"
    assert mail.password == Secret("env-secret")
    assert load_mail_settings(table, environ=env, to_override=("z@example.org",)).recipients == ("z@example.org",)


@pytest.mark.parametrize(("security", "port"), [("starttls", 587), ("ssl", 465), ("none", 25)])
def test_default_port_follows_the_security_mode(security: str, port: int) -> None:
    mail = load_mail_settings({"host": "h", "security": security, "from": "a@b.c", "to": "d@e.f"}, environ={})
    assert mail.port == port


def test_password_file_first_line_and_the_password_never_shows(tmp_path: Path) -> None:
    secret_file = tmp_path / "pw"
    secret_file.write_text("s3cret-Value!\n", "utf-8")
    mail = load_mail_settings({"host": "h", "user": "u", "password_file": str(secret_file), "from": "a@b.c",
                               "to": "d@e.f"}, environ={})
    assert mail.password is not None and mail.password.reveal() == "s3cret-Value!"
    for shown in (repr(mail), str(mail), repr(mail.password), str(mail.password), f"{mail}"):
        assert "s3cret" not in shown
    assert isinstance(mail, MailSettings)


def test_mail_problems_are_listed_together_without_the_password(tmp_path: Path) -> None:
    env = {"LIFEALM_SMTP_PASSWORD": "hunter2-secret", "LIFEALM_SMTP_SECURITY": "tls",
           "LIFEALM_SMTP_PORT": "0", "LIFEALM_SMTP_CA_FILE": str(tmp_path / "missing.pem"),
           "LIFEALM_MAIL_TO": "me@example.org, nonsense", "LIFEALM_SMTP_TIMEOUT": "-1"}
    with pytest.raises(LifealmError) as caught:
        load_mail_settings({}, environ=env)
    text = str(caught.value)
    for words in ("no SMTP host", "'tls' is not one of", "not a TCP port", "does not exist", "'nonsense' is not",
                  "no sender", "a password is set but no user", "not a number of seconds"):
        assert words in text, text
    assert "hunter2" not in text


def test_missing_explicit_config_file_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["doctor", "--config", str(tmp_path / "nope.toml")])
    assert result.exit_code == 1
    assert "config file not found" in result.output


def test_invalid_toml_names_the_file_and_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('ledger = "a.db"\n[mail\nhost = "x"\n', "utf-8")
    result = CliRunner().invoke(cli, ["doctor", "--config", str(config)])
    assert result.exit_code == 1
    assert str(config) in result.output and "line 2" in result.output
