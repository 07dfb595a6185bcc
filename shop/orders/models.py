"""Orders, one shipment per producer, order lines frozen at sale time, and the
log of every state change (who, when, from, to)."""

import enum
from datetime import datetime

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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.auth.models import User
from shop.clock import utcnow
from shop.dbtypes import str_enum
from shop.extensions import Model
from shop.localities.models import Province, Ward
from shop.producers.models import Producer


class PaymentMethod(enum.StrEnum):
    COD = "cod"
    VIETQR = "vietqr"
    CARD = "card"

    @property
    def label(self):
        return _METHOD_LABELS[self]

    @property
    def is_card(self) -> bool:
        return self is PaymentMethod.CARD

    @property
    def is_vietqr(self) -> bool:
        return self is PaymentMethod.VIETQR


class OrderStatus(enum.StrEnum):
    PENDING_PAYMENT = "pending_payment"
    AWAITING_DELIVERY = "awaiting_delivery"  # cash on delivery
    PAID = "paid"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"

    @property
    def label(self):
        return _ORDER_LABELS[self]


class PaymentStatus(enum.StrEnum):
    UNPAID = "unpaid"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"

    @property
    def label(self):
        return _PAYMENT_LABELS[self]


class ShipmentStatus(enum.StrEnum):
    NEW = "new"
    CONFIRMED = "confirmed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"

    @property
    def label(self):
        return _SHIPMENT_LABELS[self]


class ShipmentPayment(enum.StrEnum):
    """Whether the producer has been paid for a shipment, at a glance (a badge)."""

    PAID = "paid"
    UNPAID = "unpaid"
    COD = "cod"  # the carrier collects the money at delivery

    @property
    def label(self):
        return _SHIPMENT_PAYMENT_LABELS[self]


# One label per state, the words the badges and the history show.
_METHOD_LABELS = {
    PaymentMethod.COD: _l("Thanh toán khi nhận hàng (COD)"),
    PaymentMethod.VIETQR: _l("Chuyển khoản VietQR"),
    PaymentMethod.CARD: _l("Thẻ"),
}
_ORDER_LABELS = {
    OrderStatus.PENDING_PAYMENT: _l("Chờ thanh toán"),
    OrderStatus.AWAITING_DELIVERY: _l("Chờ giao (COD)"),
    OrderStatus.PAID: _l("Đã thanh toán"),
    OrderStatus.COMPLETED: _l("Hoàn tất"),
    OrderStatus.CANCELLED: _l("Đã huỷ"),
    OrderStatus.REFUNDED: _l("Đã hoàn tiền"),
}
_PAYMENT_LABELS = {
    PaymentStatus.UNPAID: _l("Chưa thanh toán"),
    PaymentStatus.PARTIALLY_PAID: _l("Thanh toán một phần"),
    PaymentStatus.PAID: _l("Đã thanh toán"),
    PaymentStatus.PARTIALLY_REFUNDED: _l("Đã hoàn một phần"),
    PaymentStatus.REFUNDED: _l("Đã hoàn tiền"),
}
_SHIPMENT_LABELS = {
    ShipmentStatus.NEW: _l("Mới"),
    ShipmentStatus.CONFIRMED: _l("Đã xác nhận"),
    ShipmentStatus.SHIPPED: _l("Đang giao"),
    ShipmentStatus.DELIVERED: _l("Đã giao"),
    ShipmentStatus.CANCELLED: _l("Đã huỷ"),
}
_SHIPMENT_PAYMENT_LABELS = {
    ShipmentPayment.PAID: _l("Đã thanh toán"),
    ShipmentPayment.UNPAID: _l("Chưa thanh toán"),
    ShipmentPayment.COD: _l("Thu tiền khi giao (COD)"),
}
STATE_ENUMS = {
    "order": OrderStatus,
    "payment": PaymentStatus,
    "shipment": ShipmentStatus,
    "method": PaymentMethod,  # the buyer changed how to pay (a declined card)
}


def state_label(subject: str, value: str | None):
    """The badge's words for a state stored as text (the history log); unknown ones as stored."""
    enum_ = STATE_ENUMS.get(subject)
    try:
        return enum_(value).label if enum_ else value
    except ValueError:
        return value


