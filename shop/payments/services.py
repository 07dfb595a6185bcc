"""Money in and out of an order: card payments settled from Stripe, bank
transfers recorded by staff, refunds by staff. State moves only forward."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update

from shop.audit.services import record
from shop.auth.models import User
from shop.clock import utcnow
from shop.extensions import db
from shop.money import format_vnd
from shop.orders.models import Order, OrderStatus, PaymentMethod, PaymentStatus, ShipmentStatus
from shop.orders.states import transition
from shop.payments import stripe_gateway
from shop.payments.models import CardPayment, Refund, RefundStatus, TransferReceipt


class PaymentError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def locked_order(order_id: int) -> Order:
    """The order row, locked until commit on PostgreSQL (SQLite serialises writers)."""
    order = db.session.scalar(
        select(Order)
        .where(Order.id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if order is None:
        raise PaymentError(_("Không tìm thấy đơn hàng."))
    return order


def apply_payment(
    order: Order,
    amount_vnd: int,
    *,
    actor: User | None,
    actor_label: str,
    reason: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Add money received to a (locked) order. Returns True when it became fully paid."""
    now = now or utcnow()
    order.paid_vnd += amount_vnd
    became_paid = False
    if order.paid_vnd >= order.total_vnd and order.payment_status in (
        PaymentStatus.UNPAID,
        PaymentStatus.PARTIALLY_PAID,
    ):
        transition(
            order,
            PaymentStatus.PAID,
            subject="payment",
            actor=actor,
            actor_label=actor_label,
            reason=reason,
        )
        order.paid_at = now
        order.expires_at = None
        for shipment in order.shipments:
            if shipment.status != ShipmentStatus.CANCELLED:
                shipment.paid_at = now
        if order.status == OrderStatus.PENDING_PAYMENT:
            transition(order, OrderStatus.PAID, actor=actor, actor_label=actor_label, reason=reason)
        became_paid = True
    elif order.payment_status == PaymentStatus.UNPAID:
        transition(
            order,
            PaymentStatus.PARTIALLY_PAID,
            subject="payment",
            actor=actor,
            actor_label=actor_label,
            reason=reason,
        )
    return became_paid


# -- card ------------------------------------------------------------------


