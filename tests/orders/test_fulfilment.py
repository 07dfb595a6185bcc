"""States as data: the transition tables, producers working their own
shipments, cash on delivery paid at delivery, cancellation and expiry."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.catalog.models import Product
from shop.clock import utcnow
from shop.extensions import db
from shop.mail import outbox
from shop.orders.models import (
    Order,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    Shipment,
    ShipmentStatus,
    StateChange,
)
from shop.orders.services import OrderActionError, advance_shipment, cancel_order
from shop.orders.states import (
    ORDER_MOVES,
    PAYMENT_MOVES,
    SHIPMENT_MOVES,
    IllegalTransition,
    transition,
)
from shop.orders.tasks import expire_unpaid
from shop.payments.services import new_action_token
from tests.orders.helpers import hidden_value, order_for


def advance(shipment_id, target, **kwargs):
    """The producer's action as its view does it: the use case, then the commit."""
    shipment = advance_shipment(shipment_id, target, **kwargs)
    db.session.commit()
    return shipment


def test_tables_cover_every_state_and_final_states_are_final():
    assert set(ORDER_MOVES) == set(OrderStatus)
    assert set(SHIPMENT_MOVES) == set(ShipmentStatus)
    assert set(PAYMENT_MOVES) == set(PaymentStatus)
    assert ORDER_MOVES[OrderStatus.REFUNDED] == frozenset()
    assert SHIPMENT_MOVES[ShipmentStatus.DELIVERED] == frozenset()
    assert SHIPMENT_MOVES[ShipmentStatus.CANCELLED] == frozenset()
    assert ShipmentStatus.CANCELLED not in SHIPMENT_MOVES[ShipmentStatus.SHIPPED]


def test_illegal_move_is_refused_and_not_logged(app, make_listed):
    order = order_for({make_listed(): 1})
    shipment = order.shipments[0]
    before = db.session.scalar(select(db.func.count()).select_from(StateChange))
    with pytest.raises(IllegalTransition):
        transition(shipment, ShipmentStatus.DELIVERED)
    assert shipment.status == ShipmentStatus.NEW
    assert db.session.scalar(select(db.func.count()).select_from(StateChange)) == before


@pytest.fixture
def producer_login(client, auth):
    def login(producer):
        auth.login(producer.members[0].user.email)

    return login


def test_producer_ships_a_cod_order_and_it_is_paid_on_delivery(
    app, client, make_listed, make_producer, producer_login
):
    a, b = make_producer(), make_producer()
    order = order_for(
        {make_listed(producer=a, price=100_000): 1, make_listed(producer=b, price=50_000): 2}
    )
    ship_a, ship_b = order.shipments
    producer_login(a)
    base = f"/producer/shipments/{ship_a.id}"
    assert client.get(base).status_code == 200
    assert client.get(f"/producer/shipments/{ship_b.id}").status_code == 404
    assert client.post(f"/producer/shipments/{ship_b.id}/confirm").status_code == 404
    client.post(f"{base}/confirm")
    response = client.post(
        f"{base}/ship", data={"carrier": "", "tracking_number": ""}, follow_redirects=True
    )
    assert "Vui lòng nhập đơn vị vận chuyển" in response.get_data(as_text=True)
    client.post(f"{base}/ship", data={"carrier": "VNPost", "tracking_number": "EL123456789VN"})
    assert any("đã được gửi đi" in m["Subject"] for m in outbox())
    client.post(f"{base}/deliver")
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    first = db.session.get(Shipment, ship_a.id)
    assert first.status == ShipmentStatus.DELIVERED
    assert first.paid_at is not None
    assert order.paid_vnd == 130_000
    assert order.payment_status == PaymentStatus.PARTIALLY_PAID
    assert order.status == OrderStatus.AWAITING_DELIVERY
    # The second producer delivers: the order is complete and paid.
    for target in (ShipmentStatus.CONFIRMED,):
        advance(ship_b.id, target, actor=None)
    advance(ship_b.id, ShipmentStatus.SHIPPED, actor=None, carrier="GHN", tracking_number="GHN1")
    advance(ship_b.id, ShipmentStatus.DELIVERED, actor=None)
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert (order.status, order.payment_status, order.paid_vnd) == (
        OrderStatus.COMPLETED,
        PaymentStatus.PAID,
        order.total_vnd,
    )
    log = db.session.scalars(
        select(StateChange).where(StateChange.shipment_id == ship_a.id).order_by(StateChange.id)
    ).all()
    assert [(c.from_state, c.to_state) for c in log] == [
        ("new", "confirmed"),
        ("confirmed", "shipped"),
        ("shipped", "delivered"),
    ]
    assert all(c.actor_id == a.members[0].user_id for c in log)


