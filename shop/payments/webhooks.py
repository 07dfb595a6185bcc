"""Stripe webhooks: the signature is checked on the raw body, each event id is
stored under a unique key (a replay or a parallel duplicate is a no-op), and an
event only ever moves a payment forward."""

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from shop.extensions import db
from shop.payments import stripe_gateway
from shop.payments.models import CardPayment, StripeEvent
from shop.payments.services import settle_card_payment

HANDLED = {
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.processing",
    "payment_intent.canceled",
}


def handle_event(event) -> str:
    """Process one verified event; returns what happened (for logs and tests)."""
    event = event.to_dict() if hasattr(event, "to_dict") else event
    obj = event.get("data", {}).get("object") or {}
    object_id = obj.get("id") if isinstance(obj, dict) else None
    db.session.add(StripeEvent(id=event["id"], type=event["type"], object_id=object_id))
    try:
        db.session.commit()  # a duplicate waits here for its twin, then fails
    except IntegrityError:
        db.session.rollback()
        return "duplicate"
    if event["type"] not in HANDLED:
        return "ignored"
    payment = db.session.scalar(
        select(CardPayment).where(CardPayment.payment_intent_id == object_id)
    )
    if payment is None:
        return "unknown payment"
    # Never trust the order of events: read the intent as Stripe has it now.
    try:
        intent = stripe_gateway.retrieve_payment_intent(object_id)
    except stripe_gateway.GatewayError:
        # Forget the event so that Stripe's retry is processed.
        db.session.execute(delete(StripeEvent).where(StripeEvent.id == event["id"]))
        db.session.commit()
        raise
    settled = settle_card_payment(payment, intent, source="stripe")
    return "settled" if settled else "recorded"
