"""Webhook use cases: a producer owner's endpoints, and the events queued for them.

Events are queued in the transaction of the change they tell (an order placed,
a producer's part of it cancelled: the order signals connected by create_app),
one delivery per enabled endpoint of that producer that subscribes to the event,
each with an outbox row (kind ``webhook``) that sends it after the commit
(tasks.py). Every function here flushes; the caller commits.
"""

import json
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from shop.audit import services as audit
from shop.auth.models import User
from shop.clock import local_time, utcnow
from shop.extensions import db
from shop.jobs.services import enqueue, resume
from shop.orders.models import Order, Shipment, ShipmentStatus
from shop.producers.models import Producer
from shop.webhooks import signing
from shop.webhooks.models import DeliveryStatus, EventType, WebhookDelivery, WebhookEndpoint

KIND = "webhook"  # the outbox kind whose handler sends one delivery (tasks.deliver_webhook)


class WebhookError(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# -- endpoints -----------------------------------------------------------------


def endpoints_of(producer_id: int):
    return (
        select(WebhookEndpoint)
        .where(WebhookEndpoint.producer_id == producer_id)
        .order_by(WebhookEndpoint.id)
    )


def _events(events) -> list[str]:
    chosen = {str(EventType(e)) for e in events}
    return [str(e) for e in EventType if str(e) in chosen]


def create_endpoint(
    producer: Producer, actor: User, *, url: str, events, description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """A new enabled endpoint and its secret (to show once)."""
    count = db.session.scalar(
        select(func.count())
        .select_from(WebhookEndpoint)
        .where(WebhookEndpoint.producer_id == producer.id)
    )
    limit = current_app.config["WEBHOOK_MAX_ENDPOINTS"]
    if count >= limit:
        raise WebhookError(_("Mỗi cơ sở có tối đa %(n)s điểm nhận webhook.", n=limit))
    secret = signing.new_secret()
    endpoint = WebhookEndpoint(
        producer_id=producer.id,
        url=url,
        description=description.strip(),
        events=_events(events),
        enabled=True,
        secret=secret,
        created_by_id=actor.id,
    )
    db.session.add(endpoint)
    db.session.flush()
    audit.record(actor, "webhook.create", endpoint, producer=producer.id, url=url)
    return endpoint, secret


def update_endpoint(
    endpoint: WebhookEndpoint, actor: User, *, url: str, events, description: str, enabled: bool
) -> WebhookEndpoint:
    changed_url = endpoint.url != url
    endpoint.url = url
    endpoint.events = _events(events)
    endpoint.description = description.strip()
    endpoint.enabled = enabled
    db.session.flush()
    audit.record(
        actor,
        "webhook.update",
        endpoint,
        producer=endpoint.producer_id,
        url=url,
        enabled=enabled,
        url_changed=changed_url,
    )
    return endpoint


def rotate_secret(endpoint: WebhookEndpoint, actor: User, now: datetime | None = None) -> str:
    """A new secret; the current one keeps signing beside it for
    WEBHOOK_SECRET_OVERLAP_HOURS (0: it stops at once)."""
    now = now or utcnow()
    hours = current_app.config["WEBHOOK_SECRET_OVERLAP_HOURS"]
    if hours > 0:
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_until = now + timedelta(hours=hours)
    else:
        endpoint.previous_secret = None
        endpoint.previous_secret_until = None
    endpoint.secret = signing.new_secret()
    db.session.flush()
    audit.record(actor, "webhook.rotate_secret", endpoint, producer=endpoint.producer_id)
    return endpoint.secret


def delete_endpoint(endpoint: WebhookEndpoint, actor: User) -> None:
    """The endpoint and its deliveries (their queued sends find nothing and stop)."""
    audit.record(actor, "webhook.delete", endpoint, producer=endpoint.producer_id, url=endpoint.url)
    db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    db.session.delete(endpoint)
    db.session.flush()


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The secrets that sign a request now, newest first."""
    keys = [endpoint.secret]
    until = endpoint.previous_secret_until
    if endpoint.previous_secret and until is not None:
        if until.tzinfo is None:  # SQLite hands back naive UTC
            until = until.replace(tzinfo=now.tzinfo)
        if until > now:
            keys.append(endpoint.previous_secret)
    return keys


# -- events --------------------------------------------------------------------


def iso_vn(moment: datetime | None) -> str | None:
    """ISO 8601 in Vietnam time: "2026-12-01T15:04:05+07:00"."""
    return local_time(moment).isoformat(timespec="seconds") if moment is not None else None


def new_event_id() -> str:
    return "evt_" + secrets.token_hex(12)


def shipment_data(order: Order, shipment: Shipment) -> dict:
    """The producer's part of an order, and only its own lines: what its order
    page shows (the buyer's name, phone and address are what it ships to)."""
    lines = [line for line in order.lines if line.shipment_id == shipment.id]
    return {
        "order_number": order.number,
        "shipment_id": shipment.id,
        "status": str(shipment.status),
        "order_status": str(order.status),
        "payment_method": str(order.payment_method),
        "payment_status": str(order.payment_status),
        "placed_at": iso_vn(order.created_at),
        "customer": {
            "name": order.customer_name,
            "phone": order.phone,
            "street": order.street,
            "ward": order.ward_name,
            "province": order.province_name,
            "address": order.address_line,
        },
        "note": order.note,
        "currency": "VND",
        "lines": [
            {
                "product_id": line.product_id,
                "name": line.product_name,
                "pack": line.pack,
                "star_rank": line.star_rank,
                "quantity": line.quantity,
                "unit_price_vnd": line.unit_price_vnd,
                "line_total_vnd": line.line_total_vnd,
            }
            for line in lines
        ],
        "subtotal_vnd": shipment.subtotal_vnd,
        "shipping_vnd": shipment.shipping_vnd,
        "total_vnd": shipment.total_vnd,
        # What the carrier collects from the buyer (cash on delivery), else 0.
        "collect_on_delivery_vnd": shipment.collect_on_delivery_vnd,
    }


def event_body(event_id: str, event_type: EventType, data: dict, now: datetime) -> str:
    return json.dumps(
        {"id": event_id, "type": str(event_type), "created": iso_vn(now), "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _outbox_key(delivery: WebhookDelivery) -> str:
    return f"{KIND}:{delivery.id}:{delivery.round}"


def _queue(delivery: WebhookDelivery) -> None:
    enqueue(KIND, {"delivery_id": delivery.id, "round": delivery.round}, _outbox_key(delivery))


def subscribed(producer_ids, event_type: EventType) -> dict[int, list[WebhookEndpoint]]:
    """The enabled endpoints subscribed to ``event_type``, by producer: one query
    for every producer of an order."""
    ids = sorted(set(producer_ids))
    found: dict[int, list[WebhookEndpoint]] = {}
    if not ids:
        return found
    for endpoint in db.session.scalars(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.producer_id.in_(ids), WebhookEndpoint.enabled.is_(True))
        .order_by(WebhookEndpoint.id)
    ):
        if endpoint.subscribes_to(event_type):
            found.setdefault(endpoint.producer_id, []).append(endpoint)
    return found


def queue_event(
    endpoints: list[WebhookEndpoint],
    event_type: EventType,
    data: dict,
    *,
    order_number: str | None = None,
    now: datetime | None = None,
) -> list[WebhookDelivery]:
    """One delivery per endpoint (all of one producer), all with the same event
    id and body, each queued in the outbox."""
    if not endpoints:
        return []
    now = now or utcnow()
    event_id = new_event_id()
    body = event_body(event_id, event_type, data, now)
    deliveries = [
        WebhookDelivery(
            endpoint_id=endpoint.id,
            producer_id=endpoint.producer_id,
            event_id=event_id,
            event_type=event_type,
            order_number=order_number,
            body=body,
            status=DeliveryStatus.PENDING,
            round=1,
            attempts=0,
            created_at=now,
        )
        for endpoint in endpoints
    ]
    db.session.add_all(deliveries)
    db.session.flush()
    for delivery in deliveries:
        _queue(delivery)
    return deliveries


def on_order_placed(order: Order, *, shipments: list[Shipment], **_extra) -> None:
    """``orders.events.order_placed``: "order.created" for each producer of the
    order that has an endpoint for it (one query whatever the order holds)."""
    endpoints = subscribed((s.producer_id for s in shipments), EventType.ORDER_CREATED)
    for shipment in shipments:
        if shipment.producer_id in endpoints:
            queue_event(
                endpoints[shipment.producer_id],
                EventType.ORDER_CREATED,
                shipment_data(order, shipment),
                order_number=order.number,
            )


def on_state_changed(obj, *, subject: str, target, reason: str | None = None, **_extra) -> None:
    """``orders.events.state_changed``: a producer's shipment cancelled (by the buyer,
    staff, the producer or the clock) is "order.cancelled" for that producer."""
    if subject != "shipment" or target != ShipmentStatus.CANCELLED:
        return
    shipment: Shipment = obj
    endpoints = subscribed([shipment.producer_id], EventType.ORDER_CANCELLED)
    if not endpoints:
        return
    order = shipment.order
    data = shipment_data(order, shipment)
    data["status"] = str(ShipmentStatus.CANCELLED)
    data["cancel_reason"] = reason
    queue_event(
        endpoints[shipment.producer_id],
        EventType.ORDER_CANCELLED,
        data,
        order_number=order.number,
    )


def resend(delivery: WebhookDelivery, actor: User) -> WebhookDelivery:
    """Send a delivery again: a new round of attempts, the same event id and body."""
    if delivery.status.is_pending:
        raise WebhookError(_("Lần gửi này vẫn đang chờ: chưa thể gửi lại."))
    delivery.round += 1
    delivery.attempts = 0
    delivery.status = DeliveryStatus.PENDING
    delivery.error = None
    delivery.error_detail = None
    delivery.response_status = None
    delivery.response_excerpt = None
    delivery.delivered_at = None
    db.session.flush()
    _queue(delivery)
    resume(KIND)  # the producer is waiting for this one
    audit.record(actor, "webhook.resend", delivery, producer=delivery.producer_id)
    return delivery


# -- reading -------------------------------------------------------------------


def deliveries_of(producer_id: int, endpoint_id: int | None = None):
    query = select(WebhookDelivery).where(WebhookDelivery.producer_id == producer_id)
    if endpoint_id is not None:
        query = query.where(WebhookDelivery.endpoint_id == endpoint_id)
    return query.order_by(WebhookDelivery.id.desc())