def test_unpaid_transfer_order_cannot_be_shipped(app, make_listed):
    order = order_for({make_listed(): 1}, method=PaymentMethod.VIETQR)
    with pytest.raises(OrderActionError):
        advance(order.shipments[0].id, ShipmentStatus.CONFIRMED, actor=None)


def test_customer_cancels_before_shipping_and_stock_returns(app, client, make_listed):
    tea = make_listed(stock=5)
    order = order_for({tea: 3})
    db.session.expire_all()
    assert db.session.get(Product, tea.id).stock == 2
    detail = f"/orders/{order.number}?key={order.access_key}"
    # The order page links to a confirmation page (a dialog with JavaScript).
    page = client.get(detail)
    assert page.status_code == 200
    assert f"/orders/{order.number}/cancel?key=" in page.get_data(as_text=True)
    confirm = client.get(f"/orders/{order.number}/cancel?key={order.access_key}")
    assert confirm.status_code == 200
    html = confirm.get_data(as_text=True)
    assert "không có khoản nào cần hoàn" in html
    token = hidden_value(html)
    form = {"action_token": token, "reason": "Đặt nhầm"}
    response = client.post(f"/orders/{order.number}/cancel?key={order.access_key}", data=form)
    assert response.status_code == 303
    assert response.location.endswith(detail)
    db.session.expire_all()
    assert db.session.get(Product, tea.id).stock == 5
    order = db.session.get(Order, order.id)
    assert order.status == OrderStatus.CANCELLED
    assert order.shipments[0].status == ShipmentStatus.CANCELLED
    change = db.session.scalar(
        select(StateChange).where(
            StateChange.order_id == order.id, StateChange.to_state == "cancelled"
        )
    )
    assert change.reason == "Khách hàng huỷ đơn: Đặt nhầm"
    # The same form again (a double click): nothing more, and it says so.
    again = client.post(f"/orders/{order.number}/cancel?key={order.access_key}", data=form)
    assert again.status_code == 303
    assert "đã được huỷ trước đó" in client.get(detail).get_data(as_text=True)
    # A fresh form on a cancelled order is refused with a message.
    fresh = client.post(
        f"/orders/{order.number}/cancel?key={order.access_key}",
        data={"action_token": new_action_token()},
    )
    assert fresh.status_code == 303
    assert "không thể huỷ nữa" in client.get(detail).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Product, tea.id).stock == 5


def test_customer_cancel_without_a_form_token_changes_nothing(app, client, make_listed):
    tea = make_listed(stock=5)
    order = order_for({tea: 1})
    response = client.post(f"/orders/{order.number}/cancel?key={order.access_key}")
    assert response.status_code == 400
    assert "Biểu mẫu đã cũ" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == OrderStatus.AWAITING_DELIVERY
    assert db.session.get(Product, tea.id).stock == 4


def test_no_cancel_after_shipping(app, client, make_listed):
    order = order_for({make_listed(): 1})
    shipment_id = order.shipments[0].id
    advance(shipment_id, ShipmentStatus.CONFIRMED, actor=None)
    advance(shipment_id, ShipmentStatus.SHIPPED, actor=None, carrier="x", tracking_number="y")
    with pytest.raises(OrderActionError):
        cancel_order(order.id, actor=None, actor_label="customer", reason="x")
    db.session.rollback()
    confirm = client.get(f"/orders/{order.number}/cancel?key={order.access_key}")
    assert confirm.status_code == 303  # no confirmation page for what cannot be cancelled


def test_producer_cancels_its_part_and_its_stock_returns(app, make_listed, make_producer):
    a, b = make_producer(), make_producer()
    tea, honey = make_listed(producer=a, stock=4), make_listed(producer=b, stock=4)
    order = order_for({tea: 1, honey: 1})
    ship_a, ship_b = order.shipments
    advance(ship_a.id, ShipmentStatus.CANCELLED, actor=None, reason="Hết hàng thật")
    db.session.expire_all()
    assert db.session.get(Product, tea.id).stock == 4
    assert db.session.get(Product, honey.id).stock == 3
    assert db.session.get(Order, order.id).status == OrderStatus.AWAITING_DELIVERY
    advance(ship_b.id, ShipmentStatus.CANCELLED, actor=None, reason="x")
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == OrderStatus.CANCELLED


