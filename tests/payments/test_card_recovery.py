"""A declined card is not a dead end: the refusal in Vietnamese, then the same
order paid by cash on delivery or VietQR without typing the address again.
Against localstripe (it declines 4000000000000341 when charging)."""

import pytest
import requests
from sqlalchemy import select

from shop.catalog.models import Product
from shop.extensions import db
from shop.orders.models import Order, OrderStatus, PaymentMethod, PaymentStatus, StateChange
from shop.payments import declines
from shop.payments.models import CardPayment
from shop.payments.services import (
    PaymentError,
    stop_card_payment,
    switch_payment_method,
)
from tests.helpers_http import assert_redirect
from tests.orders.helpers import order_for
from tests.payments.stripe_helpers import card_token, pay_with_card

DECLINED = "4000000000000341"  # localstripe: attached, then refused when charged


@pytest.fixture
def card_order(stripe_app, make_listed):
    tea = make_listed(price=125_000, stock=5)
    return order_for({tea: 2}, method=PaymentMethod.CARD)


def order_url(order, suffix=""):
    return f"/orders/{order.number}{suffix}?key={order.access_key}"


def intent_status(localstripe, intent_id):
    return requests.get(
        f"{localstripe}/v1/payment_intents/{intent_id}",
        auth=("sk_test_localstripe", ""),
        timeout=10,
    ).json()["status"]


# -- the words -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "decline_code", "words"),
    [
        ("card_declined", "generic_decline", "Thẻ bị từ chối"),
        ("card_declined", "insufficient_funds", "không đủ số dư"),
        ("card_declined", "lost_card", "Thẻ bị từ chối"),  # never "lost": Stripe's advice
        ("card_declined", "stolen_card", "Thẻ bị từ chối"),
        ("expired_card", None, "hết hạn"),
        ("card_declined", "expired_card", "hết hạn"),
        ("incorrect_cvc", None, "CVC"),
        ("processing_error", None, "Tiền chưa bị trừ"),
        ("incorrect_number", None, "Số thẻ không đúng"),
        ("card_declined", "authentication_required", "3-D Secure"),
        ("card_declined", "do_not_honor", "liên hệ ngân hàng"),
        ("card_declined", "something_new", "Thẻ bị từ chối"),
        (None, None, "Thẻ bị từ chối"),
    ],
)
def test_decline_codes_have_vietnamese_messages(app, code, decline_code, words):
    with app.test_request_context():
        message = declines.decline_message(code, decline_code)
        assert words in message
        assert "declined" not in message.lower()
        stored = declines.stored_code(code, decline_code)
        assert declines.message_for_stored(stored) == message


