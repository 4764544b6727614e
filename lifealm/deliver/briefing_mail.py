"""Compose the morning e-mail from a day's briefing.json and PDF, send it or write it as .eml, record that it went."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from lifealm.atomic import PRIVATE_FILE, make_dirs, write_atomic
from lifealm.deliver.mail_settings import MailSettings
from lifealm.errors import LifealmError
from lifealm.i18n import DEFAULT_LANGUAGE

BRIEFING_JSON = "briefing.json"
BRIEFING_PDF = "briefing.pdf"
STATE_DIR = ".lifealm"  # inside the output directory: the run lock and the "sent" records


@dataclass(frozen=True)
class Delivery:
    """What happened to one briefing e-mail: `sent` to the server, or written to `eml_path` (dry run)."""

    subject: str
    recipients: tuple[str, ...]
    message_id: str
    eml_path: Path | None = None

    @property
    def sent(self) -> bool:
        return self.eml_path is None


def day_files(day_dir: Path) -> tuple[Path, Path]:
    """The briefing JSON and PDF of one day's site directory."""
    return day_dir / BRIEFING_JSON, day_dir / BRIEFING_PDF


def briefing_missing(day_dir: Path) -> bool:
    """True when the day's JSON or PDF is not there yet (the report must be rendered first)."""
    return not all(path.is_file() for path in day_files(day_dir))


def load_briefing(day_dir: Path) -> tuple[dict[str, Any], bytes]:
    """Read the day's briefing.json and briefing.pdf; a missing or broken file names itself and the fix."""
    json_path, pdf_path = day_files(day_dir)
    try:
        briefing = json.loads(json_path.read_text("utf-8"))
        pdf = pdf_path.read_bytes()
    except FileNotFoundError as exc:
        raise LifealmError(f"{exc.filename}: not found.", hint="render it with `lifealm report` first") from exc
    except json.JSONDecodeError as exc:
        raise LifealmError(f"{json_path}:{exc.lineno}: not valid JSON ({exc.msg}).",
                           hint="render the briefing again with `lifealm report`") from exc
    if not isinstance(briefing, dict):
        raise LifealmError(f"{json_path}: expected a JSON object.", hint="render it again with `lifealm report`")
    if not pdf.startswith(b"%PDF"):
        raise LifealmError(f"{pdf_path}: not a PDF file.", hint="render it again with `lifealm report`")
    return briefing, pdf


def compose_message(
    briefing: Mapping[str, Any], pdf: bytes, *, sender: str, recipients: tuple[str, ...],
    lang: str = DEFAULT_LANGUAGE,
) -> EmailMessage:
    """A multipart message: plain text, HTML alternative (no JavaScript), the PDF attached unchanged."""
    try:
        from lifealm.render.email_body import render_email  # on use: Jinja and the render code, not at start-up

        content = render_email(briefing, lang)
    except ValueError as exc:
        raise LifealmError(f"briefing.json cannot be mailed: {exc}.",
                           hint="render the briefing again with `lifealm report`") from exc
    message = EmailMessage()
    message["Subject"] = content.subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(idstring="lifealm", domain=sender.rpartition("@")[2] or "localhost")
    message.set_content(content.text, subtype="plain", charset="utf-8")
    message.add_alternative(content.html, subtype="html", charset="utf-8")
    as_of = str(briefing.get("as_of", "briefing"))
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"lifealm-briefing-{as_of}.pdf")
    return message


def _write_atomically(path: Path, data: bytes) -> None:
    """Owner-only, like the rest of the output: the briefing is private."""
    make_dirs(path.parent)
    write_atomic(path, data, PRIVATE_FILE)


def sent_record_path(out_dir: Path, as_of: str) -> Path:
    return out_dir / STATE_DIR / "sent" / f"{as_of}.json"


def outbox_path(out_dir: Path, as_of: str) -> Path:
    """Where `lifealm email --dry-run` writes the message by default: beside the site, not inside a day."""
    return out_dir / STATE_DIR / "outbox" / f"{as_of}.eml"


def already_sent(out_dir: Path, as_of: str) -> bool:
    """Whether the briefing for `as_of` was delivered before (so a retried scheduler run does not send twice)."""
    return sent_record_path(out_dir, as_of).is_file()


def deliver_briefing(
    day_dir: Path, out_dir: Path, mail: MailSettings, *, dry_run: Path | None = None,
    lang: str = DEFAULT_LANGUAGE,
) -> Delivery:
    """Send the day's briefing (or write it to `dry_run` as .eml). The sent record is written only after the
    server accepted the message, so a failure leaves nothing marked as sent."""
    briefing, pdf = load_briefing(day_dir)
    message = compose_message(briefing, pdf, sender=mail.sender, recipients=mail.recipients, lang=lang)
    delivery = Delivery(str(message["Subject"]), mail.recipients, str(message["Message-ID"]), dry_run)
    if dry_run is not None:
        if dry_run.is_dir():
            raise LifealmError(f"{dry_run}: is a directory; --dry-run takes the path of the .eml file to write.",
                               hint=f"give a file name, such as {dry_run / (day_dir.name + '.eml')}")
        _write_atomically(dry_run, message.as_bytes())
        return delivery
    from lifealm.deliver.smtp import send_message  # on use: smtplib and ssl only when a message goes out

    send_message(message, mail)
    as_of = str(briefing.get("as_of") or day_dir.name)
    record = {
        "as_of": as_of,
        "status": briefing.get("status"),
        "sent_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "message_id": delivery.message_id,
        "recipients": len(mail.recipients),  # a count only: the record may be published with the site
    }
    _write_atomically(sent_record_path(out_dir, as_of),
                      json.dumps(record, indent=2).encode("utf-8"))
    return delivery
