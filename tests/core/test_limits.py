"""Checkout rate limits under carrier-grade NAT: many buyers share one address, so
the limit that bites is per buyer (account, or browser session for guests); the
per-address ceiling only stops one address from flooding the shop."""

from sqlalchemy import func, select

from shop.extensions import db
from shop.orders.models import Order
from tests.factories import PASSWORD
from tests.orders.helpers import checkout_form


def fill_cart(client, product, quantity=1) -> int:
    response = client.post("/cart/add", data={"product_id": product.id, "quantity": quantity})
    assert response.status_code == 303
    return client.get("/cart.json").get_json()["total_price"]


def test_forty_guests_behind_one_address_all_check_out(app, make_listed):
    """The report: 10 of 40 guests of one carrier address got 429 at checkout."""
    tea = make_listed("Chè Shan Tuyết", stock=100)
    statuses = []
    for _ in range(40):
        guest = app.test_client()  # a phone of its own: its own session cookie
        total = fill_cart(guest, tea)
        statuses.append(guest.post("/checkout", data=checkout_form(total)).status_code)
    assert statuses == [303] * 40
    assert db.session.scalar(select(func.count()).select_from(Order)) == 40


def test_the_eleventh_checkout_post_of_one_session_is_429(app, client, make_listed):
    assert app.config["CHECKOUT_RATE_LIMIT"] == "10 per minute"
    tea = make_listed(stock=100)
    total = fill_cart(client, tea)
    form = checkout_form(total)  # one token: pressing "Đặt hàng" again and again
    responses = [client.post("/checkout", data=form) for _ in range(11)]
    statuses = [r.status_code for r in responses]
    assert 429 not in statuses[:10]
    assert statuses[10] == 429
    # The window ends a minute after its first hit, counted in whole seconds.
    assert 1 <= int(responses[10].headers["Retry-After"]) <= 61
    assert "X-RateLimit-Limit" not in responses[0].headers
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1
    # Another buyer at the same address is not held back by this one.
    neighbour = app.test_client()
    total = fill_cart(neighbour, tea)
    assert neighbour.post("/checkout", data=checkout_form(total)).status_code == 303


def test_one_account_shares_its_limit_across_sessions(app, make_user, make_listed):
    app.config["CHECKOUT_RATE_LIMIT"] = "3 per minute"
    make_user(email="an@example.vn")
    phone, laptop = app.test_client(), app.test_client()
    for device in (phone, laptop):
        login = device.post("/login", data={"email": "an@example.vn", "password": PASSWORD})
        assert login.status_code == 302
    assert [phone.post("/checkout", data={}).status_code == 429 for _ in range(2)] == [False] * 2
    assert laptop.post("/checkout", data={}).status_code != 429
    assert laptop.post("/checkout", data={}).status_code == 429
    assert phone.post("/checkout", data={}).status_code == 429


def test_a_guest_without_a_session_gets_one_for_the_limit(client):
    """A browser that keeps its cookie keeps its budget; one that drops it meets
    the per-address ceiling instead."""
    assert client.post("/checkout", data={}).status_code != 429
    with client.session_transaction() as session:
        buyer = session["buyer_id"]
    assert len(buyer) >= 16
    client.post("/checkout", data={})
    with client.session_transaction() as session:
        assert session["buyer_id"] == buyer


def test_one_address_is_stopped_after_its_ceiling(app):
    """301 posts from one address, each from a fresh session: the 301st is refused."""
    assert app.config["CHECKOUT_ADDRESS_RATE_LIMIT"] == "300 per minute"
    statuses = [app.test_client().post("/checkout", data={}).status_code for _ in range(301)]
    assert 429 not in statuses[:300]
    assert statuses[300] == 429


def test_the_ceiling_is_per_address(app):
    app.config["CHECKOUT_ADDRESS_RATE_LIMIT"] = "2 per minute"

    def post_from(address: str) -> int:
        fresh = app.test_client()  # a new session each time: only the address is shared
        return fresh.post("/checkout", data={}, environ_base={"REMOTE_ADDR": address}).status_code

    assert [post_from("203.0.113.7") for _ in range(3)][2] == 429
    assert post_from("198.51.100.1") != 429
