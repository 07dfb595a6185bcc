from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.auth.models import User
from shop.certification.models import Certificate
from shop.clock import utcnow
from shop.extensions import Model
from shop.localities.models import Province


class LabelPrint(Model):
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


class LabelArtwork(Model):
    """The official "Sản phẩm OCOP Việt Nam" mark, uploaded by staff, nationally
    (province_code NULL) or for one province. Stored rasterised as PNG: an uploaded
    SVG is drawn by svglib (which ignores scripts) and rasterised at upload."""

    __tablename__ = "label_artworks"

    id: Mapped[int] = mapped_column(primary_key=True)
    province_code: Mapped[int | None] = mapped_column(ForeignKey("provinces.code"))
    path: Mapped[str] = mapped_column(String(200))
    original_name: Mapped[str] = mapped_column(String(200), default="")
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    active: Mapped[bool] = mapped_column(default=True)

    uploaded_by: Mapped[User] = relationship()
    province: Mapped[Province | None] = relationship()
