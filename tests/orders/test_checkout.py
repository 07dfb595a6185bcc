"""Placing orders: one shipment per producer, frozen lines, stock taken in the
same transaction, nothing taken when a line is short, one order per token."""

import re

import pytest
from sqlalchemy import func, select

from shop.catalog.models import Product
from shop.checkout.services import PriceChanged, order_number
from shop.extensions import db
from shop.mail import outbox
from shop.orders.models import (
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    Shipment,
    StateChange,
)
from tests.factories import OTHER_WARD
from tests.helpers_http import assert_redirect, assert_signed_in, follow
from tests.orders.helpers import checkout_form, order_for


def fill_cart(client, *pairs):
    for product, quantity in pairs:
        response = client.post("/cart/add", data={"product_id": product.id, "quantity": quantity})
        assert_redirect(response, "/cart", 303)
    return client.get("/cart.json").get_json()["total_price"]


def test_guest_checkout_makes_one_order_with_a_shipment_per_producer(
    app, client, make_listed, make_producer
):
    a, b = make_producer(), make_producer()
    tea = make_listed("Chè Shan Tuyết", producer=a, price=120_000, stock=5, stars=4)
    honey = make_listed("Mật ong bạc hà", producer=b, price=250_000, stock=3, stars=5)
    total = fill_cart(client, (tea, 2), (honey, 1))
    response = client.post("/checkout", data=checkout_form(total))
    order = db.session.scalar(select(Order))
    assert_redirect(response, f"/orders/{order.number}", 303, query={"key": order.access_key})
    assert re.fullmatch(r"DH\d{4}\d{6}", order.number)
    assert order.status == OrderStatus.AWAITING_DELIVERY  # cash on delivery
    assert order.phone == "0912345678"  # normalised
    assert (order.subtotal_vnd, order.shipping_vnd, order.total_vnd) == (490_000, 60_000, 550_000)
    shipments = db.session.scalars(select(Shipment).order_by(Shipment.id)).all()
    assert [(s.producer_id, s.subtotal_vnd, s.shipping_vnd) for s in shipments] == [
        (a.id, 240_000, 30_000),
        (b.id, 250_000, 30_000),
    ]
    lines = db.session.scalars(select(OrderLine).order_by(OrderLine.id)).all()
    assert [
        (ln.product_name, ln.unit_price_vnd, ln.quantity, ln.star_rank, ln.producer_id)
        for ln in lines
    ] == [
        ("Chè Shan Tuyết", 120_000, 2, 4, a.id),
        ("Mật ong bạc hà", 250_000, 1, 5, b.id),
    ]
    db.session.expire_all()
    assert (db.session.get(Product, tea.id).stock, db.session.get(Product, honey.id).stock) == (
        3,
        2,
    )
    assert client.get("/cart.json").get_json()["item_count"] == 0
    recipients = sorted(m["To"] for m in outbox())
    assert recipients == sorted(["binh@example.vn", a.email, b.email])
    order_page = client.get(response.location)
    assert order_page.status_code == 200
    page = order_page.get_data(as_text=True)
    assert order.number in page
    assert "550.000 ₫" in page


def test_lines_keep_sale_time_name_and_price(app, make_listed):
    tea = make_listed("Chè cũ", price=100_000)
    order = order_for({tea: 1})
    tea.name, tea.price_vnd = "Chè mới", 200_000
    db.session.commit()
    line = order.lines[0]
    db.session.refresh(line)
    assert (line.product_name, line.unit_price_vnd) == ("Chè cũ", 100_000)


def test_order_number_format():
    from datetime import UTC, datetime

    # 17:30 UTC on 31 Oct is already November in Vietnam.
    assert order_number(123, datetime(2026, 10, 31, 17, 30, tzinfo=UTC)) == "DH2611000123"
    assert order_number(1234567, datetime(2026, 1, 5, tzinfo=UTC)) == "DH26011234567"


