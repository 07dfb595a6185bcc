"""Every Stripe call of the shop lives here, through the official ``stripe``
library. Amounts are in đồng: VND is a zero-decimal currency for Stripe, so the
amount sent is the number of đồng, never multiplied by 100.

Tests and the demo point ``STRIPE_API_BASE`` at localstripe; production leaves
it at Stripe's own address and reads the keys from the environment."""

import json
import time
from dataclasses import dataclass

import stripe
from flask import current_app, g, has_request_context

CURRENCY = "vnd"


class MalformedPayload(ValueError):
    """A correctly signed webhook body that is not an event object."""


class GatewayError(Exception):
    """Stripe refused or could not be reached; ``message`` is safe to show."""

    def __init__(
        self,
        message: str,
        code: str | None = None,
        *,
        unreachable: bool = False,
        decline_code: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        # A refused card: the bank's reason (insufficient_funds, lost_card…), if given.
        self.decline_code = decline_code
        # Stripe did not answer (network, timeout, its own 5xx): the call may be
        # tried again with the same idempotency key. Otherwise Stripe said no.
        self.unreachable = unreachable


@dataclass(frozen=True)
class Intent:
    id: str
    status: str
    amount: int
    amount_received: int
    client_secret: str | None
    error: str | None = None
    # Why the last attempt failed, as Stripe's codes (see shop/payments/declines.py).
    error_code: str | None = None
    decline_code: str | None = None


def client() -> stripe.StripeClient:
    app = current_app._get_current_object()
    cached = app.extensions.get("stripe_client")
    if cached is None:
        config = app.config
        bases = {"api": config["STRIPE_API_BASE"]} if config.get("STRIPE_API_BASE") else {}
        cached = stripe.StripeClient(
            config["STRIPE_SECRET_KEY"],
            base_addresses=bases,
            max_network_retries=config["STRIPE_MAX_RETRIES"],
            http_client=stripe.RequestsClient(timeout=config["STRIPE_TIMEOUT"]),
        )
        app.extensions["stripe_client"] = cached
    return cached


def _intent(pi) -> Intent:
    pi = pi.to_dict() if hasattr(pi, "to_dict") else pi
    error = error_code = decline_code = None
    last_error = pi.get("last_payment_error")
    if last_error:
        error = last_error.get("message") or last_error.get("code")
        error_code, decline_code = last_error.get("code"), last_error.get("decline_code")
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
        error_code=error_code,
        decline_code=decline_code,
    )


def _worst_case_seconds() -> float:
    """How long one call may take when Stripe hangs: every attempt times out,
    with the library's backoff (at most 2 s) between attempts."""
    config = current_app.config
    retries = config["STRIPE_MAX_RETRIES"]
    return config["STRIPE_TIMEOUT"] * (retries + 1) + 2.0 * retries


def _within_budget() -> None:
    """In a request, refuse to start a call that could end beyond the budget:
    the buyer gets an answer in STRIPE_REQUEST_BUDGET seconds, a worker is never
    held until the server kills it."""
    if not has_request_context():
        return
    started = g.setdefault("stripe_started", time.monotonic())
    remaining = current_app.config["STRIPE_REQUEST_BUDGET"] - (time.monotonic() - started)
    if remaining < _worst_case_seconds():
        current_app.logger.warning("Stripe call skipped: %.1f s left of the budget", remaining)
        raise GatewayError("payment service too slow", "timeout_budget", unreachable=True)


def _call(fn, *args, **kwargs):
    _within_budget()
    try:
        return fn(*args, **kwargs)
    except stripe.CardError as exc:
        decline_code = getattr(exc.error, "decline_code", None) if exc.error else None
        raise GatewayError(
            exc.user_message or "card declined", exc.code, decline_code=decline_code
        ) from exc
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as exc:
        current_app.logger.warning("Stripe not reached: %s", exc)
        raise GatewayError("payment service unavailable", "stripe", unreachable=True) from exc
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


def cancel_payment_intent_or_raise(intent_id: str) -> Intent:
    """Cancel an unpaid PaymentIntent, within the request's budget; a refusal
    (it succeeded or is processing) or an unreachable Stripe is a GatewayError."""
    return _intent(_call(client().v1.payment_intents.cancel, intent_id))


def cancel_payment_intent(intent_id: str) -> Intent | None:
    """Cancel an unpaid PaymentIntent; None when Stripe says it can no longer be."""
    try:
        return _intent(client().v1.payment_intents.cancel(intent_id))
    except stripe.StripeError as exc:
        current_app.logger.info("PaymentIntent %s not cancelled: %s", intent_id, exc)
        return None


def refund(intent_id: str, amount_vnd: int, *, idempotency_key: str) -> tuple[str, str]:
    """(refund id, status). The caller checks the amount against what was paid:
    localstripe would accept an over-refund, our rule does not. The key goes in
    the metadata too, so that reconcile can find a refund whose answer was lost."""
    result = _call(
        client().v1.refunds.create,
        params={
            "payment_intent": intent_id,
            "amount": amount_vnd,
            "metadata": {"ocop_refund_key": idempotency_key},
        },
        options={"idempotency_key": idempotency_key},
    )
    return result["id"], result["status"]


def retrieve_refund(refund_id: str) -> str:
    return _call(client().v1.refunds.retrieve, refund_id)["status"]


def find_refund(intent_id: str, key: str) -> tuple[str, str] | None:
    """(refund id, status) of the intent's refund made under ``key``, if any."""
    page = _call(client().v1.refunds.list, params={"payment_intent": intent_id, "limit": 100})
    for item in page.data:
        item = item.to_dict() if hasattr(item, "to_dict") else item
        if (item.get("metadata") or {}).get("ocop_refund_key") == key:
            return item["id"], item["status"]
    return None


def construct_event(payload: bytes, signature_header: str) -> dict:
    """Verify the signature over the raw body and its age; raises ValueError or
    stripe.SignatureVerificationError. The age is the signature's timestamp
    ``t`` (never the event's ``created``, which Stripe keeps on retries), and a
    ``t`` beyond the tolerance in the future is refused like an old one."""
    config = current_app.config
    tolerance = config["STRIPE_WEBHOOK_TOLERANCE"]
    stamps = [
        part.partition("=")[2]
        for part in (signature_header or "").split(",")
        if part.strip().startswith("t=")
    ]
    for stamp in stamps:
        if stamp.strip().isdigit() and int(stamp) > time.time() + tolerance:
            raise stripe.SignatureVerificationError(
                "timestamp in the future", signature_header, payload
            )
    stripe.WebhookSignature.verify_header(
        payload, signature_header, config["STRIPE_WEBHOOK_SECRET"], tolerance
    )
    # Signed, so Stripe (or someone holding the secret) sent it: a body that is
    # not an event object is a malformed event, answered 400 by the view.
    try:
        data = json.loads(payload)
    except ValueError as exc:
        raise MalformedPayload("not JSON") from exc
    if not isinstance(data, dict):
        raise MalformedPayload("not a JSON object")
    return data