def ensure_payment_intent(order: Order) -> CardPayment:
    """The order's one PaymentIntent, created on first need. The payment row is
    locked while Stripe is asked, and the idempotency key is derived from the
    order, so parallel requests never make two intents."""
    payment = db.session.scalar(
        select(CardPayment)
        .where(CardPayment.order_id == order.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if payment is None:
        raise PaymentError(_("Đơn hàng này không thanh toán bằng thẻ."))
    if payment.payment_intent_id is None:
        intent = stripe_gateway.create_payment_intent(
            amount_vnd=payment.amount_vnd,
            order_number=order.number,
            idempotency_key=f"ocop-{order.number}-payment-intent",
        )
        payment.payment_intent_id = intent.id
        payment.client_secret = intent.client_secret
        payment.stripe_status = intent.status
    db.session.commit()
    return payment


def settle_card_payment(
    payment: CardPayment, intent: stripe_gateway.Intent, *, source: str
) -> bool:
    """Apply what Stripe says about the order's PaymentIntent. Only forward: the
    conditional update lets exactly one caller (webhook, return page, reconcile)
    record a success. Returns True when this call marked the order paid. Commits."""
    if intent.id != payment.payment_intent_id:
        return False
    if intent.status != "succeeded":
        db.session.execute(
            update(CardPayment)
            .where(CardPayment.id == payment.id, CardPayment.stripe_status != "succeeded")
            .values(
                stripe_status=intent.status, last_error=(intent.error or None), updated_at=utcnow()
            )
        )
        db.session.commit()
        return False
    won = db.session.execute(
        update(CardPayment)
        .where(CardPayment.id == payment.id, CardPayment.stripe_status != "succeeded")
        .values(stripe_status="succeeded", last_error=None, updated_at=utcnow())
    ).rowcount
    if not won:
        db.session.rollback()
        return False
    order = locked_order(payment.order_id)
    became_paid = apply_payment(
        order, intent.amount_received, actor=None, actor_label=source, reason=intent.id
    )
    db.session.commit()
    if became_paid:
        from shop.orders.emails import payment_received

        payment_received(order)
    return became_paid


def pay_with_card(order: Order, token_id: str) -> stripe_gateway.Intent:
    payment = ensure_payment_intent(order)
    if payment.stripe_status == "succeeded":
        return stripe_gateway.retrieve_payment_intent(payment.payment_intent_id)
    intent = stripe_gateway.pay_with_card_token(
        payment.payment_intent_id,
        token_id,
        idempotency_key=f"ocop-{order.number}-confirm-{token_id}",
    )
    settle_card_payment(payment, intent, source="card")
    return intent


def refresh_card_payment(order: Order, *, source: str = "return") -> CardPayment | None:
    """Read the PaymentIntent back from Stripe and settle (the return page, reconcile)."""
    payment = db.session.scalar(select(CardPayment).where(CardPayment.order_id == order.id))
    if payment is None or payment.payment_intent_id is None:
        return payment
    intent = stripe_gateway.retrieve_payment_intent(payment.payment_intent_id)
    settle_card_payment(payment, intent, source=source)
    return payment


def reconcile_open_card_payments() -> tuple[int, int]:
    """Settle card orders whose webhook never came. Returns (checked, settled)."""
    open_payments = db.session.scalars(
        select(CardPayment)
        .join(Order, Order.id == CardPayment.order_id)
        .where(
            CardPayment.payment_intent_id.is_not(None),
            CardPayment.stripe_status.not_in(("succeeded", "canceled")),
        )
        .order_by(CardPayment.id)
    ).all()
    settled = 0
    for payment in open_payments:
        try:
            intent = stripe_gateway.retrieve_payment_intent(payment.payment_intent_id)
        except stripe_gateway.GatewayError:
            continue
        settled += settle_card_payment(payment, intent, source="reconcile")
    return len(open_payments), settled


# -- bank transfer -----------------------------------------------------------


def record_transfer(
    order_id: int, amount_vnd: int, bank_reference: str, actor: User
) -> tuple[Order, bool]:
    """Staff saw a transfer arrive. Partial amounts leave the rest due; an excess
    is shown as a refund due. Returns (order, became_paid). Commits."""
    order = locked_order(order_id)
    if order.payment_method != PaymentMethod.VIETQR:
        raise PaymentError(_("Đơn hàng này không thanh toán bằng chuyển khoản."))
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int) or amount_vnd <= 0:
        raise PaymentError(_("Số tiền phải là số nguyên dương (đồng)."))
    receipt = TransferReceipt(
        order_id=order.id,
        amount_vnd=amount_vnd,
        bank_reference=bank_reference,
        recorded_by_id=actor.id,
    )
    db.session.add(receipt)
    db.session.flush()
    became_paid = apply_payment(
        order,
        amount_vnd,
        actor=actor,
        actor_label="staff",
        reason=f"transfer {bank_reference}".strip(),
    )
    record(actor, "transfer_received", order, reason=bank_reference or None, amount_vnd=amount_vnd)
    db.session.commit()
    if became_paid:
        from shop.orders.emails import payment_received

        payment_received(order)
    return order, became_paid


# -- refunds -----------------------------------------------------------------


def refundable_vnd(order: Order) -> int:
    return order.paid_vnd - order.refunded_vnd


def refund_order(
    order_id: int,
    amount_vnd: int,
    reason: str,
    actor: User | None,
    *,
    shipment_id: int | None = None,
) -> Refund:
    """Give money back, never more than was paid (our rule, whatever the gateway
    allows). Card refunds go through Stripe; transfer and cash refunds are paid
    out by staff and recorded here. Commits."""
    order = locked_order(order_id)
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int) or amount_vnd <= 0:
        raise PaymentError(_("Số tiền hoàn phải là số nguyên dương (đồng)."))
    if not reason.strip():
        raise PaymentError(_("Vui lòng nhập lý do hoàn tiền."))
    available = refundable_vnd(order)
    if amount_vnd > available:
        raise PaymentError(
            _(
                "Chỉ có thể hoàn tối đa %(amount)s.",
                amount=format_vnd(available),
            )
        )
    refund = Refund(
        order_id=order.id,
        shipment_id=shipment_id,
        amount_vnd=amount_vnd,
        reason=reason.strip(),
        created_by_id=actor.id if actor else None,
    )
    db.session.add(refund)
    db.session.flush()
    if order.payment_method == PaymentMethod.CARD:
        payment = db.session.scalar(select(CardPayment).where(CardPayment.order_id == order.id))
        try:
            refund.stripe_refund_id, status = stripe_gateway.refund(
                payment.payment_intent_id, amount_vnd, idempotency_key=f"ocop-refund-{refund.id}"
            )
        except stripe_gateway.GatewayError as exc:
            db.session.rollback()
            raise PaymentError(
                _("Cổng thanh toán từ chối hoàn tiền: %(m)s", m=exc.message)
            ) from exc
        refund.status = RefundStatus.SUCCEEDED if status == "succeeded" else RefundStatus.PENDING
    else:
        refund.status = RefundStatus.SUCCEEDED
    order.refunded_vnd += amount_vnd
    if shipment_id is not None:
        for shipment in order.shipments:
            if shipment.id == shipment_id:
                shipment.refunded_vnd += amount_vnd
    else:
        _spread_refund(order, amount_vnd)
    target = (
        PaymentStatus.REFUNDED
        if order.refunded_vnd == order.paid_vnd
        else PaymentStatus.PARTIALLY_REFUNDED
    )
    transition(order, target, subject="payment", actor=actor, actor_label="staff", reason=reason)
    if target == PaymentStatus.REFUNDED and order.status in (
        OrderStatus.PAID,
        OrderStatus.COMPLETED,
        OrderStatus.CANCELLED,
    ):
        transition(order, OrderStatus.REFUNDED, actor=actor, actor_label="staff", reason=reason)
    record(
        actor, "refund", order, reason=reason, amount_vnd=amount_vnd, shipment_id=shipment_id or ""
    )
    db.session.commit()
    return refund


def _spread_refund(order: Order, amount_vnd: int) -> None:
    """An order-level refund is booked against its shipments (for settlements):
    each in turn up to what it is worth, the last one taking any rest."""
    remaining = amount_vnd
    shipments = [s for s in order.shipments if s.paid_at is not None] or list(order.shipments)
    for index, shipment in enumerate(shipments):
        room = shipment.total_vnd - shipment.refunded_vnd
        share = remaining if index == len(shipments) - 1 else min(room, remaining)
        shipment.refunded_vnd += share
        remaining -= share
        if remaining == 0:
            break