def test_short_line_of_one_producer_takes_nothing_from_any(app, client, make_listed, make_producer):
    products = [make_listed(producer=make_producer(), stock=5) for _ in range(3)]
    total = fill_cart(client, *[(p, 2) for p in products])
    products[1].stock = 1  # someone bought the rest meanwhile
    db.session.commit()
    response = client.post("/checkout", data=checkout_form(total))
    page = follow(client, response, "/cart", 303).get_data(as_text=True)
    assert f"“{products[1].name}”: bạn đặt 2, chỉ còn 1." in page
    db.session.expire_all()
    assert [db.session.get(Product, p.id).stock for p in products] == [5, 1, 5]
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_service_refuses_a_cart_with_a_sold_out_line(app, make_listed):
    from shop.checkout.services import CartNotReady, place_order
    from shop.clock import today_vn
    from tests.orders.helpers import CONTACT

    tea, honey = make_listed(stock=1), make_listed(stock=0)
    with pytest.raises(CartNotReady) as caught:
        place_order(
            lines={tea.id: 1, honey.id: 1},
            contact=CONTACT,
            payment_method=PaymentMethod.COD,
            token="x" * 43,
            user=None,
            today=today_vn(),
            expected_total_vnd=None,
        )
    assert [line.problem for line in caught.value.view.problems] == ["out_of_stock"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    assert db.session.get(Product, tea.id).stock == 1


def test_same_token_twice_makes_one_order(app, client, make_listed):
    tea = make_listed(stock=10)
    total = fill_cart(client, (tea, 2))
    form = checkout_form(total)
    first = client.post("/checkout", data=form)
    fill_cart(client, (tea, 2))  # even with a cart refilled, the token was used
    second = client.post("/checkout", data=form)
    order = db.session.scalar(select(Order))
    for response in (first, second):
        assert_redirect(response, f"/orders/{order.number}", 303, query={"key": order.access_key})
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1
    db.session.expire_all()
    assert db.session.get(Product, tea.id).stock == 8


def test_tampered_total_orders_nothing(app, client, make_listed):
    tea = make_listed(price=120_000, stock=10)
    total = fill_cart(client, (tea, 1))
    response = client.post("/checkout", data=checkout_form(total - 100_000))
    assert response.status_code == 409
    assert "Giá hoặc phí vận chuyển vừa thay đổi" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    db.session.expire_all()
    assert db.session.get(Product, tea.id).stock == 10


def test_price_change_between_cart_and_order_is_caught(app, make_listed):
    from shop.cart.services import build_view
    from shop.checkout.services import place_order
    from shop.clock import today_vn
    from tests.orders.helpers import CONTACT

    tea = make_listed(price=120_000, stock=10)
    seen = build_view({tea.id: 1}, today_vn()).total_vnd
    tea.price_vnd = 130_000
    db.session.commit()
    with pytest.raises(PriceChanged):
        place_order(
            lines={tea.id: 1},
            contact=CONTACT,
            payment_method=PaymentMethod.COD,
            token="y" * 43,
            user=None,
            today=today_vn(),
            expected_total_vnd=seen,
        )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ward_code", str(OTHER_WARD), "Xã/phường không thuộc tỉnh/thành phố đã chọn."),
        ("phone", "12345", "Số điện thoại không hợp lệ"),
        ("email", "not-an-email", "Email không hợp lệ."),
        ("payment_method", "bitcoin", "Vui lòng chọn cách thanh toán."),
        ("customer_name", "", "Vui lòng nhập họ tên."),
        ("province_code", "99999", "Vui lòng chọn tỉnh/thành phố."),
    ],
)
def test_bad_checkout_input_gets_a_message_and_changes_nothing(
    app, client, make_listed, field, value, message
):
    tea = make_listed(stock=4)
    total = fill_cart(client, (tea, 1))
    response = client.post("/checkout", data=checkout_form(total, **{field: value}))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    db.session.expire_all()
    assert db.session.get(Product, tea.id).stock == 4
    assert client.get("/cart.json").get_json()["item_count"] == 1


def test_bad_token_is_refused(app, client, make_listed):
    tea = make_listed(stock=4)
    total = fill_cart(client, (tea, 1))
    response = client.post("/checkout", data=checkout_form(total, token="<script>"))
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_empty_cart_redirects_to_cart(client):
    assert_redirect(client.get("/checkout"), "/cart")
    assert_redirect(client.post("/checkout", data=checkout_form(0)), "/cart", 303)
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_signed_in_checkout_saves_and_offers_the_address(app, client, auth, make_user, make_listed):
    make_user(email="khach@example.vn")
    assert_signed_in(auth.login("khach@example.vn"))
    tea = make_listed(stock=4)
    total = fill_cart(client, (tea, 1))
    response = client.post("/checkout", data=checkout_form(total, save_address="y"))
    order = db.session.scalar(select(Order))
    assert_redirect(response, f"/orders/{order.number}", 303, query={"key": order.access_key})
    assert order.user_id is not None
    account = client.get("/account/orders")
    assert account.status_code == 200
    assert "key=" not in account.get_data(as_text=True)
    assert order.number in account.get_data(as_text=True)
    fill_cart(client, (tea, 1))
    again = client.get("/checkout")
    assert again.status_code == 200
    page = again.get_data(as_text=True)
    assert "12 Đường Lê Lợi" in page
    assert 'value="0912345678"' in page


def test_order_page_needs_the_key_or_the_owner(app, client, make_listed, make_user, auth):
    tea = make_listed()
    order = order_for({tea: 1})
    assert client.get(f"/orders/{order.number}").status_code == 404
    assert client.get(f"/orders/{order.number}?key=wrong").status_code == 404
    assert client.get(f"/orders/{order.number}?key={order.access_key}").status_code == 200
    make_user(email="other@example.vn")
    assert_signed_in(auth.login("other@example.vn"))
    assert client.get(f"/orders/{order.number}").status_code == 404
    assert client.post(f"/orders/{order.number}/cancel").status_code == 404


def test_creation_is_logged(app, make_listed):
    order = order_for({make_listed(): 1})
    change = db.session.scalar(select(StateChange).where(StateChange.order_id == order.id))
    assert (change.from_state, change.to_state, change.subject) == (
        None,
        "awaiting_delivery",
        "order",
    )
