"""Card summaries cost one query per grid, and the cached listing follows reviews."""

from shop.catalog import generation
from shop.extensions import db
from shop.reviews.queries import load_summaries, rating_summaries
from shop.reviews.rules import Reviewer
from shop.reviews.services import hide_review, submit_review


def _review(make_delivered, buyer, product, rating):
    line = make_delivered(product=product).lines[0]
    review = submit_review(line, Reviewer(buyer.id), rating=rating)
    db.session.commit()
    return review


def test_summaries_are_one_grouped_query(app, buyer, make_listed, make_delivered, count_queries):
    a, b, c = (make_listed(f"Sản phẩm {n}") for n in "abc")
    for rating in (5, 4):
        _review(make_delivered, buyer, a, rating)
    _review(make_delivered, buyer, b, 3)
    ids = [a.id, b.id, c.id]
    count_queries.clear()
    summaries = load_summaries(ids)
    assert len(count_queries) == 1
    assert (summaries[a.id].count, summaries[a.id].average, summaries[a.id].average_text) == (
        2,
        4.5,
        "4,5",
    )
    assert summaries[a.id].filled_stars == 4  # a half is not drawn as a whole star
    assert (summaries[b.id].count, summaries[b.id].average) == (1, 3.0)
    assert not summaries[c.id]
    assert summaries[c.id].count == 0


def test_the_request_keeps_what_it_loaded(app, make_listed, count_queries):
    tea = make_listed()
    tea_id = tea.id
    with app.test_request_context():
        count_queries.clear()
        rating_summaries([tea_id])
        rating_summaries([tea_id])
        assert len(count_queries) == 1


def _listing_queries(client, count_queries) -> int:
    count_queries.clear()
    response = client.get("/products")
    assert response.status_code == 200
    return len(count_queries)


def test_the_card_summaries_cost_the_same_for_1_or_20_products(
    client, buyer, make_listed, make_delivered, make_producer, count_queries
):
    producer = make_producer()
    first = make_listed("Sản phẩm 0", producer=producer)
    _review(make_delivered, buyer, first, 5)
    one = _listing_queries(client, count_queries)
    assert "5,0 trên 5 sao, 1 đánh giá" in client.get("/products").get_data(as_text=True)
    for n in range(1, 20):
        product = make_listed(f"Sản phẩm {n}", producer=producer)
        if n % 4 == 0:
            _review(make_delivered, buyer, product, 4)
    page = client.get("/products").get_data(as_text=True)
    assert page.count('class="card-rating"') == 5
    assert _listing_queries(client, count_queries) == one
    rating_queries = [s for s in count_queries if "FROM reviews" in s]
    assert len(rating_queries) == 1


def _page(client) -> str:
    response = client.get("/products")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_new_or_hidden_review_is_on_the_next_listing(
    cached_app, client, buyer, staff, tea, make_delivered
):
    assert 'class="card-rating"' not in _page(client)
    before = generation.current()
    review = _review(make_delivered, buyer, tea, 4)
    assert generation.current() > before
    assert "4,0 trên 5 sao, 1 đánh giá" in _page(client)

    before = generation.current()
    hide_review(review, actor=staff, reason="Nhầm sản phẩm")
    db.session.commit()
    assert generation.current() == before + 1
    assert 'class="card-rating"' not in _page(client)


def test_a_rolled_back_review_moves_nothing(cached_app, buyer, tea, make_delivered):
    line = make_delivered().lines[0]
    before = generation.current()
    submit_review(line, Reviewer(buyer.id), rating=5)
    db.session.rollback()
    assert generation.current() == before


def test_a_reply_does_not_empty_the_cache(cached_app, buyer, tea, make_delivered):
    from shop.reviews.services import reply_to_review

    review = _review(make_delivered, buyer, tea, 5)
    before = generation.current()
    owner = tea.producer.members[0].user
    reply_to_review(review, producer_id=tea.producer_id, actor=owner, body="Cảm ơn")
    db.session.commit()
    assert generation.current() == before


def test_product_page_structured_data_carries_the_visible_reviews(
    app, client, buyer, tea, make_delivered, staff
):
    from tests.seo.head import parse_head

    def product_data():
        response = client.get(f"/products/{tea.slug}")
        assert response.status_code == 200
        (data,) = parse_head(response.get_data(as_text=True)).structured("Product")
        return data

    assert "aggregateRating" not in product_data()
    _review(make_delivered, buyer, tea, 5)
    hidden = _review(make_delivered, buyer, tea, 2)
    _review(make_delivered, buyer, tea, 4)
    hide_review(hidden, actor=staff, reason="Quảng cáo")
    db.session.commit()

    assert product_data()["aggregateRating"] == {
        "@type": "AggregateRating",
        "ratingValue": 4.5,
        "reviewCount": 2,
        "bestRating": 5,
        "worstRating": 1,
    }
