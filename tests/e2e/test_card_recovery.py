"""A guest with a phone and no e-mail pays by card on a phone; the card is
declined; the page says why in Vietnamese, and the guest switches the same
order to cash on delivery; the order page then shows its link and says no
e-mail will come. Screenshots at 375×812 and 1366×900 (test-artifacts/)."""

import re

import pytest
from playwright.sync_api import expect

from shop.orders.models import OrderStatus, PaymentMethod
from tests.e2e.conftest import screenshot
from tests.e2e.test_checkout import (
    ORDER_URL,
    add_to_cart,
    fill_address,
    new_page,
    no_sideways_scroll,
    order_by_number,
    outbox,
    place_order,
)
from tests.orders.helpers import order_for

pytestmark = pytest.mark.e2e

SIZES = [(375, 812), (1366, 900)]


def fill_card(page, number: str) -> None:
    card = page.locator("#card-element")
    card.locator("input[placeholder=number]").fill(number)
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("30")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("10000")


@pytest.mark.parametrize(("width", "height"), SIZES, ids=["375", "1366"])
def test_card_declined_then_cash_on_delivery(
    app, stripe_app, live_server, browser, make_listed, width, height
):
    product = make_listed(name="Chè Shan Tuyết", price=150_000, stock=5)
    page = new_page(browser, width)
    page.set_viewport_size({"width": width, "height": height})
    add_to_cart(page, live_server, product, 1)
    page.goto(f"{live_server}/checkout")
    page.fill("#customer_name", "Trần Thị Bình")
    expect(page.locator("label[for=email]")).to_have_text("Email (không bắt buộc)")
    fill_address(page)
    # Scripts run: card is offered.
    expect(page.locator("input[name=payment_method][value=card]")).to_be_visible()
    page.check("input[name=payment_method][value=card]")
    assert no_sideways_scroll(page)
    screenshot(page, f"pay-checkout-no-email-{width}")
    number = place_order(page)

    expect(page.locator("#card-pay")).to_be_enabled()
    fill_card(page, "4000000000000341")  # localstripe declines it when charging
    page.locator("#card-pay").click()
    errors = page.locator("#card-errors")
    expect(errors).to_have_text(re.compile(r"^Thẻ bị từ chối\. "))
    expect(page.locator("#card-pay")).to_be_enabled()
    expect(page.locator("#card-pay")).to_have_text(re.compile(r"^Thanh toán "))
    expect(page.locator("#switch-method")).to_have_class(re.compile("is-suggested"))
    assert no_sideways_scroll(page)
    page.locator("#card-errors").scroll_into_view_if_needed()
    screenshot(page, f"pay-card-declined-{width}")
    assert order_by_number(number).status == OrderStatus.PENDING_PAYMENT

    with page.expect_navigation(url=ORDER_URL):
        page.get_by_role("button", name="Đổi sang thanh toán khi nhận hàng (COD)").click()
    expect(page.locator(".flash-success")).to_contain_text("sang thanh toán khi nhận hàng")
    expect(page.locator("main > p .state-awaiting_delivery")).to_have_text("Chờ giao (COD)")
    expect(page.locator("#card-form")).to_have_count(0)
    # No e-mail was given: the link is shown at once, with a copy button.
    box = page.locator(".tracking-link")
    expect(box).to_contain_text("sẽ không có email nào được gửi")
    order = order_by_number(number)
    expect(page.locator("#tracking-url")).to_have_value(
        f"{live_server}/orders/{number}?key={order.access_key}"
    )
    copy = box.get_by_role("button", name="Chép đường dẫn")
    expect(copy).to_be_visible()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    copy.click()
    expect(box.locator(".copy-done")).to_have_text("Đã chép")
    assert no_sideways_scroll(page)
    screenshot(page, f"pay-confirmation-no-email-{width}")
    # The one console line is the browser noting the decline's 402 answer.
    assert [e for e in page.js_errors if "status of 402" not in e] == []

    assert (order.payment_method, order.status) == (
        PaymentMethod.COD,
        OrderStatus.AWAITING_DELIVERY,
    )
    assert order.email is None
    assert all(m["To"] == product.producer.email for m in outbox(live_server))
    page.context.close()


@pytest.mark.parametrize(("width", "height"), SIZES, ids=["375", "1366"])
def test_vietqr_page_saves_and_copies(app, live_server, browser, make_listed, width, height):
    order = order_for({make_listed(price=125_000, stock=5): 2}, method=PaymentMethod.VIETQR)
    page = new_page(browser, width)
    page.set_viewport_size({"width": width, "height": height})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{live_server}/orders/{order.number}?key={order.access_key}")
    save = page.get_by_role("link", name="Lưu ảnh QR")
    expect(save).to_be_visible()
    with page.expect_download() as download:
        save.click()
    assert download.value.suggested_filename == f"VietQR-{order.number}.png"
    amount = page.get_by_role("button", name="Chép số tiền")
    amount.click()
    expect(amount.locator("xpath=following-sibling::span[1]")).to_have_text("Đã chép")
    assert page.evaluate("navigator.clipboard.readText()") == "280000"
    page.get_by_role("button", name="Chép nội dung chuyển khoản").click()
    assert page.evaluate("navigator.clipboard.readText()") == order.number
    assert no_sideways_scroll(page)
    screenshot(page, f"pay-vietqr-{width}")
    assert page.js_errors == []
    page.context.close()
