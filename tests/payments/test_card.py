"""Card payments against localstripe, a real Stripe protocol peer: PaymentIntents
in VND, signed webhooks (replayed, reordered, concurrent), reconcile, refunds."""

import json
import threading
import time

import pytest
import requests
import stripe
from sqlalchemy import func, select

from shop.extensions import db
from shop.mail import outbox
from shop.orders.models import Order, OrderStatus, PaymentMethod, PaymentStatus
from shop.payments import stripe_gateway
from shop.payments.models import CardPayment, Refund, StripeEvent
from shop.payments.services import PaymentError, ensure_payment_intent
from shop.payments.tasks import reconcile_open_card_payments
from tests.conftest import WEBHOOK_SECRET
from tests.orders.helpers import hidden_value, order_for
from tests.payments.stripe_helpers import (
    WebhookCatcher,
    card_token,
    pay_with_card,
    refund_order,
    register_webhook,
    stripe_refund_amounts,
)


@pytest.fixture
def card_order(stripe_app, make_listed):
    tea = make_listed(price=125_000, stock=5)
    return order_for({tea: 2}, method=PaymentMethod.CARD)


@pytest.fixture
def catcher(localstripe):
    catcher = WebhookCatcher()
    register_webhook(localstripe, catcher.url, WEBHOOK_SECRET)
    yield catcher
    catcher.close()


def sign(payload: bytes, timestamp: int | None = None, secret: str = WEBHOOK_SECRET) -> str:
    import hashlib
    import hmac

    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def test_payment_intent_is_in_whole_dong(card_order, localstripe):
    payment = ensure_payment_intent(card_order)
    db.session.commit()
    assert card_order.total_vnd == 2 * 125_000 + 30_000
    intent = requests.get(
        f"{localstripe}/v1/payment_intents/{payment.payment_intent_id}",
        auth=("sk_test_localstripe", ""),
        timeout=10,
    ).json()
    assert intent["currency"] == "vnd"
    assert intent["amount"] == 280_000  # zero-decimal: đồng, not đồng × 100
    assert intent["metadata"]["order_number"] == card_order.number
    again = ensure_payment_intent(card_order)
    db.session.commit()
    assert again.payment_intent_id == payment.payment_intent_id


def test_card_payment_marks_the_order_paid_once(card_order, localstripe):
    intent = pay_with_card(card_order, card_token(localstripe))
    assert intent.status == "succeeded"
    db.session.expire_all()
    order = db.session.get(Order, card_order.id)
    assert (order.status, order.payment_status, order.paid_vnd) == (
        OrderStatus.PAID,
        PaymentStatus.PAID,
        280_000,
    )
    assert all(s.paid_at is not None for s in order.shipments)
    assert order.expires_at is None
    paid_mails = [m for m in outbox() if "Đã nhận thanh toán" in m["Subject"]]
    assert len(paid_mails) == 1
    # The return page reads the intent back: nothing changes twice.
    from shop.payments.services import refresh_card_payment

    refresh_card_payment(order)
    db.session.expire_all()
    assert db.session.get(Order, card_order.id).paid_vnd == 280_000
    assert len([m for m in outbox() if "Đã nhận thanh toán" in m["Subject"]]) == 1


def test_declined_card_leaves_the_order_unpaid(card_order, localstripe):
    with pytest.raises(stripe_gateway.GatewayError):
        pay_with_card(card_order, card_token(localstripe, "4000000000000341"))
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Order, card_order.id).payment_status == PaymentStatus.UNPAID


def test_webhook_from_localstripe_settles_and_replays_change_nothing(
    card_order, localstripe, catcher, client
):
    payment = ensure_payment_intent(card_order)
    db.session.commit()
    # Pay at Stripe without telling the shop: only the webhook can settle it.
    stripe_gateway.pay_with_card_token(
        payment.payment_intent_id, card_token(localstripe), idempotency_key="k1"
    )
    body, headers = catcher.wait_for("payment_intent.succeeded", payment.payment_intent_id)
    event_id = json.loads(body)["id"]

    def deliver():
        return client.post(
            "/payments/stripe/webhook",
            data=body,
            headers={
                "Stripe-Signature": headers["Stripe-Signature"],
                "Content-Type": "application/json",
            },
        )

    for expected in ("settled", "duplicate", "duplicate"):
        response = deliver()
        assert response.status_code == 200
        assert response.get_json()["outcome"] == expected
    db.session.expire_all()
    order = db.session.get(Order, card_order.id)
    assert (order.status, order.paid_vnd) == (OrderStatus.PAID, 280_000)
    assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 1
    assert db.session.get(StripeEvent, event_id).type == "payment_intent.succeeded"
    assert len([m for m in outbox() if "Đã nhận thanh toán" in m["Subject"]]) == 1


