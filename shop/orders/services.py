"""Order and shipment actions by customers, producers and the clock, and the
order's side of money (a payment applied, a refund booked), which
the payments package calls. Every function here flushes at most; the view, CLI
command or task that calls it commits once."""

import hmac
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload, selectinload

from shop.auth.models import User
from shop.catalog.stock import return_stock
from shop.clock import utcnow
from shop.extensions import db
from shop.jobs.services import enqueue
from shop.orders.emails import order_cancelled, payment_received, shipping_notice
from shop.orders.events import pickup_released
from shop.orders.models import (
    Order,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    Shipment,
    ShipmentStatus,
    StateChange,
)
from shop.orders.states import IllegalTransition, sync_payment, transition

# The outbox kind published when an order is cancelled, after the commit;
# the payments package handles it (an unpaid card PaymentIntent is stopped at Stripe).
ORDER_CANCELLED = "order.cancelled"


class OrderActionError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def order_by_number(number: str) -> Order | None:
    """The order with what its pages show, loaded in a fixed number of queries."""
    if len(number) > 20:
        return None
    shipments = selectinload(Order.shipments)
    return db.session.scalar(
        select(Order)
        .where(Order.number == number)
        .options(
            joinedload(Order.province),
            joinedload(Order.ward),
            shipments.joinedload(Shipment.producer),
            shipments.selectinload(Shipment.lines),
            selectinload(Order.lines),
        )
    )


# Compared against when no order has the number, so that a wrong phone and an
# unknown number take the same steps (order numbers are sequential).
_NO_PHONE = "0000000000"


def order_for_phone(number: str, phone: str) -> Order | None:
    """The order with this number, if it was placed with this (normalised)
    phone; None otherwise, whichever of the two is wrong, after the same work."""
    order = db.session.scalar(select(Order).where(Order.number == number[:20]))
    stored = order.phone if order is not None else _NO_PHONE
    matches = hmac.compare_digest(stored.encode(), phone.encode())
    return order if order is not None and matches else None


def cancellable(order: Order) -> bool:
    """Before anything has shipped, and while the order is still open."""
    return order.status in (
        OrderStatus.PENDING_PAYMENT,
        OrderStatus.AWAITING_DELIVERY,
        OrderStatus.PAID,
    ) and all(
        s.status in (ShipmentStatus.NEW, ShipmentStatus.CONFIRMED, ShipmentStatus.CANCELLED)
        for s in order.shipments
    )


