import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.auth.models import User
from shop.catalog.alcohol import MAX_ABV_TENTHS, advertising_banned, format_abv, is_alcohol
from shop.clock import utcnow
from shop.dbtypes import str_enum
from shop.extensions import Model
from shop.money import MAX_PRICE_VND, MIN_PRICE_VND
from shop.producers.models import Producer

MAX_PHOTOS = 8


class Industry(Model):
    __tablename__ = "industries"
    __table_args__ = (UniqueConstraint("legal_version", "code", name="uq_industries_version_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_version: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(10))
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    # Groups V (ornamental) and VI (tourism) are enquiries or bookings, not parcels.
    ships_as_parcel: Mapped[bool] = mapped_column(default=True)

    def name(self, language: str = "vi") -> str:
        return self.name_en if language == "en" else self.name_vi


class ProductSet(Model):
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
    # White spirits and other alcoholic drinks: their products declare an ABV
    # (shop/catalog/alcohol.py); the migration sets it for the 2023 sets.
    alcoholic: Mapped[bool] = mapped_column(default=False, server_default=false())

    industry: Mapped[Industry] = relationship(lazy="joined")

    def name(self, language: str = "vi") -> str:
        return self.name_en if language == "en" else self.name_vi


class ProductStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"

    @property
    def label(self):
        return _PRODUCT_LABELS[self]

    @property
    def is_archived(self) -> bool:
        return self is ProductStatus.ARCHIVED

    @property
    def tone(self) -> str:
        """The badge colour: on sale or not."""
        return "active" if self is ProductStatus.PUBLISHED else "pending"

    @property
    def is_published(self) -> bool:
        return self is ProductStatus.PUBLISHED

    @property
    def actions(self) -> tuple[str, ...]:
        """What the producer's product page offers, in its order: publish what is
        not on sale, unpublish what is, archive what is not archived yet."""
        offered = {
            "publish": self is not ProductStatus.PUBLISHED,
            "unpublish": self is ProductStatus.PUBLISHED,
            "archive": self is not ProductStatus.ARCHIVED,
        }
        return tuple(action for action, ok in offered.items() if ok)


_PRODUCT_LABELS = {
    ProductStatus.DRAFT: _l("Bản nháp"),
    ProductStatus.PUBLISHED: _l("Đang đăng bán"),
    ProductStatus.ARCHIVED: _l("Đã lưu trữ"),
}


class Product(Model):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint(
            f"price_vnd BETWEEN {MIN_PRICE_VND} AND {MAX_PRICE_VND}", name="price_range"
        ),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint(f"abv_tenths BETWEEN 0 AND {MAX_ABV_TENTHS}", name="abv_range"),
        CheckConstraint("shipping_grams BETWEEN 1 AND 1000000", name="shipping_grams_range"),
        Index("ix_products_status_published_at", "status", "published_at"),
        Index("ix_products_price_vnd", "price_vnd"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    product_set_id: Mapped[int] = mapped_column(ForeignKey("product_sets.id"), index=True)
    # Sanitised HTML (nh3): the only HTML we ever render from a producer. Since the
    # editor it is rendered from ``description_md`` when the product is saved.
    description: Mapped[str] = mapped_column(Text, default="")
    # The producer's Markdown; NULL for descriptions saved as HTML before the editor
    # (the form converts them to Markdown when they are next edited).
    description_md: Mapped[str | None] = mapped_column(Text)
    price_vnd: Mapped[int] = mapped_column(default=MIN_PRICE_VND)
    stock: Mapped[int] = mapped_column(default=0)
    unit: Mapped[str] = mapped_column(String(40), default="")  # "Hộp", "Chai", "Gói"
    net_quantity: Mapped[str] = mapped_column(String(60), default="")  # "200 g", "500 ml"
    gtin: Mapped[str | None] = mapped_column(String(13))
    # Alcohol by volume in tenths of a percent (295 = 29,5 %), None for no alcohol.
    abv_tenths: Mapped[int | None] = mapped_column(SmallInteger)
    # The packed weight of one unit in grams, for shipping by weight.
    shipping_grams: Mapped[int | None]
    status: Mapped[ProductStatus] = mapped_column(
        str_enum(ProductStatus),
        default=ProductStatus.DRAFT,
    )
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Search: the folded text (no diacritics, đ → d) is what the full-text index
    # covers; the exact lower-case text ranks exact-accent matches first.
    search_folded: Mapped[str] = mapped_column(Text, default="")
    search_exact: Mapped[str] = mapped_column(Text, default="")
    name_folded: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    producer: Mapped[Producer] = relationship()
    product_set: Mapped[ProductSet] = relationship()
    photos: Mapped[list["ProductPhoto"]] = relationship(
        back_populates="product",
        order_by="ProductPhoto.position, ProductPhoto.id",
        cascade="all, delete-orphan",
    )

    @property
    def ships_as_parcel(self) -> bool:
        return self.product_set.industry.ships_as_parcel

    @property
    def is_alcohol(self) -> bool:
        return is_alcohol(self.abv_tenths)

    @property
    def advertising_banned(self) -> bool:
        """Spirits of 15 % or more: listed and sold, never advertised."""
        return advertising_banned(self.abv_tenths)

    @property
    def abv_display(self) -> str | None:
        return format_abv(self.abv_tenths) if self.abv_tenths is not None else None

    @property
    def in_stock(self) -> bool:
        return self.stock > 0

    @property
    def pack(self) -> str:
        """ "Hộp 200 g": the unit and net quantity as a label shows them."""
        return " ".join(p for p in (self.unit, self.net_quantity) if p)


class ProductPhoto(Model):
    __tablename__ = "product_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    path: Mapped[str] = mapped_column(String(200))
    thumb_path: Mapped[str] = mapped_column(String(200))
    width: Mapped[int]
    height: Mapped[int]
    alt: Mapped[str] = mapped_column(String(200), default="")

    product: Mapped[Product] = relationship(back_populates="photos")


class GtinOwner(Model):
    """One GTIN belongs to one brand owner: the first producer to list it.

    The primary key on ``gtin`` is the guard against two producers claiming the
    same number at once: the second insert fails, whatever the forms checked.
    """

    __tablename__ = "gtin_owners"

    gtin: Mapped[str] = mapped_column(String(13), primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    producer: Mapped[Producer] = relationship()


class GtinGrant(Model):
    """Staff let a second producer carry a GTIN it does not own (a distributor
    of the owner's goods, a cooperative's member household), with a reason."""

    __tablename__ = "gtin_grants"
    __table_args__ = (UniqueConstraint("gtin", "producer_id", name="uq_gtin_grants_gtin_producer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    gtin: Mapped[str] = mapped_column(String(13), index=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"))
    reason: Mapped[str] = mapped_column(String(500))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    producer: Mapped[Producer] = relationship()
    granted_by: Mapped[User | None] = relationship()
