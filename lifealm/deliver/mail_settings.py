"""SMTP settings from the config file's [mail] table and LIFEALM_SMTP_* / LIFEALM_MAIL_* (env wins), validated."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lifealm.config_schema import MAIL, key_line
from lifealm.errors import LifealmError
from lifealm.finite import number_problem

SECURITY_MODES = ("starttls", "ssl", "none")
MAIL_ENV = {key: option.env for key, option in MAIL.options.items() if option.env}  # [mail] key -> variable

PLACEHOLDER_ADDRESS = "lifealm@localhost"
_ADDRESS = re.compile(r"^[^@\s<>,]+@[^@\s<>,]+$")


class Secret:
    """A password that never shows itself in repr, str, logs or exception text."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class MailSettings:
    """Everything needed to send the briefing; `password` is a Secret so it cannot leak through repr."""

    host: str
    port: int
    security: str  # "starttls", "ssl" or "none"
    sender: str
    recipients: tuple[str, ...]
    user: str | None = None
    password: Secret | None = field(default=None, repr=False)
    ca_file: Path | None = None
    timeout: float = 30.0
    # [mail] key -> where its value came from: its environment variable, "--to", or the config file (whose line
    # is looked up only when an error hint needs it); a key that is absent took its default.
    origins: Mapping[str, str] = field(default_factory=dict, compare=False)
    config_path: Path | None = field(default=None, compare=False)

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    def origin_of(self, key: str) -> str:
        """'LIFEALM_SMTP_PORT', '--to', 'config.toml:7 (port)' or 'the default' for one [mail] key."""
        origin = self.origins.get(key)
        if origin is None:
            return "the default"
        if origin.startswith("LIFEALM_") or origin == "--to" or self.config_path is None:
            return origin
        try:
            line = key_line(self.config_path.read_text("utf-8"), "mail", key)
        except (OSError, UnicodeDecodeError):
            line = None
        return f"{self.config_path}:{line} ({key})" if line else origin


PASSWORD_FILE_LIMIT = 4096  # bytes: a password file holds one line; /dev/urandom must not be read forever


def read_password_file(path: Path) -> str:
    """The first line of a password file, read with a bound; ValueError (never quoting it) if it is not one.

    Only the first line counts: editors and `echo` add a trailing newline.
    """
    with path.open("rb") as handle:
        data = handle.read(PASSWORD_FILE_LIMIT + 1)
    first = data.split(b"\n", 1)[0].removesuffix(b"\r")
    if len(data) > PASSWORD_FILE_LIMIT and b"\n" not in data:
        raise ValueError(f"is longer than {PASSWORD_FILE_LIMIT} bytes without a line break; it should hold "
                         "the password alone on its first line")
    try:
        return first.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"is not UTF-8 text (at byte {exc.start} of its first line); save it as UTF-8") from None


def _split_addresses(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(item).strip() for item in value if str(item).strip()]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def load_mail_settings(
    table: Mapping[str, Any],
    *,
    source: str = "config [mail]",
    environ: Mapping[str, str] | None = None,
    to_override: tuple[str, ...] = (),
    require_server: bool = True,
    config_path: Path | None = None,
) -> MailSettings:
    """Merge [mail] with the environment (env wins) and validate; every problem is listed in one LifealmError.

    With `require_server=False` (a dry run writing an .eml file) the host may be missing and the sender defaults
    to a placeholder, but a recipient is still required and values that are set must still be valid.
    """
    env = os.environ if environ is None else environ
    problems = MAIL.problems(table, lambda _key: source)  # the config schema's own checks of the table
    raw: dict[str, object] = {}
    origin: dict[str, str] = {}
    for key, var in MAIL_ENV.items():
        if env.get(var):
            raw[key], origin[key] = env[var], var
        elif key in table:
            raw[key], origin[key] = table[key], f"{source} {key}"

    host = str(raw.get("host", "")).strip()
    if not host and require_server:
        problems.append("no SMTP host: set LIFEALM_SMTP_HOST or `host` in [mail]")

    security = str(raw.get("security", "starttls")).strip().lower()
    if security not in SECURITY_MODES:
        problems.append(f"{origin.get('security')}: security {security!r} is not one of {', '.join(SECURITY_MODES)}")

    default_port = {"ssl": 465, "starttls": 587}.get(security, 25)
    port = default_port
    if "port" in raw:
        try:
            port = int(str(raw["port"]).strip())
            if not 0 < port < 65536:
                raise ValueError
        except ValueError:
            problems.append(f"{origin['port']}: port {raw['port']!r} is not a TCP port (1-65535)")

    timeout = 30.0
    if "timeout" in raw:
        try:
            timeout = float(str(raw["timeout"]).strip())
            if number_problem(timeout) is not None or not 0 < timeout <= 3600:
                raise ValueError
        except ValueError:
            problems.append(f"{origin['timeout']}: timeout {raw['timeout']!r} is not a number of seconds (0-3600]")

    user = str(raw["user"]).strip() if raw.get("user") else None
    password: Secret | None = None
    if "password" in raw:
        password = Secret(str(raw["password"]))
    elif "password_file" in raw:
        path = Path(str(raw["password_file"])).expanduser()
        try:
            password = Secret(read_password_file(path))
        except OSError as exc:
            problems.append(f"{origin['password_file']}: cannot read the password file {path} ({exc.strerror})")
        except ValueError as exc:
            problems.append(f"{origin['password_file']}: the password file {path} {exc}")
    if password is not None and user is None:
        problems.append("a password is set but no user: set LIFEALM_SMTP_USER or `user` in [mail]")

    ca_file: Path | None = None
    if raw.get("ca_file"):
        ca_file = Path(str(raw["ca_file"])).expanduser()
        if not ca_file.is_file():
            problems.append(f"{origin['ca_file']}: CA file {ca_file} does not exist")

    sender = str(raw.get("from", "")).strip() or ("" if require_server else PLACEHOLDER_ADDRESS)
    if not sender:
        problems.append("no sender: set LIFEALM_MAIL_FROM or `from` in [mail]")
    elif not _ADDRESS.match(sender):
        problems.append(f"{origin['from']}: {sender!r} is not an e-mail address")

    recipients = list(to_override) or _split_addresses(raw.get("to", ""))
    if to_override:
        origin["to"] = "--to"
    if not recipients:
        # A dry run too: the .eml it writes is the message as it would go out, addressed to someone.
        problems.append("no recipient: pass --to, set LIFEALM_MAIL_TO or `to` in [mail]")
    for address in recipients:
        if not _ADDRESS.match(address):
            where = "--to" if to_override else origin.get("to", "to")
            problems.append(f"{where}: {address!r} is not an e-mail address")

    if problems:
        raise LifealmError(
            "the mail settings are incomplete or invalid:\n" + "\n".join(f"  {p}" for p in problems),
            hint="see the Configuration section of the README ([mail] table or LIFEALM_SMTP_* variables)",
        )
    return MailSettings(
        host=host, port=port, security=security, sender=sender, recipients=tuple(recipients),
        user=user, password=password, ca_file=ca_file, timeout=timeout, origins=dict(origin),
        config_path=config_path,
    )
