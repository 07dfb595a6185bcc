"""Money received and returned, and the Stripe events already handled."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.auth.models import User
from shop.clock import utcnow
from shop.dbtypes import str_enum
from shop.extensions import Model
from shop.orders.models import Order


class CardPayment(Model):
    """The one Stripe PaymentIntent of a card order."""

    __tablename__ = "card_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    amount_vnd: Mapped[int]
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    client_secret: Mapped[str | None] = mapped_column(String(255))
    # The PaymentIntent status as last seen (webhook, return page or reconcile).
    stripe_status: Mapped[str] = mapped_column(String(40), default="not_created")
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    order: Mapped[Order] = relationship()

    @property
    def is_canceled(self) -> bool:
        """Stripe's word for a PaymentIntent stopped (a switch of method, an expiry)."""
        return self.stripe_status == "canceled"

    @property
    def is_settling(self) -> bool:
        """Paid, or being paid: no other method may replace it now."""
        return self.stripe_status in ("succeeded", "processing")


class MoneyActionKind(enum.StrEnum):
    TRANSFER = "transfer"
    REFUND = "refund"
    CANCEL = "cancel"


class MoneyAction(Model):
    """One press of a money button (record a transfer, refund, cancel).

    The form carries a random token; its row is written in the same transaction
    as the action's effect, under a unique key. A resubmission, a double click or
    ten parallel posts meet that key: one of them does the work, the others find
    it done. A card refund's Stripe idempotency key is derived from the token."""

    __tablename__ = "money_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[MoneyActionKind] = mapped_column(str_enum(MoneyActionKind, 20))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TransferReceipt(Model):
    """A bank transfer staff saw arrive (VietQR gives no callback).

    The shop has one collection account, so a bank reference names one transfer
    across all orders: it can be recorded once."""

    __tablename__ = "transfer_receipts"
    __table_args__ = (
        CheckConstraint("amount_vnd > 0", name="amount_positive"),
        Index(
            "uq_transfer_receipts_bank_reference",
            "bank_reference",
            unique=True,
            sqlite_where=text("bank_reference <> ''"),
            postgresql_where=text("bank_reference <> ''"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("money_actions.id"))
    amount_vnd: Mapped[int]
    bank_reference: Mapped[str] = mapped_column(String(80), default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    recorded_by: Mapped[User] = relationship()


class RefundStatus(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Refund(Model):
    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount_vnd > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id"), index=True)
    amount_vnd: Mapped[int]
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[RefundStatus] = mapped_column(
        str_enum(RefundStatus, 24), default=RefundStatus.PENDING
    )
    # One Stripe refund may be split into a row per shipment (producer).
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255), index=True)
    # The money action that asked for it, and for a card refund the Stripe
    # idempotency key derived from that action (shared by the rows of one refund).
    action_id: Mapped[int | None] = mapped_column(ForeignKey("money_actions.id"), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(120), index=True)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    created_by: Mapped[User | None] = relationship()


class StripeEvent(Model):
    """Every Stripe event id handled once: the unique key makes a replay a no-op."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(80))
    object_id: Mapped[str | None] = mapped_column(String(255))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
