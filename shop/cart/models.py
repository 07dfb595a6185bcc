"""The signed-in customer's cart. A guest's cart lives in the session."""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shop.clock import utcnow
from shop.extensions import Model


class CartLine(Model):
    __tablename__ = "cart_lines"
    __table_args__ = (
        UniqueConstraint("user_id", "product_id", name="uq_cart_lines_user_product"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int]
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
