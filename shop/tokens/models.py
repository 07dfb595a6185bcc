"""A producer's API tokens, and the answers kept under the Idempotency-Key of
each write (per token, 24 hours)."""

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, ForeignKey, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.auth.models import User
from shop.clock import utcnow
from shop.extensions import Model
from shop.producers.models import Producer
from shop.tokens.rules import Scope, aware, is_expired, parse_scopes


class TokenState(enum.StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"

    @property
    def label(self):
        return _TOKEN_STATE_LABELS[self]


_TOKEN_STATE_LABELS = {
    TokenState.ACTIVE: _l("Đang dùng"),
    TokenState.EXPIRED: _l("Đã hết hạn"),
    TokenState.REVOKED: _l("Đã thu hồi"),
}


class ApiToken(Model):
    """A personal access token: the secret is shown once, at creation; the row
    keeps its SHA-256 (shop/tokens/rules.py says why that hash)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(20))  # "ocop_pat_Ab3xY9": tells tokens apart
    scopes_text: Mapped[str] = mapped_column(String(200))  # "orders:read stock:write"
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    producer: Mapped[Producer] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    @property
    def scopes(self) -> frozenset[Scope]:
        return parse_scopes(self.scopes_text)

    @property
    def scope_list(self) -> list[Scope]:
        return sorted(self.scopes)

    def state(self, now: datetime) -> TokenState:
        if self.revoked_at is not None:
            return TokenState.REVOKED
        if is_expired(self.expires_at, now):
            return TokenState.EXPIRED
        return TokenState.ACTIVE

    def is_active(self, now: datetime) -> bool:
        return self.state(now) is TokenState.ACTIVE

    @property
    def expires_at_utc(self) -> datetime | None:
        return aware(self.expires_at) if self.expires_at is not None else None


class IdempotencyKey(Model):
    """A write's answer under its client's key: the same key and the same request
    replay it; the unique constraint makes a concurrent duplicate wait for the
    first and then replay (or find nothing and run, if the first rolled back)."""

    __tablename__ = "api_idempotency_keys"
    __table_args__ = (
        UniqueConstraint("token_id", "key", name="uq_api_idempotency_keys_token_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id"))
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the method, the path and the body: what "the same request" means.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(SmallInteger)
    content_type: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
