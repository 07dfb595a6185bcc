# ruff: noqa: F811  (the producer_client fixture is imported from test_views)
"""The producer's product page: the Markdown editor and its preview, the photo order
(the first is the main one), the upload answer for the progress bar, the confirmation
before archiving, and plain words when a published product is not listed."""

import io
from datetime import date

import pytest
from sqlalchemy import select

from shop.catalog.models import Product, ProductPhoto, ProductStatus
from shop.extensions import db
from tests.catalog.test_views import _form, _png, producer_client  # noqa: F401
from tests.helpers_http import assert_redirect, follow

# --- the description: Markdown in, sanitised HTML out ----------------------------------


def test_markdown_is_kept_and_rendered_when_saved(producer_client):
    source = "### Hương vị\n\n**Chát** rồi *ngọt*\n\n- 200 g\n- 500 g\n\n[GS1](https://gs1.org.vn)"
    response = producer_client.post("/producer/products/new", data=_form(description=source))
    product = db.session.scalar(select(Product))
    assert_redirect(response, f"/producer/products/{product.id}")
    assert product.description_md == source
    assert product.description == (
        "<h3>Hương vị</h3>\n<p><strong>Chát</strong> rồi <em>ngọt</em></p>\n"
        "<ul>\n<li>200 g</li>\n<li>500 g</li>\n</ul>\n"
        '<p><a href="https://gs1.org.vn" rel="nofollow ugc noopener">GS1</a></p>'
    )
    page = producer_client.get(f"/producer/products/{product.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "### Hương vị" in text  # the editor edits the Markdown, not the HTML
    assert "data-md-editor" in text
    assert "/static/js/editor.js" in text


def test_script_and_javascript_links_in_markdown_are_not_saved(producer_client):
    source = '[x](javascript:alert(1)) <script>alert(2)</script> <b onclick="y()">z</b>'
    response = producer_client.post("/producer/products/new", data=_form(description=source))
    product = db.session.scalar(select(Product))
    assert_redirect(response, f"/producer/products/{product.id}")
    html = product.description.lower()
    for needle in ("<script", "alert(2)", 'javascript:alert(1)"', "href", "onclick", "<b"):
        assert needle not in html


def test_a_description_saved_as_html_is_edited_as_markdown(producer_client, make_product):
    legacy = make_product(
        producer_client.producer, description="<p>Chè <strong>ngon</strong></p><ul><li>a</li></ul>"
    )
    assert legacy.description_md is None
    page = producer_client.get(f"/producer/products/{legacy.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Chè **ngon**\n\n- a</textarea>" in text
    # Saving it unchanged keeps what buyers see.
    before = legacy.description
    response = producer_client.post(
        f"/producer/products/{legacy.id}",
        data=_form(name=legacy.name, description="Chè **ngon**\n\n- a"),
    )
    assert_redirect(response, f"/producer/products/{legacy.id}")
    db.session.refresh(legacy)
    assert legacy.description.replace("\n", "") == before


def test_preview_button_renders_without_saving(producer_client, make_product):
    product = make_product(producer_client.producer, description="<p>cũ</p>")
    response = producer_client.post(
        f"/producer/products/{product.id}",
        data=_form(name=product.name, description="**mới** <script>alert(1)</script>", preview="1"),
    )
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "<strong>mới</strong>" in text
    assert "<script>alert(1)" not in text
    db.session.refresh(product)
    assert product.description == "<p>cũ</p>"  # nothing saved


def test_preview_endpoint_answers_sanitised_html(producer_client):
    response = producer_client.post(
        "/producer/products/preview",
        data={"description": "*a* [b](javascript:x) <img src=x onerror=y()>"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json == {"html": "<p><em>a</em> [b](javascript:x) </p>"}


def test_preview_needs_a_producer_and_the_csrf_token(app, producer_client):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = producer_client.post("/producer/products/preview", data={"description": "a"})
        assert refused.status_code == 400  # no token
        page = producer_client.get("/producer/products/new").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        ok = producer_client.post(
            "/producer/products/preview", data={"description": "a"}, headers={"X-CSRFToken": token}
        )
        assert ok.status_code == 200
        assert ok.json == {"html": "<p>a</p>"}
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    anonymous = app.test_client().post("/producer/products/preview", data={"description": "a"})
    assert anonymous.status_code == 302
    assert "/login" in anonymous.location


# --- photos: order, main photo, upload answer -----------------------------------------


def _upload(client, product, n=3, **kwargs):
    files = [(io.BytesIO(_png(color=(n * 40, 0, 0), size=(60, 60))), f"{n}.png") for n in range(n)]
    return client.post(
        f"/producer/products/{product.id}/photos",
        data={"photos": files},
        content_type="multipart/form-data",
        **kwargs,
    )


def _order(product):
    db.session.expire_all()
    return [p.id for p in db.session.get(Product, product.id).photos]


def test_photos_are_reordered_and_the_first_is_the_main_one(producer_client, make_product):
    product = make_product(producer_client.producer)
    edit = f"/producer/products/{product.id}"
    assert_redirect(_upload(producer_client, product), edit)
    a, b, c = _order(product)
    assert_redirect(producer_client.post(f"{edit}/photos/{c}/first"), edit)
    assert _order(product) == [c, a, b]
    assert_redirect(producer_client.post(f"{edit}/photos/{a}/down"), edit)
    assert _order(product) == [c, b, a]
    assert_redirect(producer_client.post(f"{edit}/photos/{a}/up"), edit)
    assert _order(product) == [c, a, b]
    # At either end a move stays inside the list.
    assert_redirect(producer_client.post(f"{edit}/photos/{c}/up"), edit)
    assert_redirect(producer_client.post(f"{edit}/photos/{b}/down"), edit)
    assert _order(product) == [c, a, b]
    positions = db.session.scalars(
        select(ProductPhoto.position).where(ProductPhoto.product_id == product.id)
    ).all()
    assert sorted(positions) == [0, 1, 2]
    page = producer_client.get(edit).get_data(as_text=True)
    assert page.index(f"/photos/{c}/delete") < page.index(f"/photos/{a}/delete")
    assert "Ảnh chính" in page
    assert f"/photos/{c}/first" not in page  # the main photo offers no "make main"


def test_the_main_photo_leads_the_public_page(producer_client, make_listed, make_product):
    product = make_listed("Chè có ảnh", producer=producer_client.producer)
    edit = f"/producer/products/{product.id}"
    _upload(producer_client, product, n=2)
    first, second = _order(product)
    producer_client.post(f"{edit}/photos/{second}/first")
    path = db.session.get(ProductPhoto, second).path
    page = producer_client.get(f"/products/{product.slug}").get_data(as_text=True)
    assert page.index(path) < page.index(db.session.get(ProductPhoto, first).thumb_path)


def test_another_producers_photo_cannot_be_moved(
    client,
    producer_client,
    make_product,
    make_producer,
):
    mine = make_product(producer_client.producer)
    theirs = make_product(make_producer())
    _upload(producer_client, mine, n=1)
    (photo,) = _order(mine)
    assert (
        producer_client.post(f"/producer/products/{theirs.id}/photos/{photo}/first").status_code
        == 404
    )
    assert producer_client.post(f"/producer/products/{mine.id}/photos/999/up").status_code == 404


def test_upload_answers_json_to_the_progress_script(producer_client, make_product):
    product = make_product(producer_client.producer)
    response = _upload(producer_client, product, n=1, headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json == {"location": f"/producer/products/{product.id}#product-photos"}
    page = producer_client.get(f"/producer/products/{product.id}").get_data(as_text=True)
    assert "Đã thêm 1 ảnh." in page  # the message waits for the page the script opens
    assert "data-upload-progress" in page
    assert "/static/js/upload.js" in page


# --- archiving asks first ------------------------------------------------------------


def test_archiving_asks_for_confirmation(producer_client, make_product):
    product = make_product(producer_client.producer)
    edit = f"/producer/products/{product.id}"
    page = producer_client.get(edit).get_data(as_text=True)
    link = f'href="{edit}/archive" data-dialog="archive-dialog"'
    assert link in page
    # The only archive form is the one inside the dialog.
    dialog = page.split('<dialog id="archive-dialog"')[1].split("</dialog>")[0]
    assert page.count(f'action="{edit}/archive"') == 1
    assert f'action="{edit}/archive"' in dialog
    confirm = producer_client.get(f"{edit}/archive")
    assert confirm.status_code == 200
    text = confirm.get_data(as_text=True)
    assert "Lưu trữ sản phẩm này?" in text
    assert f'action="{edit}/archive"' in text
    assert_redirect(producer_client.post(f"{edit}/archive"), edit)
    db.session.refresh(product)
    assert product.status is ProductStatus.ARCHIVED
    assert_redirect(producer_client.get(f"{edit}/archive"), edit)  # nothing left to ask


def test_another_producers_archive_page_is_404(producer_client, make_product, make_producer):
    theirs = make_product(make_producer())
    assert producer_client.get(f"/producer/products/{theirs.id}/archive").status_code == 404


# --- published but not listed: said plainly -------------------------------------------

UNLISTED = "Sản phẩm chưa hiện trên sàn và người mua chưa đặt được"


def test_publishing_without_a_certificate_says_it_stays_unlisted(producer_client, make_product):
    product = make_product(producer_client.producer)
    edit = f"/producer/products/{product.id}"
    before = producer_client.get(edit).get_data(as_text=True)
    assert "vẫn chưa hiện trên sàn cho đến khi có chứng nhận OCOP còn hiệu lực" in before
    page = follow(producer_client, producer_client.post(f"{edit}/publish"), edit)
    text = page.get_data(as_text=True)
    assert "Đã đăng bán sản phẩm." in text
    assert UNLISTED in text
    assert "chưa có chứng nhận OCOP được xác minh" in text
    assert "Sản phẩm đang đăng bán nhưng chưa hiện trên sàn" in text
    assert "Chưa có chứng nhận" in text  # the badge
    listing = producer_client.get("/producer/products").get_data(as_text=True)
    assert "Chưa hiện trên sàn" in listing
    assert "Chưa có chứng nhận" in listing


def test_publishing_with_a_pending_certificate_says_so(
    producer_client,
    make_product,
    make_certificate,
):
    product = make_product(producer_client.producer)
    make_certificate(product, verified=False)
    edit = f"/producer/products/{product.id}"
    text = follow(producer_client, producer_client.post(f"{edit}/publish"), edit).get_data(
        as_text=True
    )
    assert UNLISTED in text
    assert "đang chờ cán bộ xác minh" in text
    assert "Chứng nhận chờ xác minh" in producer_client.get("/producer/products").get_data(
        as_text=True
    )


def test_publishing_a_certified_product_says_nothing_more(producer_client, make_listed):
    product = make_listed(producer=producer_client.producer)
    edit = f"/producer/products/{product.id}"
    producer_client.post(f"{edit}/unpublish")
    text = follow(producer_client, producer_client.post(f"{edit}/publish"), edit).get_data(
        as_text=True
    )
    assert "Đã đăng bán sản phẩm." in text
    assert UNLISTED not in text
    listing = producer_client.get("/producer/products").get_data(as_text=True)
    assert "Đang hiện trên sàn" in listing
    assert "Còn hiệu lực" in listing


# --- the public page: honest about the certificate -------------------------------------


def _public(client, product) -> str:
    response = client.get(f"/products/{product.slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("pending", [False, True])
def test_a_product_never_certified_is_not_called_no_longer_valid(
    client, make_product, make_certificate, pending
):
    product = make_product(published=True)
    if pending:
        make_certificate(product, verified=False)
    page = _public(client, product)
    assert "không còn hiệu lực" not in page
    assert "hết hiệu lực" not in page
    assert "thu hồi" not in page
    if pending:
        assert "Chứng nhận OCOP của sản phẩm đang chờ cán bộ xác minh." in page
    else:
        assert "Sản phẩm chưa có chứng nhận OCOP được xác minh." in page
        assert "đang chờ" not in page
    assert "Thêm vào giỏ hàng" not in page


def test_a_revoked_certificate_is_called_revoked(client, make_listed, staff):
    from shop.certification.queries import current_certificate
    from shop.certification.services import revoke_certificate

    product = make_listed("Bị thu hồi")
    revoke_certificate(current_certificate(product), staff, "Vi phạm")
    db.session.commit()
    page = _public(client, product)
    assert "Chứng nhận OCOP của sản phẩm này đã bị thu hồi." in page
    assert "hết hiệu lực" not in page.split("certificate-standing")[1].split("</div>")[0]
    assert "Thêm vào giỏ hàng" not in page


def test_an_expired_certificate_with_a_pending_rerating(client, make_listed, make_certificate):
    product = make_listed("Đánh giá lại", decision_date=date(2022, 1, 1))
    make_certificate(product, verified=False, decision_date=date(2025, 9, 1))
    page = _public(client, product)
    assert "đã hết hiệu lực từ ngày 02/01/2025" in page
    assert "Chứng nhận đánh giá lại đang chờ cán bộ xác minh." in page
