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
from shop.orders.states import sync_payment, transition
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
        order, intent.amount_received, actor=None, actor_label=source, reason="Thanh toán thẻ"
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
        reason=f"Chuyển khoản {bank_reference}".strip(),
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
) -> list[Refund]:
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
    shares = _allocate(order, amount_vnd, shipment_id)
    refunds = [
        Refund(
            order_id=order.id,
            shipment_id=share_shipment,
            amount_vnd=share,
            reason=reason.strip(),
            created_by_id=actor.id if actor else None,
        )
        for share_shipment, share in shares
    ]
    db.session.add_all(refunds)
    db.session.flush()
    status = RefundStatus.SUCCEEDED
    if order.payment_method == PaymentMethod.CARD:
        payment = db.session.scalar(select(CardPayment).where(CardPayment.order_id == order.id))
        try:
            # One Stripe refund for the whole amount; our rows split it by producer.
            stripe_id, stripe_status = stripe_gateway.refund(
                payment.payment_intent_id,
                amount_vnd,
                idempotency_key=f"ocop-refund-{refunds[0].id}",
            )
        except stripe_gateway.GatewayError as exc:
            db.session.rollback()
            raise PaymentError(
                _("Cổng thanh toán từ chối hoàn tiền: %(m)s", m=exc.message)
            ) from exc
        status = RefundStatus.SUCCEEDED if stripe_status == "succeeded" else RefundStatus.PENDING
        for row in refunds:
            row.stripe_refund_id = stripe_id
    for row in refunds:
        row.status = status
    order.refunded_vnd += amount_vnd
    sync_payment(order, actor=actor, actor_label="staff", reason=reason)
    if order.payment_status == PaymentStatus.REFUNDED and order.status in (
        OrderStatus.PAID,
        OrderStatus.COMPLETED,
        OrderStatus.CANCELLED,
    ):
        transition(order, OrderStatus.REFUNDED, actor=actor, actor_label="staff", reason=reason)
    record(
        actor, "refund", order, reason=reason, amount_vnd=amount_vnd, shipment_id=shipment_id or ""
    )
    db.session.commit()
    return refunds


def _allocate(
    order: Order, amount_vnd: int, shipment_id: int | None
) -> list[tuple[int | None, int]]:
    """Split a refund by producer, for settlements: [(shipment id or None, đồng)].

    Money the customer paid beyond the order total (an excess transfer) goes back
    first and is nobody's sale (None). The rest is booked against the named
    shipment, or against the paid shipments in turn, each up to what it is worth."""
    shares: list[tuple[int | None, int]] = []
    excess = min(amount_vnd, order.overpaid_vnd)
    if excess:
        shares.append((None, excess))
    remaining = amount_vnd - excess
    if shipment_id is not None:
        candidates = [s for s in order.shipments if s.id == shipment_id]
    else:
        paid = [s for s in order.shipments if s.paid_at is not None] or list(order.shipments)
        # Money of cancelled shipments goes back first: it is what is owed.
        candidates = sorted(paid, key=lambda s: s.status != ShipmentStatus.CANCELLED)
    for shipment in candidates:
        if remaining == 0:
            break
        share = min(max(shipment.total_vnd - shipment.refunded_vnd, 0), remaining)
        if share:
            shares.append((shipment.id, share))
            shipment.refunded_vnd += share
            remaining -= share
    if remaining:  # more than the shipments are worth: cannot happen within what was paid
        shares.append((None, remaining))
    return shares