def test_expiry_cancels_unpaid_transfer_orders_once_and_returns_stock(app, runner, make_listed):
    tea = make_listed(stock=5)
    late = order_for({tea: 2}, method=PaymentMethod.VIETQR)
    fresh = order_for({tea: 1}, method=PaymentMethod.VIETQR)
    cod = order_for({tea: 1})
    late.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Product, tea.id).stock == 1
    result = runner.invoke(args=["orders", "expire"])
    assert "Unpaid orders cancelled: 1" in result.output
    assert late.number in result.output
    # The same period again (another cron node): claimed already, nothing done.
    assert "was run already" in runner.invoke(args=["orders", "expire"]).output
    # An operator's deliberate rerun is harmless.
    forced = runner.invoke(args=["orders", "expire", "--force"])
    assert forced.output.startswith("Unpaid orders cancelled: 0")
    db.session.expire_all()
    assert db.session.get(Product, tea.id).stock == 3
    assert db.session.get(Order, late.id).status == OrderStatus.CANCELLED
    assert db.session.get(Order, fresh.id).status == OrderStatus.PENDING_PAYMENT
    assert db.session.get(Order, cod.id).status == OrderStatus.AWAITING_DELIVERY
    change = db.session.scalar(
        select(StateChange).where(
            StateChange.order_id == late.id, StateChange.to_state == "cancelled"
        )
    )
    assert change.actor_label == "system"
    assert change.reason == "Quá hạn thanh toán"


def test_expiry_default_is_24_hours(app, make_listed):
    order = order_for({make_listed(): 1}, method=PaymentMethod.VIETQR)
    assert (
        timedelta(hours=23, minutes=59) < order.expires_at - order.created_at <= timedelta(hours=24)
    )
    assert expire_unpaid(utcnow() + timedelta(hours=23)) == []
    assert expire_unpaid(utcnow() + timedelta(hours=25)) == [order.number]


def test_producers_list_only_their_shipments(
    app, client, make_listed, make_producer, producer_login
):
    a, b = make_producer(), make_producer()
    order_for({make_listed(producer=a): 1})
    other = order_for({make_listed(producer=b): 1})
    producer_login(a)
    page = client.get("/producer/shipments").get_data(as_text=True)
    assert other.number not in page
    assert page.count("DH") >= 1


def test_producer_sets_shipping_fee_and_free_threshold(app, client, make_producer, producer_login):
    producer = make_producer()
    producer_login(producer)
    assert client.get("/producer/shipping").status_code == 200
    response = client.post(
        "/producer/shipping",
        data={"shipping_fee_vnd": "25.000", "free_shipping_over_vnd": "500.000"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert (producer.shipping_fee_vnd, producer.free_shipping_over_vnd) == (25_000, 500_000)
    assert producer.shipping_for(499_000) == 25_000
    assert producer.shipping_for(500_000) == 0
    for bad in ("-1", "12,5", "abc", "99.000.000"):
        response = client.post("/producer/shipping", data={"shipping_fee_vnd": bad})
        assert response.status_code == 400, bad
    db.session.expire_all()
    assert producer.shipping_fee_vnd == 25_000


def _statements(client, count_queries, path):
    count_queries.clear()
    assert client.get(path).status_code == 200
    return len(count_queries)


def test_order_pages_make_no_query_per_row(
    app, client, auth, staff, make_listed, make_producer, count_queries
):
    """The lists and order pages cost the same few statements for 1 or 4 rows."""
    producers = [make_producer() for _ in range(4)]
    products = [make_listed(producer=p, stock=50) for p in producers]
    one = order_for({products[0]: 1})
    four = order_for(dict.fromkeys(products, 1))
    for _ in range(3):
        order_for({products[0]: 1})
    auth.login(producers[1].members[0].user.email)  # one shipment
    few = _statements(client, count_queries, "/producer/shipments")
    auth.logout()
    auth.login(producers[0].members[0].user.email)  # five shipments
    assert _statements(client, count_queries, "/producer/shipments") == few
    auth.logout()
    auth.login(staff.email)
    assert _statements(client, count_queries, f"/staff/orders/{four.number}") == _statements(
        client, count_queries, f"/staff/orders/{one.number}"
    )
    auth.logout()
    assert _statements(
        client, count_queries, f"/orders/{four.number}?key={four.access_key}"
    ) == _statements(client, count_queries, f"/orders/{one.number}?key={one.access_key}")