class Order(Model):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("total_vnd = subtotal_vnd + shipping_vnd", name="total_adds_up"),
        CheckConstraint("paid_vnd >= 0 AND refunded_vnd >= 0", name="money_not_negative"),
        CheckConstraint("refunded_vnd <= paid_vnd", name="refund_within_paid"),
        Index("ix_orders_status_expires_at", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "DH2611000123": DH + yymm + a zero-padded sequence; safe in a transfer message.
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    # The hidden token of the checkout form: the same token never makes two orders.
    checkout_token: Mapped[str] = mapped_column(String(64), unique=True)
    # Lets a guest (and only the holder of the link) see their order.
    access_key: Mapped[str] = mapped_column(String(43))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    customer_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(15))
    # None when the buyer gave none (many cash-on-delivery buyers have no e-mail):
    # the order then sends no e-mail to its customer, and its page shows its link.
    email: Mapped[str | None] = mapped_column(String(254))
    province_code: Mapped[int] = mapped_column(ForeignKey("provinces.code"))
    ward_code: Mapped[int] = mapped_column(ForeignKey("wards.code"))
    street: Mapped[str] = mapped_column(String(200))
    # The names as they were on the day of the order, and the locality data version
    # they come from: codes were reused with new meanings after the 2025 reform.
    # NULL on orders placed before these columns existed.
    province_name: Mapped[str | None] = mapped_column(String(100))
    ward_name: Mapped[str | None] = mapped_column(String(100))
    locality_version: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(500), default="")
    # The buyer of alcohol confirmed being 18 or older (Law 44/2019): kept as
    # the record that the question was asked and answered.
    adult_confirmed: Mapped[bool] = mapped_column(default=False, server_default=false())
    payment_method: Mapped[PaymentMethod] = mapped_column(str_enum(PaymentMethod, 24))
    status: Mapped[OrderStatus] = mapped_column(str_enum(OrderStatus, 24), index=True)
    payment_status: Mapped[PaymentStatus] = mapped_column(
        str_enum(PaymentStatus, 24), default=PaymentStatus.UNPAID
    )
    subtotal_vnd: Mapped[int]
    shipping_vnd: Mapped[int]
    total_vnd: Mapped[int]
    paid_vnd: Mapped[int] = mapped_column(default=0)
    refunded_vnd: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Unpaid transfer and card orders are cancelled after this and their stock returns.
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User | None] = relationship()
    province: Mapped[Province] = relationship()
    ward: Mapped[Ward] = relationship()
    shipments: Mapped[list["Shipment"]] = relationship(
        back_populates="order", order_by="Shipment.id", cascade="all, delete-orphan"
    )
    lines: Mapped[list["OrderLine"]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )

    @property
    def address_line(self) -> str:
        ward = self.ward_name or self.ward.name
        province = self.province_name or self.province.name
        return f"{self.street}, {ward}, {province}"

    @property
    def awaiting_payment(self) -> bool:
        """Not paid yet: the page offers the ways to pay, nothing ships."""
        return self.status is OrderStatus.PENDING_PAYMENT

    @property
    def balance_due_vnd(self) -> int:
        """What the customer still owes (0 when paid; never negative)."""
        return max(self.total_vnd - self.paid_vnd, 0)

    @property
    def overpaid_vnd(self) -> int:
        """Paid beyond the order total (an excess transfer): nobody's sale."""
        return max(self.paid_vnd - self.refunded_vnd - self.total_vnd, 0)

    @property
    def kept_total_vnd(self) -> int:
        """What the marketplace keeps: the shipments not cancelled."""
        if self.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
            return 0
        return sum(s.total_vnd for s in self.shipments if s.status != ShipmentStatus.CANCELLED)

    @property
    def refund_due_vnd(self) -> int:
        """Money held for nothing: an excess, a cancelled shipment or order."""
        return max(self.paid_vnd - self.refunded_vnd - self.kept_total_vnd, 0)


