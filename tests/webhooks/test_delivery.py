"""Events reach a real HTTP receiver on loopback: signed, one per endpoint, only the
producer's own part of an order, retried from the outbox, given up after N attempts."""

import hashlib
import hmac
import json
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from shop.clock import utcnow
from shop.extensions import db
from shop.jobs.models import OutboxMessage, OutboxStatus
from shop.jobs.services import sweep
from shop.orders.models import ShipmentStatus
from shop.orders.services import advance_shipment, cancel_order
from shop.webhooks.models import (
    DeliveryError,
    DeliveryStatus,
    EventType,
    WebhookDelivery,
)
from tests.orders.helpers import order_for


def verify_signature(header: str, body: bytes, secret: str, tolerance: int = 300) -> bool:
    """What a receiver does, written here from the scheme, not from the shop's code."""
    pairs = [item.split("=", 1) for item in header.split(",")]
    timestamp = next(v for k, v in pairs if k == "t")
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return any(hmac.compare_digest(expected, v) for k, v in pairs if k == "v1")


def deliveries() -> list[WebhookDelivery]:
    return list(
        db.session.scalars(
            select(WebhookDelivery)
            .order_by(WebhookDelivery.id)
            .execution_options(populate_existing=True)
        )
    )


def later(hours: float) -> datetime:
    """A sweep far enough ahead that every backoff has passed."""
    return utcnow() + timedelta(hours=hours)


@pytest.fixture
def two_producers(make_producer, make_listed):
    a, b = make_producer(legal_name="HTX Chè A"), make_producer(legal_name="HTX Mật ong B")
    tea = make_listed("Chè Shan Tuyết", producer=a, price=350_000)
    honey = make_listed("Mật ong bạc hà", producer=b, price=420_000)
    return a, b, tea, honey


def test_a_new_order_sends_each_producer_only_its_own_part_signed(
    two_producers, make_endpoint, receiver
):
    a, _b, tea, honey = two_producers
    _endpoint, secret = make_endpoint(a, receiver.url())
    order = order_for({tea: 2, honey: 1})

    got = receiver.requests()
    assert len(got) == 1  # B has no endpoint: nothing for B
    request = got[0]
    assert request.path == "/hooks/ocop"
    assert verify_signature(request.headers["OCOP-Signature"], request.body, secret)
    assert not verify_signature(request.headers["OCOP-Signature"], request.body, "whsec_other")
    assert not verify_signature(request.headers["OCOP-Signature"], request.body + b" ", secret)
    event = request.json
    assert event["type"] == "order.created"
    assert request.headers["OCOP-Event-Type"] == "order.created"
    assert request.headers["OCOP-Event-Id"] == event["id"]
    assert event["id"].startswith("evt_")
    created = datetime.fromisoformat(event["created"])
    assert created.utcoffset() == timedelta(hours=7)  # Asia/Ho_Chi_Minh
    data = event["data"]
    assert data["order_number"] == order.number
    assert [(line["name"], line["quantity"]) for line in data["lines"]] == [("Chè Shan Tuyết", 2)]
    assert data["lines"][0]["unit_price_vnd"] == 350_000
    assert data["subtotal_vnd"] == 700_000
    assert "Mật ong" not in request.body.decode()  # B's line never reaches A
    assert data["payment_method"] == "cod"
    assert data["collect_on_delivery_vnd"] == data["total_vnd"]

    [delivery] = deliveries()
    assert delivery.producer_id == a.id
    assert delivery.status is DeliveryStatus.SUCCEEDED
    assert (delivery.attempts, delivery.response_status) == (1, 200)
    assert delivery.response_excerpt == '{"ok": true}'
    assert delivery.event_id == event["id"]
    assert delivery.body.encode() == request.body  # what the page shows is what was sent


def test_each_enabled_endpoint_gets_one_delivery_disabled_ones_nothing(
    two_producers, make_endpoint, receiver
):
    a, _b, tea, _honey = two_producers
    make_endpoint(a, receiver.url("/one"))
    make_endpoint(a, receiver.url("/two"))
    make_endpoint(a, receiver.url("/off"), enabled=False)
    make_endpoint(a, receiver.url("/cancel-only"), events=[EventType.ORDER_CANCELLED])
    order_for({tea: 1})

    paths = sorted(r.path for r in receiver.requests())
    assert paths == ["/one", "/two"]
    ids = {r.headers["OCOP-Event-Id"] for r in receiver.requests()}
    assert len(ids) == 1  # one event, told to two endpoints
    assert len(deliveries()) == 2


