"""/feeds/google.xml and /feeds/meta.csv: parsed as a shopping engine parses them,
listed and advertisable products only, cached under the catalogue's generation."""

import csv
import io
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from sqlalchemy import select

from shop.catalog.models import ProductPhoto
from shop.certification.models import Certificate
from shop.certification.services import revoke_certificate
from shop.extensions import cache, db
from shop.producers.models import ProducerStatus

BASE = "https://cho-ocop.vn"
G = "{http://base.google.com/ns/1.0}"
GTIN = "8936045900000"


@pytest.fixture(autouse=True)
def public_base(app):
    app.config["PUBLIC_BASE_URL"] = BASE


@pytest.fixture
def cached_app(app):
    """The app with a real cache (tests use NullCache otherwise)."""
    app.config.update(CACHE_TYPE="SimpleCache", CACHE_DEFAULT_TIMEOUT=300)
    cache.init_app(app)
    yield app
    cache.clear()


def google(client, **headers):
    response = client.get("/feeds/google.xml", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    return response


def items(response) -> dict[str, ET.Element]:
    root = ET.fromstring(response.get_data())  # noqa: S314 - the shop's own output
    assert root.tag == "rss"
    assert root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    return {item.findtext(f"{G}id"): item for item in channel.findall("item")}


def meta_rows(client) -> dict[str, dict]:
    response = client.get("/feeds/meta.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    reader = csv.DictReader(io.StringIO(response.get_data(as_text=True)))
    assert reader.fieldnames == [
        "id",
        "title",
        "description",
        "availability",
        "condition",
        "price",
        "link",
        "image_link",
        "brand",
        "gtin",
    ]
    return {row["id"]: row for row in reader}


def add_photo(product, path="photos/che.webp"):
    db.session.add(
        ProductPhoto(
            product_id=product.id, path=path, thumb_path="thumbs/che.webp", width=800, height=800
        )
    )
    db.session.commit()


def test_google_feed_fields(client, make_producer, make_listed):
    producer = make_producer(legal_name="HTX Chè Shan Tuyết Lũng Phìn")
    tea = make_listed(
        "Chè Shan Tuyết",
        producer=producer,
        price=350_000,
        stock=4,
        gtin=GTIN,
        description="<p>Búp chè <strong>cổ thụ</strong> &amp; sao tay.</p>",
    )
    add_photo(tea)
    sold_out = make_listed("Hồng trà", producer=producer, price=123_000, stock=0)

    feed = items(google(client))
    assert set(feed) == {str(tea.id), str(sold_out.id)}
    item = feed[str(tea.id)]
    assert item.findtext("title") == "Chè Shan Tuyết Hộp 200 g"
    assert item.findtext("description") == "Búp chè cổ thụ & sao tay."
    assert item.findtext("link") == f"{BASE}/products/{tea.slug}"
    assert item.findtext(f"{G}image_link") == f"{BASE}/media/photos/che.webp"
    assert item.findtext(f"{G}price") == "350000 VND"
    assert item.findtext(f"{G}availability") == "in stock"
    assert item.findtext(f"{G}condition") == "new"
    assert item.findtext(f"{G}brand") == "HTX Chè Shan Tuyết Lũng Phìn"
    assert item.findtext(f"{G}gtin") == GTIN

    other = feed[str(sold_out.id)]
    assert other.findtext(f"{G}price") == "123000 VND"
    assert other.findtext(f"{G}availability") == "out of stock"
    assert other.find(f"{G}gtin") is None  # only where the product has one
    assert other.find(f"{G}image_link") is None
    assert other.findtext("description")  # never empty: what it is, and who makes it


def test_meta_feed_has_the_same_products_and_fields(client, make_listed):
    tea = make_listed("Chè Shan Tuyết", price=350_000, gtin=GTIN)
    add_photo(tea)
    honey = make_listed("Mật ong", price=420_000, stock=0)
    rows = meta_rows(client)
    assert set(rows) == {str(tea.id), str(honey.id)}
    row = rows[str(tea.id)]
    assert row["title"] == "Chè Shan Tuyết Hộp 200 g"
    assert (row["price"], row["availability"], row["condition"]) == (
        "350000 VND",
        "in stock",
        "new",
    )
    assert row["link"] == f"{BASE}/products/{tea.slug}"
    assert row["image_link"] == f"{BASE}/media/photos/che.webp"
    assert row["gtin"] == GTIN
    assert rows[str(honey.id)]["availability"] == "out of stock"
    assert rows[str(honey.id)]["gtin"] == ""


def test_only_listed_and_advertisable_products(
    client, make_product, make_listed, make_certificate, staff
):
    shown = make_listed("Chè Shan Tuyết")
    wine = make_listed("Rượu vang sim", set_code="II.02", abv_tenths=120)  # 12 %: advertised
    spirit = make_listed("Rượu ngô men lá", set_code="II.01", abv_tenths=295)
    at_limit = make_listed("Rượu táo mèo", set_code="II.02", abv_tenths=150)  # 15 % exactly
    expired = make_listed("Chè cũ", decision_date=date(2020, 1, 10))
    revoked = make_listed("Chè thu hồi")
    certificate = db.session.scalar(select(Certificate).where(Certificate.product_id == revoked.id))
    revoke_certificate(certificate, staff, "Kiểm tra lại không đạt")
    db.session.commit()
    draft = make_product(name="Chè nháp")
    make_certificate(draft)
    pending = make_product(name="Chè chờ duyệt chứng nhận", published=True)
    make_certificate(pending, verified=False)
    suspended = make_listed("Chè của cơ sở bị tạm dừng")
    suspended.producer.status = ProducerStatus.PENDING
    db.session.commit()
    orchid = make_listed("Lan hài", set_code="V.02")  # sold by enquiry, not in the cart

    expected = {str(shown.id), str(wine.id)}
    assert set(items(google(client))) == expected
    assert set(meta_rows(client)) == expected
    body = google(client).get_data(as_text=True)
    for name in (
        "Rượu ngô",
        "táo mèo",
        "Chè cũ",
        "thu hồi",
        "nháp",
        "chờ duyệt",
        "tạm dừng",
        "Lan",
    ):
        assert name not in body
    assert {spirit.id, at_limit.id, expired.id, orchid.id}.isdisjoint(
        int(i) for i in items(google(client))
    )


def test_producer_text_is_escaped_and_unwritable_characters_dropped(
    client, make_producer, make_listed
):
    producer = make_producer(legal_name='HTX "Sơn & Thủy" <Hà Giang>')
    tea = make_listed(
        'Chè "Tôm" & <Búp>',
        producer=producer,
        description="<p>Dòng 1\x0b\x01 ]]&gt; &lt;/item&gt;</p>",
    )
    item = items(google(client))[str(tea.id)]
    assert item.findtext("title") == 'Chè "Tôm" & <Búp> Hộp 200 g'
    assert item.findtext(f"{G}brand") == 'HTX "Sơn & Thủy" <Hà Giang>'
    assert item.findtext("description") == "Dòng 1 ]]> </item>"
    row = meta_rows(client)[str(tea.id)]
    assert row["title"] == 'Chè "Tôm" & <Búp> Hộp 200 g'


def test_a_formula_in_a_name_is_defused_in_the_csv(client, make_listed):
    tea = make_listed("=HYPERLINK(1)")
    assert meta_rows(client)[str(tea.id)]["title"].startswith("'=")


def test_feeds_are_public_pages(client, make_listed):
    make_listed()
    for path in ("/feeds/google.xml", "/feeds/meta.csv"):
        response = client.get(path)
        assert response.status_code == 200
        cache_control = response.headers["Cache-Control"]
        assert "public" in cache_control
        assert "s-maxage" in cache_control
        assert "no-store" not in cache_control
        assert response.headers["ETag"]
        assert response.headers["Last-Modified"]
        assert "Set-Cookie" not in response.headers


def test_an_unchanged_feed_answers_304(client, make_listed):
    make_listed()
    first = google(client)
    etag = first.headers["ETag"]
    again = client.get("/feeds/google.xml", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    since = client.get(
        "/feeds/google.xml", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert since.status_code == 304
    csv_first = client.get("/feeds/meta.csv")
    csv_again = client.get("/feeds/meta.csv", headers={"If-None-Match": csv_first.headers["ETag"]})
    assert csv_again.status_code == 304


def test_a_price_change_is_in_the_next_feed(cached_app, client, make_listed):
    tea = make_listed("Chè Shan Tuyết", price=350_000)
    first = google(client)
    assert items(first)[str(tea.id)].findtext(f"{G}price") == "350000 VND"
    assert google(client).headers["ETag"] == first.headers["ETag"]

    tea.price_vnd = 360_000
    db.session.commit()
    second = google(client)
    assert items(second)[str(tea.id)].findtext(f"{G}price") == "360000 VND"
    assert second.headers["ETag"] != first.headers["ETag"]
    stale = client.get("/feeds/google.xml", headers={"If-None-Match": first.headers["ETag"]})
    assert stale.status_code == 200  # the old version is not "not modified"
    assert meta_rows(client)[str(tea.id)]["price"] == "360000 VND"


def test_a_revoked_certificate_leaves_the_cached_feed(cached_app, client, make_listed, staff):
    tea = make_listed("Chè Shan Tuyết")
    assert str(tea.id) in items(google(client))
    certificate = db.session.scalar(select(Certificate).where(Certificate.product_id == tea.id))
    revoke_certificate(certificate, staff, "Kiểm tra lại không đạt")
    db.session.commit()
    assert str(tea.id) not in items(google(client))


def test_a_cached_feed_and_its_304_cost_no_query(cached_app, client, make_listed, count_queries):
    make_listed("Chè Shan Tuyết")
    etag = google(client).headers["ETag"]
    built = len(count_queries)
    assert built >= 1
    assert google(client).headers["ETag"] == etag
    assert client.get("/feeds/google.xml", headers={"If-None-Match": etag}).status_code == 304
    assert len(count_queries) == built


def test_building_a_feed_is_one_query_whatever_the_number_of_products(
    client, make_producer, make_listed, count_queries
):
    producer = make_producer()
    make_listed(producer=producer)
    count_queries.clear()
    client.get("/feeds/google.xml")
    one = len(count_queries)
    for _ in range(6):
        make_listed(producer=producer)
    count_queries.clear()
    assert len(items(google(client))) == 7
    assert len(count_queries) == one
