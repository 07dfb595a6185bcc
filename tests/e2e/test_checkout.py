"""The whole purchase in Chromium: a guest pays cash on delivery, a signed-in
customer pays by card through localstripe's Stripe.js, and the producer ships.

The browser drives the real forms (CSRF on) against a threaded live server; the
assertions read the database and the live server's mail outbox.
"""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from shop.catalog.models import Product
from shop.extensions import db
from shop.money import format_vnd as vnd
from shop.orders.models import (
    Order,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    Shipment,
    ShipmentStatus,
)
from shop.payments.models import CardPayment
from tests.e2e.conftest import screenshot
from tests.e2e.landing import signed_in_landing
from tests.factories import PASSWORD, PROVINCE, WARD

pytestmark = pytest.mark.e2e

PRICE = 150_000
SHIPPING = 30_000  # the producers' default flat fee
ORDER_URL = re.compile(r"/orders/DH\d+(\?key=[\w-]+)?$")


def outbox(live_server) -> list:
    return live_server.app.extensions.get("mail_outbox", [])


def new_page(browser, width: int = 1200):
    """A page in its own browser context (its own cookies), collecting JS errors
    like the ``page`` fixture does."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    page.on("console", lambda msg: page.js_errors.append(msg.text) if msg.type == "error" else None)
    return page


def no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def log_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(signed_in_landing(live_server))
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def add_to_cart(page, live_server, product, quantity: int) -> None:
    page.goto(f"{live_server}/products/{product.slug}")
    page.fill("#quantity", str(quantity))
    page.locator("form.add-to-cart button[type=submit]").click()
    # static/js/cart.js adds without leaving the page and says so.
    expect(page.locator("[data-cart-status]")).to_contain_text(f"Đã thêm “{product.name}”")
    page.goto(f"{live_server}/cart")
    expect(page.locator(f"#qty-{product.id}")).to_have_value(str(quantity))


def fill_address(page, phone: str = "0912345678") -> None:
    page.fill("#phone", phone)
    page.select_option("#province_code", str(PROVINCE))
    # wards.js fetches the province's wards; wait for the one we want.
    expect(page.locator(f"#ward_code option[value='{WARD}']")).to_be_attached()
    page.select_option("#ward_code", str(WARD))
    page.fill("#street", "12 Đường Lê Lợi")


def place_order(page) -> str:
    """Submit the checkout form; returns the order number of the page we land on."""
    page.get_by_role("button", name=re.compile(r"^Đặt hàng · ")).click()
    page.wait_for_url(ORDER_URL)
    heading = page.locator("main h1")
    expect(heading).to_have_text(re.compile(r"^Đơn hàng DH\d+$"))
    return heading.inner_text().removeprefix("Đơn hàng ").strip()


def order_by_number(number: str) -> Order:
    db.session.expire_all()
    return db.session.scalar(select(Order).where(Order.number == number))


# -- 1. guest, cash on delivery ----------------------------------------------


def test_guest_buys_with_cash_on_delivery(app, live_server, page, make_listed):
    product = make_listed(name="Chè Shan Tuyết Lũng Phìn", price=PRICE, stock=10)
    producer_name = product.producer.legal_name

    add_to_cart(page, live_server, product, 2)
    # One group per producer, with its own shipping fee; then the totals.
    groups = page.locator("section.cart-group")
    expect(groups).to_have_count(1)
    expect(groups.locator("h2")).to_contain_text(producer_name)
    expect(groups.locator(".totals")).to_contain_text(vnd(2 * PRICE))
    expect(groups.locator(".totals")).to_contain_text(vnd(SHIPPING))
    expect(page.locator(".cart-summary .grand-total")).to_have_text(vnd(2 * PRICE + SHIPPING))
    expect(page.locator(".cart-link .badge")).to_have_text("2")
    assert no_sideways_scroll(page)
    screenshot(page, "checkout-cart-1200")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, "checkout-cart-375")
    page.set_viewport_size({"width": 1200, "height": 900})

    page.locator(".cart-summary a.button").click()
    page.wait_for_url(f"{live_server}/checkout")
    expect(page.locator("aside .grand-total")).to_have_text(vnd(2 * PRICE + SHIPPING))
    page.fill("#customer_name", "Trần Thị Bình")
    page.fill("#email", "binh@example.vn")
    fill_address(page)
    page.check("input[name=payment_method][value=cod]")
    assert no_sideways_scroll(page)
    screenshot(page, "checkout-form-1200")
    page.set_viewport_size({"width": 375, "height": 800})
    assert no_sideways_scroll(page), "the checkout page scrolls sideways at 375 px"
    screenshot(page, "checkout-form-375")
    page.set_viewport_size({"width": 1200, "height": 900})

    number = place_order(page)
    expect(page.locator("main > p .state-awaiting_delivery")).to_have_text("Chờ giao (COD)")
    expect(page.locator("main .grand-total")).to_have_text(vnd(2 * PRICE + SHIPPING))
    expect(page.locator("main")).to_contain_text(producer_name)
    expect(page.locator(".cart-link .badge")).to_have_count(0)  # the cart is empty now
    page.locator("main details summary").click()
    expect(page.locator(".timeline")).to_contain_text("Đơn hàng: Chờ giao (COD)")
    screenshot(page, "checkout-order-cod-1200")
    assert page.js_errors == []

    order = order_by_number(number)
    assert order.payment_method == PaymentMethod.COD
    assert order.status == OrderStatus.AWAITING_DELIVERY
    assert order.user_id is None
    assert (order.customer_name, order.phone, order.email) == (
        "Trần Thị Bình",
        "0912345678",
        "binh@example.vn",
    )
    assert (order.province_code, order.ward_code) == (PROVINCE, WARD)
    assert order.total_vnd == 2 * PRICE + SHIPPING
    assert [(line.product_id, line.quantity) for line in order.lines] == [(product.id, 2)]
    assert db.session.get(Product, product.id).stock == 8

    confirmations = [m for m in outbox(live_server) if m["To"] == "binh@example.vn"]
    assert [m["Subject"] for m in confirmations] == [f"Đơn hàng {number}"]
    body = confirmations[0].get_content()
    assert "Thanh toán khi nhận hàng (COD)." in body
    assert vnd(2 * PRICE + SHIPPING) in body
    assert f"/orders/{number}?key={order.access_key}" in body
    # The producer is told too.
    assert any(m["Subject"] == f"Đơn hàng mới {number}" for m in outbox(live_server))


# -- 2. signed-in customer, card through localstripe's Stripe.js ---------------

# localstripe's fake Stripe.js logs what it does with console.log; only console
# errors and uncaught exceptions are collected, so nothing needs excusing here.


def pay_by_card(page, live_server, product, customer, shot: str | None = None) -> str:
    """Log in, buy one unit with payment "card", pay on the order page; returns
    the order number once the page shows it paid."""
    log_in(page, live_server, customer.email)
    add_to_cart(page, live_server, product, 1)
    page.locator(".cart-summary a.button").click()
    page.wait_for_url(f"{live_server}/checkout")
    # A signed-in customer's name and e-mail are filled in already.
    expect(page.locator("#email")).to_have_value(customer.email)
    expect(page.locator("#customer_name")).to_have_value(customer.full_name)
    fill_address(page, phone="0987654321")
    page.check("input[name=payment_method][value=card]")
    number = place_order(page)
    expect(page.locator("main > p .state-pending_payment")).to_have_text("Chờ thanh toán")

    # localstripe's Stripe.js mounts plain inputs into #card-element; card.js
    # enables the button once they are there.
    expect(page.locator("#card-pay")).to_be_enabled()
    card = page.locator("#card-element")
    card.locator("input[placeholder=number]").fill("4242424242424242")
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("30")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("10000")
    expect(page.locator("#card-pay")).to_have_text(f"Thanh toán {vnd(PRICE + SHIPPING)}")
    if shot:
        screenshot(page, shot)
    with page.expect_navigation(url=ORDER_URL):
        page.locator("#card-pay").click()
    # The order and its payment are both "paid": one badge says so.
    expect(page.locator("main > p .state")).to_have_count(1)
    expect(page.locator("main > p .state-paid")).to_have_text("Đã thanh toán")
    expect(page.locator("#card-form")).to_have_count(0)
    return number


def test_signed_in_customer_pays_by_card(
    app, stripe_app, live_server, page, make_listed, make_user
):
    product = make_listed(price=PRICE, stock=5)
    customer = make_user(email="an@example.vn", full_name="Lê Văn An")

    number = pay_by_card(page, live_server, product, customer, shot="checkout-card-form-1200")
    expect(page.locator("main .totals")).to_contain_text(vnd(PRICE + SHIPPING))
    screenshot(page, "checkout-order-card-paid-1200")
    assert page.js_errors == []

    order = order_by_number(number)
    assert order.user_id == customer.id
    assert order.payment_method == PaymentMethod.CARD
    assert order.status == OrderStatus.PAID
    assert order.payment_status == PaymentStatus.PAID
    assert order.paid_vnd == order.total_vnd == PRICE + SHIPPING
    payment = db.session.scalar(select(CardPayment).where(CardPayment.order_id == order.id))
    assert payment.stripe_status == "succeeded"
    assert payment.payment_intent_id.startswith("pi_")
    assert db.session.get(Product, product.id).stock == 4
    subjects = [m["Subject"] for m in outbox(live_server) if m["To"] == customer.email]
    assert subjects == [f"Đơn hàng {number}", f"Đã nhận thanh toán đơn {number}"]


# -- 3. the producer ships the paid order --------------------------------------


def test_producer_ships_the_card_order(
    app, stripe_app, live_server, browser, page, make_listed, make_user
):
    product = make_listed(price=PRICE, stock=5)
    customer = make_user(email="an@example.vn", full_name="Lê Văn An")
    owner_email = product.producer.members[0].user.email
    number = pay_by_card(page, live_server, product, customer)

    producer_page = new_page(browser)
    log_in(producer_page, live_server, owner_email)
    producer_page.goto(f"{live_server}/producer/shipments")
    row = producer_page.locator("tbody tr", has_text=number)
    expect(row).to_contain_text("Lê Văn An")
    expect(row).to_contain_text("Đã thanh toán")  # the payment badge
    expect(row.locator(".state-new")).to_have_text("Mới")
    row.get_by_role("link", name=number).click()
    producer_page.wait_for_url(re.compile(r"/producer/shipments/\d+$"))
    heading = producer_page.locator("main h1")
    expect(heading).to_contain_text(number)

    producer_page.get_by_role("button", name="Xác nhận đơn").click()
    expect(heading.locator(".state-confirmed")).to_have_text("Đã xác nhận")
    expect(producer_page.locator(".flash-success")).to_have_text("Đã cập nhật đơn giao hàng.")
    expect(producer_page.get_by_role("button", name="Xác nhận đơn")).to_have_count(0)
    producer_page.fill("#carrier", "VNPost")
    producer_page.fill("#tracking_number", "EL123456789VN")
    screenshot(producer_page, "producer-shipment-confirmed-1200")
    producer_page.get_by_role("button", name="Đã gửi hàng").click()
    expect(heading.locator(".state-shipped")).to_have_text("Đang giao")
    expect(producer_page.locator("main")).to_contain_text(
        "Vận chuyển: VNPost, mã vận đơn EL123456789VN"
    )
    screenshot(producer_page, "producer-shipment-shipped-1200")

    db.session.expire_all()
    shipment = db.session.scalar(select(Shipment).join(Order).where(Order.number == number))
    assert shipment.status == ShipmentStatus.SHIPPED
    assert (shipment.carrier, shipment.tracking_number) == ("VNPost", "EL123456789VN")
    assert shipment.shipped_at is not None
    assert shipment.delivered_at is None
    notices = [
        m
        for m in outbox(live_server)
        if m["To"] == customer.email and m["Subject"] == f"Đơn hàng {number} đã được gửi đi"
    ]
    assert len(notices) == 1
    body = notices[0].get_content()
    assert "Đơn vị vận chuyển: VNPost, mã vận đơn: EL123456789VN" in body
    assert product.name in body

    producer_page.get_by_role("button", name="Đã giao thành công").click()
    expect(heading.locator(".state-delivered")).to_have_text("Đã giao")
    # Nothing is left to do: no actions, no empty panel where they were.
    expect(producer_page.locator(".actions-panel")).to_have_count(0)
    expect(producer_page.locator("#reason")).to_have_count(0)
    screenshot(producer_page, "producer-shipment-delivered-1200")
    assert producer_page.js_errors == []

    db.session.expire_all()
    shipment = db.session.get(Shipment, shipment.id)
    assert shipment.status == ShipmentStatus.DELIVERED
    assert shipment.delivered_at is not None
    order = order_by_number(number)
    assert order.status == OrderStatus.COMPLETED
    assert order.payment_status == PaymentStatus.PAID
    assert order.paid_vnd == order.total_vnd

    # The customer sees it on the order page.
    page.reload()
    expect(page.locator("main > p .state-completed")).to_have_text("Hoàn tất")
    expect(page.locator(f"#shipment-{shipment.id} .state-delivered")).to_have_text("Đã giao")
    expect(page.locator("main")).to_contain_text("mã vận đơn EL123456789VN")
    page.locator("main details summary").click()
    history = page.locator(".timeline")
    expect(history).to_contain_text("Thanh toán: Chưa thanh toán → Đã thanh toán")
    expect(history).to_contain_text(
        f"Giao hàng ({shipment.producer.legal_name}): Đang giao → Đã giao"
    )
    expect(history).to_contain_text("Đơn hàng: Đã thanh toán → Hoàn tất")
    screenshot(page, "checkout-order-completed-1200")
    assert page.js_errors == []
    producer_page.context.close()


# -- 4. Stripe.js does not load ------------------------------------------------


def test_card_form_says_so_when_stripe_js_does_not_load(
    app, stripe_app, live_server, localstripe, page, make_listed, make_user
):
    product = make_listed(price=PRICE, stock=5)
    customer = make_user(email="an@example.vn", full_name="Lê Văn An")
    page.route(f"{localstripe}/js.stripe.com/**", lambda route: route.abort())
    log_in(page, live_server, customer.email)
    add_to_cart(page, live_server, product, 1)
    page.goto(f"{live_server}/checkout")
    fill_address(page)
    page.check("input[name=payment_method][value=card]")
    number = place_order(page)

    expect(page.locator("#card-errors")).to_contain_text("Không tải được cổng thanh toán thẻ")
    expect(page.locator("#card-pay")).to_be_disabled()
    # The one error is the blocked script itself.
    assert len(page.js_errors) == 1, page.js_errors
    assert "net::ERR_FAILED" in page.js_errors[0]
    assert order_by_number(number).status == OrderStatus.PENDING_PAYMENT


# -- 5. 3-D Secure: card.js finishes it with Stripe.js ------------------------


def test_card_payment_with_3d_secure(app, stripe_app, live_server, page, make_listed, make_user):
    product = make_listed(price=PRICE, stock=5)
    customer = make_user(email="an@example.vn", full_name="Lê Văn An")
    log_in(page, live_server, customer.email)
    add_to_cart(page, live_server, product, 1)
    page.goto(f"{live_server}/checkout")
    fill_address(page)
    page.check("input[name=payment_method][value=card]")
    number = place_order(page)

    card = page.locator("#card-element")
    expect(page.locator("#card-pay")).to_be_enabled()
    card.locator("input[placeholder=number]").fill("4000002760003184")  # asks for 3-D Secure
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("30")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("10000")
    page.locator("#card-pay").click()
    # localstripe's stand-in for the bank's 3-D Secure page.
    with page.expect_navigation(url=ORDER_URL):
        page.get_by_role("button", name="Complete authentication").click()
    expect(page.locator("main > p .state-paid")).to_have_text("Đã thanh toán")
    assert page.js_errors == []
    order = order_by_number(number)
    assert order.paid_vnd == order.total_vnd
