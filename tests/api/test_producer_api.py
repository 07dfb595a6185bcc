"""The producer API over HTTP: tokens and scopes, one producer's data only, stock
and price by checkout's rules, shipments by the state table, Idempotency-Key
replays, the rate limit per token, and an audit entry for every call."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.audit.models import AuditEntry
from shop.catalog.models import Product
from shop.clock import utcnow
from shop.extensions import db
from shop.orders.models import Order, ShipmentStatus
from shop.producers.models import MemberRole
from shop.tokens.models import ApiToken, IdempotencyKey
from shop.tokens.rules import Scope
from tests.orders.helpers import CONTACT, order_for
from tests.tokens.helpers import bearer, make_token, new_key

API = "/api/v1/producer"


@pytest.fixture
def shop_(app, make_listed, make_producer):
    """Producer A with a product and a new cash-on-delivery order of it; producer B
    with its own product and order."""
    a, b = make_producer(), make_producer()
    tea = make_listed(producer=a, name="Chè Shan Tuyết", price=120_000, stock=20)
    honey = make_listed(producer=b, name="Mật ong bạc hà", price=300_000, stock=5)
    order_a = order_for({tea: 2})
    order_b = order_for({honey: 1})
    _token, secret = make_token(a)
    return {
        "a": a,
        "b": b,
        "tea": tea,
        "honey": honey,
        "order_a": order_a,
        "order_b": order_b,
        "secret": secret,
        "token": _token,
    }


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status
    return body


def _stock(product_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Product, product_id).stock


# -- Authentication and scopes ---------------------------------------------------------


def test_no_token_is_a_401_with_a_challenge(client, shop_):
    response = client.get(f"{API}/orders")
    _problem(response, 401)
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="ocop-producer-api"'


@pytest.mark.parametrize(
    "header",
    [
        "Bearer ocop_pat_" + "x" * 43,  # well formed, no such token
        "Bearer nonsense",
        "Basic dXNlcjpwYXNz",
        "Bearer ",
    ],
)
def test_a_wrong_token_is_a_401(client, shop_, header):
    response = client.get(f"{API}/orders", headers={"Authorization": header})
    _problem(response, 401)
    assert "Bearer" in response.headers["WWW-Authenticate"]


def test_a_revoked_token_is_a_401(client, shop_):
    token = db.session.get(ApiToken, shop_["token"].id)
    token.revoked_at = utcnow()
    db.session.commit()
    response = client.get(f"{API}/orders", headers=bearer(shop_["secret"]))
    _problem(response, 401)
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_an_expired_token_is_a_401(client, shop_):
    token = db.session.get(ApiToken, shop_["token"].id)
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    _problem(client.get(f"{API}/orders", headers=bearer(shop_["secret"])), 401)


def test_a_token_stops_when_its_creator_is_no_longer_an_owner(client, shop_):
    member = shop_["a"].members[0]
    member.role = MemberRole.MEMBER
    db.session.commit()
    _problem(client.get(f"{API}/orders", headers=bearer(shop_["secret"])), 401)


def test_the_scheme_is_case_insensitive(client, shop_):
    response = client.get(f"{API}/orders", headers={"Authorization": f"bearer {shop_['secret']}"})
    assert response.status_code == 200


def test_a_missing_scope_is_a_403_naming_it(client, shop_):
    _token, secret = make_token(shop_["a"], scopes=[Scope.ORDERS_READ])
    response = client.put(
        f"{API}/products/{shop_['tea'].id}/price",
        json={"price_vnd": 130_000},
        headers=bearer(secret, new_key()),
    )
    body = _problem(response, 403)
    assert "stock:write" in body["detail"]
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
    assert db.session.get(Product, shop_["tea"].id).price_vnd == 120_000
    # The refusal is audited: a token probing beyond its scopes is worth knowing.
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "api.price.set"))
    assert entry.data["status"] == "403"

    _token, orders_only = make_token(shop_["a"], scopes=[Scope.STOCK_WRITE])
    _problem(client.get(f"{API}/orders", headers=bearer(orders_only)), 403)


def test_a_session_cookie_is_no_token(client, auth, shop_):
    auth.login(shop_["a"].members[0].user.email)
    _problem(client.get(f"{API}/orders"), 401)


# -- Orders ------------------------------------------------------------------------------


def test_list_my_orders_with_lines_and_shipping(client, shop_):
    response = client.get(f"{API}/orders", headers=bearer(shop_["secret"]))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert [o["number"] for o in body["items"]] == [shop_["order_a"].number]
    order = body["items"][0]
    assert order["status"] == "new"
    assert order["actions"] == ["cancel", "confirm"]
    assert order["payment"] == "cod"
    assert order["lines"] == [
        {
            "product_id": shop_["tea"].id,
            "product_name": "Chè Shan Tuyết",
            "pack": "Hộp 200 g",
            "star_rank": 4,
            "quantity": 2,
            "unit_price_vnd": 120_000,
            "line_total_vnd": 240_000,
        }
    ]
    assert order["ship_to"]["name"] == CONTACT.customer_name
    assert order["ship_to"]["phone"] == CONTACT.phone
    assert order["ship_to"]["street"] == CONTACT.street
    # What the producer's page shows, no more: never the buyer's e-mail.
    assert "email" not in order["ship_to"]
    assert CONTACT.email not in response.get_data(as_text=True)
    assert order["placed_at"].endswith("+07:00")


def test_orders_page_by_cursor_and_filter_by_state_and_day(client, shop_):
    for _ in range(3):
        order_for({shop_["tea"]: 1})
    headers = bearer(shop_["secret"])
    first = client.get(f"{API}/orders?limit=2", headers=headers).get_json()
    assert len(first["items"]) == 2
    assert first["next_cursor"]
    second = client.get(
        f"{API}/orders?limit=2&cursor={first['next_cursor']}", headers=headers
    ).get_json()
    assert len(second["items"]) == 2
    assert second["next_cursor"] is None
    numbers = [o["number"] for o in first["items"] + second["items"]]
    assert len(set(numbers)) == 4
    assert numbers == sorted(numbers, reverse=True)

    assert client.get(f"{API}/orders?status=shipped", headers=headers).get_json()["items"] == []
    assert len(client.get(f"{API}/orders?status=new", headers=headers).get_json()["items"]) == 4
    today = utcnow().date().isoformat()
    tomorrow = (utcnow() + timedelta(days=2)).date().isoformat()
    assert (
        client.get(f"{API}/orders?placed_from={tomorrow}", headers=headers).get_json()["items"]
        == []
    )
    assert (
        client.get(f"{API}/orders?placed_to=2020-01-01", headers=headers).get_json()["items"] == []
    )
    all_ = client.get(f"{API}/orders?placed_from=2020-01-01&placed_to={tomorrow}", headers=headers)
    assert len(all_.get_json()["items"]) == 4, today
    _problem(client.get(f"{API}/orders?status=lost", headers=headers), 400)
    _problem(client.get(f"{API}/orders?cursor=forged", headers=headers), 400)


def test_another_producers_order_is_a_404(client, shop_):
    headers = bearer(shop_["secret"])
    _problem(client.get(f"{API}/orders/{shop_['order_b'].number}", headers=headers), 404)
    _problem(client.get(f"{API}/orders/DH0000000000", headers=headers), 404)
    response = client.post(
        f"{API}/orders/{shop_['order_b'].number}/confirm",
        headers=bearer(shop_["secret"], new_key()),
    )
    _problem(response, 404)
    db.session.expire_all()
    assert db.session.get(Order, shop_["order_b"].id).shipments[0].status is ShipmentStatus.NEW
    own = client.get(f"{API}/orders/{shop_['order_a'].number}", headers=headers)
    assert own.status_code == 200
    assert own.get_json()["shipment_id"] == shop_["order_a"].shipments[0].id


# -- Shipments -----------------------------------------------------------------------------


def _post(client, shop_, path, json=None, key=None):
    return client.post(
        f"{API}/orders/{shop_['order_a'].number}/{path}",
        json=json,
        headers=bearer(shop_["secret"], key or new_key()),
    )


def test_advance_a_shipment_through_the_state_table(client, shop_, app):
    response = _post(client, shop_, "confirm")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["status"] == "confirmed"
    assert response.get_json()["actions"] == ["cancel", "ship"]

    _problem(_post(client, shop_, "ship", json={"carrier": "VNPost"}), 400)
    _problem(_post(client, shop_, "ship", json={"carrier": " ", "tracking_number": "x"}), 400)
    shipped = _post(client, shop_, "ship", json={"carrier": "VNPost", "tracking_number": "EL1VN"})
    assert shipped.status_code == 200
    assert shipped.get_json()["tracking_number"] == "EL1VN"
    assert shipped.get_json()["shipped_at"] is not None

    delivered = _post(client, shop_, "deliver")
    assert delivered.status_code == 200
    body = delivered.get_json()
    assert body["status"] == "delivered"
    assert body["order_status"] == "completed"
    assert body["payment"] == "paid"  # cash on delivery, collected
    # The order's history names the token that did it.
    from shop.orders.models import StateChange

    labels = set(
        db.session.scalars(
            select(StateChange.actor_label).where(StateChange.order_id == shop_["order_a"].id)
        )
    )
    assert f"api-token:{shop_['token'].id}" in labels


def test_an_invalid_transition_is_a_409(client, shop_):
    body = _problem(_post(client, shop_, "deliver"), 409)  # new → delivered: not in the table
    assert body["errors"]["status"] == ["new"]
    assert body["errors"]["actions"] == ["cancel", "confirm"]
    _problem(_post(client, shop_, "ship", json={"carrier": "GHN", "tracking_number": "1"}), 409)
    db.session.expire_all()
    assert db.session.get(Order, shop_["order_a"].id).shipments[0].status is ShipmentStatus.NEW


def test_cancel_returns_the_stock(client, shop_):
    tea = shop_["tea"].id
    assert _stock(tea) == 18
    _problem(_post(client, shop_, "cancel", json={}), 400)
    response = _post(client, shop_, "cancel", json={"reason": "Hết hàng trong kho"})
    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled"
    assert _stock(tea) == 20


def test_a_shipments_only_token_sees_no_buyer(client, shop_):
    _token, secret = make_token(shop_["a"], scopes=[Scope.SHIPMENTS_WRITE])
    response = client.post(
        f"{API}/orders/{shop_['order_a'].number}/confirm", headers=bearer(secret, new_key())
    )
    assert response.status_code == 200
    assert response.get_json()["ship_to"] is None


# -- Stock and price -----------------------------------------------------------------------


def _put(client, shop_, what, json, key=None, product=None):
    product_id = (product or shop_["tea"]).id
    return client.put(
        f"{API}/products/{product_id}/{what}",
        json=json,
        headers=bearer(shop_["secret"], key or new_key()),
    )


def test_read_my_products(client, shop_):
    headers = bearer(shop_["secret"])
    listed = client.get(f"{API}/products", headers=headers)
    assert listed.status_code == 200
    assert [p["id"] for p in listed.get_json()["items"]] == [shop_["tea"].id]
    one = client.get(f"{API}/products/{shop_['tea'].id}", headers=headers).get_json()
    assert one["stock"] == 18
    assert one["price_vnd"] == 120_000
    _problem(client.get(f"{API}/products/{shop_['honey'].id}", headers=headers), 404)


def test_set_stock_needs_the_stock_it_read(client, shop_):
    response = _put(client, shop_, "stock", {"quantity": 40, "expected": 18})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["stock"] == 40
    assert _stock(shop_["tea"].id) == 40

    # A checkout took 3 since: the stale count is refused, nothing sold is lost.
    order_for({shop_["tea"]: 3})
    body = _problem(_put(client, shop_, "stock", {"quantity": 40, "expected": 40}), 409)
    assert body["errors"]["stock"] == [37]
    assert _stock(shop_["tea"].id) == 37

    _problem(_put(client, shop_, "stock", {"quantity": 40}), 400)  # expected is required
    _problem(_put(client, shop_, "stock", {"quantity": -1, "expected": 37}), 400)
    _problem(_put(client, shop_, "stock", {"quantity": 5, "expected": 37, "x": 1}), 400)
    _problem(_put(client, shop_, "stock", {"quantity": "5", "expected": 37}), 400)


def test_adjust_stock_never_below_zero(client, shop_):
    tea = shop_["tea"].id

    def adjust(delta):
        return client.post(
            f"{API}/products/{tea}/stock/adjustments",
            json={"delta": delta},
            headers=bearer(shop_["secret"], new_key()),
        )

    assert adjust(+5).get_json()["stock"] == 23
    assert adjust(-23).get_json()["stock"] == 0
    body = _problem(adjust(-1), 409)
    assert body["errors"]["stock"] == [0]
    assert _stock(tea) == 0
    _problem(adjust(1_000_001), 400)


def test_stock_crossing_zero_and_a_new_price_mark_the_catalogue_changed(app, make_product):
    from shop.catalog import generation, stock

    product = make_product(stock=2, price=50_000)
    stock.adjust_stock(product.id, -1)
    assert not generation.changed_in(db.session)  # 2 → 1: no card changes
    stock.adjust_stock(product.id, -1)
    assert generation.changed_in(db.session)  # 1 → 0: "Hết hàng"
    db.session.rollback()
    assert stock.set_stock(product.id, 5, expected=2) == 5
    assert not generation.changed_in(db.session)  # 2 → 5 crosses nothing
    assert stock.set_stock(product.id, 0, expected=5) == 0
    assert generation.changed_in(db.session)
    db.session.rollback()
    assert stock.set_price(product.id, 50_000) == 50_000
    assert not generation.changed_in(db.session)  # the same price: nothing to redraw
    assert stock.set_price(product.id, 60_000) == 50_000
    assert generation.changed_in(db.session)
    db.session.rollback()


def test_set_price(client, shop_):
    response = _put(client, shop_, "price", {"price_vnd": 135_000})
    assert response.status_code == 200
    assert response.get_json()["price_vnd"] == 135_000
    db.session.expire_all()
    assert db.session.get(Product, shop_["tea"].id).price_vnd == 135_000
    _problem(_put(client, shop_, "price", {"price_vnd": 999}), 400)
    _problem(_put(client, shop_, "price", {"price_vnd": 135_000.5}), 400)


def test_another_producers_product_is_a_404_and_untouched(client, shop_):
    honey = shop_["honey"]
    _problem(_put(client, shop_, "stock", {"quantity": 0, "expected": 4}, product=honey), 404)
    _problem(_put(client, shop_, "price", {"price_vnd": 1_000}, product=honey), 404)
    response = client.post(
        f"{API}/products/{honey.id}/stock/adjustments",
        json={"delta": -4},
        headers=bearer(shop_["secret"], new_key()),
    )
    _problem(response, 404)
    db.session.expire_all()
    product = db.session.get(Product, honey.id)
    assert (product.stock, product.price_vnd) == (4, 300_000)


# -- Idempotency ---------------------------------------------------------------------------


def test_a_write_needs_an_idempotency_key(client, shop_):
    response = client.put(
        f"{API}/products/{shop_['tea'].id}/price",
        json={"price_vnd": 130_000},
        headers=bearer(shop_["secret"]),
    )
    body = _problem(response, 400)
    assert "Idempotency-Key" in body["errors"]
    _problem(_put(client, shop_, "price", {"price_vnd": 130_000}, key="x" * 256), 400)
    _problem(_put(client, shop_, "price", {"price_vnd": 130_000}, key="có dấu"), 400)


def test_the_same_key_and_body_replays_without_a_second_change(client, shop_):
    tea = shop_["tea"].id
    key = new_key()

    def adjust(delta):
        return client.post(
            f"{API}/products/{tea}/stock/adjustments",
            json={"delta": delta},
            headers=bearer(shop_["secret"], key),
        )

    first = adjust(-5)
    assert first.status_code == 200
    again = adjust(-5)
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert _stock(tea) == 13  # taken once

    body = _problem(adjust(-6), 422)  # the same key, another body
    assert "Idempotency-Key" in body["detail"]
    assert _stock(tea) == 13

    # The key is the token's: another token may use the same one.
    _token, other = make_token(shop_["a"])
    response = client.post(
        f"{API}/products/{tea}/stock/adjustments",
        json={"delta": -5},
        headers=bearer(other, key),
    )
    assert response.status_code == 200
    assert "Idempotent-Replayed" not in response.headers
    assert _stock(tea) == 8


def test_the_same_key_on_another_path_is_a_422(client, shop_):
    key = new_key()
    assert _put(client, shop_, "price", {"price_vnd": 130_000}, key=key).status_code == 200
    _problem(
        client.post(
            f"{API}/products/{shop_['tea'].id}/stock/adjustments",
            json={"price_vnd": 130_000},
            headers=bearer(shop_["secret"], key),
        ),
        422,
    )


def test_a_refused_write_keeps_no_key(client, shop_):
    key = new_key()
    _problem(_put(client, shop_, "stock", {"quantity": 1, "expected": 99}, key=key), 409)
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0
    # Nothing happened, so the same key may carry the corrected request.
    assert _put(client, shop_, "stock", {"quantity": 1, "expected": 18}, key=key).status_code == 200


def test_a_key_expires_after_24_hours(client, shop_):
    tea = shop_["tea"].id
    key = new_key()

    def adjust():
        return client.post(
            f"{API}/products/{tea}/stock/adjustments",
            json={"delta": 1},
            headers=bearer(shop_["secret"], key),
        )

    assert adjust().status_code == 200
    row = db.session.scalar(select(IdempotencyKey))
    row.created_at = utcnow() - timedelta(hours=24, seconds=1)
    db.session.commit()
    again = adjust()
    assert again.status_code == 200
    assert "Idempotent-Replayed" not in again.headers
    assert _stock(tea) == 20
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1


# -- Rate limit and audit -------------------------------------------------------------------


def test_each_token_has_its_own_rate_limit(client, shop_, app):
    app.config["API_TOKEN_RATE_LIMIT"] = "3 per minute"
    headers = bearer(shop_["secret"])
    for _ in range(3):
        assert client.get(f"{API}/orders", headers=headers).status_code == 200
    response = client.get(f"{API}/products", headers=headers)  # one budget for all operations
    _problem(response, 429)
    assert 1 <= int(response.headers["Retry-After"]) <= 61  # the window, rounded up
    _token, other = make_token(shop_["a"])
    assert client.get(f"{API}/orders", headers=bearer(other)).status_code == 200


def test_every_call_is_audited(client, shop_):
    token = shop_["token"]
    client.get(f"{API}/orders", headers=bearer(shop_["secret"]))
    _put(client, shop_, "stock", {"quantity": 30, "expected": 18})
    _put(client, shop_, "stock", {"quantity": 30, "expected": 18})  # now stale: 409
    entries = list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("api.%")).order_by(AuditEntry.id)
        )
    )
    assert [(e.action, e.data["status"]) for e in entries] == [
        ("api.orders.list", "200"),
        ("api.stock.set", "200"),
        ("api.stock.set", "409"),
    ]
    listed, changed, refused = entries
    assert listed.target_type == "api_tokens"
    assert listed.target_id == token.id
    assert changed.target_type == "products"
    assert changed.target_id == shop_["tea"].id
    assert changed.data["before"] == "18"
    assert changed.data["after"] == "30"
    assert changed.data["token_id"] == str(token.id)
    assert changed.actor_id == shop_["a"].members[0].user_id
    assert "key" in changed.data
    assert refused.target_type == "api_tokens"
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at is not None


def test_unauthenticated_calls_write_nothing(client, shop_):
    client.get(f"{API}/orders")
    client.get(f"{API}/orders", headers={"Authorization": "Bearer ocop_pat_" + "y" * 43})
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("api.%"))
        )
        == 0
    )
