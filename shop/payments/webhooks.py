"""Stripe webhooks: the signature is checked on the raw body (see the view),
each event id is stored under a unique key in the same transaction as the
event's effect (a replay or a parallel duplicate is a no-op; an event whose
processing failed is not recorded, so Stripe's retry is processed), and an
event only ever moves a payment forward."""

import stripe
from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop.extensions import csrf, db, limiter
from shop.payments import stripe_gateway
from shop.payments.models import CardPayment, StripeEvent
from shop.payments.services import settle_card_payment

HANDLED = {
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.processing",
    "payment_intent.canceled",
}


class MalformedEvent(ValueError):
    """Signed, but not the shape of a Stripe event: a 400, never a 500."""


def _parts(event) -> tuple[str, str, str | None]:
    event = event.to_dict() if hasattr(event, "to_dict") else event
    if not isinstance(event, dict):
        raise MalformedEvent("event is not an object")
    event_id, event_type = event.get("id"), event.get("type")
    if not (isinstance(event_id, str) and 0 < len(event_id) <= 255):
        raise MalformedEvent("event id missing")
    if not (isinstance(event_type, str) and 0 < len(event_type) <= 80):
        raise MalformedEvent("event type missing")
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if not isinstance(obj, dict):
        raise MalformedEvent("event data.object missing")
    object_id = obj.get("id")
    if object_id is not None and not (isinstance(object_id, str) and len(object_id) <= 255):
        raise MalformedEvent("object id malformed")
    return event_id, event_type, object_id


def handle_event(event) -> str:
    """Process one verified event; returns what happened. Flushes; the view
    commits the event id with its effect. Raises MalformedEvent (400) or
    GatewayError (503: Stripe will retry)."""
    event_id, event_type, object_id = _parts(event)
    db.session.add(StripeEvent(id=event_id, type=event_type, object_id=object_id))
    try:
        db.session.flush()  # a parallel duplicate waits here for its twin, then fails
    except IntegrityError:
        db.session.rollback()
        return "duplicate"
    outcome, payment = "ignored", None
    if event_type in HANDLED:
        payment = db.session.scalar(
            select(CardPayment).where(CardPayment.payment_intent_id == object_id)
        )
        outcome = "unknown payment"
    if payment is not None:
        # Never trust the order of events: read the intent as Stripe has it now.
        try:
            intent = stripe_gateway.retrieve_payment_intent(object_id)
        except stripe_gateway.GatewayError:
            db.session.rollback()  # the event id goes too: Stripe's retry is processed
            raise
        # Paid: the customer's e-mail is queued in this transaction (apply_payment).
        became_paid = settle_card_payment(payment, intent, source="stripe")
        outcome = "settled" if became_paid else "recorded"
    return outcome


bp = Blueprint("stripe", __name__)
csrf.exempt(bp)
limiter.exempt(bp)


@bp.post("/payments/stripe/webhook")
def webhook():
    payload = request.get_data(cache=False)  # the raw bytes the signature covers
    signature = request.headers.get("Stripe-Signature", "")
    try:
        event = stripe_gateway.construct_event(payload, signature)
    except stripe_gateway.MalformedPayload as exc:
        current_app.logger.warning("Malformed Stripe event: %s", exc)
        return jsonify({"error": f"malformed event: {exc}"}), 400
    except (ValueError, stripe.SignatureVerificationError) as exc:
        current_app.logger.info("Refused Stripe webhook: %s", exc)
        return jsonify({"error": "invalid payload or signature"}), 400
    try:
        outcome = handle_event(event)
    except MalformedEvent as exc:
        db.session.rollback()
        current_app.logger.warning("Malformed Stripe event: %s", exc)
        return jsonify({"error": f"malformed event: {exc}"}), 400
    except stripe_gateway.GatewayError:
        return jsonify({"error": "payment service unavailable, retry later"}), 503
    db.session.commit()
    return jsonify({"received": True, "outcome": outcome})
