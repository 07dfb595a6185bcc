"""The checkout POST costs a fixed number of SQL statements: shipping by weight
and zone and the alcohol rules must add none (the fee table is columns of the
producer, joined with the cart; the regions are a Python table)."""

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.orders.models import Order
from shop.producers.rules import ShippingMode
from tests.helpers_http import assert_redirect
from tests.orders.helpers import checkout_form

# A two-producer cart: SQLite runs each shipment and line INSERT alone; PostgreSQL
# batches them (insertmanyvalues). The count before shipping by zone and alcohol
# came in, the one province query since dropped (the ward proves its province),
# and one for the producers' webhook endpoints (shop/webhooks: none here, nothing queued).
STATEMENTS = {"sqlite": 14, "postgresql": 12}


def request_statements(statements: list[str]) -> list[str]:
    """The statements of the request itself, up to its commit: without a broker
    the outbox then delivers the e-mails in-process, which is not the request's."""
    for i, statement in enumerate(statements):
        if statement.startswith("SELECT outbox_messages.kind"):
            return statements[:i]
    return statements


@pytest.mark.parametrize("kind", ["flat", "zones and alcohol"])
def test_checkout_post_statement_count(
    app, client, make_listed, make_producer, count_queries, kind
):
    a, b = make_producer(), make_producer()
    tea = make_listed(producer=a, price=120_000, stock=5, shipping_grams=300)
    honey = make_listed(producer=b, price=250_000, stock=3, shipping_grams=1_200)
    extra = {}
    if kind != "flat":
        b.shipping_mode = ShippingMode.ZONES
        honey.abv_tenths = 295  # a honey wine, say: the cart now holds alcohol
        db.session.commit()
        extra = {"adult_confirmed": "y", "province_code": "79", "ward_code": str(_ward(79))}
    for product in (tea, honey):
        client.post("/cart/add", data={"product_id": product.id, "quantity": 1})
    total = client.get("/cart.json").get_json()["total_price"]
    if kind != "flat":
        # Hồ Chí Minh City is far: 38.000 + 8.000 (1.200 g), not the "from" 20.000 + 3.000.
        total += 46_000 - 23_000
    count_queries.clear()
    response = client.post("/checkout", data=checkout_form(total, **extra))
    statements = request_statements(list(count_queries))
    order = db.session.scalar(select(Order))
    assert order is not None
    assert_redirect(response, f"/orders/{order.number}", 303, query={"key": order.access_key})
    assert order.adult_confirmed is (kind != "flat")
    assert len(statements) == STATEMENTS[db.engine.dialect.name], statements


def _ward(province: int) -> int:
    from shop.localities.models import Ward

    return db.session.scalar(
        select(Ward.code).where(Ward.province_code == province).order_by(Ward.code).limit(1)
    )
