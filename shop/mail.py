"""Outgoing mail behind one function. Backends: console, file, smtp, memory (tests)."""

import logging
import smtplib
import uuid
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)


def send_mail(to: str, subject: str, body: str) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4()}@ocop.local>"
    message.set_content(body)

    backend = config["MAIL_BACKEND"]
    if backend == "memory":
        current_app.extensions.setdefault("mail_outbox", []).append(message)
    elif backend == "file":
        folder = Path(config["MAIL_FILE_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{uuid.uuid4().hex}.eml").write_bytes(message.as_bytes())
    elif backend == "smtp":
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
    else:  # console
        log.warning("E-mail to %s: %s\n%s", to, subject, body)
        print(f"--- e-mail to {to}: {subject}\n{body}\n---", flush=True)
    return message


def outbox() -> list[EmailMessage]:
    return current_app.extensions.get("mail_outbox", [])
