"""OCOP introduction-and-sales centres: the centres, their staff, the stock each
holds per product, the ledger of every movement of that stock, and the sales
rung up at a centre's till.

A centre's stock of a product is one row (``centre_stock``), changed only by a
conditional UPDATE in the same transaction as the ledger row that explains it
(``shop/centres/stock.py``), so the quantity always equals the sum of the
product's movements at that centre and is never negative.
"""

import enum
from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.auth.models import User
from shop.catalog.models import Product
from shop.clock import local_time, utcnow
from shop.dbtypes import str_enum
from shop.extensions import Model
from shop.localities.models import Province, Ward
from shop.producers.models import Producer

MICRO = Decimal(1_000_000)  # coordinates are stored in micro-degrees (about 0.1 m)


class Centre(Model):
    """An OCOP introduction-and-sales centre (điểm giới thiệu và bán sản phẩm OCOP)."""

    __tablename__ = "centres"
    __table_args__ = (
        CheckConstraint(
            "latitude_e6 IS NULL OR latitude_e6 BETWEEN -90000000 AND 90000000",
            name="latitude_range",
        ),
        CheckConstraint(
            "longitude_e6 IS NULL OR longitude_e6 BETWEEN -180000000 AND 180000000",
            name="longitude_range",
        ),
        CheckConstraint("(latitude_e6 IS NULL) = (longitude_e6 IS NULL)", name="coordinates_pair"),
        CheckConstraint("pickup_fee_vnd >= 0", name="pickup_fee_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Who runs it (a provincial trade-promotion centre, a cooperative, a company).
    operator: Mapped[str] = mapped_column(String(200))
    province_code: Mapped[int] = mapped_column(ForeignKey("provinces.code"), index=True)
    ward_code: Mapped[int] = mapped_column(ForeignKey("wards.code"))
    street: Mapped[str] = mapped_column(String(200))
    # As people write them: "Thứ 2 – Chủ nhật, 7:30–21:00; nghỉ Tết".
    opening_hours: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(15))
    email: Mapped[str | None] = mapped_column(String(254))
    # WGS 84, in millionths of a degree: exact integers, no float.
    latitude_e6: Mapped[int | None]
    longitude_e6: Mapped[int | None]
    # What a buyer pays to collect an order here (often nothing).
    pickup_fee_vnd: Mapped[int] = mapped_column(default=0, server_default="0")
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    province: Mapped[Province] = relationship()
    ward: Mapped[Ward] = relationship()
    staff: Mapped[list["CentreStaff"]] = relationship(
        back_populates="centre", order_by="CentreStaff.id"
    )

    @property
    def address_line(self) -> str:
        return f"{self.street}, {self.ward.name}, {self.province.name}"

    @property
    def has_coordinates(self) -> bool:
        return self.latitude_e6 is not None and self.longitude_e6 is not None

    @property
    def latitude(self) -> Decimal | None:
        return None if self.latitude_e6 is None else Decimal(self.latitude_e6) / MICRO

    @property
    def longitude(self) -> Decimal | None:
        return None if self.longitude_e6 is None else Decimal(self.longitude_e6) / MICRO

    @property
    def coordinates_text(self) -> str:
        """ "22.823300,104.983600": what a geo: URI and a map link carry."""
        if not self.has_coordinates:
            return ""
        return f"{self.latitude:.6f},{self.longitude:.6f}"

    @property
    def geo_uri(self) -> str:
        """RFC 5870: a phone opens its own maps application."""
        return f"geo:{self.coordinates_text}" if self.has_coordinates else ""

    @property
    def osm_url(self) -> str:
        """The OpenStreetMap page with a marker on the centre, at street zoom."""
        if not self.has_coordinates:
            return ""
        lat, lon = f"{self.latitude:.6f}", f"{self.longitude:.6f}"
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"


class CentreStaff(Model):
    """A user working at a centre (the centre role). A user works at one centre."""

    __tablename__ = "centre_staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    centre: Mapped[Centre] = relationship(back_populates="staff")
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class CentreStock(Model):
    """How many units of a product a centre holds now; never negative."""

    __tablename__ = "centre_stock"
    __table_args__ = (CheckConstraint("quantity >= 0", name="quantity_not_negative"),)

    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True, index=True)
    quantity: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    centre: Mapped[Centre] = relationship()
    product: Mapped[Product] = relationship()


class MovementKind(enum.StrEnum):
    CONSIGNED = "consigned"  # the producer brought units in
    SOLD = "sold"  # rung up at the till
    PICKED_UP = "picked_up"  # kept for an online order to be collected here
    RELEASED = "released"  # a pick-up order cancelled or expired: back on the shelf
    RETURNED = "returned"  # handed back to the producer
    ADJUSTED = "adjusted"  # a stock count's correction, with its reason

    @property
    def label(self):
        return _MOVEMENT_LABELS[self]

    @property
    def is_adjustment(self) -> bool:
        return self is MovementKind.ADJUSTED


