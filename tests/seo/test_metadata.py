"""Description, canonical address, hreflang and robots in every public page's head;
Open Graph and JSON-LD on products, producers and campaigns."""

from datetime import date, timedelta

import pytest

from shop.clock import today_vn
from shop.extensions import db
from tests.seo.head import parse_head

BASE = "https://cho-ocop.example.vn"


@pytest.fixture(autouse=True)
def public_base(app):
    app.config["PUBLIC_BASE_URL"] = BASE + "/"  # a trailing slash is tolerated


def head_of(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return parse_head(response.get_data(as_text=True))


def assert_findable(head, canonical):
    assert head.canonical == canonical
    assert head.one("description").strip()
    assert "robots" not in head.meta
    vi = canonical
    en = canonical.replace(BASE, BASE + "/en", 1)
    if head.alternates["vi"] != vi:  # an English page: its twin is the Vietnamese one
        vi, en = canonical.replace(BASE + "/en", BASE, 1), canonical
    assert head.alternates == {"vi": vi, "en": en, "x-default": vi}


@pytest.fixture
def campaign(app, staff):
    from shop.promotion.campaigns import create_campaign

    today = today_vn()
    item = create_campaign(
        staff,
        title="Tết Đinh Mùi",
        description="Quà Tết <b>từ</b> vùng cao.",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=10),
    )
    db.session.commit()
    return item


def test_home_listing_producer_campaign_and_legal_pages_are_findable(client, make_listed, campaign):
    product = make_listed(name="Chè Shan tuyết")
    producer = product.producer
    pages = {
        "/": f"{BASE}/",
        "/en/": f"{BASE}/en/",
        "/products": f"{BASE}/products",
        f"/producers/{producer.slug}": f"{BASE}/producers/{producer.slug}",
        f"/campaigns/{campaign.slug}": f"{BASE}/campaigns/{campaign.slug}",
        "/legal/rules": f"{BASE}/legal/rules",
        "/legal/privacy": f"{BASE}/legal/privacy",
        "/certificates": f"{BASE}/certificates",
        "/verify": f"{BASE}/verify",
    }
    for path, canonical in pages.items():
        head = head_of(client, path)
        assert_findable(head, canonical)
        assert head.one("og:url") == canonical
        assert head.one("og:image").startswith(BASE + "/")


def test_listing_canonical_keeps_the_subject_and_drops_the_noise(client, make_listed):
    product = make_listed()
    industry = product.product_set.industry_id
    head = head_of(
        client, f"/products?sort=price_asc&industry={industry}&page=1&utm_source=zalo&min_price=1"
    )
    assert_findable(head, f"{BASE}/products?industry={industry}")
    assert product.product_set.industry.name_vi in head.one("description")
    en = head_of(client, f"/en/products?industry={industry}&sort=newest")
    assert en.canonical == f"{BASE}/en/products?industry={industry}"
    assert en.alternates["vi"] == f"{BASE}/products?industry={industry}"
    assert en.one("og:locale") == "en_US"
    assert en.one("og:locale:alternate") == "vi_VN"


def test_a_typed_search_is_followed_not_indexed(client, make_listed):
    make_listed(name="Mật ong bạc hà")
    head = parse_head(client.get("/products?q=mat+ong").get_data(as_text=True))
    assert head.one("robots") == "noindex, follow"


def test_product_page_open_graph_and_twitter(client, make_listed):
    from shop.catalog.services import add_photo

    product = make_listed(name="Chè Shan tuyết", price=350_000, description="<p>Trà cổ thụ</p>")
    add_photo(
        product, path="photos/abc.webp", thumb_path="photos/abc-400.webp", width=1600, height=1200
    )
    db.session.commit()
    head = head_of(client, f"/products/{product.slug}")
    assert_findable(head, f"{BASE}/products/{product.slug}")
    assert head.one("og:type") == "product"
    assert head.one("og:title") == "Chè Shan tuyết"
    assert head.one("og:image") == f"{BASE}/media/photos/abc.webp"
    assert head.one("og:image:width") == "1600"
    assert head.one("og:locale") == "vi_VN"
    assert head.one("og:locale:alternate") == "en_US"
    assert head.one("twitter:card") == "summary_large_image"
    assert head.one("twitter:image") == f"{BASE}/media/photos/abc.webp"
    assert head.one("product:price:amount") == "350000"
    assert head.one("product:price:currency") == "VND"
    description = head.one("description")
    assert "OCOP 4 sao" in description
    assert "Trà cổ thụ" in description
    assert "<p>" not in description


