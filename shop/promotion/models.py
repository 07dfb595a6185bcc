from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shop.clock import utcnow
from shop.extensions import db


class ExpiryNotice(db.Model):
    """The producer was told that a certificate is about to expire. The unique key
    makes the notice once-only, even when the daily command runs twice at once."""

    __tablename__ = "expiry_notices"
    __table_args__ = (
        UniqueConstraint("certificate_id", "threshold_days", name="uq_expiry_notices_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"))
    threshold_days: Mapped[int]
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