class Shipment(Model):
    """The part of an order one producer fulfils."""

    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("order_id", "producer_id", name="uq_shipments_order_producer"),
        Index("ix_shipments_producer_status", "producer_id", "status"),
        Index("ix_shipments_paid_at", "paid_at"),
        Index("ix_shipments_pickup_centre_collected", "pickup_centre_id", "collected_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"))
    status: Mapped[ShipmentStatus] = mapped_column(
        str_enum(ShipmentStatus, 24), default=ShipmentStatus.NEW
    )
    subtotal_vnd: Mapped[int]
    shipping_vnd: Mapped[int]
    refunded_vnd: Mapped[int] = mapped_column(default=0)
    carrier: Mapped[str | None] = mapped_column(String(80))
    tracking_number: Mapped[str | None] = mapped_column(String(60))
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the marketplace has the money for this shipment: at payment for transfer
    # and card orders, at delivery for cash on delivery. Sales reports and
    # settlements count paid shipments.
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Collected at an OCOP sales centre instead of delivered home: the centre (its
    # stock was taken for it), the code the buyer shows there, and when they did.
    # A foreign key by name only: orders sits below centres and never imports it.
    pickup_centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"))
    pickup_code: Mapped[str | None] = mapped_column(String(8), unique=True)
    collected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    order: Mapped[Order] = relationship(back_populates="shipments")
    producer: Mapped[Producer] = relationship()
    lines: Mapped[list["OrderLine"]] = relationship(
        back_populates="shipment", order_by="OrderLine.id", viewonly=True
    )

    @property
    def total_vnd(self) -> int:
        return self.subtotal_vnd + self.shipping_vnd

    @property
    def is_pickup(self) -> bool:
        """Collected by the buyer at a sales centre, not sent by a carrier."""
        return self.pickup_centre_id is not None

    @property
    def is_cancelled(self) -> bool:
        return self.status == ShipmentStatus.CANCELLED

    @property
    def payment(self) -> ShipmentPayment:
        """Paid once the marketplace has the money (``paid_at``); until then a cash
        on delivery shipment is money to collect, any other is unpaid."""
        if self.paid_at is not None:
            return ShipmentPayment.PAID
        if self.order.payment_method == PaymentMethod.COD:
            return ShipmentPayment.COD
        return ShipmentPayment.UNPAID

    @property
    def collect_on_delivery_vnd(self) -> int:
        """What the carrier collects from the buyer: the shipment's total for an
        unpaid cash on delivery shipment, else nothing."""
        return self.total_vnd if self.payment is ShipmentPayment.COD else 0


class OrderLine(Model):
    """What was sold, copied at sale time: later edits of the product change nothing."""

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("line_total_vnd = unit_price_vnd * quantity", name="line_adds_up"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"))
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    product_name: Mapped[str] = mapped_column(String(200))
    pack: Mapped[str] = mapped_column(String(120), default="")
    star_rank: Mapped[int]
    product_set_id: Mapped[int] = mapped_column(ForeignKey("product_sets.id"))
    province_code: Mapped[int] = mapped_column(ForeignKey("provinces.code"))
    unit_price_vnd: Mapped[int]
    quantity: Mapped[int]
    line_total_vnd: Mapped[int]

    order: Mapped[Order] = relationship(back_populates="lines")
    shipment: Mapped[Shipment] = relationship(back_populates="lines")


class StateChange(Model):
    """One row per transition of an order, a shipment or a payment."""

    __tablename__ = "state_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id"))
    subject: Mapped[str] = mapped_column(String(20))  # order | shipment | payment | method
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(40), default="")  # system, stripe, …
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    actor: Mapped[User | None] = relationship()

    @property
    def from_label(self):
        return state_label(self.subject, self.from_state)

    @property
    def to_label(self):
        return state_label(self.subject, self.to_state)

    @property
    def subject_label(self):
        """What changed, in the history's words: payment, how to pay, delivery, order."""
        return _SUBJECT_LABELS.get(self.subject, _SUBJECT_LABELS["order"])

    @property
    def is_shipment(self) -> bool:
        return self.subject == "shipment"


_SUBJECT_LABELS = {
    "order": _l("Đơn hàng"),
    "payment": _l("Thanh toán"),
    "method": _l("Cách thanh toán"),
    "shipment": _l("Giao hàng"),
}


class SavedAddress(Model):
    __tablename__ = "saved_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    customer_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(15))
    province_code: Mapped[int] = mapped_column(ForeignKey("provinces.code"))
    ward_code: Mapped[int] = mapped_column(ForeignKey("wards.code"))
    street: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    province: Mapped[Province] = relationship()
    ward: Mapped[Ward] = relationship()

    @property
    def address_line(self) -> str:
        return f"{self.street}, {self.ward.name}, {self.province.name}"
