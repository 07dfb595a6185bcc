"""The conditional stock update on SQLite, with the window between reading the
cart and taking the stock held open on purpose: each test here fails when
``stock >= quantity`` is removed from the UPDATE, when ``>=`` becomes ``>``, or
when the price re-check is dropped (the PostgreSQL race tests prove the same
under real concurrency)."""

import re

import pytest
from sqlalchemy import func, select, update

from shop.cart.services import build_view
from shop.catalog.models import Product
from shop.catalog.stock import PriceMoved, Short, Want, take_stock
from shop.clock import today_vn
from shop.extensions import db
from shop.orders.models import Order
from tests.helpers_http import assert_redirect
from tests.orders.helpers import checkout_form


def wants(view) -> list[Want]:
    return [Want(line.product.id, line.quantity, line.unit_price_vnd) for line in view.lines]


def stock_of(product) -> int:
    db.session.expire_all()
    return db.session.get(Product, product.id).stock


def someone_else_sets(product, **values) -> None:
    """Another buyer or the producer, between our cart read and our UPDATE."""
    db.session.execute(update(Product).where(Product.id == product.id).values(**values))
    db.session.commit()


def test_buying_the_last_unit_through_the_shop(app, client, make_listed):
    tea = make_listed(price=120_000, stock=1)
    assert_redirect(
        client.post("/cart/add", data={"product_id": tea.id, "quantity": 1}), "/cart", 303
    )
    total = client.get("/cart.json").get_json()["total_price"]
    response = client.post("/checkout", data=checkout_form(total))
    order = db.session.scalar(select(Order))
    assert order is not None
    assert_redirect(response, f"/orders/{order.number}", 303, query={"key": order.access_key})
    assert stock_of(tea) == 0


def test_one_above_stock_is_refused_through_the_shop(app, client, make_listed):
    tea = make_listed(price=120_000, stock=3)
    response = client.post("/cart/add", data={"product_id": tea.id, "quantity": 4})
    assert response.status_code in (303, 400)
    cart = client.get("/cart.json").get_json()
    quantity = sum(item["quantity"] for item in cart["items"])
    assert quantity <= 3  # capped at what is there, never more
    # A cart holding 4 (the stock fell after it was filled) orders nothing.
    with client.session_transaction() as session:
        session["cart"] = {str(tea.id): 4}
    response = client.post("/checkout", data=checkout_form(4 * 120_000 + 30_000))
    assert_redirect(response, "/cart", 303)
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    assert stock_of(tea) == 3


def test_the_update_takes_exactly_the_last_units(app, make_listed):
    tea = make_listed(price=100_000, stock=5)
    view = build_view({tea.id: 3}, today_vn())
    someone_else_sets(tea, stock=3)  # exactly enough left
    take_stock(wants(view))
    assert stock_of(tea) == 0


def test_the_update_refuses_one_unit_short(app, make_listed):
    tea = make_listed(price=100_000, stock=5)
    view = build_view({tea.id: 3}, today_vn())
    someone_else_sets(tea, stock=2)  # another buyer took three meanwhile
    with pytest.raises(Short):
        take_stock(wants(view))
    db.session.rollback()
    assert stock_of(tea) == 2  # never negative, nothing taken


def test_the_update_rechecks_the_price(app, make_listed):
    tea = make_listed(price=100_000, stock=5)
    view = build_view({tea.id: 1}, today_vn())
    someone_else_sets(tea, price_vnd=110_000)  # the producer's edit lands first
    with pytest.raises(PriceMoved):
        take_stock(wants(view))
    db.session.rollback()
    assert stock_of(tea) == 5


def test_a_price_changed_between_the_checkout_page_and_the_order(app, client, make_listed):
    tea = make_listed(price=120_000, stock=10)
    assert_redirect(
        client.post("/cart/add", data={"product_id": tea.id, "quantity": 2}), "/cart", 303
    )
    page = client.get("/checkout")
    assert page.status_code == 200
    seen = int(re.search(r'name="expected_total" type="hidden" value="(\d+)"', page.text)[1])
    assert seen == 2 * 120_000 + 30_000
    tea.price_vnd = 125_000
    db.session.commit()
    response = client.post("/checkout", data=checkout_form(seen))
    assert response.status_code == 409
    assert "Giá hoặc phí vận chuyển vừa thay đổi" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    assert stock_of(tea) == 10
