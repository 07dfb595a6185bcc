"""A buyer with a delivered order writes a review on a phone (375×812) and finds it
on the product page; the reviews section is photographed at 375×812 and 1366×900."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from shop.extensions import db
from shop.reviews.models import Review
from shop.reviews.rules import Reviewer
from shop.reviews.services import reply_to_review, submit_review
from tests.e2e.conftest import ARTIFACTS, screenshot
from tests.e2e.landing import signed_in_landing
from tests.factories import PASSWORD
from tests.orders.helpers import order_for
from tests.reviews.conftest import deliver

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1366, "height": 900}


def _png() -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (640, 480), (46, 110, 60))
    image.paste((214, 170, 60), (180, 120, 460, 360))
    image.save(out, format="PNG")
    return out.getvalue()


def test_a_buyer_reviews_a_delivered_order_on_a_phone(
    app, live_server, browser, make_user, make_listed
):
    tea = make_listed("Chè Shan Tuyết Hà Giang", stock=50)
    buyer = make_user(email="binh@example.vn", full_name="Trần Thị Bình")
    earlier = make_user(email="an@example.vn", full_name="Nguyễn Văn An")
    # Another buyer's review, with the producer's reply, already on the page.
    line = deliver(order_for({tea: 2}, user=earlier)).lines[0]
    first = submit_review(
        line, Reviewer(earlier.id), rating=4, body="Trà thơm, đóng gói cẩn thận. Giao hơi chậm."
    )
    reply_to_review(
        first,
        producer_id=tea.producer_id,
        actor=tea.producer.members[0].user,
        body="Cảm ơn anh chị, lần sau HTX sẽ gửi nhanh hơn.",
    )
    db.session.commit()
    order = deliver(order_for({tea: 1}, user=buyer))

    context = browser.new_context(viewport=PHONE, locale="vi-VN", device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(15000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{live_server}/login")
        page.fill("#email", buyer.email)
        page.fill("#password", PASSWORD)
        page.press("#password", "Enter")
        page.wait_for_url(signed_in_landing(live_server))

        page.goto(f"{live_server}/orders/{order.number}")
        review_link = page.get_by_role("link", name="Đánh giá Chè Shan Tuyết Hà Giang")
        expect(review_link).to_be_visible()
        review_link.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Đánh giá")
        screenshot(page, "reviews-write-375")
        page.get_by_label("5 sao: Tuyệt vời").check()
        page.fill("#body", "Chè ngon, nước xanh, vị ngọt hậu. Sẽ mua lại!")
        page.set_input_files(
            "#photo", files=[{"name": "che.png", "mimeType": "image/png", "buffer": _png()}]
        )
        page.get_by_role("button", name="Gửi đánh giá").click()
        page.wait_for_url(f"{live_server}/orders/{order.number}")
        expect(page.get_by_text("Cảm ơn bạn đã đánh giá")).to_be_visible()
        expect(page.get_by_text("Đã đánh giá", exact=True)).to_be_visible()

        page.goto(f"{live_server}/products/{tea.slug}")
        section = page.locator("#reviews")
        expect(section).to_contain_text("Chè ngon, nước xanh, vị ngọt hậu.")
        expect(section).to_contain_text("Bình T.")
        expect(section).to_contain_text("Phản hồi của người bán")
        expect(section.get_by_role("img", name="4,5 trên 5 sao, 2 đánh giá")).to_be_visible()
        photo = section.get_by_role("img", name="Ảnh của Bình T.")
        expect(photo).to_be_visible()
        photo.scroll_into_view_if_needed()  # it is lazy-loaded
        photo.evaluate(  # the photo is served (a broken image has no width)
            "img => img.complete && img.naturalWidth ? 1 : new Promise((ok, no) =>"
            " { img.onload = ok; img.onerror = no; })"
        )
        assert photo.evaluate("img => img.naturalWidth") > 0
        section.scroll_into_view_if_needed()
        ARTIFACTS.mkdir(exist_ok=True)
        section.screenshot(path=str(ARTIFACTS / "reviews-product-375.png"))
        page.set_viewport_size(DESKTOP)
        section.screenshot(path=str(ARTIFACTS / "reviews-product-1366.png"))
        # The card on the listing carries the summary as one phrase.
        page.goto(f"{live_server}/products")
        expect(page.get_by_role("img", name="4,5 trên 5 sao, 2 đánh giá")).to_be_visible()
        screenshot(page, "reviews-listing-1366")
    finally:
        context.close()
    assert errors == []
    review = db.session.scalar(select(Review).where(Review.author_id == buyer.id))
    assert review.rating == 5
    assert review.photo_path is not None
