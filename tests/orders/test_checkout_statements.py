"""The checkout POST costs a fixed number of SQL statements: shipping by weight
and zone and the alcohol rules must add none (the fee table is columns of the
producer, joined with the cart; the regions are a Python table)."""

from sqlalchemy import select

from shop.extensions import db
from shop.orders.models import Order
from tests.helpers_http import assert_redirect
from tests.orders.helpers import checkout_form

# Measured on this branch before the change, a two-producer cart: SQLite runs each
# shipment and line INSERT alone; PostgreSQL batches them (insertmanyvalues).
STATEMENTS = {"sqlite": 14, "postgresql": 12}


def request_statements(statements: list[str]) -> list[str]:
    """The statements of the request itself, up to its commit: without a broker
    the outbox then delivers the e-mails in-process, which is not the request's."""
    for i, statement in enumerate(statements):
        if statement.startswith("SELECT outbox_messages.kind"):
            return statements[:i]
    return statements


def test_checkout_post_statement_count(app, client, make_listed, make_producer, count_queries):
    a, b = make_producer(), make_producer()
    tea = make_listed(producer=a, price=120_000, stock=5)
    honey = make_listed(producer=b, price=250_000, stock=3)
    for product in (tea, honey):
        client.post("/cart/add", data={"product_id": product.id, "quantity": 1})
    total = client.get("/cart.json").get_json()["total_price"]
    count_queries.clear()
    response = client.post("/checkout", data=checkout_form(total))
    statements = request_statements(list(count_queries))
    order = db.session.scalar(select(Order))
    assert order is not None
    assert_redirect(response, f"/orders/{order.number}", 303, query={"key": order.access_key})
    assert len(statements) == STATEMENTS[db.engine.dialect.name], statements