def test_a_cancelled_order_tells_each_producer(two_producers, make_endpoint, receiver):
    a, b, tea, honey = two_producers
    _ea, secret_a = make_endpoint(a, receiver.url("/a"), events=[EventType.ORDER_CANCELLED])
    _eb, secret_b = make_endpoint(b, receiver.url("/b"), events=[EventType.ORDER_CANCELLED])
    order = order_for({tea: 1, honey: 1})
    assert receiver.requests() == []  # they asked for cancellations only

    cancel_order(order.id, actor=None, actor_label="staff", reason="Khách đổi ý")
    db.session.commit()

    got = {r.path: r for r in receiver.requests()}
    assert set(got) == {"/a", "/b"}
    assert verify_signature(got["/a"].headers["OCOP-Signature"], got["/a"].body, secret_a)
    assert verify_signature(got["/b"].headers["OCOP-Signature"], got["/b"].body, secret_b)
    for path, name in (("/a", "Chè Shan Tuyết"), ("/b", "Mật ong bạc hà")):
        event = got[path].json
        assert event["type"] == "order.cancelled"
        assert event["data"]["status"] == "cancelled"
        assert event["data"]["cancel_reason"] == "Khách đổi ý"
        assert [line["name"] for line in event["data"]["lines"]] == [name]


def test_a_producer_cancelling_its_own_part_tells_only_itself(
    two_producers, make_endpoint, receiver
):
    a, b, tea, honey = two_producers
    make_endpoint(a, receiver.url("/a"), events=[EventType.ORDER_CANCELLED])
    make_endpoint(b, receiver.url("/b"), events=[EventType.ORDER_CANCELLED])
    order = order_for({tea: 1, honey: 1})
    shipment = next(s for s in order.shipments if s.producer_id == a.id)
    advance_shipment(
        shipment.id, ShipmentStatus.CANCELLED, actor=None, actor_label="producer", reason="Hết hàng"
    )
    db.session.commit()
    assert [r.path for r in receiver.requests()] == ["/a"]


def test_a_rolled_back_order_sends_nothing(two_producers, make_endpoint, receiver):
    from shop.cart.services import build_view
    from shop.checkout.services import place_order
    from shop.clock import today_vn
    from shop.orders.models import PaymentMethod
    from tests.orders.helpers import CONTACT

    a, _b, tea, _honey = two_producers
    make_endpoint(a, receiver.url())
    _order, created = place_order(
        lines={tea.id: 1},
        contact=CONTACT,
        payment_method=PaymentMethod.COD,
        token="t" * 43,
        user=None,
        today=today_vn(),
        expected_total_vnd=build_view({tea.id: 1}, today_vn()).total_vnd,
    )
    assert created
    db.session.rollback()
    assert receiver.requests() == []
    assert deliveries() == []


def test_a_failing_endpoint_is_retried_with_backoff_until_it_answers(
    app, two_producers, make_endpoint, receiver
):
    a, _b, tea, _honey = two_producers
    _endpoint, secret = make_endpoint(a, receiver.url())
    receiver.answers = [(500, "lỗi máy chủ"), (503, "bận"), (200, "ok")]
    order_for({tea: 1})

    [delivery] = deliveries()
    assert delivery.status is DeliveryStatus.PENDING
    assert (delivery.attempts, delivery.response_status) == (1, 500)
    assert delivery.error is DeliveryError.HTTP_STATUS
    assert delivery.response_excerpt == "lỗi máy chủ"
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "webhook"))
    assert message.status is OutboxStatus.PENDING
    assert message.next_attempt_at.replace(tzinfo=None) > utcnow().replace(tzinfo=None)

    assert sweep(now=later(1)) == 1
    [delivery] = deliveries()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (
        DeliveryStatus.PENDING,
        2,
        503,
    )
    assert sweep(now=later(2)) == 1
    [delivery] = deliveries()
    assert delivery.status is DeliveryStatus.SUCCEEDED
    assert (delivery.attempts, delivery.response_status, delivery.error) == (3, 200, None)

    got = receiver.requests()
    assert len(got) == 3
    assert len({r.body for r in got}) == 1  # the same body on every attempt
    assert [r.headers["OCOP-Delivery-Attempt"] for r in got] == ["1", "2", "3"]
    assert all(verify_signature(r.headers["OCOP-Signature"], r.body, secret) for r in got)
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status is OutboxStatus.SENT


def test_it_gives_up_after_the_last_attempt_and_marks_the_delivery_failed(
    app, two_producers, make_endpoint, receiver
):
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 3
    a, _b, tea, _honey = two_producers
    make_endpoint(a, receiver.url())
    receiver.answers = [(500, "down")]
    order_for({tea: 1})
    sweep(now=later(1))
    sweep(now=later(2))

    [delivery] = deliveries()
    assert delivery.status is DeliveryStatus.FAILED
    assert (delivery.attempts, delivery.response_status) == (3, 500)
    assert len(receiver.requests()) == 3
    # The outbox row is done, not dead: the producer sees it, staff's dead list stays clean.
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "webhook"))
    assert message.status is OutboxStatus.SENT
    assert sweep(now=later(5)) == 0
    assert len(receiver.requests()) == 3


def test_a_slow_endpoint_times_out_and_waits_for_a_retry(
    app, two_producers, make_endpoint, receiver
):
    app.config["WEBHOOK_TIMEOUT"] = 0.3
    a, _b, tea, _honey = two_producers
    make_endpoint(a, receiver.url())
    receiver.delay = 1.5
    started = time.monotonic()
    order_for({tea: 1})
    assert time.monotonic() - started < 1.4  # the checkout did not wait for the receiver

    [delivery] = deliveries()
    assert delivery.status is DeliveryStatus.PENDING
    assert delivery.error is DeliveryError.TIMEOUT
    assert delivery.response_status is None
    assert delivery.attempts == 1


