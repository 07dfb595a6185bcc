import io
import re
from datetime import date

import pytest
from PIL import Image
from sqlalchemy import func, select

from shop.catalog.models import Product, ProductPhoto, ProductStatus
from shop.extensions import db
from tests.factories import product_set
from tests.helpers_http import assert_redirect, follow


def test_home_shows_featured_and_browse(client, make_listed):
    make_listed("Hồng trà cổ thụ", stars=5)
    make_listed("Chè xanh", stars=3)
    page = client.get("/").get_data(as_text=True)
    featured = page.split('id="featured-h"')[1].split("</section>")[0]
    assert "Hồng trà cổ thụ" in featured
    assert "Chè xanh" not in featured  # featured: 4★ and 5★ until staff choose
    assert "Tuyên Quang" in page
    assert "Thực phẩm" in page


def test_products_page_and_facets(client, make_listed):
    make_listed("Chè Shan Tuyết", stars=4)
    response = client.get("/products?q=che+shan+tuyet&stars=4&sort=price_asc")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Chè Shan Tuyết" in page
    assert "350.000 ₫" in page
    assert 'value="4" checked' in page


@pytest.mark.parametrize(
    "query",
    [
        "page=-1",
        "stars=abc",
        "min_price=1e99",
        "max_price=abc&province=x",
        "set=999999999999",
        "sort=evil",
        "q=%22",
        "in_stock=maybe",
        "q=" + "a" * 5000,
    ],
)
def test_bad_parameters_never_500(client, make_listed, query):
    make_listed()
    assert client.get(f"/products?{query}").status_code == 200


def test_page_past_the_end_is_404(client, make_listed):
    make_listed()
    assert client.get("/products?page=2").status_code == 404
    assert client.get("/products?page=2").get_data(as_text=True).count("Không tìm thấy") == 1


def test_product_page_shows_certificate_and_label_facts(client, make_listed):
    product = make_listed("Chè Shan Tuyết Lũng Phìn", stars=4, decision_date=date(2025, 9, 15))
    page = client.get(f"/products/{product.slug}").get_data(as_text=True)
    for text in (
        "OCOP 4 sao",
        "350.000 ₫",
        "Còn hàng",
        "15/09/2025",
        "15/09/2028",  # valid through: the decision day is not counted
        "UBND tỉnh Tuyên Quang",
        "Hộp 200 g",
        product.producer.legal_name,
        "Thôn Sán Trồ",
        "Tuyên Quang, Việt Nam",
    ):
        assert text in page, text
    assert re.search(r'href="/verify/[0-9A-HJKMNP-Z]{10}"', page)


def test_out_of_stock_is_said(client, make_listed):
    product = make_listed(stock=0)
    assert "Hết hàng" in client.get(f"/products/{product.slug}").get_data(as_text=True)


