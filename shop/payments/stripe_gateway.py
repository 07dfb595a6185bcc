"""Every Stripe call of the shop lives here, through the official ``stripe``
library. Amounts are in đồng: VND is a zero-decimal currency for Stripe, so the
amount sent is the number of đồng, never multiplied by 100.

Tests and the demo point ``STRIPE_API_BASE`` at localstripe; production leaves
it at Stripe's own address and reads the keys from the environment."""

from dataclasses import dataclass

import stripe
from flask import current_app

CURRENCY = "vnd"


class GatewayError(Exception):
    """Stripe refused or could not be reached; ``message`` is safe to show."""

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Intent:
    id: str
    status: str
    amount: int
    amount_received: int
    client_secret: str | None
    error: str | None = None


def client() -> stripe.StripeClient:
    app = current_app._get_current_object()
    cached = app.extensions.get("stripe_client")
    if cached is None:
        config = app.config
        bases = {"api": config["STRIPE_API_BASE"]} if config.get("STRIPE_API_BASE") else {}
        cached = stripe.StripeClient(
            config["STRIPE_SECRET_KEY"],
            base_addresses=bases,
            max_network_retries=2,
            http_client=stripe.RequestsClient(timeout=config["STRIPE_TIMEOUT"]),
        )
        app.extensions["stripe_client"] = cached
    return cached


def _intent(pi) -> Intent:
    pi = pi.to_dict() if hasattr(pi, "to_dict") else pi
    error = None
    last_error = pi.get("last_payment_error")
    if last_error:
        error = last_error.get("message") or last_error.get("code")
    amount_received = pi.get("amount_received")
    if amount_received is None:  # localstripe leaves it out; Stripe always sends it
        amount_received = pi["amount"] if pi["status"] == "succeeded" else 0
    return Intent(
        id=pi["id"],
        status=pi["status"],
        amount=pi["amount"],
        amount_received=amount_received,
        client_secret=pi.get("client_secret"),
        error=error,
    )


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except stripe.CardError as exc:
        raise GatewayError(exc.user_message or "card declined", exc.code) from exc
    except stripe.StripeError as exc:
        current_app.logger.warning("Stripe error: %s", exc)
        raise GatewayError(
            "payment service unavailable", getattr(exc, "code", None) or "stripe"
        ) from exc


def create_payment_intent(*, amount_vnd: int, order_number: str, idempotency_key: str) -> Intent:
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int) or amount_vnd <= 0:
        raise ValueError("amount_vnd must be a positive whole number of đồng")
    pi = _call(
        client().v1.payment_intents.create,
        params={
            "amount": amount_vnd,
            "currency": CURRENCY,
            "metadata": {"order_number": order_number},
            "payment_method_types": ["card"],
        },
        options={"idempotency_key": idempotency_key},
    )
    return _intent(pi)


def retrieve_payment_intent(intent_id: str) -> Intent:
    return _intent(_call(client().v1.payment_intents.retrieve, intent_id))


def pay_with_card_token(intent_id: str, token_id: str, *, idempotency_key: str) -> Intent:
    """Attach the card of a Stripe.js token to the PaymentIntent and confirm it.

    The result may be ``succeeded``, ``requires_action`` (3-D Secure: the page
    finishes it with Stripe.js) or ``requires_payment_method`` with an error."""
    token = _call(client().v1.tokens.retrieve, token_id)
    card_id = token["card"]["id"]
    _call(
        client().v1.payment_intents.update,
        intent_id,
        params={"payment_method": card_id},
    )
    pi = _call(
        client().v1.payment_intents.confirm,
        intent_id,
        options={"idempotency_key": idempotency_key},
    )
    return _intent(pi)


def cancel_payment_intent(intent_id: str) -> Intent | None:
    """Cancel an unpaid PaymentIntent; None when Stripe says it can no longer be."""
    try:
        return _intent(client().v1.payment_intents.cancel(intent_id))
    except stripe.StripeError as exc:
        current_app.logger.info("PaymentIntent %s not cancelled: %s", intent_id, exc)
        return None


def refund(intent_id: str, amount_vnd: int, *, idempotency_key: str) -> tuple[str, str]:
    """(refund id, status). The caller checks the amount against what was paid:
    localstripe would accept an over-refund, our rule does not."""
    result = _call(
        client().v1.refunds.create,
        params={"payment_intent": intent_id, "amount": amount_vnd},
        options={"idempotency_key": idempotency_key},
    )
    return result["id"], result["status"]


def construct_event(payload: bytes, signature_header: str) -> stripe.Event:
    """Verify the signature over the raw body and its age; raises ValueError or
    stripe.SignatureVerificationError."""
    config = current_app.config
    return stripe.Webhook.construct_event(
        payload,
        signature_header,
        config["STRIPE_WEBHOOK_SECRET"],
        tolerance=config["STRIPE_WEBHOOK_TOLERANCE"],
    )
