"""The cart: guest session, customer database, merge on login, flags, AJAX shape."""

from datetime import date

import pytest

from shop.cart.models import CartLine
from shop.catalog.services import unpublish_product
from shop.certification.services import revoke_certificate
from shop.extensions import db
from tests.helpers_http import assert_redirect, assert_signed_in, follow


def add(client, product_id, quantity=1, json=False):
    """Post the add-to-cart form (or its JSON twin); the caller checks the answer."""
    headers = {"Accept": "application/json"} if json else {}
    return client.post(
        "/cart/add", data={"product_id": product_id, "quantity": quantity}, headers=headers
    )


def put(client, product_id, quantity=1):
    """Add through the HTML form, which goes back to the cart page."""
    return assert_redirect(add(client, product_id, quantity), "/cart", 303)


def test_guest_adds_and_sees_lines_grouped_by_producer(client, make_listed, make_producer):
    a, b = make_producer(), make_producer()
    tea = make_listed("Chè Shan Tuyết", producer=a, price=120_000, stock=5)
    honey = make_listed("Mật ong bạc hà", producer=b, price=250_000, stock=5)
    put(client, tea.id, 2)
    put(client, honey.id, 1)
    cart = client.get("/cart.json").get_json()
    assert cart["item_count"] == 3
    assert cart["items_subtotal_price"] == 2 * 120_000 + 250_000
    assert cart["shipping_price"] == 30_000 + 30_000  # flat fee per producer
    assert cart["total_price"] == 490_000 + 60_000
    assert [i["producer"] for i in cart["items"]] == [a.legal_name, b.legal_name]
    page = client.get("/cart").get_data(as_text=True)
    assert "Chè Shan Tuyết" in page
    assert "550.000 ₫" in page


def test_free_shipping_threshold(client, make_listed, make_producer):
    producer = make_producer()
    producer.free_shipping_over_vnd = 300_000
    db.session.commit()
    tea = make_listed(producer=producer, price=150_000, stock=5)
    put(client, tea.id, 1)
    assert client.get("/cart.json").get_json()["shipping_price"] == 30_000
    put(client, tea.id, 1)
    assert client.get("/cart.json").get_json()["shipping_price"] == 0


def test_adding_is_capped_by_stock(client, make_listed):
    tea = make_listed(stock=3)
    response = add(client, tea.id, 2, json=True)
    assert response.status_code == 200
    body = response.get_json()
    assert body["quantity"] == 2
    assert body["capped"] is False
    response = add(client, tea.id, 5, json=True)
    assert response.status_code == 200
    body = response.get_json()
    assert body["quantity"] == 3
    assert body["capped"] is True
    assert "3" in body["message"]


@pytest.mark.parametrize("quantity", ["0", "-1", "1000000000", "1.5", "abc", ""])
def test_bad_quantities_are_refused_and_change_nothing(client, make_listed, quantity):
    tea = make_listed()
    response = add(client, tea.id, quantity, json=True)
    assert response.status_code == 400
    assert "Số lượng" in response.get_json()["message"]
    assert client.get("/cart.json").get_json()["item_count"] == 0


def test_bad_quantity_in_html_form_flashes_a_message(client, make_listed):
    tea = make_listed()
    page = follow(client, add(client, tea.id, "-1"), "/cart", 303).get_data(as_text=True)
    assert "Số lượng phải là số nguyên" in page
    assert client.get("/cart.json").get_json()["item_count"] == 0


@pytest.mark.parametrize("product_id", ["999999", "abc", "", "99999999999999999999"])
def test_unknown_products_are_404(client, app, product_id):
    response = add(client, product_id, 1, json=True)
    assert response.status_code == 404
    assert response.get_json()["message"]


def test_unlisted_products_cannot_be_added(client, make_product, make_listed, make_certificate):
    draft = make_product()
    assert add(client, draft.id, json=True).status_code == 409
    expired = make_listed(decision_date=date(2020, 1, 1))
    assert add(client, expired.id, json=True).status_code == 409
    sold_out = make_listed(stock=0)
    assert add(client, sold_out.id, json=True).status_code == 409


def test_line_that_became_unlisted_is_flagged_and_blocks_checkout(client, make_listed, staff):
    tea = make_listed(stock=5)
    other = make_listed(stock=5)
    put(client, tea.id, 1)
    put(client, other.id, 4)
    from shop.certification.queries import current_certificate

    revoke_certificate(current_certificate(tea), staff, "Vi phạm")
    other.stock = 2
    db.session.commit()
    cart = client.get("/cart.json").get_json()
    problems = {i["product_id"]: i["problem"] for i in cart["items"]}
    assert problems == {tea.id: "unlisted", other.id: "short"}
    assert cart["requires_attention"] is True
    page = client.get("/cart").get_data(as_text=True)
    assert "không được bán" in page
    assert "Chỉ còn 2" in page
    assert "/checkout" not in page.split("cart-summary")[1]
    response = client.get("/checkout")
    assert response.status_code == 200  # the page explains; the order is refused on submit


def test_unpublished_product_is_flagged(client, make_listed):
    tea = make_listed()
    put(client, tea.id)
    unpublish_product(tea)
    db.session.commit()
    assert client.get("/cart.json").get_json()["items"][0]["problem"] == "unlisted"


def test_change_and_remove(client, make_listed):
    tea = make_listed(stock=9)
    put(client, tea.id, 1)
    changed = client.post("/cart/change", data={"product_id": tea.id, "quantity": 4})
    assert_redirect(changed, "/cart", 303)
    assert client.get("/cart.json").get_json()["item_count"] == 4
    removed = client.post("/cart/change", data={"product_id": tea.id, "quantity": 0})
    assert_redirect(removed, "/cart", 303)
    assert client.get("/cart.json").get_json()["item_count"] == 0
    response = client.post(
        "/cart/remove", data={"product_id": tea.id}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 404


def test_signed_in_cart_is_stored_and_guest_cart_merges_on_login(
    client, auth, make_user, make_listed
):
    user = make_user(email="khach@example.vn")
    tea = make_listed(stock=4)
    honey = make_listed(stock=10)
    db.session.add(CartLine(user_id=user.id, product_id=tea.id, quantity=3))
    db.session.commit()
    put(client, tea.id, 3)  # as a guest
    put(client, honey.id, 2)
    assert_signed_in(auth.login("khach@example.vn"))
    lines = {line.product_id: line.quantity for line in db.session.scalars(db.select(CartLine))}
    assert lines == {tea.id: 4, honey.id: 2}  # 3 + 3 capped by the stock of 4
    cart = client.get("/cart.json").get_json()
    assert cart["item_count"] == 6
    assert_redirect(auth.logout(), "/")
    assert client.get("/cart.json").get_json()["item_count"] == 0  # the guest cart was used up


def test_line_whose_certificate_expired_is_flagged_and_orders_nothing(client, make_listed):
    from datetime import timedelta

    from shop.certification.queries import current_certificate
    from shop.clock import today_vn
    from shop.orders.models import Order
    from tests.orders.helpers import checkout_form

    tea = make_listed(stock=5)
    put(client, tea.id, 2)
    total = client.get("/cart.json").get_json()["total_price"]
    certificate = current_certificate(tea)
    certificate.valid_through = today_vn() - timedelta(days=1)  # it expired at midnight
    db.session.commit()
    assert client.get("/cart.json").get_json()["items"][0]["problem"] == "unlisted"
    response = client.post("/checkout", data=checkout_form(total))
    page = follow(client, response, "/cart", 303).get_data(as_text=True)
    assert "hiện không được bán" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Order)) == 0
    db.session.refresh(tea)
    assert tea.stock == 5
