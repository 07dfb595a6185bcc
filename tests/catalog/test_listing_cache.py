"""The listing's rendered results are cached under the catalogue's generation: a hit
costs no query, and a change to what a card shows is on the next page at once."""

from sqlalchemy import select

from shop.catalog import generation
from shop.catalog.models import Product
from shop.certification.models import Certificate
from shop.certification.services import revoke_certificate
from shop.extensions import db
from tests.orders.helpers import order_for


def _page(client) -> str:
    response = client.get("/products")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_cached_listing_costs_no_query(cached_app, client, make_listed, count_queries):
    make_listed("Chè Shan Tuyết", price=350_000)
    assert "Chè Shan Tuyết" in _page(client)
    first = len(count_queries)
    assert "Chè Shan Tuyết" in _page(client)
    assert first >= 2
    assert len(count_queries) == first  # the second page asked the database nothing


def test_a_price_change_is_on_the_next_page(cached_app, client, make_listed):
    tea = make_listed("Chè Shan Tuyết", price=350_000)
    assert "350.000 ₫" in _page(client)
    before = generation.current()
    tea.price_vnd = 360_000
    db.session.commit()
    assert generation.current() == before + 1
    page = _page(client)
    assert "360.000 ₫" in page
    assert "350.000 ₫" not in page


def test_a_rolled_back_change_moves_nothing(cached_app, make_listed):
    tea = make_listed(price=350_000)
    before = generation.current()
    tea.price_vnd = 360_000
    db.session.flush()
    db.session.rollback()
    assert generation.current() == before


def test_selling_the_last_unit_shows_sold_out_but_other_sales_keep_the_cache(
    cached_app, client, make_listed
):
    tea = make_listed("Chè Shan Tuyết", stock=3)
    assert "Hết hàng" not in _page(client)
    before = generation.current()
    order_for({tea: 1})  # 2 left: the card does not change
    assert generation.current() == before
    order_for({tea: 2})  # sold out
    assert generation.current() == before + 1
    assert "Hết hàng" in _page(client)
    db.session.expire_all()
    assert db.session.scalar(select(Product.stock).where(Product.id == tea.id)) == 0


def test_a_revoked_certificate_leaves_the_listing_at_once(cached_app, client, make_listed, staff):
    tea = make_listed("Chè Shan Tuyết")
    assert "Chè Shan Tuyết" in _page(client)
    certificate = db.session.scalar(select(Certificate).where(Certificate.product_id == tea.id))
    revoke_certificate(certificate, staff, "Kiểm tra lại không đạt")
    db.session.commit()
    assert "Chè Shan Tuyết" not in _page(client)
