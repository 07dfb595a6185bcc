"""A Hypothesis state machine drives random sequences of cart, order, payment
and webhook actions and checks after every step that money adds up in whole
đồng, stock is never negative, and sold + available = initial for every product."""

import json
import secrets
import time

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import func, select

from shop.auth.models import Role
from shop.cart.services import build_view
from shop.catalog.models import Product
from shop.checkout.services import CheckoutError, place_order
from shop.clock import today_vn, utcnow
from shop.extensions import db
from shop.orders.models import (
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    Shipment,
    ShipmentStatus,
)
from shop.orders.services import OrderActionError, advance_shipment
from shop.orders.tasks import expire_unpaid
from shop.payments.models import CardPayment, Refund, RefundStatus, TransferReceipt
from shop.payments.services import (
    PaymentError,
    cancel_and_refund,
    ensure_payment_intent,
    new_action_token,
    record_transfer,
)
from tests import factories
from tests.conftest import WEBHOOK_SECRET, _empty_tables
from tests.orders.helpers import CONTACT
from tests.payments.stripe_helpers import card_token, pay_with_card, refund_order

STOCKS = (3, 5, 8)
methods = st.sampled_from(list(PaymentMethod))


def _sign(payload: bytes) -> str:
    import hashlib
    import hmac

    now = int(time.time())
    mac = hmac.new(WEBHOOK_SECRET.encode(), f"{now}.".encode() + payload, hashlib.sha256)
    return f"t={now},v1={mac.hexdigest()}"


