"""Send a message over SMTP (STARTTLS, implicit TLS or plain) and turn every failure into a clear LifealmError."""

from __future__ import annotations

import base64
import hmac
import re
import smtplib
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

from lifealm.deliver.mail_settings import MailSettings
from lifealm.errors import LifealmError


def _tls_context(mail: MailSettings) -> ssl.SSLContext:
    # A private CA (a self-hosted relay) is trusted only when named explicitly; otherwise the system store.
    return ssl.create_default_context(cafile=str(mail.ca_file) if mail.ca_file else None)


HIDDEN = "********"
# An AUTH command echoed back by a server: whatever follows the mechanism is a credential.
_AUTH_LINE = re.compile(r"(?i)\b(AUTH\s+[A-Z0-9_-]+)\s+\S+")
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{8,}={0,2}")


def _secret_bytes(mail: MailSettings) -> bytes:
    # surrogateescape: a password from a non-UTF-8 environment goes to the server as the bytes it was given.
    return mail.password.reveal().encode("utf-8", "surrogateescape") if mail.password is not None else b""


def _user_bytes(mail: MailSettings) -> bytes:
    return (mail.user or "").encode("utf-8", "surrogateescape")


def _secret_forms(mail: MailSettings) -> list[str]:
    """Every form the password can take on the wire or in an error: plain, escaped, base64 of PLAIN or LOGIN."""
    password = _secret_bytes(mail)
    if not password:
        return []
    plain_token = b"\0" + _user_bytes(mail) + b"\0" + password
    forms = {
        password.decode("utf-8", "replace"),
        repr(password)[2:-1],  # how the bytes of a server reply print
        base64.b64encode(password).decode("ascii"),  # AUTH LOGIN
        base64.b64encode(plain_token).decode("ascii"),  # AUTH PLAIN
        base64.b64encode(b"\0" + password).decode("ascii"),
    }
    return sorted((form for form in forms if form), key=len, reverse=True)


def _scrub(text: str, mail: MailSettings) -> str:
    """Remove the password, in every form it could take, from any text that could reach the user."""
    if mail.password is None:
        return text
    text = _AUTH_LINE.sub(lambda m: f"{m.group(1)} {HIDDEN}", text)
    for form in _secret_forms(mail):
        text = text.replace(form, HIDDEN)
    # A base64 run that decodes to something holding the password (a server echoing a slice of a token).
    password = _secret_bytes(mail)

    def hide_encoded(match: re.Match[str]) -> str:
        try:
            decoded = base64.b64decode(match.group(0) + "=" * (-len(match.group(0)) % 4))
        except ValueError:
            return match.group(0)
        return HIDDEN if password in decoded else match.group(0)

    return _BASE64_RUN.sub(hide_encoded, text)


def _server_text(exc: BaseException) -> str:
    """What the server or the library said, as text (a reply's bytes decoded, never their repr)."""
    if isinstance(exc, smtplib.SMTPResponseException):
        raw = exc.smtp_error
        reply = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        return f"{exc.smtp_code} {reply}"
    return str(exc)


def _set_by(mail: MailSettings, *keys: str) -> str:
    """Where the settings behind an error came from: '; host from LIFEALM_SMTP_HOST, port from config.toml:7'."""
    named = ["password_file" if key == "password" and "password" not in mail.origins else key for key in keys]
    return "; " + ", ".join(f"{key} from {mail.origin_of(key)}" for key in named)


def _explain(exc: BaseException, mail: MailSettings) -> LifealmError:
    error = _explain_without_origin(exc, mail)
    keys = next((behind for kind, behind in _KEYS_BEHIND if isinstance(exc, kind)), ("host", "port"))
    return LifealmError(error.message, hint=(error.hint or "check the SMTP settings") + _set_by(mail, *keys))


# Which settings each failure depends on (first match wins: subclasses before their bases); others: host, port.
_KEYS_BEHIND: tuple[tuple[type[BaseException], tuple[str, ...]], ...] = (
    (smtplib.SMTPAuthenticationError, ("user", "password")),
    (smtplib.SMTPNotSupportedError, ("security", "port")),
    (smtplib.SMTPRecipientsRefused, ("to",)),
    (smtplib.SMTPSenderRefused, ("from",)),
    (ssl.SSLCertVerificationError, ("host", "ca_file")),
    (ssl.SSLError, ("security", "port")),
    (socket.gaierror, ("host",)),
)


