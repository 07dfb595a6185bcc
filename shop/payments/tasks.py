"""The payments' background work: the periodic reconcile (run once per period
by shop/jobs/periodic.py) and the outbox handlers that reach Stripe after a
commit. Each commits its own work, one payment or refund at a time."""

from datetime import datetime

from shop.clock import utcnow
from shop.extensions import db
from shop.payments import stripe_gateway
from shop.payments.models import RefundStatus
from shop.payments.services import (
    open_card_payments,
    reconcile_refund,
    refunds_to_reconcile,
    settle_card_payment,
    stop_payment_intent,
    submit_card_refund,
)


def reconcile_open_card_payments() -> tuple[int, int]:
    """Settle card orders whose webhook never came. Returns (checked, settled)."""
    payments = open_card_payments()
    settled = 0
    for payment in payments:
        if payment.payment_intent_id is None:  # never: the query asks for an intent
            continue
        try:
            intent = stripe_gateway.retrieve_payment_intent(payment.payment_intent_id)
        except stripe_gateway.GatewayError:
            continue
        settled += settle_card_payment(payment, intent, source="reconcile")
        db.session.commit()
    return len(payments), settled


def reconcile_refunds(now: datetime | None = None, *, settle_after_seconds: int = 120) -> int:
    """Settle card refunds left pending (see ``refunds_to_reconcile``), each in a
    transaction of its own. Returns how many refunds changed."""
    changed = 0
    for key in refunds_to_reconcile(now or utcnow(), settle_after_seconds=settle_after_seconds):
        try:
            status = reconcile_refund(key)
        except stripe_gateway.GatewayError:
            db.session.rollback()
            continue
        db.session.commit()
        changed += status not in (None, RefundStatus.PENDING)
    return changed


def reconcile_payments(now: datetime) -> str:
    checked, settled = reconcile_open_card_payments()
    refunds = reconcile_refunds(now)
    return (
        f"Open card payments checked: {checked}, settled now: {settled}\n"
        f"Pending refunds settled: {refunds}"
    )


# -- outbox handlers: they run after the commit that queued them; the outbox
# commits when they return. A savepoint keeps a failed attempt's writes out of
# the commit that records the retry.


def on_order_cancelled(payload: dict) -> None:
    """ORDER_CANCELLED: stop the order's open PaymentIntent at Stripe."""
    with db.session.begin_nested():
        stop_payment_intent(payload["order_id"])


def submit_queued_refund(payload: dict) -> None:
    """CARD_REFUND: step two of a cancelled card order's refund. Stripe away
    leaves the refund pending for ``reconcile_refunds``."""
    with db.session.begin_nested():
        submit_card_refund(payload["key"])
