"""Pure rules of the API tokens: their scopes, their shape, their hash, their life."""

import enum
import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l

# What the producer copies; GitHub-style, so secret scanners and people can tell
# one on sight (and a leaked one in a log is recognisable to revoke).
PREFIX = "ocop_pat_"
# 32 random bytes: 256 bits, 43 URL-safe characters.
SECRET_BYTES = 32
# The part of a token the list shows to tell tokens apart (36 of its 256 bits).
HINT_LENGTH = len(PREFIX) + 6
MAX_NAME = 80
# Days a new token lives, offered on the form; None never expires.
LIFETIMES = (30, 90, 365, None)
DEFAULT_LIFETIME = 90
# last_used_at is written at most this often: the 50 calls of a sync in one
# minute are one UPDATE of the token's row, not 50 waits for its lock.
TOUCH_EVERY = timedelta(minutes=1)


class Scope(enum.StrEnum):
    ORDERS_READ = "orders:read"
    STOCK_WRITE = "stock:write"  # stock and price of the producer's products
    SHIPMENTS_WRITE = "shipments:write"

    @property
    def label(self):
        return _SCOPE_LABELS[self]


_SCOPE_LABELS = {
    Scope.ORDERS_READ: _l("Đọc đơn hàng (orders:read)"),
    Scope.STOCK_WRITE: _l("Xem sản phẩm, sửa tồn kho và giá (stock:write)"),
    Scope.SHIPMENTS_WRITE: _l("Xử lý giao hàng (shipments:write)"),
}


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(SECRET_BYTES)


def hash_token(token: str) -> str:
    """SHA-256, not a password hash: a token is 256 random bits, so there is no
    dictionary to try and nothing for a slow hash to protect, and a fast hash lets
    every API call look its token up by an index (as GitHub does)."""
    return hashlib.sha256(token.encode()).hexdigest()


def hint_of(token: str) -> str:
    return token[:HINT_LENGTH]


_SHAPE = re.compile(rf"^{PREFIX}[A-Za-z0-9_-]{{43}}$")


def well_formed(token: str) -> bool:
    return bool(_SHAPE.match(token))


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (the scheme in any
    case, RFC 9110), None when there is none."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


def parse_scopes(text: str) -> frozenset[Scope]:
    """Scopes stored space-separated (as OAuth writes them); unknown words ignored."""
    known = {s.value: s for s in Scope}
    return frozenset(known[word] for word in text.split() if word in known)


def join_scopes(scopes) -> str:
    return " ".join(sorted(Scope(s).value for s in scopes))


def expiry_for(created_at: datetime, days: int | None) -> datetime | None:
    return created_at + timedelta(days=days) if days else None


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything is stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def is_expired(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is not None and now >= aware(expires_at)


# -- Idempotency keys ---------------------------------------------------------------------

KEY_KEPT_FOR = timedelta(hours=24)
MAX_KEY_LENGTH = 255
# Visible ASCII: a UUID, a ULID, "sync-2026-12-01-0001"; nothing a log would mangle.
KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"
_KEY = re.compile(KEY_PATTERN)


def valid_key(key: str | None) -> bool:
    return bool(key) and bool(_KEY.match(key or ""))


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What "the same request" means for a key: method, path and body, byte for byte."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()
