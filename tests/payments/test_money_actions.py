"""Staff money actions (transfer, refund, cancel) and the customer's cancel:
confirmed, idempotent under resubmission and parallel posts, bounded amounts,
one bank reference once, refunds in two named steps settled by reconcile, and
Stripe that hangs or misbehaves."""

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select

from shop.audit.models import AuditEntry
from shop.catalog.models import Product
from shop.clock import utcnow
from shop.extensions import db
from shop.orders.models import Order, OrderStatus, PaymentMethod, PaymentStatus
from shop.payments import stripe_gateway
from shop.payments.models import CardPayment, Refund, RefundStatus, StripeEvent, TransferReceipt
from shop.payments.services import new_action_token, refundable_vnd, request_refund
from shop.payments.tasks import reconcile_refunds
from tests.conftest import is_postgres
from tests.factories import PASSWORD
from tests.orders.helpers import hidden_value, order_for
from tests.payments.stripe_helpers import card_token, pay_with_card, stripe_refund_amounts
from tests.payments.test_card import sign
from tests.peers import HungServer, closed_port


@pytest.fixture
def transfer_order(app, make_listed):
    return order_for({make_listed(price=125_000, stock=5): 2}, method=PaymentMethod.VIETQR)


@pytest.fixture
def card_order(stripe_app, make_listed):
    return order_for({make_listed(price=125_000, stock=5): 2}, method=PaymentMethod.CARD)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def stripe_refunds(localstripe: str) -> list[int]:
    intent = db.session.scalar(select(CardPayment.payment_intent_id))
    return stripe_refund_amounts(localstripe, intent)


