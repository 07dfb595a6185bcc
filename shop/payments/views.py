"""The Stripe webhook endpoint."""

import stripe
from flask import Blueprint, current_app, jsonify, request

from shop.extensions import csrf, limiter
from shop.payments import stripe_gateway
from shop.payments.webhooks import MalformedEvent, handle_event

bp = Blueprint("payments", __name__)
csrf.exempt(bp)
limiter.exempt(bp)


@bp.post("/payments/stripe/webhook")
def stripe_webhook():
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
        current_app.logger.warning("Malformed Stripe event: %s", exc)
        return jsonify({"error": f"malformed event: {exc}"}), 400
    except stripe_gateway.GatewayError:
        return jsonify({"error": "payment service unavailable, retry later"}), 503
    return jsonify({"received": True, "outcome": outcome})
