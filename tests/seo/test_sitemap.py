"""/sitemap.xml (and its files over the limit) and /robots.txt."""

from datetime import date, timedelta

import pytest
from lxml import etree

from shop.clock import today_vn
from shop.extensions import db

BASE = "https://cho-ocop.example.vn"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture(autouse=True)
def public_base(app):
    app.config["PUBLIC_BASE_URL"] = BASE


def xml_of(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.mimetype == "application/xml"
    return etree.fromstring(response.data)


def locs(root) -> list[str]:
    assert root.tag == "{{{}}}urlset".format(NS["s"])
    urls = root.findall("s:url", NS)
    assert all(len(url.findall("s:loc", NS)) == 1 for url in urls)
    return [url.findtext("s:loc", namespaces=NS) for url in urls]


def test_sitemap_lists_what_is_for_sale_and_the_public_pages(
    client, make_listed, make_product, staff
):
    from shop.promotion.campaigns import create_campaign

    listed = make_listed()
    expired = make_listed(decision_date=date(2020, 1, 1))
    draft = make_product()  # never published, no certificate
    today = today_vn()
    running = create_campaign(
        staff, title="Tết", description="", starts_on=today, ends_on=today + timedelta(days=3)
    )
    ended = create_campaign(
        staff,
        title="Hè",
        description="",
        starts_on=today - timedelta(days=30),
        ends_on=today - timedelta(days=1),
    )
    db.session.commit()

    root = xml_of(client, "/sitemap.xml")
    found = locs(root)
    assert len(found) == len(set(found))
    assert f"{BASE}/products/{listed.slug}" in found
    assert f"{BASE}/en/products/{listed.slug}" in found
    assert f"{BASE}/products/{expired.slug}" not in found
    assert f"{BASE}/products/{draft.slug}" not in found
    assert f"{BASE}/producers/{listed.producer.slug}" in found
    assert f"{BASE}/producers/{draft.producer.slug}" not in found  # nothing for sale
    assert f"{BASE}/campaigns/{running.slug}" in found
    assert f"{BASE}/campaigns/{ended.slug}" not in found
    for page in (
        "/",
        "/products",
        "/certificates",
        "/verify",
        "/legal/rules",
        "/legal/privacy",
        "/legal/returns",
        "/legal/complaints",
        "/legal/operator",
        f"/products?industry={listed.product_set.industry_id}",
    ):
        assert BASE + page in found, page
    assert not any("/staff/" in loc or "/cart" in loc for loc in found)
    (url,) = [
        u
        for u in root.findall("s:url", NS)
        if u.findtext("s:loc", namespaces=NS) == f"{BASE}/products/{listed.slug}"
    ]
    lastmod = url.findtext("s:lastmod", namespaces=NS)
    assert lastmod.startswith(str(listed.updated_at.date()))


def test_over_the_limit_the_sitemap_is_an_index_of_files(app, client, make_listed):
    app.config["SITEMAP_MAX_URLS"] = 4  # two products a file, in two languages
    products = [make_listed() for _ in range(5)]
    root = xml_of(client, "/sitemap.xml")
    assert root.tag == "{{{}}}sitemapindex".format(NS["s"])
    files = [loc.text for loc in root.findall("s:sitemap/s:loc", NS)]
    assert f"{BASE}/sitemap-products-1.xml" in files
    assert f"{BASE}/sitemap-products-3.xml" in files
    assert f"{BASE}/sitemap-products-4.xml" not in files
    seen = []
    for file in files:
        found = locs(xml_of(client, file.removeprefix(BASE)))
        assert 0 < len(found) <= 4
        seen += found
    assert len(seen) == len(set(seen))
    for product in products:
        assert f"{BASE}/products/{product.slug}" in seen
    assert client.get("/sitemap-products-4.xml").status_code == 404


def test_sitemap_queries_do_not_grow_with_the_products(app, client, make_listed, count_queries):
    def queries(path):
        count_queries.clear()
        assert client.get(path).status_code == 200
        return len(count_queries)

    make_listed()
    one = queries("/sitemap.xml")
    for _ in range(4):
        make_listed()
    assert queries("/sitemap.xml") == one <= 6
    app.config["SITEMAP_MAX_URLS"] = 4
    assert queries("/sitemap.xml") <= 2  # the index: the counts and the industries
    assert queries("/sitemap-products-2.xml") == 1
    assert queries("/sitemap-producers-1.xml") == 1


def test_robots_txt(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "User-agent: *"
    for path in (
        "/staff/",
        "/producer/",
        "/cart",
        "/checkout",
        "/account",
        "/orders/",
        "/api/",
        "/en/staff/",
        "/en/cart",
    ):
        assert f"Disallow: {path}" in lines
    assert "Disallow: /producers/" not in lines
    assert "Disallow: /products" not in lines
    assert f"Sitemap: {BASE}/sitemap.xml" in lines


def test_sitemap_and_robots_are_public_to_caches(client):
    for path in ("/sitemap.xml", "/robots.txt"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.cache_control.public
