"""Related products: shop.storefront.related.py, and the block on the product page."""

from datetime import date

from shop.extensions import db
from shop.storefront.related import related_products
from tests.factories import make_producer

TODAY = date(2026, 11, 30)


def test_order_and_exclusions_in_one_query(app, make_listed, make_product, count_queries):
    producer = make_producer()
    other = make_producer()
    product = make_listed(name="Chè A", producer=producer, set_code="I.11")
    same_set_sold_out = make_listed(name="Chè B hết", producer=other, set_code="I.11", stock=0)
    same_set = make_listed(name="Chè C", producer=other, set_code="I.11")
    same_producer = make_listed(name="Mật ong", producer=producer, set_code="I.12")
    make_listed(name="Khác hẳn", producer=other, set_code="I.12")  # neither
    make_product(producer, name="Bản nháp", set_code="I.11")  # not published
    make_listed(name="Hết hạn", producer=other, set_code="I.11", decision_date=date(2020, 1, 1))
    make_listed(name="Rượu mạnh", producer=producer, set_code="II.01", abv_tenths=295)

    _ = product.product_set_id  # loaded, as on its page (the factories' commits expire it)
    count_queries.clear()
    related = related_products(product, TODAY)
    assert len(count_queries) == 1
    assert [c.id for c in related] == [same_set.id, same_producer.id, same_set_sold_out.id]


def test_limit(app, make_listed):
    producer = make_producer()
    product = make_listed(producer=producer)
    for _ in range(4):
        make_listed(producer=producer)
    assert len(related_products(product, TODAY, limit=3)) == 3


def test_product_page_lists_them(client, make_listed):
    producer = make_producer()
    product = make_listed(name="Chè A", producer=producer)
    make_listed(name="Chè anh em", producer=producer)
    page = client.get(f"/products/{product.slug}")
    assert page.status_code == 200
    assert "Sản phẩm liên quan" in page.text
    assert "Chè anh em" in page.text


def test_the_cached_section_shows_a_price_change_on_the_next_page(cached_app, client, make_listed):
    producer = make_producer()
    product = make_listed(name="Chè A", producer=producer)
    sibling = make_listed(name="Chè anh em", producer=producer, price=120_000)

    def related_text() -> str:
        page = client.get(f"/products/{product.slug}")
        assert page.status_code == 200
        return page.text.split('id="related-title"', 1)[1]

    assert "120.000 ₫" in related_text()
    sibling.price_vnd = 135_000
    db.session.commit()
    section = related_text()
    assert "135.000 ₫" in section
    assert "120.000 ₫" not in section
