"""A sales centre in Chromium: a producer consigns 20 units; a buyer orders 2 for
pick-up there and centre staff hand them over by the code; the till reads the
product's real label (the PNG the shop generates, decoded by zxing-cpp, the
number typed as a USB scanner types it) and sells one; stock online and at the
centre are exact; the staff report shows the sale. Screenshots of the till at a
phone's and a desktop's size go to test-artifacts/."""

import io

import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from shop.catalog.models import Product
from shop.centres.models import CentreStock, TillSale
from shop.certification.queries import current_certificate
from shop.extensions import db
from tests.centres.helpers import make_cashier, make_centre
from tests.centres.test_services import gtin
from tests.e2e.conftest import screenshot
from tests.e2e.test_checkout import add_to_cart, fill_address, place_order
from tests.factories import PASSWORD

SIZES = {"phone": (375, 812), "desktop": (1366, 900)}


def _context(browser, size="desktop"):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    return context, page


def _log_in(page, live_server, email, landing):
    page.goto(f"{live_server}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(f"{live_server}{landing}")


def test_consign_scan_the_label_and_sell_at_the_till(
    live_server, browser, make_user, make_producer, make_listed, staff
):
    centre = make_centre(name="Điểm bán OCOP Hà Giang")
    cashier = make_cashier(centre, email="thungan@example.vn")
    owner = make_user(email="htx@example.vn")
    product = make_listed(
        "Chè Shan Tuyết Lũng Phìn",
        producer=make_producer(owner=owner),
        gtin=gtin("900001"),
        price=120_000,
        stock=50,
    )
    code = current_certificate(product).verification_code

    # The producer consigns 20 units from its online stock.
    context, page = _context(browser)
    _log_in(page, live_server, owner.email, "/producer/")
    page.goto(f"{live_server}/producer/centres")
    page.select_option("#centre_id", str(centre.id))
    page.select_option("#product_id", str(product.id))
    page.fill("#quantity", "20")
    expect(page.locator("#from_online")).to_be_checked()
    page.get_by_role("button", name="Ghi ký gửi").click()
    page.wait_for_url(f"{live_server}/producer/centres")
    expect(page.locator(".flash-success")).to_contain_text("Đã ghi ký gửi 20")
    # The label the producer prints: the shop's own PNG, read by zxing-cpp.
    label = page.request.get(f"{live_server}/labels/{code}.png")
    assert label.status == 200
    assert label.headers["content-type"] == "image/png"
    symbols = {
        r.format.name: r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(label.body())))
    }
    assert symbols["EAN13"] == product.gtin
    assert symbols["QRCode"].endswith(f"/verify/{code}")
    context.close()

    # A buyer orders 2 for pick-up at the centre (free there): no shipping fee.
    context, page = _context(browser)
    add_to_cart(page, live_server, product, 2)
    page.goto(f"{live_server}/checkout")
    page.fill("#customer_name", "Trần Thị Bình")
    fill_address(page)
    page.check(f"input[name=pickup-{product.producer_id}][value='{centre.id}']")
    page.get_by_role("button", name="Cập nhật tổng tiền").click()
    expect(page.locator("aside .grand-total")).to_have_text("240.000 ₫")
    expect(
        page.locator(f"input[name=pickup-{product.producer_id}][value='{centre.id}']")
    ).to_be_checked()
    place_order(page)
    expect(page.locator(".pickup")).to_contain_text("Điểm bán OCOP Hà Giang")
    expect(page.locator(".pickup-qr svg")).to_be_visible()
    pickup_code = page.locator(".pickup-code").inner_text().strip()
    screenshot(page, "centre-pickup-order-desktop")
    assert page.js_errors == []
    context.close()

    # Centre staff look the code up (typed as a scanner types the QR) and hand over.
    context, page = _context(browser)
    _log_in(page, live_server, cashier.email, "/centre/")
    page.goto(f"{live_server}/centre/pickup")
    expect(page.locator("#pickup-code")).to_be_focused()
    page.keyboard.type(pickup_code.replace("-", ""))
    page.keyboard.press("Enter")
    expect(page.locator(".pickup-order")).to_contain_text("Chè Shan Tuyết Lũng Phìn")
    page.get_by_role("button", name="Đã giao hàng cho khách").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã giao đơn")
    expect(page.locator(".pickup-order")).to_contain_text("Đã giao")
    context.close()

    # The till: the USB scanner types the number and presses Enter.
    for size in ("phone", "desktop"):
        context, page = _context(browser, size)
        _log_in(page, live_server, cashier.email, "/centre/")
        field = page.locator("#code")
        expect(field).to_be_focused()
        expect(page.get_by_role("button", name="Quét bằng camera")).to_be_visible()
        page.keyboard.type(symbols["EAN13"])
        page.keyboard.press("Enter")
        page.wait_for_url(f"{live_server}/centre/?scanned={product.id}")
        expect(page.locator(".till-ok")).to_contain_text("Chè Shan Tuyết Lũng Phìn")
        expect(page.locator(".till-ok")).to_contain_text("Còn hiệu lực")
        expect(page.locator(".till-total")).to_have_text("120.000 ₫")
        expect(page.locator("#code")).to_be_focused()  # ready for the next scan
        assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size][0]
        screenshot(page, f"centre-till-{size}")
        if size == "phone":
            # The camera: Chromium on Linux has no BarcodeDetector, so the shop's
            # own ZXing is loaded (no camera in this browser: it says so).
            assert page.evaluate("'BarcodeDetector' in window") is False
            page.get_by_role("button", name="Quét bằng camera").click()
            page.wait_for_function(
                "() => Boolean(window.ZXing && window.ZXing.BrowserMultiFormatReader)"
            )
            expect(page.locator("[data-camera-status]")).not_to_be_empty()
            assert page.js_errors == []
            page.get_by_role("button", name="Xoá giỏ").click()
            expect(page.get_by_text("Giỏ trống")).to_be_visible()
            context.close()
            continue
        page.get_by_role("button", name="Thu tiền mặt").click()
        page.wait_for_url(f"{live_server}/centre/sales/*")
        expect(page.locator(".receipt-total")).to_have_text("120.000 ₫")
        expect(page.get_by_role("button", name="In hoá đơn")).to_be_visible()
        screenshot(page, "centre-receipt-desktop")
        page.emulate_media(media="print")
        expect(page.locator(".receipt-tools")).to_be_hidden()
        assert page.js_errors == []
        context.close()

    db.session.expire_all()
    assert db.session.get(Product, product.id).stock == 30
    assert db.session.get(CentreStock, (centre.id, product.id)).quantity == 17  # 2 picked up
    sale = db.session.query(TillSale).one()
    assert sale.total_vnd == 120_000

    # Staff see the sale in the reports.
    context, page = _context(browser)
    _log_in(page, live_server, staff.email, "/staff/")
    page.goto(f"{live_server}/staff/reports/")
    section = page.locator("#centres")
    expect(section).to_contain_text("Điểm bán OCOP Hà Giang")
    expect(section).to_contain_text("120.000 ₫")
    page.goto(f"{live_server}/products/{product.slug}")
    expect(page.locator(".centres-holding")).to_contain_text("còn 17")
    context.close()
