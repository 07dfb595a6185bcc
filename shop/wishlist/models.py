from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.catalog.models import Product
from shop.clock import utcnow
from shop.extensions import Model


class WishlistItem(Model):
    """A product a signed-in buyer saved for later ("Lưu")."""

    __tablename__ = "wishlist_items"
    __table_args__ = (
        UniqueConstraint("user_id", "product_id", name="uq_wishlist_items_user_product"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    product: Mapped[Product] = relationship()


class StockAlert(Model):
    """ "Tell me when it is back in stock": one e-mail, then the alert is done.

    The address is personal data: a signed-in subscriber's alert also names the
    account, so the export and the account's deletion find it after an e-mail change.
    The token only unsubscribes, so it is kept as it is (the notification, written
    later by the periodic job, has to carry it)."""

    __tablename__ = "stock_alerts"
    __table_args__ = (
        # One pending alert per address and product; notified ones stay as history
        # and the address may subscribe again.
        Index(
            "uq_stock_alerts_pending",
            "email",
            "product_id",
            unique=True,
            sqlite_where=text("notified_at IS NULL"),
            postgresql_where=text("notified_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))  # normalize_email: lower-cased
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    product: Mapped[Product] = relationship()