def test_producer_and_campaign_previews(client, make_listed, campaign):
    product = make_listed()
    producer = product.producer
    producer.description = "Hợp tác xã chè cổ thụ trên núi Tây Côn Lĩnh."
    db.session.commit()
    head = head_of(client, f"/producers/{producer.slug}")
    assert head.one("og:title") == producer.legal_name
    assert head.one("description") == producer.description
    assert head.one("twitter:card") == "summary_large_image"  # the shop's card, no logo
    assert head.one("og:image").startswith(f"{BASE}/static/img/share.png")
    (org,) = head.structured("Organization")
    assert org["url"] == f"{BASE}/producers/{producer.slug}"

    head = head_of(client, f"/campaigns/{campaign.slug}")
    assert head.one("og:title") == "Tết Đinh Mùi"
    assert head.one("description") == "Quà Tết từ vùng cao."


def test_verification_page_is_findable(client, make_certificate):
    certificate = make_certificate()
    code = certificate.verification_code
    head = head_of(client, f"/verify/{code}")
    assert_findable(head, f"{BASE}/verify/{code}")
    assert code in head.one("description")


def test_unknown_verification_code_is_not_indexed(client):
    response = client.get("/verify/ZZZZZZZZZZ")
    assert response.status_code == 404
    assert parse_head(response.get_data(as_text=True)).one("robots") == "noindex"


def test_product_without_a_valid_certificate_claims_no_ocop(client, make_listed):
    product = make_listed(
        name="Miến dong", decision_date=date(2020, 1, 1), description="<p>Sản phẩm OCOP 4 sao</p>"
    )
    html = client.get(f"/products/{product.slug}").get_data(as_text=True)
    head = parse_head(html)
    assert head.one("robots") == "noindex, follow"
    assert "OCOP" not in head.one("description")
    assert "OCOP" not in head.one("og:description")
    assert not any("OCOP" in text for text in head.json_ld)
    (data,) = head.structured("Product")
    assert data["offers"]["availability"] == "https://schema.org/OutOfStock"


@pytest.mark.parametrize(
    ("path", "signed_in"),
    [
        ("/cart", False),
        ("/login", False),
        ("/en/cart", False),
        ("/account", True),
        ("/staff/", True),
        ("/staff/orders", True),
    ],
)
def test_private_pages_are_noindex(client, auth, staff, path, signed_in):
    if signed_in:
        auth.login(staff.email)
    response = client.get(path)
    assert response.status_code == 200
    assert parse_head(response.get_data(as_text=True)).one("robots") == "noindex"


def test_producer_area_is_noindex(client, auth, make_producer):
    producer = make_producer()
    auth.login(producer.members[0].user.email)
    response = client.get("/producer/products")
    assert response.status_code == 200
    assert parse_head(response.get_data(as_text=True)).one("robots") == "noindex"


def test_every_storefront_endpoint_the_builders_use_exists(app):
    from shop.seo.metadata import ENDPOINTS, endpoint

    with app.test_request_context("/"):
        for name in ENDPOINTS:
            assert endpoint(name) in app.view_functions


def test_checkout_is_noindex(client, make_listed):
    product = make_listed()
    response = client.post("/cart/add", data={"product_id": product.id, "quantity": 1})
    assert response.status_code == 303
    response = client.get("/checkout")
    assert response.status_code == 200
    assert parse_head(response.get_data(as_text=True)).one("robots") == "noindex"
