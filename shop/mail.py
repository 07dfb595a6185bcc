"""Outgoing mail. ``send_mail`` writes the e-mail into the outbox of the caller's
transaction (shop/jobs/services.py); ``deliver_mail`` sends it after the commit,
through one of the backends: console, file, smtp, memory (tests)."""

import hashlib
import smtplib
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

from flask import current_app

from shop.jobs.services import PermanentFailure, enqueue

KIND = "mail"


def send_mail(
    to: str, subject: str, body: str, *, key: str, headers: dict[str, str] | None = None
) -> int | None:
    """Queue an e-mail in the caller's transaction; it goes out after the commit.

    ``key`` names the event ("order-placed:42"): with the recipient it makes the
    outbox key, so each recipient gets each message once, however often this is
    called, and the Message-ID derives from it, so a redelivery is recognisable.
    ``headers``: extra header fields (List-Unsubscribe). Returns the outbox row's
    id, or None when this e-mail is queued already."""
    dedupe_key = f"{KIND}:{key}:{to.strip().lower()}"
    if len(dedupe_key) > 255:
        dedupe_key = f"{KIND}:sha256:{hashlib.sha256(dedupe_key.encode()).hexdigest()}"
    payload: dict[str, object] = {
        "to": to,
        "subject": subject,
        "body": body,
        "message_id": _message_id(dedupe_key),
    }
    if headers:
        payload["headers"] = dict(headers)
    return enqueue(KIND, payload, dedupe_key)


def _message_id(dedupe_key: str) -> str:
    domain = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1].rpartition("@")[2]
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:40]
    return f"<{digest}@{domain or 'ocop.local'}>"


def deliver_mail(payload: dict) -> None:
    """The outbox handler of "mail": build the message and hand it to the backend.
    Raises on failure (the outbox retries); a recipient refused for good is a
    PermanentFailure."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = payload["to"]
    message["Subject"] = payload["subject"]
    message["Message-ID"] = payload["message_id"]
    for name, value in payload.get("headers", {}).items():
        message[name] = value
    message.set_content(payload["body"])

    backend = config["MAIL_BACKEND"]
    if backend == "memory":
        current_app.extensions.setdefault("mail_outbox", []).append(message)
    elif backend == "file":
        folder = Path(config["MAIL_FILE_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        # Named by the Message-ID: a redelivery rewrites the same file.
        name = payload["message_id"].strip("<>").partition("@")[0]
        (folder / f"{name}.eml").write_bytes(message.as_bytes())
    elif backend == "smtp":
        _send_smtp(message)
    else:  # console: printed once, to the terminal running the shop or the worker
        print(
            f"--- e-mail to {payload['to']}: {payload['subject']}\n{payload['body']}\n---",
            flush=True,
        )


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    with smtplib.SMTP(
        config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]
    ) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        try:
            smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            if codes and all(code >= 500 for code in codes):  # 5xx: refused for good
                raise PermanentFailure(f"recipient refused: {exc.recipients}") from exc
            raise


def outbox() -> list[EmailMessage]:
    """The e-mails the memory backend has delivered (tests)."""
    return current_app.extensions.get("mail_outbox", [])