def _explain_without_origin(exc: BaseException, mail: MailSettings) -> LifealmError:
    where = f"SMTP server {mail.endpoint}"
    detail = _scrub(_server_text(exc), mail)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        raw = exc.smtp_error
        server_text = _scrub(raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw), mail)
        return LifealmError(
            f"{where} rejected the login for user {mail.user!r} ({exc.smtp_code} {server_text}); nothing was sent.",
            hint="check LIFEALM_SMTP_USER and LIFEALM_SMTP_PASSWORD (or the password file); many providers need "
            "an app password",
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return LifealmError(
            f"{where} does not support what lifealm asked for ({detail}); nothing was sent.",
            hint="set LIFEALM_SMTP_SECURITY=ssl for port 465, or starttls for port 587; "
            "AUTH needs a server that offers it",
        )
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(sorted(exc.recipients))
        return LifealmError(f"{where} refused the recipient(s) {refused}; nothing was sent.",
                            hint="check --to / LIFEALM_MAIL_TO")
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return LifealmError(f"{where} refused the sender {exc.sender!r} ({exc.smtp_code}); nothing was sent.",
                            hint="set LIFEALM_MAIL_FROM to an address this server lets you send from")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return LifealmError(
            f"TLS with {where} failed: the server's certificate could not be verified ({exc.verify_message}); "
            "nothing was sent.",
            hint="use the server's real host name, or trust its CA with LIFEALM_SMTP_CA_FILE / `ca_file`",
        )
    if isinstance(exc, ssl.SSLError):
        return LifealmError(
            f"TLS with {where} failed ({detail}); nothing was sent.",
            hint="check LIFEALM_SMTP_SECURITY: port 465 usually needs `ssl`, port 587 `starttls`",
        )
    if isinstance(exc, ConnectionRefusedError):
        return LifealmError(f"cannot connect to {where}: connection refused; nothing was sent.",
                            hint="check LIFEALM_SMTP_HOST / LIFEALM_SMTP_PORT and that the server is running")
    if isinstance(exc, socket.timeout | TimeoutError):
        return LifealmError(f"{where} did not answer within {mail.timeout:g} s; nothing was sent.",
                            hint="check the host and port, the firewall, or raise LIFEALM_SMTP_TIMEOUT")
    if isinstance(exc, socket.gaierror):
        return LifealmError(f"cannot resolve the SMTP host {mail.host!r} ({detail}); nothing was sent.",
                            hint="check LIFEALM_SMTP_HOST")
    if isinstance(exc, smtplib.SMTPException):
        return LifealmError(f"{where} failed: {detail}; nothing was sent.",
                            hint="check the SMTP settings, then try again (lifealm doctor --smtp tests them)")
    return LifealmError(f"cannot talk to {where}: {detail}; nothing was sent.",
                        hint="check LIFEALM_SMTP_HOST / LIFEALM_SMTP_PORT and the network")


@contextmanager
def smtp_session(mail: MailSettings) -> Iterator[smtplib.SMTP]:
    """A connected, secured and (when a user is set) logged-in SMTP session; failures become LifealmError."""
    client: smtplib.SMTP | None = None
    try:
        if mail.security == "ssl":
            client = smtplib.SMTP_SSL(mail.host, mail.port, timeout=mail.timeout, context=_tls_context(mail))
        else:
            client = smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout)
        client.ehlo()
        if mail.security == "starttls":
            if not client.has_extn("starttls"):
                raise smtplib.SMTPNotSupportedError("the server does not offer STARTTLS")
            client.starttls(context=_tls_context(mail))
            client.ehlo()
        if mail.user is not None:
            _login(client, mail)
    except (OSError, smtplib.SMTPException) as exc:
        _close(client)
        raise _explain(exc, mail) from None  # `from None`: the chained traceback could carry server text
    finished = False
    try:
        yield client
        finished = True
    except (OSError, smtplib.SMTPException) as exc:
        raise _explain(exc, mail) from None
    finally:
        _close(client, polite=finished)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _login(client: smtplib.SMTP, mail: MailSettings) -> None:
    """AUTH PLAIN, LOGIN or CRAM-MD5 with the user and password sent as UTF-8, whatever characters they hold.

    smtplib.login encodes the credentials as ASCII: a non-ASCII password raised a UnicodeEncodeError naming
    one of its characters and its position.
    """
    client.ehlo_or_helo_if_needed()
    if not client.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("the server does not offer AUTH (SMTP login)")
    offered = client.esmtp_features["auth"].upper().split()
    user, password = _user_bytes(mail), _secret_bytes(mail)
    if "PLAIN" in offered:
        token = _b64(b"\0" + user + b"\0" + password)
        code, reply = client.docmd("AUTH", "PLAIN " + token)
        if code == 334:  # a server that wants the credentials after an empty challenge
            code, reply = client.docmd(token)
    elif "LOGIN" in offered:
        code, reply = client.docmd("AUTH", "LOGIN " + _b64(user))
        if code == 334:
            code, reply = client.docmd(_b64(password))
    elif "CRAM-MD5" in offered:
        code, reply = client.docmd("AUTH", "CRAM-MD5")
        if code == 334:
            digest = hmac.new(password, base64.b64decode(reply), "md5").hexdigest()
            code, reply = client.docmd(_b64(user + b" " + digest.encode("ascii")))
    else:
        raise smtplib.SMTPNotSupportedError(f"the server offers no login method lifealm knows ({' '.join(offered)})")
    if code not in (235, 503):  # 503: already authenticated
        raise smtplib.SMTPAuthenticationError(code, reply)


def _close(client: smtplib.SMTP | None, *, polite: bool = False) -> None:
    if client is None:
        return
    try:
        if polite:
            client.quit()
        else:
            client.close()
    except (OSError, smtplib.SMTPException):
        client.close()


def send_message(message: EmailMessage, mail: MailSettings) -> None:
    """Deliver `message` to every recipient, or raise LifealmError naming host:port and the fix."""
    with smtp_session(mail) as client:
        refused = client.send_message(message, from_addr=mail.sender, to_addrs=list(mail.recipients))
        if refused:
            # Some recipients got it, some did not: say so rather than pretend it all failed or all worked.
            raise LifealmError(
                f"SMTP server {mail.endpoint} refused {', '.join(sorted(refused))}; "
                "the other recipients received the briefing.",
                hint="check --to / LIFEALM_MAIL_TO",
            )


def check_connection(mail: MailSettings) -> str:
    """Connect, secure, log in and say NOOP; return a one-line description of what worked."""
    with smtp_session(mail) as client:
        client.noop()
    login = f", logged in as {mail.user}" if mail.user else ""
    return f"{mail.endpoint} ({mail.security}{login})"