def lock_order(order_id: int) -> Order:
    """The order row, locked until commit on PostgreSQL (SQLite serialises writers)."""
    order = db.session.scalar(
        select(Order)
        .where(Order.id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if order is None:
        raise OrderActionError(_("Không tìm thấy đơn hàng."))
    return order


def _return_stock(order: Order, shipment: Shipment) -> None:
    """Put a cancelled shipment's units back where they were taken from: the online
    stock, or the sales centre's for a pick-up (through ``pickup_released``: the
    centres package sits above orders)."""
    lines = [
        (line.product_id, line.quantity) for line in order.lines if line.shipment_id == shipment.id
    ]
    if shipment.pickup_centre_id is None:
        return_stock(lines)
        return
    if not pickup_released.send(shipment, lines=lines):
        raise RuntimeError("no receiver for pickup_released: the centre's units would be lost")


def _cancelled(order: Order) -> None:
    """Publish the cancellation, for effects after the commit (see ORDER_CANCELLED)."""
    enqueue(ORDER_CANCELLED, {"order_id": order.id}, f"{ORDER_CANCELLED}:{order.id}")


def cancel_order(order_id: int, *, actor: User | None, actor_label: str, reason: str) -> Order:
    """Cancel every shipment and the order and return the stock, in the caller's
    transaction, which also queues the customer's e-mail and publishes
    ORDER_CANCELLED. Money already paid is not touched here: the customer and
    staff cancel through the payments package's ``cancel_and_refund``, which
    wraps this and reserves the card refund in the same transaction. Flushes."""
    order = lock_order(order_id)
    if not cancellable(order):
        raise OrderActionError(_("Đơn hàng này không thể huỷ nữa (đã gửi hàng hoặc đã đóng)."))
    for shipment in order.shipments:
        if shipment.status != ShipmentStatus.CANCELLED:
            transition(
                shipment,
                ShipmentStatus.CANCELLED,
                actor=actor,
                actor_label=actor_label,
                reason=reason,
            )
            _return_stock(order, shipment)
    transition(order, OrderStatus.CANCELLED, actor=actor, actor_label=actor_label, reason=reason)
    order.expires_at = None
    order_cancelled(order, reason)
    _cancelled(order)
    return order


# -- money, applied to the order (the payments package calls these) -----------------------


def apply_payment(
    order: Order,
    amount_vnd: int,
    *,
    actor: User | None,
    actor_label: str,
    reason: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Add money received to a (locked) order. Returns True when it became fully
    paid; the customer's e-mail is then queued in the same transaction."""
    now = now or utcnow()
    was = order.payment_status
    order.paid_vnd += amount_vnd
    sync_payment(order, actor=actor, actor_label=actor_label, reason=reason)
    became_paid = was in (PaymentStatus.UNPAID, PaymentStatus.PARTIALLY_PAID) and (
        order.payment_status == PaymentStatus.PAID
    )
    if became_paid:
        order.paid_at = now
        order.expires_at = None
        for shipment in order.shipments:
            if shipment.status != ShipmentStatus.CANCELLED:
                shipment.paid_at = now
        if order.status == OrderStatus.PENDING_PAYMENT:
            transition(order, OrderStatus.PAID, actor=actor, actor_label=actor_label, reason=reason)
        payment_received(order)
    return became_paid


def book_refund(
    order: Order,
    shares: list[tuple[int | None, int]],
    *,
    actor: User | None,
    actor_label: str,
    reason: str | None,
) -> None:
    """Money has gone back to the customer: count ``shares`` ((shipment id or
    None, đồng)) on the (locked) order and its shipments; a fully refunded
    order moves to REFUNDED."""
    shipments = {s.id: s for s in order.shipments}
    for shipment_id, amount in shares:
        if shipment_id in shipments:
            shipments[shipment_id].refunded_vnd += amount
    order.refunded_vnd += sum(amount for _, amount in shares)
    sync_payment(order, actor=actor, actor_label=actor_label, reason=reason)
    if order.payment_status == PaymentStatus.REFUNDED and order.status in (
        OrderStatus.PAID,
        OrderStatus.COMPLETED,
        OrderStatus.CANCELLED,
    ):
        transition(order, OrderStatus.REFUNDED, actor=actor, actor_label=actor_label, reason=reason)


# -- shipments and the clock ---------------------------------------------------------


def advance_shipment(
    shipment_id: int,
    target: ShipmentStatus,
    *,
    actor: User | None,
    actor_label: str = "producer",
    carrier: str | None = None,
    tracking_number: str | None = None,
    reason: str | None = None,
    now: datetime | None = None,
) -> Shipment:
    """Move one shipment; delivering the last one completes the order. A cash on
    delivery shipment is paid when delivered; shipping queues the customer's
    e-mail. Flushes; the caller commits."""
    shipment = db.session.get(Shipment, shipment_id)
    if shipment is None:
        raise OrderActionError(_("Không tìm thấy đơn giao hàng."))
    order = lock_order(shipment.order_id)
    db.session.refresh(shipment)
    now = now or utcnow()
    if order.status == OrderStatus.PENDING_PAYMENT:
        # The amount asked of the customer (and the card PaymentIntent) covers every
        # shipment: nothing moves until it is paid, cancelled or expired as a whole.
        raise OrderActionError(_("Đơn hàng chưa được thanh toán: chưa thể xử lý."))
    if order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        raise OrderActionError(_("Đơn hàng đã bị huỷ."))
    handed_over = target in (ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED)
    if shipment.pickup_centre_id is not None and handed_over and actor_label != "centre":
        raise OrderActionError(
            _("Đơn nhận tại điểm bán: điểm bán giao cho khách khi khách đưa mã nhận hàng.")
        )
    if target == ShipmentStatus.SHIPPED:
        if not (carrier or "").strip() or not (tracking_number or "").strip():
            raise OrderActionError(_("Vui lòng nhập đơn vị vận chuyển và mã vận đơn."))
        shipment.carrier = carrier.strip()
        shipment.tracking_number = tracking_number.strip()
    try:
        transition(shipment, target, actor=actor, actor_label=actor_label, reason=reason)
    except IllegalTransition as exc:
        raise OrderActionError(_("Không thể chuyển trạng thái này.")) from exc
    if target == ShipmentStatus.CANCELLED:
        _return_stock(order, shipment)
    if target == ShipmentStatus.DELIVERED and order.payment_method == PaymentMethod.COD:
        shipment.paid_at = now
        order.paid_vnd += shipment.total_vnd
        order.paid_at = now
    live = [s for s in order.shipments if s.status != ShipmentStatus.CANCELLED]
    if not live:
        transition(
            order, OrderStatus.CANCELLED, actor=actor, actor_label=actor_label, reason=reason
        )
    elif all(s.status == ShipmentStatus.DELIVERED for s in live):
        transition(order, OrderStatus.COMPLETED, actor=actor, actor_label=actor_label)
    if order.payment_method == PaymentMethod.COD:
        sync_payment(order, actor=actor, actor_label=actor_label)
    if target == ShipmentStatus.SHIPPED and shipment.pickup_centre_id is None:
        shipping_notice(shipment)
    db.session.flush()
    return shipment


def unpaid_past_due(now: datetime) -> list[int]:
    """The ids of unpaid transfer and card orders past ``expires_at``."""
    return list(
        db.session.scalars(
            select(Order.id).where(
                Order.status == OrderStatus.PENDING_PAYMENT,
                Order.payment_status == PaymentStatus.UNPAID,
                Order.expires_at < now,
            )
        )
    )


def expire_order(order_id: int, now: datetime | None = None) -> Order | None:
    """Cancel one unpaid order past its time and return its stock; its e-mail is
    queued and ORDER_CANCELLED published (an unpaid PaymentIntent is stopped
    after the commit). The conditional update makes a concurrent payment or a
    second run harmless: None when the order was paid or cancelled meanwhile
    (nothing written). Flushes; the caller commits each order on its own."""
    now = now or utcnow()
    won = db.session.execute(
        update(Order)
        .where(
            Order.id == order_id,
            Order.status == OrderStatus.PENDING_PAYMENT,
            Order.payment_status == PaymentStatus.UNPAID,
        )
        .values(status=OrderStatus.CANCELLED, expires_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not won:
        return None
    order = db.session.get(Order, order_id, populate_existing=True)
    reason = "Quá hạn thanh toán"  # stored text, shown in the order history
    db.session.add(
        StateChange(
            order_id=order.id,
            subject="order",
            from_state=str(OrderStatus.PENDING_PAYMENT),
            to_state=str(OrderStatus.CANCELLED),
            actor_label="system",
            reason=reason,
            at=now,
        )
    )
    for shipment in order.shipments:
        if shipment.status != ShipmentStatus.CANCELLED:
            transition(shipment, ShipmentStatus.CANCELLED, actor_label="system", reason=reason)
            _return_stock(order, shipment)
    order_cancelled(order, _("quá hạn thanh toán"))
    _cancelled(order)
    db.session.flush()
    return order


__all__ = [
    "ORDER_CANCELLED",
    "OrderActionError",
    "advance_shipment",
    "apply_payment",
    "book_refund",
    "cancel_order",
    "cancellable",
    "expire_order",
    "lock_order",
    "order_for_phone",
    "unpaid_past_due",
]