def test_a_redirect_is_an_answer_never_followed(app, two_producers, make_endpoint, receiver):
    a, _b, tea, _honey = two_producers
    make_endpoint(a, receiver.url("/hook"))
    receiver.answers = [(302, "")]
    receiver.headers_out = {"Location": receiver.url("/elsewhere")}
    order_for({tea: 1})

    assert [r.path for r in receiver.requests()] == ["/hook"]
    [delivery] = deliveries()
    assert (delivery.status, delivery.response_status) == (DeliveryStatus.PENDING, 302)
    assert delivery.error is DeliveryError.HTTP_STATUS


def test_without_loopback_allowed_the_address_is_blocked_and_nothing_is_sent(
    app, two_producers, make_endpoint, receiver
):
    a, _b, tea, _honey = two_producers
    make_endpoint(a, receiver.url())
    app.config["WEBHOOK_ALLOW_LOOPBACK"] = False  # production's setting
    order_for({tea: 1})

    assert receiver.requests() == []
    [delivery] = deliveries()
    assert delivery.status is DeliveryStatus.FAILED  # refused for good: no retry
    assert delivery.error is DeliveryError.BLOCKED
    assert "127.0.0.1" in delivery.error_detail
    assert sweep(now=later(1)) == 0


def test_a_name_that_resolves_to_loopback_is_blocked_too(
    app, two_producers, make_endpoint, receiver
):
    a, _b, tea, _honey = two_producers
    make_endpoint(a, f"http://localhost:{receiver.port}/hook")
    app.config["WEBHOOK_ALLOW_LOOPBACK"] = False
    order_for({tea: 1})
    assert receiver.requests() == []
    assert deliveries()[0].error is DeliveryError.BLOCKED


def test_an_endpoint_switched_off_before_the_attempt_gets_nothing(
    app, two_producers, make_endpoint, receiver
):
    a, _b, tea, _honey = two_producers
    endpoint, _secret = make_endpoint(a, receiver.url())
    receiver.answers = [(500, "down"), (200, "ok")]
    order_for({tea: 1})
    assert len(receiver.requests()) == 1
    endpoint.enabled = False
    db.session.commit()

    sweep(now=later(1))
    assert len(receiver.requests()) == 1
    [delivery] = deliveries()
    assert (delivery.status, delivery.error) == (DeliveryStatus.FAILED, DeliveryError.DISABLED)


def test_a_refused_connection_is_retried(app, two_producers, make_endpoint):
    from tests.peers import closed_port

    a, _b, tea, _honey = two_producers
    make_endpoint(a, f"http://127.0.0.1:{closed_port()}/hook")
    order_for({tea: 1})
    [delivery] = deliveries()
    assert (delivery.status, delivery.error) == (DeliveryStatus.PENDING, DeliveryError.CONNECTION)


def test_after_a_rotation_both_secrets_sign_for_a_while(
    app, two_producers, make_endpoint, receiver
):
    from shop.webhooks.services import rotate_secret

    a, _b, tea, _honey = two_producers
    endpoint, old = make_endpoint(a, receiver.url())
    new = rotate_secret(endpoint, a.members[0].user)
    db.session.commit()
    order_for({tea: 1})
    [request] = receiver.requests()
    header = request.headers["OCOP-Signature"]
    assert header.count("v1=") == 2
    assert verify_signature(header, request.body, new)
    assert verify_signature(header, request.body, old)

    endpoint.previous_secret_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    order_for({tea: 1})
    header = receiver.requests()[1].headers["OCOP-Signature"]
    assert header.count("v1=") == 1
    assert verify_signature(header, receiver.requests()[1].body, new)
    assert not verify_signature(header, receiver.requests()[1].body, old)


def test_the_body_is_json_with_the_documented_fields(two_producers, make_endpoint, receiver):
    a, _b, tea, _honey = two_producers
    make_endpoint(a, receiver.url())
    order_for({tea: 1})
    event = json.loads(receiver.requests()[0].body.decode("utf-8"))
    assert set(event) == {"id", "type", "created", "data"}
    assert {"order_number", "lines", "customer", "total_vnd", "status"} <= set(event["data"])
    assert all(isinstance(event["data"][k], int) for k in ("subtotal_vnd", "total_vnd"))


def test_https_verifies_the_certificate(app, two_producers, make_endpoint, tls_receiver):
    """A certificate nobody vouches for is refused before a byte of the event leaves."""
    a, _b, tea, _honey = two_producers
    make_endpoint(a, f"https://localhost:{tls_receiver.port}/hook")
    order_for({tea: 1})
    assert tls_receiver.requests() == []
    [delivery] = deliveries()
    assert (delivery.status, delivery.error) == (DeliveryStatus.PENDING, DeliveryError.TLS)
    assert "certificate" in delivery.error_detail.lower()
