"""Order and shipment actions by customers, producers and the clock."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload, selectinload

from shop.auth.models import User
from shop.checkout.services import return_stock
from shop.clock import utcnow
from shop.extensions import db
from shop.orders.emails import order_cancelled, shipping_notice
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
from shop.payments.models import MoneyAction, MoneyActionKind
from shop.payments.services import (
    apply_payment,
    claim_action,
    locked_order,
    new_action_token,
    refundable_vnd,
    reserve_refund,
    submit_card_refund,
)


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


@dataclass(frozen=True)
class CancelResult:
    order: Order
    reason: str
    # The Stripe step still to do after the commit (a paid card order's refund).
    refund_key: str | None = None
    duplicate: bool = False


def cancel_order(
    order_id: int,
    *,
    actor: User | None,
    actor_label: str,
    reason: str,
    action_token: str | None = None,
) -> CancelResult:
    """Cancel every shipment and the order, and return the stock, in the
    caller's transaction, which also queues the customer's e-mail. A paid card
    order gets its full refund written as pending in the same transaction
    (``cancel_at_stripe`` makes it at Stripe once committed); a paid transfer
    shows a refund due for staff. With an action token, a resubmission cancels
    nothing more. Flushes; the caller commits."""
    order = locked_order(order_id)
    action = None
    if action_token is not None:
        action = claim_action(order, action_token, MoneyActionKind.CANCEL, actor, actor_label)
        if action is None:
            return CancelResult(order, reason, duplicate=True)
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
            return_stock(order, shipment)
    transition(order, OrderStatus.CANCELLED, actor=actor, actor_label=actor_label, reason=reason)
    order.expires_at = None
    refund_key = None
    amount = refundable_vnd(order)
    if order.payment_method == PaymentMethod.CARD and amount > 0:
        if action is None:
            action = MoneyAction(
                token=new_action_token(),
                kind=MoneyActionKind.CANCEL,
                order_id=order.id,
                actor_id=actor.id if actor is not None else None,
                actor_label=actor_label,
            )
            db.session.add(action)
            db.session.flush()
        rows = reserve_refund(order, amount, reason, actor, action, actor_label=actor_label)
        refund_key = rows[0].idempotency_key
    order_cancelled(order, reason)
    return CancelResult(order, reason, refund_key)


def refund_preview(order: Order) -> dict:
    """What cancelling would give back, and how (for the confirmation page)."""
    amount = refundable_vnd(order)
    return {"amount_vnd": amount, "method": order.payment_method if amount > 0 else None}


def cancel_at_stripe(result: CancelResult) -> None:
    """After the commit: stop an unpaid PaymentIntent, make the card refund at
    Stripe (left pending for reconcile if Stripe is away). The customer's
    e-mail was queued with the cancellation."""
    from shop.payments import stripe_gateway
    from shop.payments.models import CardPayment

    if result.duplicate:
        return
    order = result.order
    if order.payment_method == PaymentMethod.CARD:
        payment = db.session.scalar(select(CardPayment).where(CardPayment.order_id == order.id))
        if (
            payment is not None
            and payment.payment_intent_id
            and payment.stripe_status not in ("succeeded", "canceled")
        ):
            intent = stripe_gateway.cancel_payment_intent(payment.payment_intent_id)
            if intent is not None:
                payment.stripe_status = intent.status
                db.session.commit()
        if result.refund_key:
            submit_card_refund(result.refund_key)


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
    e-mail. Commits."""
    shipment = db.session.get(Shipment, shipment_id)
    if shipment is None:
        raise OrderActionError(_("Không tìm thấy đơn giao hàng."))
    order = locked_order(shipment.order_id)
    db.session.refresh(shipment)
    now = now or utcnow()
    if order.status == OrderStatus.PENDING_PAYMENT:
        # The amount asked of the customer (and the card PaymentIntent) covers every
        # shipment: nothing moves until it is paid, cancelled or expired as a whole.
        raise OrderActionError(_("Đơn hàng chưa được thanh toán: chưa thể xử lý."))
    if order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        raise OrderActionError(_("Đơn hàng đã bị huỷ."))
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
        return_stock(order, shipment)
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
    if target == ShipmentStatus.SHIPPED:
        shipping_notice(shipment)
    db.session.commit()
    return shipment


def expire_unpaid(now: datetime | None = None) -> list[str]:
    """Cancel unpaid transfer and card orders past ``expires_at``; their stock
    returns. The conditional update makes a concurrent payment or a second run
    harmless. Returns the order numbers cancelled."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Order.id).where(
            Order.status == OrderStatus.PENDING_PAYMENT,
            Order.payment_status == PaymentStatus.UNPAID,
            Order.expires_at < now,
        )
    ).all()
    cancelled = []
    for order_id in due:
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
            db.session.rollback()
            continue
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
                return_stock(order, shipment)
        order_cancelled(order, _("quá hạn thanh toán"))
        db.session.commit()
        cancel_at_stripe(CancelResult(order, reason))
        cancelled.append(order.number)
    return cancelled


__all__ = [
    "CancelResult",
    "OrderActionError",
    "advance_shipment",
    "apply_payment",
    "cancel_at_stripe",
    "cancel_order",
    "cancellable",
    "expire_unpaid",
]
