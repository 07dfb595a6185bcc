"""The outbox handler that sends one webhook delivery (kind ``webhook``).

It runs after the commit that queued the delivery, under the outbox's row lock,
and leaves the commit to the outbox (shop/jobs/services.py: ``deliver``). Each
attempt is written on the delivery outside any savepoint on purpose: when the
attempt fails the handler raises, and the outbox's commit that records the retry
keeps the attempt too, so the producer's page shows every failure as it happens.
The outbox's backoff spaces the attempts (30 s, 1 min, 2 min, ... at most
OUTBOX_RETRY_MAX apart); after WEBHOOK_MAX_ATTEMPTS the delivery is failed and
the handler returns, so the outbox row is done rather than dead: a producer's
unreachable server is the producer's to see (and to send again), not staff's.
"""

from flask import current_app
from sqlalchemy import select

from shop.clock import utcnow
from shop.extensions import db
from shop.webhooks import sender, signing
from shop.webhooks.models import DeliveryError, DeliveryStatus, WebhookDelivery
from shop.webhooks.services import signing_secrets


class AttemptFailed(Exception):
    """This attempt failed and another will follow (the outbox retries)."""


def max_attempts() -> int:
    config = current_app.config
    # The outbox gives up on its row at OUTBOX_MAX_ATTEMPTS: the delivery must first.
    return max(1, min(config["WEBHOOK_MAX_ATTEMPTS"], config["OUTBOX_MAX_ATTEMPTS"]))


def request_headers(delivery: WebhookDelivery, secrets_: list[str], timestamp: int) -> dict:
    return {
        signing.SIGNATURE_HEADER: signing.signature_header(
            secrets_, timestamp, delivery.body.encode()
        ),
        signing.EVENT_ID_HEADER: delivery.event_id,
        signing.EVENT_TYPE_HEADER: str(delivery.event_type),
        "OCOP-Delivery-Attempt": str(delivery.attempts),
        "User-Agent": "OCOP-Webhooks/1.0",
    }


def deliver_webhook(payload: dict) -> None:
    delivery = db.session.scalar(
        select(WebhookDelivery)
        .where(WebhookDelivery.id == payload["delivery_id"])
        .execution_options(populate_existing=True)
    )
    # Gone with its endpoint, done already, or an older round than "send again" made.
    if (
        delivery is None
        or not delivery.status.is_pending
        or delivery.round != payload.get("round", delivery.round)
    ):
        return
    endpoint = delivery.endpoint
    now = utcnow()
    if not endpoint.enabled:
        delivery.status = DeliveryStatus.FAILED
        delivery.error = DeliveryError.DISABLED
        delivery.error_detail = None
        return
    delivery.attempts += 1
    delivery.last_attempt_at = now
    config = current_app.config
    headers = request_headers(delivery, signing_secrets(endpoint, now), int(now.timestamp()))
    try:
        answer = sender.post(
            endpoint.url,
            delivery.body.encode(),
            headers,
            timeout=config["WEBHOOK_TIMEOUT"],
            allow_loopback=config["WEBHOOK_ALLOW_LOOPBACK"],
        )
    except sender.SendFailed as exc:
        delivery.response_status = None
        delivery.response_excerpt = None
        delivery.error = exc.kind
        delivery.error_detail = exc.detail or None
        _failed(delivery, permanent=exc.permanent)
        return
    delivery.response_status = answer.status
    delivery.response_excerpt = answer.excerpt[: config["WEBHOOK_RESPONSE_EXCERPT"]] or None
    if 200 <= answer.status < 300:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.delivered_at = now
        delivery.error = None
        delivery.error_detail = None
        return
    delivery.error = DeliveryError.HTTP_STATUS
    delivery.error_detail = None
    _failed(delivery, permanent=False)


def _failed(delivery: WebhookDelivery, *, permanent: bool) -> None:
    if permanent or delivery.attempts >= max_attempts():
        delivery.status = DeliveryStatus.FAILED
        return
    db.session.flush()
    raise AttemptFailed(
        f"webhook delivery {delivery.id} attempt {delivery.attempts}: "
        f"{delivery.error} {delivery.response_status or ''}".strip()
    )
