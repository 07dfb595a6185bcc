from collections import Counter

from sqlalchemy import func, select

from shop.auth.models import Role, User
from shop.catalog.models import Product, ProductSet
from shop.certification.models import Certificate
from shop.clock import today_vn
from shop.extensions import db
from shop.producers.models import Producer
from shop.storefront.queries import CatalogQuery, search_products
from tests.helpers_http import assert_redirect


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_demo_builds_the_promised_catalogue(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    today = today_vn()
    producers = db.session.scalars(select(Producer)).all()
    assert len(producers) >= 8
    assert {p.kind.value for p in producers} == {"cooperative", "enterprise", "household"}
    assert len({p.province_code for p in producers}) >= 5
    products = db.session.scalars(select(Product)).all()
    assert len(products) >= 40
    industries = {db.session.get(ProductSet, p.product_set_id).industry.code for p in products}
    assert len(industries) >= 5
    names = {p.name for p in products}
    for wanted in (
        "Chè Shan Tuyết Lũng Phìn",
        "Mật ong bạc hà Mèo Vạc",
        "Thịt bò khô Hà Giang",
        "Cam sành Hà Giang",
    ):
        assert wanted in names
    assert all(p.photos for p in products)
    states = Counter(c.status(today).value for c in db.session.scalars(select(Certificate)))
    for state in ("active", "expiring", "expired", "revoked", "pending", "superseded"):
        assert states[state] >= 1, state
    roles = {u.email: u.role for u in db.session.scalars(select(User))}
    assert roles["khach@demo.ocop.vn"] == Role.CUSTOMER
    assert roles["htx@demo.ocop.vn"] == Role.PRODUCER
    assert roles["canbo@demo.ocop.vn"] == Role.STAFF
    assert roles["diemban@demo.ocop.vn"] == Role.CENTRE
    from shop.centres.models import CentreStock

    assert sum(s.quantity for s in db.session.scalars(select(CentreStock))) == 36
    coop = next(p for p in producers if p.members[0].user.email == "htx@demo.ocop.vn")
    listed = search_products(CatalogQuery(producer_id=coop.id), today)
    assert listed.total >= 5


def test_seed_demo_twice_adds_nothing(runner):
    first = runner.invoke(args=["seed-demo"])
    assert "and 3 orders added" in first.output
    from shop.orders.models import Order, PaymentStatus

    paid = [o for o in db.session.scalars(select(Order)) if o.payment_status == PaymentStatus.PAID]
    assert len(paid) == 1
    counts = [_count(m) for m in (User, Producer, Product, Certificate, Order)]
    result = runner.invoke(args=["seed-demo"])
    assert "0 producers, 0 products and 0 orders added" in result.output
    assert [_count(m) for m in (User, Producer, Product, Certificate, Order)] == counts


def test_demo_accounts_sign_in(runner, client):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    response = client.post(
        "/login", data={"email": "htx@demo.ocop.vn", "password": "ocop-demo-2026"}
    )
    assert_redirect(response, "/producer/")  # a producer lands on the dashboard
    assert client.get("/producer/products").status_code == 200  # signed in, as the producer


def test_seed_bulk(runner):
    result = runner.invoke(args=["seed-bulk", "--products", "300"])
    assert result.exit_code == 0, result.output
    page = search_products(CatalogQuery(), today_vn())
    assert page.total == 300
    assert search_products(CatalogQuery(q="mat ong"), today_vn()).total > 0


def test_demo_is_refused_in_production(app, runner):
    app.config["ENV_NAME"] = "production"
    for command in (["seed-demo"], ["seed-bulk", "--products", "1"]):
        result = runner.invoke(args=command)
        assert result.exit_code != 0
        assert "never go into production" in result.output
