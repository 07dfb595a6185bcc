"""A producer signs up, registers, submits a certificate; staff verify both."""

import re

import pytest
from sqlalchemy import select

from shop.auth.models import Role
from shop.certification.models import Certificate, ReviewState
from shop.extensions import db
from shop.producers.models import Producer, ProducerStatus
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot
from tests.e2e.landing import signed_in_landing

pytestmark = pytest.mark.e2e


def test_producer_onboarding_and_staff_verification(live_server, page, make_user):
    make_user(email="canbo@example.vn", role=Role.STAFF, full_name="Cán bộ Sở Công Thương")

    # Sign up.
    page.goto(f"{live_server}/register")
    page.fill("#full_name", "Vàng Mí Sính")
    page.fill("#email", "sinh@example.vn")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.click("button[type=submit]:has-text('Đăng ký')")
    # The same answer whether or not the address had an account: check your mail.
    page.wait_for_url(f"{live_server}/register/sent")
    assert "Chúng tôi đã gửi một thư tới sinh@example.vn." in page.content()
    page.click("main a:has-text('Đăng nhập')")
    page.fill("#email", "sinh@example.vn")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]:has-text('Đăng nhập')")
    page.wait_for_url(signed_in_landing(live_server))

    # Register the cooperative; the commune list follows the province (wards.js).
    page.goto(f"{live_server}/producer/register")
    page.select_option("#kind", "cooperative")
    page.fill("#legal_name", "Hợp tác xã Chè Shan Tuyết Lũng Phìn")
    page.fill("#registration_number", "5100456789")
    page.fill("#representative", "Vàng Mí Sính")
    page.fill("#phone", "0912 345 678")
    page.fill("#email", "htx.lungphin@example.vn")
    page.select_option("#province_code", "8")
    page.wait_for_selector("#ward_code option[value='763']", state="attached")
    page.select_option("#ward_code", "763")
    page.fill("#street", "Thôn Sán Trồ")
    page.fill("#former_locality", "Hà Giang")
    screenshot(page, "producer-register")
    page.click("button[type=submit]:has-text('Gửi hồ sơ')")
    page.wait_for_url(f"{live_server}/producer/")
    assert "Chờ xác minh" in page.content()

    # A product, then its certificate.
    page.goto(f"{live_server}/producer/products/new")
    page.fill("#name", "Chè Shan Tuyết Lũng Phìn")
    page.select_option("#product_set_id", label="I.11 Chè")
    page.fill("#price_vnd", "350.000")
    page.fill("#stock", "40")
    page.fill("#unit", "Hộp")
    page.fill("#net_quantity", "200 g")
    page.click("button[type=submit]:has-text('Lưu')")
    page.wait_for_url(re.compile(r".*/producer/products/\d+$"))

    page.goto(f"{live_server}/producer/certificates/new")
    page.select_option("#product_id", label="Chè Shan Tuyết Lũng Phìn")
    page.select_option("#product_set_id", label="I.11 Chè")
    page.select_option("#star_rank", "4")
    page.fill("#score", "78")
    page.fill("#decision_number", "1234/QĐ-UBND")
    page.fill("#decision_date", "2025-09-15")
    page.select_option("#issuer_level", "province")
    page.fill("#issuer_name", "UBND tỉnh Tuyên Quang")
    screenshot(page, "certificate-new")
    page.click("button[type=submit]:has-text('Gửi chứng nhận')")
    page.wait_for_url(f"{live_server}/producer/certificates")
    assert "1234/QĐ-UBND" in page.content()
    screenshot(page, "producer-certificates")

    page.click("button:has-text('Đăng xuất')")
    page.wait_for_url(signed_in_landing(live_server))

    # Staff verify the producer, then the certificate.
    page.goto(f"{live_server}/login")
    page.fill("#email", "canbo@example.vn")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]:has-text('Đăng nhập')")
    page.goto(f"{live_server}/staff/producers")
    page.click("text=Hợp tác xã Chè Shan Tuyết Lũng Phìn")
    screenshot(page, "staff-producer")
    page.click("button:has-text('Xác minh chủ thể')")
    page.wait_for_url(f"{live_server}/staff/producers")
    assert "Đã xác minh chủ thể" in page.content()

    page.goto(f"{live_server}/staff/certificates")
    page.click("text=Chè Shan Tuyết Lũng Phìn")
    page.check("#checked_decision")
    if page.locator("#no_scan_confirmed").count():
        page.check("#no_scan_confirmed")
    page.click("button:has-text('Xác minh chứng nhận')")
    page.wait_for_url(f"{live_server}/staff/certificates")
    assert "Đã xác minh chứng nhận 1234/QĐ-UBND" in page.content()
    screenshot(page, "staff-certificates")

    assert page.js_errors == []
    db.session.expire_all()
    producer = db.session.scalar(select(Producer))
    assert producer.status == ProducerStatus.VERIFIED
    assert producer.ward.name == "Xã Lũng Phìn"
    certificate = db.session.scalar(select(Certificate))
    assert certificate.review == ReviewState.VERIFIED
    assert certificate.reviewed_by.email == "canbo@example.vn"


def test_phone_layout_of_the_producer_form(live_server, browser, make_user):
    make_user(email="phone@example.vn")
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("#email", "phone@example.vn")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]:has-text('Đăng nhập')")
    page.goto(f"{live_server}/producer/register")
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "producer-register-phone")
    context.close()