def staff_page_token(client, order: Order, form: str) -> str:
    """The action token of one form (transfer, refund, cancel) on the staff page."""
    page = client.get(f"/staff/orders/{order.number}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    action = f'action="/staff/orders/{order.number}/{form}"'
    assert action in html, f"no {form} form on the page"
    return hidden_value(html[html.index(action) :])


def post(client, order: Order, form: str, data: dict, status: int = 303):
    response = client.post(f"/staff/orders/{order.number}/{form}", data=data)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    if status == 303:
        assert response.location == f"/staff/orders/{order.number}"
    return response


# -- transfers ------------------------------------------------------------------


def test_a_transfer_posted_twice_is_recorded_once(client, auth, staff, transfer_order):
    auth.login(staff.email)
    token = staff_page_token(client, transfer_order, "transfer")
    form = {"amount": "280000", "reference": "FT26111", "action_token": token}
    post(client, transfer_order, "transfer", form)
    post(client, transfer_order, "transfer", form)
    page = client.get(f"/staff/orders/{transfer_order.number}")
    assert "biểu mẫu gửi lại" in page.get_data(as_text=True)
    db.session.expire_all()
    order = db.session.get(Order, transfer_order.id)
    assert (order.paid_vnd, order.payment_status) == (280_000, PaymentStatus.PAID)
    assert count(TransferReceipt) == 1
    assert count(AuditEntry, AuditEntry.action == "transfer_received") == 1


def test_a_bank_reference_is_recorded_once_across_orders(
    client, auth, staff, transfer_order, make_listed
):
    other = order_for({make_listed(price=50_000): 1}, method=PaymentMethod.VIETQR)
    auth.login(staff.email)
    form = {"amount": "100000", "reference": "ft 26 0042"}
    post(client, transfer_order, "transfer", form | {"action_token": new_action_token()})
    response = post(
        client,
        other,
        "transfer",
        {"amount": "80000", "reference": "FT260042", "action_token": new_action_token()},
        status=400,
    )
    html = response.get_data(as_text=True)
    assert "FT260042 đã được ghi nhận" in html
    assert transfer_order.number in html
    db.session.expire_all()
    assert db.session.get(Order, other.id).paid_vnd == 0
    assert db.session.scalars(select(TransferReceipt.bank_reference)).all() == ["FT260042"]


def test_a_transfer_needs_a_bank_reference_and_a_form_token(client, auth, staff, transfer_order):
    auth.login(staff.email)
    no_reference = {"amount": "1000", "reference": " ", "action_token": new_action_token()}
    assert "mã giao dịch" in post(
        client, transfer_order, "transfer", no_reference, status=400
    ).get_data(as_text=True)
    no_token = {"amount": "1000", "reference": "FT1"}
    assert "Biểu mẫu đã cũ" in post(
        client, transfer_order, "transfer", no_token, status=400
    ).get_data(as_text=True)
    db.session.expire_all()
    assert count(TransferReceipt) == 0


def test_a_token_of_another_order_is_refused(client, auth, staff, transfer_order, make_listed):
    other = order_for({make_listed(): 1}, method=PaymentMethod.VIETQR)
    auth.login(staff.email)
    token = new_action_token()
    post(
        client,
        transfer_order,
        "transfer",
        {"amount": "1000", "reference": "A1", "action_token": token},
    )
    post(
        client,
        other,
        "transfer",
        {"amount": "1000", "reference": "A2", "action_token": token},
        status=400,
    )
    db.session.expire_all()
    assert db.session.get(Order, other.id).paid_vnd == 0


# -- refunds and cancellations by staff ------------------------------------------------


def test_a_refund_is_confirmed_then_made_once(client, auth, staff, transfer_order):
    auth.login(staff.email)
    post(
        client,
        transfer_order,
        "transfer",
        {"amount": "300000", "reference": "FT9", "action_token": new_action_token()},
    )
    token = staff_page_token(client, transfer_order, "refund")
    form = {"amount": "20.000", "reason": "Chuyển thừa", "action_token": token}
    confirm = client.post(f"/staff/orders/{transfer_order.number}/refund", data=form)
    assert confirm.status_code == 200
    html = confirm.get_data(as_text=True)
    assert "Xác nhận hoàn tiền" in html
    assert "20.000 ₫" in html
    db.session.expire_all()
    assert count(Refund) == 0  # nothing is written before the confirmation
    assert hidden_value(html) == token
    confirmed = form | {"amount": hidden_value(html, "amount"), "confirm": "yes"}
    post(client, transfer_order, "refund", confirmed)
    post(client, transfer_order, "refund", confirmed)
    db.session.expire_all()
    order = db.session.get(Order, transfer_order.id)
    assert order.refunded_vnd == 20_000
    assert count(Refund) == 1
    assert count(AuditEntry, AuditEntry.action == "refund") == 1


def test_staff_cancel_is_confirmed_then_done_once(client, auth, staff, make_listed):
    tea = make_listed(stock=5)
    order = order_for({tea: 2})
    auth.login(staff.email)
    token = staff_page_token(client, order, "cancel")
    form = {"reason": "Khách gọi điện huỷ", "action_token": token}
    confirm = client.post(f"/staff/orders/{order.number}/cancel", data=form)
    assert confirm.status_code == 200
    assert "Xác nhận huỷ đơn hàng" in confirm.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == OrderStatus.AWAITING_DELIVERY
    post(client, order, "cancel", form | {"confirm": "yes"})
    post(client, order, "cancel", form | {"confirm": "yes"})
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == OrderStatus.CANCELLED
    assert db.session.get(Product, tea.id).stock == 5  # returned once
    assert count(AuditEntry, AuditEntry.action == "order_cancel") == 1


def test_staff_cancel_without_a_reason_is_a_400(client, auth, staff, make_listed):
    order = order_for({make_listed(): 1})
    auth.login(staff.email)
    response = post(
        client, order, "cancel", {"reason": "", "action_token": new_action_token()}, status=400
    )
    assert "lý do huỷ" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "amount",
    ["9" * 40, "-1", "1.5", "12,5", "abc", "", "2147483648", "1e9", "0x10", "\u0661\u0662"],
)
def test_refund_amounts_are_bounded_before_the_database(
    client, auth, staff, transfer_order, amount
):
    auth.login(staff.email)
    post(
        client,
        transfer_order,
        "transfer",
        {"amount": "280000", "reference": "FT1", "action_token": new_action_token()},
    )
    for confirm in ("", "yes"):
        response = post(
            client,
            transfer_order,
            "refund",
            {
                "amount": amount,
                "reason": "x",
                "action_token": new_action_token(),
                "confirm": confirm,
            },
            status=400,
        )
        assert "Số tiền" in response.get_data(as_text=True)
    db.session.expire_all()
    assert count(Refund) == 0


# -- card refunds: two named steps ----------------------------------------------------


