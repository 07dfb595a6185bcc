"""The signature of a webhook, in the scheme Stripe uses.

``OCOP-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`` where the HMAC is of
``"<t>.<body>"`` (the exact bytes sent) keyed with the endpoint's secret. The
timestamp inside the signed text lets a receiver refuse a replayed request
(more than five minutes old); the event id lets it ignore a repeat. While a
rotated secret is still honoured the header carries one ``v1`` per secret,
newest first, and a receiver accepts a request that any of them signs.
"""

import hashlib
import hmac
import secrets
from collections.abc import Iterable

SIGNATURE_HEADER = "OCOP-Signature"
EVENT_ID_HEADER = "OCOP-Event-Id"
EVENT_TYPE_HEADER = "OCOP-Event-Type"
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, as Stripe's, not a secret
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    """256 random bits, shown to the producer once."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secrets_: Iterable[str], timestamp: int, body: bytes) -> str:
    parts = [f"t={timestamp}"]
    parts += [f"v1={signature(secret, timestamp, body)}" for secret in secrets_]
    return ",".join(parts)


def verify(header: str, body: bytes, secret: str, now: int, tolerance: int = TOLERANCE_SECONDS):
    """What a receiver does (README): True when a ``v1`` of ``header`` signs
    ``body`` with ``secret`` and its timestamp is within ``tolerance`` of ``now``."""
    items = [part.split("=", 1) for part in header.split(",") if "=" in part]
    stamps = [value for key, value in items if key == "t"]
    if len(stamps) != 1 or not stamps[0].isdigit():
        return False
    timestamp = int(stamps[0])
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, value) for key, value in items if key == "v1")
