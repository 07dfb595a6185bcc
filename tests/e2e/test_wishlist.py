"""The wishlist, the back-in-stock form and related products in Chromium, at a
phone's and a desktop's size, with screenshots."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, make_producer

pytestmark = pytest.mark.e2e

SIZES = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1366, "height": 900}}


@pytest.mark.parametrize("size", SIZES)
def test_save_alert_and_related(live_server, browser, make_listed, make_user, size):
    producer = make_producer(legal_name="Hợp tác xã Chè Lũng Phìn")
    tea = make_listed(name="Chè Shan Tuyết Lũng Phìn", price=185_000, producer=producer)
    honey = make_listed(name="Mật ong bạc hà", price=320_000, stock=0, producer=producer)
    for name in ("Chè búp Tà Xùa", "Trà hoa vàng", "Chè xanh Tân Cương"):
        make_listed(name=name, set_code="I.11")
    make_user(email="an@example.vn", full_name="Trần Thị An")

    context = browser.new_context(viewport=SIZES[size], locale="vi-VN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # A guest's "Lưu" leads to sign-in, and back to the product.
    page.goto(f"{live_server}/products/{tea.slug}")
    page.locator(".buy .save-button").click()
    page.wait_for_url(re.compile(r"/login\?next=/products/"))
    page.fill("#email", "an@example.vn")
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live_server}/products/{tea.slug}")
    related = page.locator(".related")
    expect(related.get_by_role("heading", name="Sản phẩm liên quan")).to_be_visible()
    expect(related.locator(".card")).to_have_count(4)
    page.locator(".buy .save-button").click()
    page.wait_for_url(re.compile(r"/account/wishlist\?back="))
    expect(page.locator(".flash-success")).to_contain_text("Đã lưu")
    expect(page.locator(".wishlist .card-name")).to_have_text(["Chè Shan Tuyết Lũng Phìn"])

    # session.js marks the saved product on the cached page.
    page.goto(f"{live_server}/products/{tea.slug}")
    expect(page.locator(".buy .save-button")).to_have_attribute("aria-pressed", "true")
    screenshot(page, f"wishlist-product-related-{size}")

    # Sold out: the alert form, with the account's address filled in.
    page.goto(f"{live_server}/products/{honey.slug}")
    expect(page.locator("#alert-email")).to_have_value("an@example.vn")
    screenshot(page, f"wishlist-product-sold-out-{size}")
    page.get_by_role("button", name="Đăng ký").click()
    page.wait_for_url(f"{live_server}/products/{honey.slug}")
    expect(page.locator("[data-flashes] .flash-success")).to_contain_text("bấm liên kết xác nhận")
    # Double opt-in: the alert starts from the link in the confirmation e-mail.
    [mail] = live_server.app.extensions["mail_outbox"]
    link = re.search(r"http\S+/stock-alerts/confirm/(\S+)", mail.get_content()).group(1)
    page.goto(f"{live_server}/stock-alerts/confirm/{link}")
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("status")).to_contain_text("Đã xác nhận")
    assert errors == []
    context.close()
