from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.auth.models import User
from shop.certification.models import Certificate
from shop.clock import utcnow
from shop.extensions import db


class LabelPrint(db.Model):
    """One generation of labels: who, when, which certificate, how many."""

    __tablename__ = "label_prints"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    format: Mapped[str] = mapped_column(String(10))  # svg, png, pdf, sheet
    layout: Mapped[str | None] = mapped_column(String(10))
    quantity: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    certificate: Mapped[Certificate] = relationship()
    user: Mapped[User] = relationship()