def test_out_of_order_events_only_move_forward(card_order, localstripe, client):
    """A stale 'payment_failed' arriving after the success changes nothing."""
    payment = ensure_payment_intent(card_order)
    db.session.commit()
    pay_with_card(card_order, card_token(localstripe))
    stale = {
        "id": "evt_stale_failure",
        "object": "event",
        "type": "payment_intent.payment_failed",
        "created": int(time.time()),
        "data": {"object": {"id": payment.payment_intent_id, "object": "payment_intent"}},
    }
    body = json.dumps(stale).encode()
    response = client.post(
        "/payments/stripe/webhook", data=body, headers={"Stripe-Signature": sign(body)}
    )
    assert response.status_code == 200
    db.session.expire_all()
    order = db.session.get(Order, card_order.id)
    assert (order.status, order.payment_status) == (OrderStatus.PAID, PaymentStatus.PAID)
    assert db.session.get(CardPayment, payment.id).stripe_status == "succeeded"


@pytest.mark.parametrize(
    "header",
    [
        "t=1,v1=deadbeef",
        "",
        "garbage",
        None,  # signed with another secret
        "old",  # right secret, older than the tolerance
    ],
)
def test_bad_signature_or_old_event_is_400_and_writes_nothing(card_order, client, header):
    payment = ensure_payment_intent(card_order)
    db.session.commit()
    event = {
        "id": "evt_forged",
        "object": "event",
        "type": "payment_intent.succeeded",
        "created": int(time.time()),
        "data": {"object": {"id": payment.payment_intent_id, "object": "payment_intent"}},
    }
    body = json.dumps(event).encode()
    if header is None:
        header = sign(body, secret="whsec_attacker")
    elif header == "old":
        header = sign(body, timestamp=int(time.time()) - 3600)
    response = client.post(
        "/payments/stripe/webhook", data=body, headers={"Stripe-Signature": header}
    )
    assert response.status_code == 400
    assert response.get_json()["error"]
    assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 0
    db.session.expire_all()
    assert db.session.get(Order, card_order.id).payment_status == PaymentStatus.UNPAID


def test_a_forged_success_for_an_unpaid_intent_pays_nothing(card_order, client):
    """Even correctly signed, an event is checked against Stripe's own state."""
    payment = ensure_payment_intent(card_order)
    db.session.commit()
    event = {
        "id": "evt_early",
        "object": "event",
        "type": "payment_intent.succeeded",
        "created": int(time.time()),
        "data": {"object": {"id": payment.payment_intent_id, "object": "payment_intent"}},
    }
    body = json.dumps(event).encode()
    response = client.post(
        "/payments/stripe/webhook", data=body, headers={"Stripe-Signature": sign(body)}
    )
    assert response.status_code == 200
    assert response.get_json()["outcome"] == "recorded"
    db.session.expire_all()
    assert db.session.get(Order, card_order.id).payment_status == PaymentStatus.UNPAID


def test_reconcile_settles_orders_whose_webhook_never_came(card_order, localstripe, runner):
    payment = ensure_payment_intent(card_order)
    db.session.commit()
    stripe_gateway.pay_with_card_token(
        payment.payment_intent_id, card_token(localstripe), idempotency_key="k2"
    )
    db.session.expire_all()
    assert db.session.get(Order, card_order.id).payment_status == PaymentStatus.UNPAID
    result = runner.invoke(args=["payments", "reconcile"])
    assert "settled now: 1" in result.output
    db.session.expire_all()
    assert db.session.get(Order, card_order.id).status == OrderStatus.PAID
    assert "was run already" in runner.invoke(args=["payments", "reconcile"]).output
    assert "settled now: 0" in runner.invoke(args=["payments", "reconcile", "--force"]).output
    assert reconcile_open_card_payments() == (0, 0)


def test_partial_then_full_refund_never_above_what_was_paid(card_order, localstripe, staff):
    pay_with_card(card_order, card_token(localstripe))
    (first,) = refund_order(card_order.id, 80_000, "Một hộp bị vỡ", staff)
    assert first.stripe_refund_id.startswith("re_")
    db.session.expire_all()
    order = db.session.get(Order, card_order.id)
    assert (order.refunded_vnd, order.payment_status) == (80_000, PaymentStatus.PARTIALLY_REFUNDED)
    with pytest.raises(PaymentError, match=r"tối đa 200\.000 ₫"):
        refund_order(card_order.id, 200_001, "Quá nhiều", staff)  # localstripe would allow it
    db.session.rollback()
    refund_order(card_order.id, 200_000, "Khách trả hàng", staff)
    db.session.expire_all()
    order = db.session.get(Order, card_order.id)
    assert (order.refunded_vnd, order.payment_status, order.status) == (
        280_000,
        PaymentStatus.REFUNDED,
        OrderStatus.REFUNDED,
    )
    with pytest.raises(PaymentError):
        refund_order(card_order.id, 1, "Thêm", staff)
    db.session.rollback()
    intent = db.session.scalar(select(CardPayment.payment_intent_id))
    assert stripe_refund_amounts(localstripe, intent) == [80_000, 200_000]
    assert db.session.scalar(select(func.count()).select_from(Refund)) == 2
    from shop.audit.models import AuditEntry

    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "refund")
        )
        == 2
    )


@pytest.mark.parametrize("amount", [0, -1, 1.5, True])
def test_refund_amount_must_be_positive_whole_dong(card_order, localstripe, staff, amount):
    pay_with_card(card_order, card_token(localstripe))
    with pytest.raises(PaymentError):
        refund_order(card_order.id, amount, "x", staff)


