"""The public read API: the listing rule, cursors, caching, problems."""

from datetime import date

import pytest

from shop.certification.services import revoke_certificate
from shop.extensions import db

PROBLEM = "application/problem+json"


def _items(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_products_lists_only_what_the_shop_lists(client, make_listed, make_product):
    tea = make_listed("Chè Shan Tuyết", price=120_000)
    make_product(name="Bản nháp")  # not published: never in the API
    body = _items(client, "/api/v1/products")
    assert [p["slug"] for p in body["items"]] == [tea.slug]
    item = body["items"][0]
    assert item["price_vnd"] == 120_000
    assert isinstance(item["price_vnd"], int)
    assert item["producer"]["slug"] == tea.producer.slug
    assert item["url"].endswith(f"/products/{tea.slug}")
    assert body["next_cursor"] is None


def test_search_and_filters_are_the_storefront_ones(client, make_listed):
    tea = make_listed("Chè Shan Tuyết", price=120_000, stars=5)
    honey = make_listed("Mật ong bạc hà", price=300_000, stars=3)
    assert [p["slug"] for p in _items(client, "/api/v1/products?q=shan+tuyet")["items"]] == [
        tea.slug
    ]
    cheap = _items(client, "/api/v1/products?max_price=200000")["items"]
    assert [p["slug"] for p in cheap] == [tea.slug]
    assert [p["slug"] for p in _items(client, "/api/v1/products?stars=4")["items"]] == [tea.slug]
    by_price = _items(client, "/api/v1/products?sort=price_desc")["items"]
    assert [p["slug"] for p in by_price] == [honey.slug, tea.slug]
    in_province = _items(client, "/api/v1/products?province=8")["items"]
    assert len(in_province) == 2
    assert _items(client, "/api/v1/products?province=15")["items"] == []
    assert _items(client, "/api/v1/products?province=atlantis")["items"] == []
    former = _items(client, "/api/v1/products?province=ha-giang")["items"]
    assert {p["slug"] for p in former} <= {tea.slug, honey.slug}


@pytest.mark.parametrize("sort", ["newest", "price_asc", "price_desc", "stars"])
def test_cursor_pages_are_stable_under_inserts(client, make_listed, sort):
    made = [make_listed(price=100_000 + 1000 * (i % 3), stars=3 + i % 3) for i in range(7)]
    seen = []
    url = f"/api/v1/products?limit=3&sort={sort}"
    first = _items(client, url)
    seen += [p["id"] for p in first["items"]]
    # A product listed between two pages neither shifts nor repeats the rest.
    make_listed(price=100_000, stars=5)
    cursor = first["next_cursor"]
    while cursor:
        page = _items(client, f"{url}&cursor={cursor}")
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen))  # nothing twice
    assert {p.id for p in made} <= set(seen)


def test_a_forged_or_foreign_cursor_is_a_400_naming_it(client, make_listed):
    for _ in range(3):
        make_listed()
    cursor = _items(client, "/api/v1/products?limit=1")["next_cursor"]
    for bad in (cursor + "x", "abc", cursor):
        sort = "price_asc" if bad == cursor else "newest"
        response = client.get(f"/api/v1/products?sort={sort}&cursor={bad}")
        assert response.status_code == 400
        assert response.mimetype == PROBLEM
        assert "cursor" in response.get_json()["errors"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("stars=9", "stars"),
        ("sort=x", "sort"),
        ("province=Atlantis!", "province"),
        ("min_price=-1", "min_price"),
    ],
)
def test_a_bad_parameter_is_a_problem_naming_it(client, query, parameter):
    response = client.get(f"/api/v1/products?{query}")
    assert response.status_code == 400
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == 400
    assert parameter in body["errors"]
    assert parameter in body["detail"]


