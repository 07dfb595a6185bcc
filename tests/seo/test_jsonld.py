"""schema.org Product and BreadcrumbList on product pages, and the script tag they go in."""

import json

import pytest

from shop.extensions import db
from shop.seo import jsonld
from tests.seo.head import parse_head

BASE = "https://cho-ocop.example.vn"


@pytest.fixture(autouse=True)
def public_base(app):
    app.config["PUBLIC_BASE_URL"] = BASE


def product_data(client, product) -> tuple[dict, dict]:
    response = client.get(f"/products/{product.slug}")
    assert response.status_code == 200
    head = parse_head(response.get_data(as_text=True))
    (data,) = head.structured("Product")
    (trail,) = head.structured("BreadcrumbList")
    return data, trail


def test_product_offer_in_whole_dong_with_brand_and_seller(client, make_listed):
    product = make_listed(name="Chè Shan tuyết", price=350_000, gtin="8936012345674")
    producer = product.producer
    data, _ = product_data(client, product)
    offer = data["offers"]
    assert offer["price"] == 350_000
    assert isinstance(offer["price"], int)
    assert offer["priceCurrency"] == "VND"
    assert offer["availability"] == "https://schema.org/InStock"
    assert offer["url"] == f"{BASE}/products/{product.slug}"
    producer_url = f"{BASE}/producers/{producer.slug}"
    assert offer["seller"] == {
        "@type": "Organization",
        "name": producer.legal_name,
        "url": producer_url,
    }
    assert data["brand"] == {"@type": "Brand", "name": producer.legal_name, "url": producer_url}
    assert data["gtin13"] == data["sku"] == "8936012345674"
    assert data["name"] == "Chè Shan tuyết"
    assert "aggregateRating" not in data  # no reviews yet


def test_without_gtin_no_sku(client, make_listed):
    data, _ = product_data(client, make_listed())
    assert "sku" not in data
    assert "gtin13" not in data


def test_availability_follows_the_stock(client, make_listed):
    product = make_listed(stock=3)
    assert product_data(client, product)[0]["offers"]["availability"].endswith("/InStock")
    product.stock = 0
    db.session.commit()
    assert product_data(client, product)[0]["offers"]["availability"].endswith("/OutOfStock")


def test_breadcrumbs_from_home_through_industry_and_set(client, make_listed):
    product = make_listed(name="Chè Shan tuyết")
    _, trail = product_data(client, product)
    items = trail["itemListElement"]
    assert [i["position"] for i in items] == [1, 2, 3, 4]
    assert items[0]["item"] == f"{BASE}/"
    assert items[1]["item"] == f"{BASE}/products?industry={product.product_set.industry_id}"
    assert items[2]["item"] == f"{BASE}/products?set={product.product_set_id}"
    assert items[3] == {
        "@type": "ListItem",
        "position": 4,
        "name": "Chè Shan tuyết",
        "item": f"{BASE}/products/{product.slug}",
    }


def test_a_script_end_tag_in_a_name_stays_inside_the_json(client, make_listed):
    name = 'Mật ong </script><script>alert("x")</script> & <!-- \u2028'
    product = make_listed(name=name)
    html = client.get(f"/products/{product.slug}").get_data(as_text=True)
    head = parse_head(html)
    assert head.scripts_closed == len(head.json_ld) == 2  # no early end, no extra script
    assert "</script><script>alert" not in html
    data = json.loads(head.json_ld[0])
    assert data["name"] == name


def test_aggregate_rating_only_once_there_are_reviews():
    party = jsonld.Party("HTX", "https://x.vn/producers/htx")
    common = {
        "name": "A",
        "url": "https://x.vn/products/a",
        "description": "",
        "images": [],
        "price_vnd": 10_000,
        "in_stock": True,
        "producer": party,
    }
    assert "aggregateRating" not in jsonld.product(**common)
    assert "aggregateRating" not in jsonld.product(**common, rating=(0, 0))
    rated = jsonld.product(**common, rating=(4.666, 3))["aggregateRating"]
    assert rated == {
        "@type": "AggregateRating",
        "ratingValue": 4.7,
        "reviewCount": 3,
        "bestRating": 5,
        "worstRating": 1,
    }


def test_script_tag_escapes_what_could_end_it():
    tag = str(jsonld.script_tag({"name": "</script>&'<!--"}))
    body = tag.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert "<" not in body
    assert ">" not in body
    assert "&" not in body
    assert json.loads(body) == {"name": "</script>&'<!--"}