def test_the_english_catalogue_is_used_for_english_pages(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert isinstance(declines.decline_message("expired_card"), str)


# -- the pay endpoint -------------------------------------------------------------


def test_a_declined_card_answers_in_vietnamese(card_order, client, localstripe):
    page = client.get(order_url(card_order))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'aria-live="polite"' in html
    assert "Đang xử lý thanh toán…" in html  # card.js shows it while paying
    assert "Đổi sang thanh toán khi nhận hàng (COD)" in html
    response = client.post(
        order_url(card_order, "/pay/card"), json={"token": card_token(localstripe, DECLINED)}
    )
    assert response.status_code == 402
    body = response.get_json()
    assert body["code"] == "card_declined"
    assert body["error"].startswith("Thẻ bị từ chối.")
    db.session.expire_all()
    order = db.session.get(Order, card_order.id)
    assert (order.status, order.payment_status) == (
        OrderStatus.PENDING_PAYMENT,
        PaymentStatus.UNPAID,
    )


# -- switching to another method --------------------------------------------------------


def test_declined_then_switched_to_cash_on_delivery(card_order, client, localstripe):
    product_id = card_order.lines[0].product_id
    stock_before = db.session.get(Product, product_id).stock
    client.get(order_url(card_order))  # the page makes the PaymentIntent
    response = client.post(
        order_url(card_order, "/pay/card"), json={"token": card_token(localstripe, DECLINED)}
    )
    assert response.status_code == 402

    response = client.post(order_url(card_order, "/pay/switch"), data={"method": "cod"})
    assert_redirect(
        response, f"/orders/{card_order.number}", 303, query={"key": card_order.access_key}
    )
    page = client.get(response.location)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "sang thanh toán khi nhận hàng" in html
    assert 'id="card-form"' not in html
    assert "Cách thanh toán" in html
    assert "Thẻ → Thanh toán khi nhận hàng (COD)" in html

    db.session.expire_all()
    order = db.session.get(Order, card_order.id)
    assert order.payment_method == PaymentMethod.COD
    assert order.status == OrderStatus.AWAITING_DELIVERY
    assert order.payment_status == PaymentStatus.UNPAID
    assert order.expires_at is None  # cash on delivery waits for the producers
    assert (order.street, order.phone) == ("12 Đường Lê Lợi", "0912345678")  # the same order
    assert db.session.get(Product, product_id).stock == stock_before  # still reserved
    payment = db.session.scalar(select(CardPayment).where(CardPayment.order_id == order.id))
    assert payment.stripe_status == "canceled"
    assert intent_status(localstripe, payment.payment_intent_id) == "canceled"
    changes = db.session.scalars(
        select(StateChange).where(StateChange.order_id == order.id).order_by(StateChange.id)
    ).all()
    assert [(c.subject, c.from_state, c.to_state) for c in changes[-2:]] == [
        ("method", "card", "cod"),
        ("order", "pending_payment", "awaiting_delivery"),
    ]

    # Pressed again (a second tab, a double click): nothing more happens.
    response = client.post(order_url(card_order, "/pay/switch"), data={"method": "cod"})
    assert response.status_code == 303
    db.session.expire_all()
    assert len(
        db.session.scalars(select(StateChange).where(StateChange.order_id == order.id)).all()
    ) == len(changes)


def test_switched_to_vietqr_shows_the_code(card_order, client, localstripe):
    client.get(order_url(card_order))
    response = client.post(order_url(card_order, "/pay/switch"), data={"method": "vietqr"})
    assert response.status_code == 303
    page = client.get(response.location)
    assert page.status_code == 200
    assert "Chuyển khoản bằng mã VietQR" in page.get_data(as_text=True)
    db.session.expire_all()
    order = db.session.get(Order, card_order.id)
    assert (order.payment_method, order.status) == (
        PaymentMethod.VIETQR,
        OrderStatus.PENDING_PAYMENT,
    )
    assert order.expires_at is not None  # an unpaid transfer still expires


def test_a_paid_card_order_cannot_switch(card_order, client, localstripe):
    pay_with_card(card_order, card_token(localstripe))
    response = client.post(order_url(card_order, "/pay/switch"), data={"method": "cod"})
    assert response.status_code == 303
    db.session.expire_all()
    order = db.session.get(Order, card_order.id)
    assert (order.payment_method, order.status) == (PaymentMethod.CARD, OrderStatus.PAID)
    with pytest.raises(PaymentError):
        switch_payment_method(order.id, PaymentMethod.COD, actor=None, actor_label="customer")
    db.session.rollback()


def test_a_payment_stripe_took_unseen_is_settled_not_switched(card_order, localstripe):
    """The card succeeded at Stripe but the shop has not heard yet: cancelling
    is refused by Stripe, so step one settles the payment and step two refuses."""
    from shop.payments import stripe_gateway
    from shop.payments.services import ensure_payment_intent

    payment = ensure_payment_intent(card_order)
    db.session.commit()
    stripe_gateway.pay_with_card_token(
        payment.payment_intent_id, card_token(localstripe), idempotency_key="unseen"
    )
    stop_card_payment(card_order.id)
    db.session.commit()
    with pytest.raises(PaymentError):
        switch_payment_method(card_order.id, PaymentMethod.COD, actor=None, actor_label="customer")
    db.session.rollback()
    db.session.expire_all()
    order = db.session.get(Order, card_order.id)
    assert (order.payment_method, order.status, order.paid_vnd) == (
        PaymentMethod.CARD,
        OrderStatus.PAID,
        order.total_vnd,
    )


def test_step_two_refuses_while_the_intent_is_open(card_order, localstripe):
    from shop.payments.services import ensure_payment_intent

    ensure_payment_intent(card_order)
    db.session.commit()
    with pytest.raises(PaymentError):
        switch_payment_method(card_order.id, PaymentMethod.COD, actor=None, actor_label="customer")
    db.session.rollback()


def test_switch_refuses_other_methods_and_orders(app, client, make_listed, card_order):
    response = client.post(order_url(card_order, "/pay/switch"), data={"method": "card"})
    assert response.status_code == 303
    cod = order_for({make_listed(price=10_000, stock=5): 1})
    with pytest.raises(PaymentError):
        switch_payment_method(cod.id, PaymentMethod.VIETQR, actor=None, actor_label="customer")
    db.session.rollback()
    # Without the key, the order is nobody's to switch.
    assert (
        client.post(f"/orders/{card_order.number}/pay/switch", data={"method": "cod"}).status_code
        == 404
    )


def test_stripe_unreachable_leaves_the_order_as_it_was(card_order, app, client):
    client.get(order_url(card_order))
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"  # nothing listens there
    app.config["STRIPE_TIMEOUT"] = 1
    app.config["STRIPE_MAX_RETRIES"] = 0
    app.extensions.pop("stripe_client", None)
    response = client.post(order_url(card_order, "/pay/switch"), data={"method": "cod"})
    assert response.status_code == 303
    page = client.get(response.location)
    assert page.status_code == 200
    assert "chưa đổi được cách thanh toán" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Order, card_order.id).payment_method == PaymentMethod.CARD
