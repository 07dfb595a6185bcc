"""The producer's shipments in a browser: the state tabs and payment badges at a
phone's and a desktop's size, and the packing slip with its print button.
Screenshots go to test-artifacts/."""

import pytest
from playwright.sync_api import expect

from shop.extensions import db
from shop.orders.models import PaymentMethod
from shop.orders.services import apply_payment
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD
from tests.orders.helpers import order_for

SIZES = {"phone": (375, 812), "desktop": (1366, 900)}


@pytest.mark.parametrize("size", sorted(SIZES))
def test_shipments_and_slip(live_server, page, make_user, make_producer, make_listed, size):
    owner = make_user(email=f"ship-{size}@example.vn")
    producer = make_producer(owner=owner)
    tea = make_listed(
        "Chè Shan Tuyết Lũng Phìn", producer=producer, price=120_000, pack="Hộp 200 g", stock=50
    )
    honey = make_listed("Mật ong bạc hà", producer=producer, price=250_000, stock=50)
    cod = order_for({tea: 2, honey: 1})
    order_for({tea: 1}, method=PaymentMethod.VIETQR)
    paid = order_for({honey: 1}, method=PaymentMethod.VIETQR)
    apply_payment(paid, paid.total_vnd, actor=None, actor_label="test")
    db.session.commit()

    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    page.goto(f"{live_server}/login")
    page.fill("#email", owner.email)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(f"{live_server}/producer/")
    page.goto(f"{live_server}/producer/shipments")
    tabs = page.get_by_role("navigation", name="Lọc theo trạng thái")
    expect(tabs.get_by_role("link", name="Tất cả 3")).to_have_attribute("aria-current", "page")
    for badge in ("Thu tiền khi giao (COD)", "Chưa thanh toán", "Đã thanh toán"):
        expect(page.locator("tbody .state", has_text=badge)).to_have_count(1)
    screenshot(page, f"producer-shipments-{size}")
    tabs.get_by_role("link", name="Mới 3").click()
    expect(page).to_have_url(f"{live_server}/producer/shipments?state=new")

    if size == "desktop":
        page.goto(f"{live_server}/producer/shipments/{cod.shipments[0].id}/slip")
        expect(page.get_by_role("button", name="In")).to_be_visible()
        expect(page.locator(".slip-qr svg")).to_be_visible()
        expect(page.locator(".slip-collect")).to_contain_text("Thu hộ khi giao")
        screenshot(page, "producer-slip-desktop")
    assert page.js_errors == []
