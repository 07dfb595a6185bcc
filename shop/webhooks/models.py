"""A producer's webhook endpoints and each delivery of an event to one of them."""

import enum
import json
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.clock import utcnow
from shop.dbtypes import str_enum
from shop.extensions import Model


class EventType(enum.StrEnum):
    """What an endpoint can subscribe to; the value is the event's ``type``."""

    ORDER_CREATED = "order.created"  # a new order holds this producer's products
    ORDER_CANCELLED = "order.cancelled"  # this producer's part of an order was cancelled

    @property
    def label(self):
        return _EVENT_LABELS[self]


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its first attempt, or for a retry
    SUCCEEDED = "succeeded"  # the endpoint answered 2xx
    FAILED = "failed"  # given up: WEBHOOK_MAX_ATTEMPTS spent, or refused for good

    @property
    def label(self):
        return _STATUS_LABELS[self]

    @property
    def tone(self) -> str:
        """The badge's colour, as the order badges have them (shop.css ``.state-*``)."""
        return {"pending": "new", "succeeded": "delivered", "failed": "cancelled"}[self.value]

    @property
    def is_pending(self) -> bool:
        return self is DeliveryStatus.PENDING

    @property
    def is_succeeded(self) -> bool:
        return self is DeliveryStatus.SUCCEEDED

    @property
    def is_failed(self) -> bool:
        return self is DeliveryStatus.FAILED


class DeliveryError(enum.StrEnum):
    """Why the last attempt did not succeed."""

    HTTP_STATUS = "http_status"  # an answer, not 2xx (a redirect too: never followed)
    TIMEOUT = "timeout"
    CONNECTION = "connection"  # refused, reset, closed
    TLS = "tls"  # the certificate does not verify
    DNS = "dns"  # the name does not resolve
    BLOCKED = "blocked"  # the name resolves to a private or reserved address
    DISABLED = "disabled"  # the endpoint was switched off before the attempt

    @property
    def label(self):
        return _ERROR_LABELS[self]


_EVENT_LABELS = {
    EventType.ORDER_CREATED: _l("Đơn hàng mới"),
    EventType.ORDER_CANCELLED: _l("Đơn hàng bị huỷ"),
}
_STATUS_LABELS = {
    DeliveryStatus.PENDING: _l("Đang gửi"),
    DeliveryStatus.SUCCEEDED: _l("Thành công"),
    DeliveryStatus.FAILED: _l("Thất bại"),
}
_ERROR_LABELS = {
    DeliveryError.HTTP_STATUS: _l("Máy chủ trả lời mã lỗi"),
    DeliveryError.TIMEOUT: _l("Quá thời gian chờ"),
    DeliveryError.CONNECTION: _l("Không kết nối được"),
    DeliveryError.TLS: _l("Chứng chỉ TLS không hợp lệ"),
    DeliveryError.DNS: _l("Không phân giải được tên miền"),
    DeliveryError.BLOCKED: _l("Địa chỉ nội bộ hoặc dành riêng: bị chặn"),
    DeliveryError.DISABLED: _l("Điểm nhận đã tắt"),
}


class WebhookEndpoint(Model):
    """An address of a producer's system that receives its events, signed with
    its own secret. The secret is kept as is (the shop signs with it, as Stripe
    does) and shown to the producer only when it is made."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(String(200), default="")
    # EventType values, in the order of the enum.
    events: Mapped[list] = mapped_column(JSON)
    enabled: Mapped[bool] = mapped_column(default=True, server_default=true())
    secret: Mapped[str] = mapped_column(String(80))
    # After a rotation the old secret still signs (a second v1) until this time,
    # so the producer's system can switch without losing an event.
    previous_secret: Mapped[str | None] = mapped_column(String(80))
    previous_secret_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    def subscribes_to(self, event_type: EventType) -> bool:
        return str(event_type) in (self.events or [])

    @property
    def event_types(self) -> list[EventType]:
        return [e for e in EventType if self.subscribes_to(e)]


class WebhookDelivery(Model):
    """One event for one endpoint: the exact body sent on every attempt (the
    data as they were when the event happened), and the last attempt's outcome.
    "Send again" starts a new round of attempts with the same event id."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_deliveries_endpoint_event"),
        # The producer's list, newest first.
        Index("ix_webhook_deliveries_producer_id_id", "producer_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"))
    event_id: Mapped[str] = mapped_column(String(40))
    event_type: Mapped[EventType] = mapped_column(str_enum(EventType, 40))
    order_number: Mapped[str | None] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus), default=DeliveryStatus.PENDING
    )
    round: Mapped[int] = mapped_column(default=1)  # moved by "send again"
    attempts: Mapped[int] = mapped_column(default=0)  # in this round
    response_status: Mapped[int | None]
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    error: Mapped[DeliveryError | None] = mapped_column(str_enum(DeliveryError))
    error_detail: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    endpoint: Mapped[WebhookEndpoint] = relationship()

    @property
    def pretty_body(self) -> str:
        """The body laid out for reading (the bytes sent are ``body``)."""
        try:
            return json.dumps(json.loads(self.body), ensure_ascii=False, indent=2)
        except ValueError:
            return self.body