def test_a_card_refund_posted_twice_is_one_refund_at_stripe(
    card_order, localstripe, client, auth, staff
):
    pay_with_card(card_order, card_token(localstripe))
    auth.login(staff.email)
    token = staff_page_token(client, card_order, "refund")
    form = {"amount": "80000", "reason": "Vỡ một hộp", "action_token": token, "confirm": "yes"}
    post(client, card_order, "refund", form)
    post(client, card_order, "refund", form)
    db.session.expire_all()
    assert stripe_refunds(localstripe) == [80_000]
    (row,) = db.session.scalars(select(Refund)).all()
    assert row.status == RefundStatus.SUCCEEDED
    assert row.idempotency_key == f"ocop-refund-{token}"
    assert db.session.get(Order, card_order.id).refunded_vnd == 80_000


def test_a_crash_between_the_steps_is_settled_by_reconcile_once(card_order, localstripe, staff):
    pay_with_card(card_order, card_token(localstripe))
    request = request_refund(
        card_order.id, 100_000, "Giao trễ", staff, action_token=new_action_token()
    )
    db.session.commit()  # step one done; the process dies before asking Stripe
    db.session.expire_all()
    order = db.session.get(Order, card_order.id)
    assert order.refunded_vnd == 0
    assert refundable_vnd(order) == 180_000  # the pending refund is reserved
    assert reconcile_refunds() == 0  # too fresh: the request may still be under way
    later = utcnow() + timedelta(minutes=5)
    assert reconcile_refunds(later) == 1
    assert reconcile_refunds(later) == 0
    db.session.expire_all()
    assert stripe_refunds(localstripe) == [100_000]
    assert db.session.get(Refund, request.refunds[0].id).status == RefundStatus.SUCCEEDED
    assert db.session.get(Order, card_order.id).refunded_vnd == 100_000


def test_a_refund_whose_answer_was_lost_is_found_not_made_again(card_order, localstripe, staff):
    pay_with_card(card_order, card_token(localstripe))
    request = request_refund(
        card_order.id, 280_000, "Hết hàng", staff, action_token=new_action_token()
    )
    db.session.commit()
    payment = db.session.scalar(select(CardPayment))
    # Stripe made it, but the process died before writing the answer down.
    stripe_gateway.refund(payment.payment_intent_id, 280_000, idempotency_key=request.key)
    assert reconcile_refunds(utcnow() + timedelta(minutes=5)) == 1
    db.session.expire_all()
    assert stripe_refunds(localstripe) == [280_000]
    order = db.session.get(Order, card_order.id)
    assert (order.refunded_vnd, order.status) == (280_000, OrderStatus.REFUNDED)


def test_stripe_unreachable_leaves_the_refund_pending_then_reconcile_makes_it(
    card_order, localstripe, app, client, auth, staff
):
    pay_with_card(card_order, card_token(localstripe))
    auth.login(staff.email)
    app.config["STRIPE_API_BASE"] = f"http://127.0.0.1:{closed_port()}"
    app.extensions.pop("stripe_client", None)
    form = {
        "amount": "50000",
        "reason": "x",
        "action_token": new_action_token(),
        "confirm": "yes",
    }
    post(client, card_order, "refund", form)
    assert "không cần bấm lại" in client.get(f"/staff/orders/{card_order.number}").get_data(
        as_text=True
    )
    db.session.expire_all()
    (row,) = db.session.scalars(select(Refund)).all()
    assert (row.status, row.stripe_refund_id) == (RefundStatus.PENDING, None)
    assert row.last_error
    app.config["STRIPE_API_BASE"] = localstripe
    app.extensions.pop("stripe_client", None)
    assert reconcile_refunds(utcnow() + timedelta(minutes=5)) == 1
    assert stripe_refunds(localstripe) == [50_000]


def test_a_refund_stripe_refuses_is_failed_and_gives_nothing_back(card_order, localstripe, staff):
    pay_with_card(card_order, card_token(localstripe))
    request = request_refund(card_order.id, 1_000, "x", staff, action_token=new_action_token())
    db.session.commit()
    payment = db.session.scalar(select(CardPayment))
    payment.payment_intent_id = "pi_unknown_to_stripe"  # Stripe answers 404
    db.session.commit()
    from shop.payments.services import submit_card_refund

    assert submit_card_refund(request.key) == RefundStatus.FAILED
    db.session.expire_all()
    assert db.session.get(Refund, request.refunds[0].id).status == RefundStatus.FAILED
    order = db.session.get(Order, card_order.id)
    assert order.refunded_vnd == 0
    assert refundable_vnd(order) == 280_000


