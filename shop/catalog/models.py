import enum
from datetime import datetime

from sqlalchemy import DateTime, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.clock import utcnow
from shop.extensions import db
from shop.producers.models import Producer


class Industry(db.Model):
    __tablename__ = "industries"
    __table_args__ = (UniqueConstraint("legal_version", "code", name="uq_industries_version_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_version: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(10))
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    # Groups V (ornamental) and VI (tourism) are enquiries or bookings, not parcels.
    ships_as_parcel: Mapped[bool] = mapped_column(default=True)


class ProductSet(db.Model):
    __tablename__ = "product_sets"
    __table_args__ = (
        UniqueConstraint("legal_version", "code", name="uq_product_sets_version_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_version: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(10))
    industry_id: Mapped[int] = mapped_column(ForeignKey("industries.id"))
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))

    industry: Mapped[Industry] = relationship()

    def name(self, language: str = "vi") -> str:
        return self.name_en if language == "en" else self.name_vi


class ProductStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Product(db.Model):
    """A producer's product. The catalogue issue turns this into a full listing."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    product_set_id: Mapped[int] = mapped_column(ForeignKey("product_sets.id"))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ProductStatus] = mapped_column(
        Enum(
            ProductStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=ProductStatus.DRAFT,
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    producer: Mapped[Producer] = relationship()
    product_set: Mapped[ProductSet] = relationship()