@pytest.fixture
def machine(stripe_app, localstripe):
    client = stripe_app.test_client()

    class Shop(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            db.session.remove()
            _empty_tables()
            self.staff = factories.make_user(role=Role.STAFF)
            self.references = 0
            producers = [factories.make_producer(staff=self.staff) for _ in range(2)]
            self.products = [
                factories.make_listed(
                    producer=producers[i % 2], stock=stock, price=10_000 * (i + 1)
                )
                for i, stock in enumerate(STOCKS)
            ]
            self.ids = [p.id for p in self.products]
            self.initial = dict(zip(self.ids, STOCKS, strict=True))

        # -- actions ---------------------------------------------------------

        @rule(
            quantities=st.lists(st.integers(0, 4), min_size=3, max_size=3),
            method=methods,
            tamper=st.integers(0, 5).map(lambda n: n == 0),  # a tampered total now and then
        )
        def place(self, quantities, method, tamper):
            lines = {pid: q for pid, q in zip(self.ids, quantities, strict=True) if q}
            if not lines:
                return
            total = build_view(lines, today_vn()).total_vnd
            try:
                place_order(
                    lines=lines,
                    contact=CONTACT,
                    payment_method=method,
                    token=secrets.token_urlsafe(32),
                    user=None,
                    today=today_vn(),
                    expected_total_vnd=total + (1 if tamper else 0),
                )
                db.session.commit()
            except CheckoutError:
                db.session.rollback()

        def _orders(self, *where):
            return db.session.scalars(select(Order).where(*where).order_by(Order.id)).all()

        @rule(data=st.data())
        def cancel(self, data):
            orders = self._orders()
            if orders:
                order = data.draw(st.sampled_from(orders))
                try:
                    cancel_and_refund(order.id, actor=None, actor_label="customer", reason="đổi ý")
                except OrderActionError:
                    db.session.rollback()
                else:
                    db.session.commit()  # the refund goes to Stripe after it (outbox)

        @rule(data=st.data(), step=st.sampled_from(list(ShipmentStatus)))
        def advance(self, data, step):
            shipments = db.session.scalars(select(Shipment).order_by(Shipment.id)).all()
            if shipments:
                shipment = data.draw(st.sampled_from(shipments))
                try:
                    advance_shipment(
                        shipment.id, step, actor=None, carrier="VNPost", tracking_number="EL1"
                    )
                except OrderActionError:
                    db.session.rollback()
                else:
                    db.session.commit()

        @rule(
            data=st.data(),
            fraction=st.sampled_from([0.5, 1, 1.5]),
            presses=st.integers(1, 3),
            reuse_reference=st.booleans(),
        )
        def transfer(self, data, fraction, presses, reuse_reference):
            """Staff record a transfer, pressing the button up to three times (one
            action token), sometimes with a bank reference already recorded."""
            orders = self._orders(Order.payment_method == PaymentMethod.VIETQR)
            if orders:
                order = data.draw(st.sampled_from(orders))
                amount = max(1, (order.total_vnd * int(fraction * 2)) // 2)
                self.references += not (reuse_reference and self.references)
                token = new_action_token()
                for _ in range(presses):
                    try:
                        record_transfer(
                            order.id,
                            amount,
                            f"FT{self.references}",
                            self.staff,
                            action_token=token,
                        )
                    except PaymentError:
                        db.session.rollback()
                    else:
                        db.session.commit()

        @rule(data=st.data())
        def pay_card(self, data):
            orders = self._orders(
                Order.payment_method == PaymentMethod.CARD,
                Order.status == OrderStatus.PENDING_PAYMENT,
            )
            if orders:
                order = data.draw(st.sampled_from(orders))
                pay_with_card(order, card_token(localstripe))

        @rule(data=st.data(), times=st.integers(1, 3))
        def webhook(self, data, times):
            """Deliver a (possibly repeated) success event for some card order."""
            payments = db.session.scalars(select(CardPayment)).all()
            if not payments:
                return
            payment = data.draw(st.sampled_from(payments))
            order = db.session.get(Order, payment.order_id)
            if payment.payment_intent_id is None:
                if order.status != OrderStatus.PENDING_PAYMENT:
                    return
                payment = ensure_payment_intent(order)
                db.session.commit()
            event = {
                "id": f"evt_{payment.payment_intent_id}_succeeded",
                "object": "event",
                "type": "payment_intent.succeeded",
                "created": int(time.time()),
                "data": {"object": {"id": payment.payment_intent_id, "object": "payment_intent"}},
            }
            body = json.dumps(event).encode()
            for _ in range(times):
                response = client.post(
                    "/payments/stripe/webhook", data=body, headers={"Stripe-Signature": _sign(body)}
                )
                assert response.status_code == 200

        @rule(data=st.data(), part=st.sampled_from([1, 2, 3]))
        def refund(self, data, part):
            orders = self._orders(Order.paid_vnd > Order.refunded_vnd)
            if orders:
                order = data.draw(st.sampled_from(orders))
                amount = max(1, (order.paid_vnd - order.refunded_vnd) // part)
                refund_order(order.id, amount, "hoàn", self.staff)

        @rule()
        def expire(self):
            from datetime import timedelta

            expire_unpaid(utcnow() + timedelta(days=2))

        # -- invariants ------------------------------------------------------

        @invariant()
        def stock_adds_up(self):
            db.session.expire_all()
            for pid, initial in self.initial.items():
                stock = db.session.get(Product, pid).stock
                assert stock >= 0
                sold = db.session.scalar(
                    select(func.coalesce(func.sum(OrderLine.quantity), 0))
                    .join(Shipment, Shipment.id == OrderLine.shipment_id)
                    .where(OrderLine.product_id == pid, Shipment.status != ShipmentStatus.CANCELLED)
                )
                assert sold + stock == initial

        @invariant()
        def money_adds_up(self):
            for order in self._orders():
                assert all(
                    isinstance(v, int) and not isinstance(v, bool)
                    for v in (order.total_vnd, order.paid_vnd, order.refunded_vnd)
                )
                assert order.total_vnd == order.subtotal_vnd + order.shipping_vnd
                assert order.subtotal_vnd == sum(line.line_total_vnd for line in order.lines)
                for shipment in order.shipments:
                    assert shipment.subtotal_vnd == sum(
                        line.line_total_vnd
                        for line in order.lines
                        if line.shipment_id == shipment.id
                    )
                assert order.shipping_vnd == sum(s.shipping_vnd for s in order.shipments)
                assert 0 <= order.refunded_vnd <= order.paid_vnd
                due = (
                    order.kept_total_vnd
                    if order.payment_method == PaymentMethod.COD
                    else order.total_vnd
                )
                if order.payment_status == PaymentStatus.PAID:
                    assert order.paid_vnd >= due
                if order.payment_method == PaymentMethod.CARD:
                    assert order.paid_vnd in (0, order.total_vnd)  # paid once, never twice
                if order.status == OrderStatus.PAID:
                    assert order.paid_vnd >= order.total_vnd
                if order.payment_method == PaymentMethod.VIETQR:
                    # Each receipt counted once, whatever was pressed twice.
                    assert order.paid_vnd == sum(
                        r.amount_vnd
                        for r in db.session.scalars(
                            select(TransferReceipt).where(TransferReceipt.order_id == order.id)
                        )
                    )
                booked = db.session.scalars(
                    select(Refund).where(
                        Refund.order_id == order.id, Refund.status == RefundStatus.SUCCEEDED
                    )
                )
                assert order.refunded_vnd == sum(r.amount_vnd for r in booked)
            references = db.session.scalars(select(TransferReceipt.bank_reference)).all()
            assert len(references) == len(set(references))

    return Shop


def test_random_sequences_keep_the_invariants(machine):
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
