"""Reviews by verified buyers: one per order line, with the producer's one public
reply and the staff's moderation (hidden with a reason, audited)."""

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.auth.models import User
from shop.clock import utcnow
from shop.dbtypes import str_enum
from shop.extensions import Model
from shop.orders.models import OrderLine

MIN_RATING, MAX_RATING = 1, 5
BODY_MAX = 2000  # characters: a few paragraphs, as the big marketplaces allow
REPLY_MAX = 2000
REASON_MAX = 500


class ReviewStatus(enum.StrEnum):
    VISIBLE = "visible"
    HIDDEN = "hidden"

    @property
    def label(self):
        return _REVIEW_LABELS[self]

    @property
    def tone(self) -> str:
        """The badge colour."""
        return "active" if self is ReviewStatus.VISIBLE else "expired"


_REVIEW_LABELS = {
    ReviewStatus.VISIBLE: _l("Đang hiển thị"),
    ReviewStatus.HIDDEN: _l("Đã ẩn"),
}


class Review(Model):
    """A buyer's rating and words about one order line.

    The line is the proof of purchase (unique: one review a line). The product and
    producer are copied from it: the product link may become NULL (order lines are
    history, products are archived or deleted), the producer decides who may reply.
    """

    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint(f"rating BETWEEN {MIN_RATING} AND {MAX_RATING}", name="rating_range"),
        CheckConstraint(
            "status = 'visible' OR hidden_reason IS NOT NULL", name="hidden_has_reason"
        ),
        # The product page and the rating summaries read visible reviews by product.
        Index("ix_reviews_product_status", "product_id", "status", "created_at"),
        Index("ix_reviews_producer_created", "producer_id", "created_at"),
        Index("ix_reviews_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), unique=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"))
    # The buyer's account; NULL for a guest who reviewed through the order's link.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # What the public sees ("Bình T."), made from the order's name when written.
    author_name: Mapped[str] = mapped_column(String(60))
    rating: Mapped[int] = mapped_column(SmallInteger)
    body: Mapped[str] = mapped_column(String(BODY_MAX), default="")
    photo_path: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[ReviewStatus] = mapped_column(
        str_enum(ReviewStatus), default=ReviewStatus.VISIBLE
    )
    hidden_reason: Mapped[str | None] = mapped_column(String(REASON_MAX))
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The producer's one public reply.
    reply_body: Mapped[str | None] = mapped_column(String(REPLY_MAX))
    reply_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    order_line: Mapped[OrderLine] = relationship()
    hidden_by: Mapped[User | None] = relationship(foreign_keys=[hidden_by_id])

    @property
    def is_visible(self) -> bool:
        return self.status is ReviewStatus.VISIBLE

    @property
    def photo_thumb_path(self) -> str | None:
        from shop.uploads import thumbnail_key

        return thumbnail_key(self.photo_path) if self.photo_path else None