def test_expired_certificate_page_says_it_cannot_be_bought(client, make_listed):
    product = make_listed("Hết hạn", stars=5, decision_date=date(2022, 1, 1))
    response = client.get(f"/products/{product.slug}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "đã hết hiệu lực từ ngày 02/01/2025" in page
    assert "không thể mua" in page
    assert "OCOP 5 sao" not in page
    assert "★★★★★" not in page
    assert "Hết hiệu lực" in page


def test_ornamental_and_tourism_listings_are_contact_only(client, make_listed):
    product = make_listed("Homestay vườn lan", set_code="VI.01")
    page = client.get(f"/products/{product.slug}").get_data(as_text=True)
    assert "không gửi qua bưu kiện" in page
    assert "Còn hàng" not in page


def test_unknown_and_unpublished_slugs_are_404(client, make_product):
    assert client.get("/products/khong-co").status_code == 404
    draft = make_product()
    assert client.get(f"/products/{draft.slug}").status_code == 404


def test_producer_public_page(client, make_listed, make_producer):
    product = make_listed("Mật ong bạc hà")
    page = client.get(f"/producers/{product.producer.slug}").get_data(as_text=True)
    assert "Mật ong bạc hà" in page
    assert product.producer.phone in page
    assert client.get(f"/producers/{make_producer(verified=False).slug}").status_code == 404
    assert client.get("/producers/khong-co").status_code == 404


def _queries_for(client, count_queries, path):
    count_queries.clear()
    assert client.get(path).status_code == 200
    return len(count_queries)


def test_no_n_plus_one(client, make_listed, make_producer, count_queries):
    first = make_listed("Một")
    for _ in range(2):  # photos on the card come in one query, however many
        _add_photo(first)
    one = _queries_for(client, count_queries, "/products")
    one_product = _queries_for(client, count_queries, f"/products/{first.slug}")
    for n in range(23):
        product = make_listed(f"Sản phẩm {n}", producer=make_producer())
        _add_photo(product)
    many = _queries_for(client, count_queries, "/products")
    # A fixed budget, whatever the number of cards: the page, its count, the facets,
    # photos, the header's menu of industries and the cards' review summaries.
    assert one == many <= 7
    # The product page: its related products (one query, their photos one more once
    # there are any) cost the same for 23 related products as for 33.
    some_related = _queries_for(client, count_queries, f"/products/{first.slug}")
    assert one_product <= some_related <= one_product + 1
    for n in range(10):
        _add_photo(make_listed(f"Thêm {n}", producer=make_producer()))
    assert _queries_for(client, count_queries, f"/products/{first.slug}") == some_related <= 8


def _add_photo(product):
    from shop.catalog.services import add_photo

    add_photo(product, path="photos/x.webp", thumb_path="photos/x-t.webp", width=1, height=1)
    db.session.commit()


# --- the producer's side -------------------------------------------------------------


@pytest.fixture
def producer_client(client, make_user, make_producer, auth):
    owner = make_user(email="owner@example.vn")
    client.producer = make_producer(owner=owner)
    assert_redirect(auth.login("owner@example.vn"), "/producer/")
    return client


def _form(**overrides):
    data = {
        "name": "Chè Shan Tuyết Lũng Phìn",
        "product_set_id": str(product_set("I.11").id),
        "price_vnd": "350.000",
        "stock": "12",
        "unit": "Hộp",
        "net_quantity": "200 g",
        "gtin": "",
        "description": "Chè ngon.",
    }
    data.update(overrides)
    return data


def _count(model=Product):
    return db.session.scalar(select(func.count()).select_from(model))


def test_producer_creates_and_publishes_a_listing(producer_client):
    response = producer_client.post("/producer/products/new", data=_form(gtin="8936045900000"))
    product = db.session.scalar(select(Product))
    edit = f"/producer/products/{product.id}"
    assert_redirect(response, edit)
    assert (product.price_vnd, product.stock, product.pack, product.gtin) == (
        350_000,
        12,
        "Hộp 200 g",
        "8936045900000",
    )
    assert product.description == "<p>Chè ngon.</p>"
    assert product.status == ProductStatus.DRAFT
    assert_redirect(producer_client.post(f"{edit}/publish"), edit)
    db.session.refresh(product)
    assert product.status == ProductStatus.PUBLISHED
    assert product.published_at is not None
    assert_redirect(producer_client.post(f"{edit}/unpublish"), edit)
    db.session.refresh(product)
    assert product.status == ProductStatus.DRAFT
    assert_redirect(producer_client.post(f"{edit}/archive"), edit)
    db.session.refresh(product)
    assert product.status == ProductStatus.ARCHIVED


def test_unverified_producer_cannot_publish(client, make_user, make_producer, make_product, auth):
    owner = make_user(email="new@example.vn")
    product = make_product(make_producer(owner=owner, verified=False))
    assert_redirect(auth.login("new@example.vn"), "/producer/")
    edit = f"/producer/products/{product.id}"
    page = follow(client, client.post(f"{edit}/publish"), edit)
    assert "cần được xác minh" in page.get_data(as_text=True)
    db.session.refresh(product)
    assert product.status == ProductStatus.DRAFT


def test_script_in_description_is_removed(producer_client):
    response = producer_client.post(
        "/producer/products/new",
        data=_form(description='<p onclick="x()">Ngon<script>alert(1)</script></p>'),
    )
    product = db.session.scalar(select(Product))
    assert_redirect(response, f"/producer/products/{product.id}")
    assert product.description == "<p>Ngon</p>"


BAD = [
    ({"price_vnd": ""}, "Vui lòng nhập giá bán."),
    ({"price_vnd": "999"}, "Giá phải từ 1.000 ₫ đến 100.000.000 ₫."),
    ({"price_vnd": "100.000.001"}, "Giá phải từ 1.000 ₫ đến 100.000.000 ₫."),
    ({"price_vnd": "12,5"}, "Giá là số đồng nguyên"),
    ({"price_vnd": "1e5"}, "Giá là số đồng nguyên"),
    ({"stock": "-1"}, "Số lượng từ 0 đến 1.000.000."),
    ({"stock": "abc"}, "Số lượng"),
    ({"name": ""}, "Vui lòng nhập tên sản phẩm."),
    ({"unit": ""}, "Vui lòng nhập đơn vị."),
    ({"net_quantity": ""}, "Vui lòng nhập khối lượng hoặc thể tích tịnh."),
    ({"gtin": "8936045900004"}, "Sai số kiểm tra của mã GTIN-13"),
    ({"gtin": "123"}, "Mã GTIN-13 gồm đúng 13 chữ số."),
    ({"product_set_id": "0"}, "Vui lòng chọn bộ sản phẩm trong danh mục OCOP."),
]


@pytest.mark.parametrize(("overrides", "message"), BAD)
def test_bad_listing_input(producer_client, overrides, message):
    response = producer_client.post("/producer/products/new", data=_form(**overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count() == 0


def test_foreign_gtin_is_accepted_with_a_warning(producer_client):
    response = producer_client.post("/producer/products/new", data=_form(gtin="4006381333931"))
    assert _count() == 1
    product = db.session.scalar(select(Product))
    page = follow(producer_client, response, f"/producer/products/{product.id}")
    assert "không có tiền tố 893" in page.get_data(as_text=True)


def _png(color=(10, 120, 40), size=(1200, 900)):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def test_photos_are_re_encoded_with_thumbnails(app, producer_client, make_product):
    product = make_product(producer_client.producer)
    edit = f"/producer/products/{product.id}"
    response = producer_client.post(
        f"{edit}/photos",
        data={"photos": [(io.BytesIO(_png()), "a.png"), (io.BytesIO(_png()), "b.png")]},
        content_type="multipart/form-data",
    )
    assert_redirect(response, edit)
    photos = db.session.scalars(select(ProductPhoto).order_by(ProductPhoto.position)).all()
    assert [p.position for p in photos] == [0, 1]
    with producer_client.get(f"/media/{photos[0].thumb_path}") as thumb:
        assert thumb.status_code == 200
        image = Image.open(io.BytesIO(thumb.data))
        assert (image.format, max(image.size)) == ("WEBP", 400)
    with producer_client.get(f"/media/{photos[0].path}") as full:
        assert full.status_code == 200
        assert Image.open(io.BytesIO(full.data)).size == (1200, 900)
    assert_redirect(producer_client.post(f"{edit}/photos/{photos[0].id}/delete"), edit)
    assert _count(ProductPhoto) == 1


def test_at_most_eight_photos(producer_client, make_product):
    product = make_product(producer_client.producer)
    files = [(io.BytesIO(_png(size=(40, 40))), f"{n}.png") for n in range(9)]
    edit = f"/producer/products/{product.id}"
    response = producer_client.post(
        f"{edit}/photos", data={"photos": files}, content_type="multipart/form-data"
    )
    page = follow(producer_client, response, edit).get_data(as_text=True)
    assert "tối đa 8 ảnh" in page
    assert _count(ProductPhoto) == 0


def test_one_bad_photo_rejects_the_upload(app, producer_client, make_product):
    import os

    product = make_product(producer_client.producer)
    edit = f"/producer/products/{product.id}"
    response = producer_client.post(
        f"{edit}/photos",
        data={"photos": [(io.BytesIO(_png()), "ok.png"), (io.BytesIO(b"<svg/>"), "x.svg")]},
        content_type="multipart/form-data",
    )
    page = follow(producer_client, response, edit).get_data(as_text=True)
    assert "Không nhận ảnh SVG" in page
    assert _count(ProductPhoto) == 0
    folder = os.path.join(app.config["UPLOAD_FOLDER"], "photos")
    assert not os.path.exists(folder) or os.listdir(folder) == []


def test_same_names_get_distinct_slugs(make_product, make_producer):
    first = make_product(name="Chè Shan Tuyết")
    second = make_product(name="Chè Shan Tuyết")
    assert (first.slug, second.slug) == ("che-shan-tuyet", "che-shan-tuyet-2")
    a = make_producer(legal_name="Hợp tác xã Hoa Ban")
    b = make_producer(legal_name="Hợp tác xã Hoa Ban")
    assert (a.slug, b.slug) == ("hop-tac-xa-hoa-ban", "hop-tac-xa-hoa-ban-2")


def test_photos_of_a_refused_upload_leave_no_file(app, producer_client, make_product, monkeypatch):
    """Another upload filled the product meanwhile: the service refuses the second
    photo, the transaction rolls back, and the photo already stored is deleted."""
    import os

    monkeypatch.setattr("shop.catalog.services.MAX_PHOTOS", 1)
    product = make_product(producer_client.producer)
    edit = f"/producer/products/{product.id}"
    response = producer_client.post(
        f"{edit}/photos",
        data={"photos": [(io.BytesIO(_png()), "a.png"), (io.BytesIO(_png()), "b.png")]},
        content_type="multipart/form-data",
    )
    assert "tối đa 8 ảnh" in follow(producer_client, response, edit).get_data(as_text=True)
    assert _count(ProductPhoto) == 0
    root = app.config["UPLOAD_FOLDER"]
    assert [name for _dir, _dirs, names in os.walk(root) for name in names] == []


@pytest.mark.parametrize(
    ("accept", "json"),
    [
        ("*/*", False),  # curl, requests, the cluster proof: the redirect
        ("text/html,application/xhtml+xml,*/*;q=0.8", False),  # a browser's form post
        ("application/json", True),  # static/js/upload.js
        (None, False),
    ],
)
def test_only_a_client_asking_for_json_gets_json_after_an_upload(app, accept, json):
    from shop.catalog.producer import _wants_json

    headers = {"Accept": accept} if accept else {}
    with app.test_request_context("/", headers=headers):
        assert _wants_json() is json
