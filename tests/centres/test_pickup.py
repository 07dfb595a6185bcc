"""Pick-up at a sales centre: checkout takes the centre's stock, every cancel path
puts it back on the centre's shelf (never the online stock), centre staff hand
over against the code, uncollected orders expire."""

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.audit.models import AuditEntry
from shop.cart.services import build_view
from shop.centres import services
from shop.centres.exceptions import CentreError, NotFound
from shop.centres.models import CentreStock, MovementKind, StockMovement
from shop.centres.rules import PICKUP_ALPHABET, normalise_pickup_code
from shop.centres.tasks import expire_pickups
from shop.checkout.services import OutOfStock, place_order
from shop.clock import today_vn, utcnow
from shop.extensions import db
from shop.orders import services as order_services
from shop.orders.models import (
    Order,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    Shipment,
    ShipmentStatus,
)
from shop.payments.services import cancel_and_refund
from tests import factories
from tests.centres.helpers import consign, make_cashier, make_centre
from tests.orders.helpers import CONTACT


def held(centre, product) -> int:
    return db.session.scalar(
        select(CentreStock.quantity).where(
            CentreStock.centre_id == centre.id, CentreStock.product_id == product.id
        )
    )


def online(product) -> int:
    db.session.expire_all()
    return db.session.get(type(product), product.id).stock


def kinds(centre) -> list[str]:
    return [
        str(k)
        for k in db.session.scalars(
            select(StockMovement.kind)
            .where(StockMovement.centre_id == centre.id)
            .order_by(StockMovement.id)
        )
    ]


def ledger_sum(centre, product) -> int:
    return db.session.scalar(
        select(func.sum(StockMovement.quantity_change)).where(
            StockMovement.centre_id == centre.id, StockMovement.product_id == product.id
        )
    )


def pickup_order(centre, lines, method=PaymentMethod.COD, expected=None, commit=True):
    ids = {p.id: q for p, q in lines.items()}
    view = build_view(ids, today_vn())
    subtotal = view.subtotal_vnd
    producers = {p.producer_id for p in lines}
    order, _ = place_order(
        lines=ids,
        contact=CONTACT,
        payment_method=method,
        token=secrets.token_urlsafe(32),
        user=None,
        today=today_vn(),
        expected_total_vnd=expected if expected is not None else subtotal + centre.pickup_fee_vnd,
        pickups=dict.fromkeys(producers, centre.id),
    )
    if commit:
        db.session.commit()
    return order


@pytest.fixture
def tea(app):
    return factories.make_listed(name="Chè Shan Tuyết", price=120_000, stock=50)


@pytest.fixture
def stocked(centre, tea):
    centre.pickup_fee_vnd = 5_000
    db.session.commit()
    consign(centre, tea, 20)
    return centre


def test_pickup_takes_the_centres_stock_with_its_fee_and_a_code(stocked, tea):
    order = pickup_order(stocked, {tea: 2})
    shipment = order.shipments[0]
    assert order.total_vnd == 240_000 + 5_000
    assert shipment.shipping_vnd == 5_000
    assert shipment.pickup_centre_id == stocked.id
    assert shipment.is_pickup
    assert len(shipment.pickup_code) == 8
    assert set(shipment.pickup_code) <= set(PICKUP_ALPHABET)
    assert normalise_pickup_code(shipment.pickup_code[:4].lower() + "-" + shipment.pickup_code[4:])
    assert held(stocked, tea) == 18
    assert online(tea) == 50  # the online stock is untouched
    assert kinds(stocked) == ["consigned", "picked_up"]
    assert ledger_sum(stocked, tea) == 18


def test_pickup_short_at_the_centre_takes_nothing(stocked, tea):
    honey = factories.make_listed(name="Mật ong", producer=tea.producer, price=90_000, stock=50)
    consign(stocked, honey, 1)
    with pytest.raises(OutOfStock) as caught:
        pickup_order(stocked, {tea: 2, honey: 3}, commit=False)
    db.session.rollback()
    assert [(s.name, s.wanted, s.available) for s in caught.value.short] == [("Mật ong", 3, 1)]
    assert held(stocked, tea) == 20
    assert held(stocked, honey) == 1
    assert online(tea) == 50
    assert online(honey) == 50


def test_the_total_the_buyer_saw_must_include_the_centres_fee(stocked, tea):
    from shop.checkout.services import PriceChanged

    with pytest.raises(PriceChanged):
        pickup_order(stocked, {tea: 1}, expected=120_000, commit=False)  # without the fee
    db.session.rollback()
    assert held(stocked, tea) == 20


def _assert_back_at_centre(centre, product):
    assert held(centre, product) == 20
    assert online(product) == 50
    assert kinds(centre)[-1] == "released"
    assert ledger_sum(centre, product) == 20


def test_customer_cancel_returns_units_to_the_centre(stocked, tea):
    order = pickup_order(stocked, {tea: 2})
    cancel_and_refund(order.id, actor=None, actor_label="customer", reason="Đổi ý")
    db.session.commit()
    _assert_back_at_centre(stocked, tea)


def test_producer_cancel_of_the_shipment_returns_units_to_the_centre(stocked, tea):
    order = pickup_order(stocked, {tea: 2})
    owner = tea.producer.members[0].user
    order_services.advance_shipment(
        order.shipments[0].id, ShipmentStatus.CANCELLED, actor=owner, reason="Hết hàng"
    )
    db.session.commit()
    _assert_back_at_centre(stocked, tea)
    assert db.session.get(Order, order.id).status == OrderStatus.CANCELLED