def test_customer_cancelling_a_paid_card_order_is_refunded(card_order, localstripe, client):
    pay_with_card(card_order, card_token(localstripe))
    url = f"/orders/{card_order.number}/cancel?key={card_order.access_key}"
    confirm = client.get(url)
    assert confirm.status_code == 200
    html = confirm.get_data(as_text=True)
    assert "Bạn sẽ được hoàn 280.000 ₫ về thẻ" in html  # what, and how, before confirming
    form = {"action_token": hidden_value(html), "reason": "Đổi ý"}
    for _ in range(2):  # a double click refunds once
        response = client.post(url, data=form)
        assert response.status_code == 303
        assert response.location == f"/orders/{card_order.number}?key={card_order.access_key}"
    db.session.expire_all()
    order = db.session.get(Order, card_order.id)
    assert order.status == OrderStatus.REFUNDED
    assert order.refunded_vnd == 280_000
    assert order.lines[0].quantity == 2
    (row,) = db.session.scalars(select(Refund)).all()
    assert row.stripe_refund_id.startswith("re_")
    assert row.idempotency_key.startswith("ocop-refund-")
    intent = db.session.scalar(select(CardPayment.payment_intent_id))
    assert stripe_refund_amounts(localstripe, intent) == [280_000]


def test_card_page_loads_stripe_js_from_the_configured_host_only(card_order, client, localstripe):
    response = client.get(f"/orders/{card_order.number}?key={card_order.access_key}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'src="{localstripe}/js.stripe.com/v3/"' in page
    csp = response.headers["Content-Security-Policy"]
    script_src = next(p for p in csp.split("; ") if p.startswith("script-src"))
    assert localstripe in script_src
    assert "script-src 'self'" in client.get("/").headers["Content-Security-Policy"]
    assert localstripe not in client.get("/").headers["Content-Security-Policy"]


def test_pay_endpoint_refuses_bad_tokens(card_order, client):
    url = f"/orders/{card_order.number}/pay/card?key={card_order.access_key}"
    assert client.post(url, json={"token": "not-a-token"}).status_code == 400
    assert client.post(url, json={}).status_code == 400
    response = client.post(url, json={"token": "tok_doesnotexist"})
    assert response.status_code in (402, 503)
    assert response.get_json()["error"]


def test_stripe_down_is_a_readable_page_not_a_500(card_order, app, client):
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"  # nothing listens there
    app.config["STRIPE_TIMEOUT"] = 2
    app.extensions.pop("stripe_client", None)
    response = client.get(f"/orders/{card_order.number}?key={card_order.access_key}")
    assert response.status_code == 200
    assert "tạm thời không phản hồi" in response.get_data(as_text=True)


def test_webhooks_delivered_twice_at_once_settle_once(
    card_order, localstripe, catcher, live_server
):
    payment = ensure_payment_intent(card_order)
    db.session.commit()
    stripe_gateway.pay_with_card_token(
        payment.payment_intent_id, card_token(localstripe), idempotency_key="k3"
    )
    body, headers = catcher.wait_for("payment_intent.succeeded", payment.payment_intent_id)
    barrier = threading.Barrier(3)
    outcomes = []

    def deliver():
        barrier.wait()
        r = requests.post(
            f"{live_server}/payments/stripe/webhook",
            data=body,
            headers={
                "Stripe-Signature": headers["Stripe-Signature"],
                "Content-Type": "application/json",
            },
            timeout=30,
        )
        outcomes.append((r.status_code, r.json().get("outcome")))

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == [(200, "duplicate"), (200, "duplicate"), (200, "settled")]
    db.session.expire_all()
    assert db.session.get(Order, card_order.id).paid_vnd == 280_000
    mails = live_server.app.extensions.get("mail_outbox", [])
    assert len([m for m in mails if "Đã nhận thanh toán" in m["Subject"]]) == 1


def test_stripe_signature_helper_agrees_with_stripe_library():
    body = b'{"id":"evt_1","object":"event","type":"x","data":{"object":{}}}'
    stripe.Webhook.construct_event(body, sign(body), WEBHOOK_SECRET)


def test_a_refund_is_split_by_producer_for_settlements(
    stripe_app, localstripe, make_listed, make_producer, staff
):
    a, b = make_producer(), make_producer()
    order = order_for(
        {make_listed(producer=a, price=100_000): 1, make_listed(producer=b, price=50_000): 1},
        method=PaymentMethod.CARD,
    )
    pay_with_card(order, card_token(localstripe))
    rows = refund_order(order.id, 150_000, "Giao trễ", staff)
    ship_a, ship_b = order.shipments
    assert [(r.shipment_id, r.amount_vnd) for r in rows] == [
        (ship_a.id, 130_000),
        (ship_b.id, 20_000),
    ]
    assert len({r.stripe_refund_id for r in rows}) == 1  # one refund at Stripe
    intent = db.session.scalar(select(CardPayment.payment_intent_id))
    assert stripe_refund_amounts(localstripe, intent) == [150_000]
