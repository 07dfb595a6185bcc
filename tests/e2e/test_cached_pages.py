"""Cached public pages in Chromium: session.js fills in the signed-in links, the
cart count and messages; with JavaScript off, adding to the cart and the language
switch still work."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.landing import signed_in_landing
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def test_session_js_fills_in_the_visitor(live_server, page, make_listed, make_user):
    product = make_listed(name="Chè Shan Tuyết Lũng Phìn", price=185_000, stock=10)
    make_user(email="an@example.vn", full_name="Trần Thị An")
    page.goto(f"{live_server}/login")
    page.fill("#email", "an@example.vn")
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(signed_in_landing(live_server))
    nav = page.locator("header nav")
    expect(nav.get_by_role("link", name="Trần Thị An")).to_be_visible()
    expect(nav.get_by_role("link", name="Đơn hàng")).to_be_visible()
    expect(nav.get_by_role("link", name="Đăng nhập")).to_be_hidden()
    expect(nav.get_by_role("link", name="Cơ sở của tôi")).to_be_hidden()

    page.goto(f"{live_server}/products/{product.slug}")
    page.fill("#quantity", "2")
    page.locator("form.add-to-cart button[type=submit]").click()
    # static/js/cart.js adds without leaving the page and updates the count.
    expect(page.locator("[data-cart-status]")).to_contain_text("Đã thêm")
    expect(page.locator(".cart-link .badge")).to_have_text("2")
    page.goto(f"{live_server}/products/{product.slug}")
    expect(page.locator(".cart-link .badge")).to_have_text("2")
    screenshot(page, "cached-product-signed-in")

    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(signed_in_landing(live_server))
    expect(page.locator("[data-flashes] .flash-info")).to_have_text("Bạn đã đăng xuất.")
    expect(nav.get_by_role("link", name="Đăng nhập")).to_be_visible()
    expect(page.locator(".cart-link .badge")).to_be_hidden()
    assert page.js_errors == []


def test_without_javascript_the_cart_and_the_switch_still_work(live_server, browser, make_listed):
    product = make_listed(name="Chè Shan Tuyết Lũng Phìn", price=185_000, stock=10)
    context = browser.new_context(java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_server}/products/{product.slug}")
    page.get_by_role("link", name="English").click()
    page.wait_for_url(f"{live_server}/en/products/{product.slug}")
    page.fill("#quantity", "3")
    page.locator("form.add-to-cart button[type=submit]").click()
    page.wait_for_url(f"{live_server}/en/cart")
    expect(page.locator(f"#qty-{product.id}")).to_have_value("3")
    expect(page.locator(".flash-success")).to_contain_text("added to your cart")
    context.close()