# -- Stripe that hangs or misbehaves ------------------------------------------------


@pytest.fixture
def hung_stripe(app):
    server = HungServer()
    app.config["STRIPE_API_BASE"] = f"http://127.0.0.1:{server.port}"
    app.extensions.pop("stripe_client", None)
    yield server
    server.close()


@pytest.mark.allow_5xx  # the pay endpoint answers 503 with a message: Stripe is down
def test_a_hung_stripe_answers_the_buyer_within_ten_seconds(
    stripe_app, make_listed, client, hung_stripe
):
    order = order_for({make_listed(price=100_000): 1}, method=PaymentMethod.CARD)
    started = time.monotonic()
    page = client.get(f"/orders/{order.number}?key={order.access_key}")
    elapsed = time.monotonic() - started
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "tạm thời không phản hồi" in html
    assert "phương thức thanh toán khác" in html
    assert elapsed < 10, elapsed
    started = time.monotonic()
    response = client.post(
        f"/orders/{order.number}/pay/card?key={order.access_key}", json={"token": "tok_x"}
    )
    assert time.monotonic() - started < 10
    assert response.status_code == 503
    assert "phương thức thanh toán khác" in response.get_json()["error"]
    db.session.expire_all()
    assert db.session.get(Order, order.id).payment_status == PaymentStatus.UNPAID


def test_the_budget_stops_a_call_that_could_end_too_late(app):
    app.config.update(STRIPE_TIMEOUT=3, STRIPE_MAX_RETRIES=1, STRIPE_REQUEST_BUDGET=9)
    assert stripe_gateway._worst_case_seconds() == 8
    with app.test_request_context("/"):
        from flask import g

        g.stripe_started = time.monotonic() - 2  # two seconds already spent on Stripe
        with pytest.raises(stripe_gateway.GatewayError) as caught:
            stripe_gateway.retrieve_payment_intent("pi_x")
        assert caught.value.unreachable


def deliver(client, event: dict, signature: str | None = None):
    body = json.dumps(event).encode()
    return client.post(
        "/payments/stripe/webhook",
        data=body,
        headers={"Stripe-Signature": signature or sign(body), "Content-Type": "application/json"},
    )


