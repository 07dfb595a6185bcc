"""No alcohol is sold to anyone under 18 (Law 44/2019): a cart holding alcohol
needs the buyer's confirmation, in the form and in ``place_order`` alike."""

import secrets

import pytest
from sqlalchemy import select

from shop.cart.services import build_view
from shop.checkout.services import AgeNotConfirmed, place_order
from shop.clock import today_vn
from shop.extensions import db
from shop.orders.models import Order, PaymentMethod
from tests.helpers_http import assert_redirect
from tests.orders.helpers import CONTACT, checkout_form

AGE_BOX = 'name="adult_confirmed"'


def fill(client, *products):
    for product in products:
        response = client.post("/cart/add", data={"product_id": product.id, "quantity": 1})
        assert_redirect(response, "/cart", 303)
    return client.get("/cart.json").get_json()


def test_checkout_asks_the_age_only_when_the_cart_holds_alcohol(client, make_listed):
    tea = make_listed("Chè Shan Tuyết")
    spirit = make_listed("Rượu ngô men lá", set_code="II.01", abv_tenths=295)
    fill(client, tea)
    page = client.get("/checkout")
    assert page.status_code == 200
    assert AGE_BOX not in page.get_data(as_text=True)
    cart = fill(client, spirit)
    assert cart["requires_alcohol_age_check"] is True
    page = client.get("/checkout")
    assert page.status_code == 200
    assert AGE_BOX in page.get_data(as_text=True)
    assert "18+" in client.get("/cart").get_data(as_text=True)


def test_alcohol_order_without_the_age_confirmation_is_refused(client, make_listed):
    wine = make_listed("Rượu sim", set_code="II.02", abv_tenths=130)  # any alcohol
    total = fill(client, wine)["total_price"]
    refused = client.post("/checkout", data=checkout_form(total))
    assert refused.status_code == 400
    assert "Vui lòng xác nhận bạn đã đủ 18 tuổi" in refused.get_data(as_text=True)
    assert db.session.scalar(select(Order)) is None
    placed = client.post("/checkout", data=checkout_form(total, adult_confirmed="y"))
    order = db.session.scalar(select(Order))
    assert_redirect(placed, f"/orders/{order.number}", 303, query={"key": order.access_key})
    assert order.adult_confirmed is True


def test_an_order_without_alcohol_records_no_age_question(client, make_listed):
    tea = make_listed("Chè Shan Tuyết")
    total = fill(client, tea)["total_price"]
    placed = client.post("/checkout", data=checkout_form(total, adult_confirmed="y"))
    order = db.session.scalar(select(Order))
    assert_redirect(placed, f"/orders/{order.number}", 303, query={"key": order.access_key})
    assert order.adult_confirmed is False


def test_place_order_enforces_the_age_confirmation(app, make_listed):
    spirit = make_listed("Rượu ngô men lá", set_code="II.01", abv_tenths=295)
    lines = {spirit.id: 1}
    total = build_view(lines, today_vn()).total_vnd
    arguments = {
        "lines": lines,
        "contact": CONTACT,
        "payment_method": PaymentMethod.COD,
        "user": None,
        "today": today_vn(),
        "expected_total_vnd": total,
    }
    assert build_view(lines, today_vn()).has_alcohol
    with pytest.raises(AgeNotConfirmed):
        place_order(**arguments, token=secrets.token_urlsafe(32))
    db.session.rollback()
    assert db.session.scalar(select(Order)) is None
    order, created = place_order(**arguments, token=secrets.token_urlsafe(32), adult_confirmed=True)
    assert created
    assert order.adult_confirmed