_MOVEMENT_LABELS = {
    MovementKind.CONSIGNED: _l("Ký gửi"),
    MovementKind.SOLD: _l("Bán tại quầy"),
    MovementKind.PICKED_UP: _l("Giữ cho đơn nhận tại điểm bán"),
    MovementKind.RELEASED: _l("Đơn nhận tại điểm bán bị huỷ"),
    MovementKind.RETURNED: _l("Trả lại chủ thể"),
    MovementKind.ADJUSTED: _l("Điều chỉnh kiểm kê"),
}


class StockMovement(Model):
    """One line of a centre's stock ledger: the signed change and the balance after it."""

    __tablename__ = "centre_stock_movements"
    __table_args__ = (
        CheckConstraint("quantity_change <> 0", name="change_not_zero"),
        CheckConstraint("balance_after >= 0", name="balance_not_negative"),
        Index("ix_centre_stock_movements_centre_product", "centre_id", "product_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    kind: Mapped[MovementKind] = mapped_column(str_enum(MovementKind))
    quantity_change: Mapped[int]
    balance_after: Mapped[int]
    # A consignment taken from the online stock, or a return put back into it.
    online_stock: Mapped[bool] = mapped_column(default=False, server_default=false())
    sale_id: Mapped[int | None] = mapped_column(ForeignKey("till_sales.id"), index=True)
    note: Mapped[str] = mapped_column(String(300), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    centre: Mapped[Centre] = relationship()
    product: Mapped[Product] = relationship()
    actor: Mapped[User | None] = relationship()


class TillPayment(enum.StrEnum):
    CASH = "cash"
    VIETQR = "vietqr"

    @property
    def label(self):
        return _TILL_PAYMENT_LABELS[self]

    @property
    def is_vietqr(self) -> bool:
        return self is TillPayment.VIETQR


_TILL_PAYMENT_LABELS = {
    TillPayment.CASH: _l("Tiền mặt"),
    TillPayment.VIETQR: _l("Chuyển khoản VietQR"),
}


class TillSale(Model):
    """A receipt rung up at a centre's till. Not an e-commerce sale: the buyer is
    at the counter, so no Decree 117 withholding applies (settlements)."""

    __tablename__ = "till_sales"
    __table_args__ = (
        CheckConstraint("total_vnd >= 0", name="total_not_negative"),
        Index("ix_till_sales_centre_sold_at", "centre_id", "sold_at"),
        Index("ix_till_sales_sold_at", "sold_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    # Rendered with the till's form: a double submit finds the first sale.
    sale_token: Mapped[str] = mapped_column(String(64), unique=True)
    cashier_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    payment_method: Mapped[TillPayment] = mapped_column(str_enum(TillPayment))
    total_vnd: Mapped[int]
    # The buyer said they are 18 or older (a basket with alcohol, Law 44/2019).
    age_confirmed: Mapped[bool] = mapped_column(default=False, server_default=false())
    sold_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    centre: Mapped[Centre] = relationship()
    cashier: Mapped[User] = relationship()
    lines: Mapped[list["TillSaleLine"]] = relationship(
        back_populates="sale", order_by="TillSaleLine.id", cascade="all, delete-orphan"
    )

    @property
    def number(self) -> str:
        """ "BL2611000042": ASCII, short, fit for a transfer's content."""
        return receipt_number(self.id, self.sold_at)


def receipt_number(sale_id: int, sold_at: datetime) -> str:
    return f"BL{local_time(sold_at):%y%m}{sale_id:06d}"


def receipt_id(number: str) -> int | None:
    number = (number or "").strip().upper()
    if len(number) != 12 or not number.startswith("BL") or not number[2:].isdigit():
        return None
    return int(number[6:])


class TillSaleLine(Model):
    """A receipt line, copied at sale time (the product may change or go)."""

    __tablename__ = "till_sale_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_vnd >= 0", name="unit_price_not_negative"),
        CheckConstraint("line_total_vnd = unit_price_vnd * quantity", name="line_total_adds_up"),
        UniqueConstraint("sale_id", "product_id", name="uq_till_sale_lines_sale_product"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("till_sales.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    product_name: Mapped[str] = mapped_column(String(200))
    gtin: Mapped[str | None] = mapped_column(String(13))
    certificate_code: Mapped[str] = mapped_column(String(16))
    star_rank: Mapped[int]
    product_set_id: Mapped[int] = mapped_column(ForeignKey("product_sets.id"))
    province_code: Mapped[int] = mapped_column(ForeignKey("provinces.code"))
    unit_price_vnd: Mapped[int]
    quantity: Mapped[int]
    line_total_vnd: Mapped[int]

    sale: Mapped[TillSale] = relationship(back_populates="lines")
    producer: Mapped[Producer] = relationship()