def test_unpaid_expiry_returns_units_to_the_centre(stocked, tea):
    order = pickup_order(stocked, {tea: 2}, method=PaymentMethod.VIETQR)
    assert order_services.expire_order(order.id, utcnow() + timedelta(days=2)) is not None
    db.session.commit()
    _assert_back_at_centre(stocked, tea)


def test_producer_cannot_ship_a_pickup(stocked, tea):
    order = pickup_order(stocked, {tea: 1})
    owner = tea.producer.members[0].user
    order_services.advance_shipment(order.shipments[0].id, ShipmentStatus.CONFIRMED, actor=owner)
    with pytest.raises(order_services.OrderActionError):
        order_services.advance_shipment(
            order.shipments[0].id,
            ShipmentStatus.SHIPPED,
            actor=owner,
            carrier="VNPost",
            tracking_number="X1",
        )


def test_hand_over_by_code_delivers_and_collects_cash(stocked, tea):
    cashier = make_cashier(stocked, email="nv@example.vn")
    order = pickup_order(stocked, {tea: 2})
    code = order.shipments[0].pickup_code
    shipment = services.pickup_by_code(stocked, f" {code[:4].lower()}-{code[4:]} ")
    services.hand_over(stocked, shipment, cashier)
    db.session.commit()
    db.session.expire_all()
    shipment = db.session.get(Shipment, shipment.id)
    order = db.session.get(Order, order.id)
    assert shipment.status == ShipmentStatus.DELIVERED
    assert shipment.collected_at is not None
    assert shipment.paid_at is not None
    assert order.status == OrderStatus.COMPLETED
    assert order.payment_status == PaymentStatus.PAID
    assert held(stocked, tea) == 18  # taken once, at the order
    assert kinds(stocked) == ["consigned", "picked_up"]
    assert db.session.scalar(
        select(func.count()).where(AuditEntry.action == "centre.pickup_handover")
    )
    with pytest.raises(CentreError):
        services.hand_over(stocked, shipment, cashier)
    # Collected: cancelling is no longer possible, nothing goes back.
    with pytest.raises(order_services.OrderActionError):
        order_services.cancel_order(order.id, actor=None, actor_label="customer", reason="x")


def test_another_centres_code_is_not_found(stocked, tea):
    other = make_centre(name="Điểm bán khác")
    order = pickup_order(stocked, {tea: 1})
    with pytest.raises(NotFound):
        services.pickup_by_code(other, order.shipments[0].pickup_code)
    with pytest.raises(NotFound):
        services.pickup_by_code(stocked, "0OIL1234")


def test_uncollected_pickups_expire_back_to_the_centre(app, stocked, tea):
    order = pickup_order(stocked, {tea: 2})
    assert expire_pickups(utcnow() + timedelta(days=6)) == []
    assert expire_pickups(utcnow() + timedelta(days=app.config["PICKUP_DAYS"], hours=1)) == [
        order.number
    ]
    _assert_back_at_centre(stocked, tea)
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == OrderStatus.CANCELLED
    assert expire_pickups(utcnow() + timedelta(days=30)) == []  # once


def test_the_movement_kinds_have_labels():
    assert MovementKind.RELEASED.label
    assert MovementKind.PICKED_UP.label


def test_the_producer_is_offered_neither_ship_nor_deliver_for_a_pickup(stocked, tea):
    from shop.orders.states import allowed_actions

    order = pickup_order(stocked, {tea: 1})
    assert allowed_actions(order.shipments[0]) == {"confirm", "cancel"}


def test_a_paid_transfer_pickup_that_expires_shows_a_refund_due(app, stocked, tea):
    from shop.auth.models import Role
    from shop.payments.services import record_transfer, refundable_vnd

    order = pickup_order(stocked, {tea: 2}, method=PaymentMethod.VIETQR)
    staff = factories.make_user(email="ketoan@example.vn", role=Role.STAFF)
    record_transfer(order.id, order.total_vnd, "FT2611000001", staff)
    db.session.commit()
    later = utcnow() + timedelta(days=app.config["PICKUP_DAYS"], hours=1)
    assert expire_pickups(later) == [order.number]
    _assert_back_at_centre(stocked, tea)
    order = db.session.get(Order, order.id)
    assert order.status == OrderStatus.CANCELLED
    assert refundable_vnd(order) == 245_000  # the refund due staff see


def test_a_paid_card_pickup_that_expires_is_refunded(stripe_app, localstripe, stocked, tea):
    from shop.payments.models import CardPayment, Refund
    from tests.payments.stripe_helpers import card_token, pay_with_card, stripe_refund_amounts

    order = pickup_order(stocked, {tea: 2}, method=PaymentMethod.CARD)
    pay_with_card(order, card_token(localstripe))
    db.session.expire_all()
    assert db.session.get(Order, order.id).payment_status == PaymentStatus.PAID
    later = utcnow() + timedelta(days=stripe_app.config["PICKUP_DAYS"], hours=1)
    assert expire_pickups(later) == [order.number]
    _assert_back_at_centre(stocked, tea)
    assert db.session.scalar(select(func.sum(Refund.amount_vnd))) == 245_000
    intent = db.session.scalar(select(CardPayment.payment_intent_id))
    assert stripe_refund_amounts(localstripe, intent) == [245_000]