def test_detail_by_slug_and_404_when_not_listed(client, make_listed):
    tea = make_listed("Chè Shan Tuyết", price=120_000)
    response = client.get(f"/api/v1/products/{tea.slug}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["price_vnd"] == 120_000
    assert body["certificate"]["valid_through"]
    assert body["published_at"].endswith("+07:00")  # Vietnam time, ISO 8601
    from sqlalchemy import select

    from shop.auth.models import Role
    from shop.certification.models import Certificate
    from tests.factories import make_user

    certificate = db.session.scalar(select(Certificate).where(Certificate.product_id == tea.id))
    revoke_certificate(certificate, make_user(role=Role.STAFF), "Vi phạm")
    db.session.commit()
    gone = client.get(f"/api/v1/products/{tea.slug}")
    assert gone.status_code == 404
    assert gone.mimetype == PROBLEM
    assert gone.get_json()["instance"] == f"/api/v1/products/{tea.slug}"


def test_etag_and_304_and_public_cache_control(client, make_listed):
    make_listed()
    first = client.get("/api/v1/products")
    assert first.status_code == 200
    assert "public" in first.headers["Cache-Control"]
    assert "s-maxage" in first.headers["Cache-Control"]
    etag = first.headers["ETag"]
    again = client.get("/api/v1/products", headers={"If-None-Match": etag})
    assert again.status_code == 304
    make_listed()
    changed = client.get("/api/v1/products", headers={"If-None-Match": etag})
    assert changed.status_code == 200


def test_producers_reference_and_campaigns(client, make_listed, make_producer):
    tea = make_listed()
    make_producer(verified=False)
    producers = _items(client, "/api/v1/producers")["items"]
    assert [p["slug"] for p in producers] == [tea.producer.slug]
    assert client.get(f"/api/v1/producers/{tea.producer.slug}").status_code == 200
    assert client.get("/api/v1/producers/nobody").status_code == 404
    sets = _items(client, "/api/v1/product-sets")["items"]
    assert any(s["code"] == "I.11" for s in sets)
    provinces = _items(client, "/api/v1/provinces")["items"]
    assert len(provinces) == 34
    assert _items(client, "/api/v1/campaigns")["items"] == []
    assert client.get("/api/v1/campaigns/tet").status_code == 404


def test_producers_page_by_cursor(client, make_producer):
    made = [make_producer() for _ in range(5)]
    first = _items(client, "/api/v1/producers?limit=2")
    second = _items(client, f"/api/v1/producers?limit=2&cursor={first['next_cursor']}")
    slugs = [p["slug"] for p in first["items"] + second["items"]]
    assert slugs == [p.slug for p in made[:4]]


def test_unknown_routes_and_methods_are_problems_html_pages_are_not(client):
    missing = client.get("/api/v1/nothing")
    assert missing.status_code == 404
    assert missing.mimetype == PROBLEM
    assert missing.get_json()["status"] == 404
    wrong = client.delete("/api/v1/products")
    assert wrong.status_code == 405
    assert wrong.mimetype == PROBLEM
    assert "GET" in wrong.headers["Allow"]
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert page.mimetype == "text/html"


def test_the_document_is_openapi_3_1_and_valid(client):
    from openapi_spec_validator import validate

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"] == "3.1.0"
    validate(spec)
    assert "/api/v1/verify/{code}" in spec["paths"]
    error = spec["components"]["responses"]["DEFAULT_ERROR"]
    assert list(error["content"]) == [PROBLEM]


def test_the_docs_page_is_served_with_no_outside_script(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "/static/api/docs.js" in page or "api/docs" in page
    assert "https://" not in page.split("<body>")[1].split("</main>")[1]
    script = client.get("/static/api/docs.js")
    assert script.status_code == 200
    script.close()


def test_the_verification_answer_keeps_its_shape(client, make_listed):
    tea = make_listed(decision_date=date(2025, 9, 15))
    from sqlalchemy import select

    from shop.certification.models import Certificate

    code = db.session.scalar(
        select(Certificate.verification_code).where(Certificate.product_id == tea.id)
    )
    response = client.get(f"/api/v1/verify/{code}")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {
        "code",
        "status",
        "checked_on",
        "product",
        "producer",
        "star_rank",
        "decision",
        "valid_from",
        "valid_through",
        "valid_until",
        "revoked",
        "replaced_by",
    }
    unknown = client.get("/api/v1/verify/ZZZZZZZZ")
    assert unknown.status_code == 404
    assert unknown.mimetype == PROBLEM