@pytest.mark.parametrize(
    "event",
    [
        {"id": 5, "type": "payment_intent.succeeded", "data": {"object": {}}},
        {"id": "evt_1", "data": {"object": {"id": "pi_1"}}},
        {"id": "evt_1", "type": "payment_intent.succeeded"},
        {"id": "evt_1", "type": "payment_intent.succeeded", "data": []},
        {"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {"id": [1]}}},
        [1, 2, 3],
    ],
)
def test_a_signed_but_malformed_event_is_a_400(stripe_app, client, event):
    response = deliver(client, event)
    assert response.status_code == 400
    assert "malformed" in response.get_json()["error"]
    assert count(StripeEvent) == 0


def test_a_signature_from_the_future_is_refused(card_order, client):
    event = {
        "id": "evt_future",
        "type": "payment_intent.succeeded",
        "data": {"object": {"id": "pi_x", "object": "payment_intent"}},
    }
    body = json.dumps(event).encode()
    future = int(time.time()) + 3600
    response = deliver(client, event, sign(body, timestamp=future))
    assert response.status_code == 400
    assert count(StripeEvent) == 0
    # An old event re-sent by Stripe keeps its old ``created``: only ``t`` counts.
    event["created"] = int(time.time()) - 10 * 86400
    assert deliver(client, event).status_code == 200


@pytest.mark.allow_5xx  # 503 asks Stripe to retry
def test_an_event_whose_processing_fails_is_not_recorded(card_order, localstripe, app, client):
    payment = pay_ready_intent(card_order, localstripe)
    event = {
        "id": "evt_retry_me",
        "type": "payment_intent.succeeded",
        "data": {"object": {"id": payment.payment_intent_id, "object": "payment_intent"}},
    }
    app.config["STRIPE_API_BASE"] = f"http://127.0.0.1:{closed_port()}"
    app.extensions.pop("stripe_client", None)
    assert deliver(client, event).status_code == 503
    assert count(StripeEvent) == 0  # so Stripe's retry is processed
    app.config["STRIPE_API_BASE"] = localstripe
    app.extensions.pop("stripe_client", None)
    response = deliver(client, event)
    assert response.status_code == 200
    assert response.get_json()["outcome"] == "settled"
    assert count(StripeEvent) == 1
    db.session.expire_all()
    assert db.session.get(Order, card_order.id).status == OrderStatus.PAID


def pay_ready_intent(order, localstripe):
    """Pay at Stripe without telling the shop (only a webhook or reconcile can)."""
    from shop.payments.services import ensure_payment_intent

    payment = ensure_payment_intent(order)
    db.session.commit()
    stripe_gateway.pay_with_card_token(
        payment.payment_intent_id, card_token(localstripe), idempotency_key="pay-ready"
    )
    return payment


# -- parallel posts (PostgreSQL) --------------------------------------------------------


class StaffBrowser:
    def __init__(self, base: str, email: str):
        import re

        self.base = base
        self.http = requests.Session()
        page = self.http.get(f"{base}/login", timeout=30).text
        self.csrf = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)[1]
        r = self.http.post(
            f"{base}/login",
            data={"email": email, "password": PASSWORD, "csrf_token": self.csrf},
            allow_redirects=False,
            timeout=30,
        )
        assert r.status_code == 302, r.status_code

    def form(self, number: str, form: str) -> dict:
        html = self.http.get(f"{self.base}/staff/orders/{number}", timeout=30).text
        action = f'action="/staff/orders/{number}/{form}"'
        part = html[html.index(action) :]
        return {"csrf_token": hidden_value(part, "csrf_token"), "action_token": hidden_value(part)}

    def post_many(self, number: str, form: str, data: dict, times: int = 10) -> list[int]:
        barrier = threading.Barrier(times)

        def one():
            barrier.wait()
            return self.http.post(
                f"{self.base}/staff/orders/{number}/{form}",
                data=data,
                allow_redirects=False,
                timeout=60,
            ).status_code

        with ThreadPoolExecutor(times) as pool:
            return list(pool.map(lambda _: one(), range(times)))


def test_ten_parallel_posts_of_each_money_action_have_one_effect(
    app, live_server, staff, make_listed
):
    if not is_postgres(app):
        pytest.skip("parallel writers need PostgreSQL (SQLite serialises them)")
    app.config["RATELIMIT_ENABLED"] = False
    live_server.app.config["RATELIMIT_ENABLED"] = False
    tea = make_listed(price=100_000, stock=10)
    paid = order_for({tea: 1}, method=PaymentMethod.VIETQR)
    cod = order_for({tea: 2})
    browser = StaffBrowser(live_server, staff.email)

    form = browser.form(paid.number, "transfer")
    statuses = browser.post_many(
        paid.number, "transfer", form | {"amount": "150000", "reference": "FT-PAR-1"}
    )
    assert statuses == [303] * 10
    form = browser.form(paid.number, "refund")
    statuses = browser.post_many(
        paid.number, "refund", form | {"amount": "40000", "reason": "Thừa", "confirm": "yes"}
    )
    assert statuses == [303] * 10
    form = browser.form(cod.number, "cancel")
    statuses = browser.post_many(
        cod.number, "cancel", form | {"reason": "Khách huỷ", "confirm": "yes"}
    )
    assert statuses == [303] * 10

    db.session.expire_all()
    assert count(TransferReceipt) == 1
    refunds = db.session.scalars(select(Refund)).all()
    assert len({r.action_id for r in refunds}) == 1  # one refund (excess + shipment rows)
    assert sum(r.amount_vnd for r in refunds) == 40_000
    order = db.session.get(Order, paid.id)
    assert (order.paid_vnd, order.refunded_vnd) == (150_000, 40_000)
    assert db.session.get(Order, cod.id).status == OrderStatus.CANCELLED
    assert db.session.get(Product, tea.id).stock == 10 - 1  # the COD order's 2 came back once
    assert count(AuditEntry, AuditEntry.action == "order_cancel") == 1
