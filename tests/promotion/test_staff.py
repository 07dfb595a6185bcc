"""The staff console's home and its one navigation (shop/promotion/staff.py)."""

import re

import pytest
from werkzeug.datastructures import MultiDict

from shop.auth.models import Role
from shop.promotion.staff import STAFF_NAV, current_link
from tests.helpers_http import assert_redirect

CURRENT = re.compile(r'<a href="([^"]*)" aria-current="page">([^<]*)</a>')


def _label(endpoint, **args):
    link = current_link(endpoint, MultiDict(args))
    return None if link is None else str(link.label)


@pytest.mark.parametrize(
    ("endpoint", "args", "label"),
    [
        ("promotion_staff.dashboard", {}, "Tổng quan"),
        ("certification_staff.certificate_queue", {"status": "pending"}, "Chờ xác minh"),
        ("certification_staff.certificate_queue", {}, "Sổ chứng nhận"),
        ("certification_staff.certificate_queue", {"status": "expired"}, "Sổ chứng nhận"),
        ("certification_staff.certificate_detail", {}, "Sổ chứng nhận"),
        ("certification_staff.expiry", {}, "Theo dõi hết hạn"),
        ("producers_staff.producer_detail", {}, "Chủ thể"),
        ("promotion_staff.campaign_detail", {}, "Chiến dịch"),
        ("labels_staff.artwork", {}, "Biểu trưng OCOP"),
        ("audit_staff.audit_log", {}, "Nhật ký"),
        ("staff_payments.order", {}, "Đơn hàng"),
        ("settlements.staff_detail", {}, "Quyết toán"),
        ("reports.report", {}, "Báo cáo"),
        ("legal_staff.detail", {}, "Khiếu nại"),
        ("reviews_staff.queue", {}, "Đánh giá"),
        ("catalog_staff.gtins", {}, "Mã GTIN"),
        ("jobs_staff.outbox", {}, "Hàng đợi gửi"),
    ],
)
def test_each_page_belongs_to_one_area(app, endpoint, args, label):
    with app.test_request_context():
        assert _label(endpoint, **args) == label


def test_pages_outside_the_console_mark_nothing(app):
    with app.test_request_context():
        assert _label("settlements_producer.producer_index") is None
        assert _label("campaigns.campaign") is None
        assert _label(None) is None


def test_every_link_builds(app):
    with app.test_request_context():
        from flask import url_for

        urls = [url_for(link.endpoint, **link.args) for link in STAFF_NAV]
    assert all(u.startswith("/staff/") for u in urls)


def test_the_home_counts_what_waits(client, auth, staff, make_producer, make_certificate):
    make_producer(verified=False)
    make_certificate(verified=False)  # its producer verified, the certificate pending
    assert_redirect(auth.login(staff.email), "/staff/")
    response = client.get("/staff/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<strong>1</strong> chủ thể chờ xác minh" in page
    assert "<strong>1</strong> chứng nhận chờ xác minh" in page
    assert CURRENT.findall(page) == [("/staff/", "Tổng quan")]


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("/staff/certificates?status=pending", "Chờ xác minh"),
        ("/staff/certificates", "Sổ chứng nhận"),
        ("/staff/expiry", "Theo dõi hết hạn"),
        ("/staff/campaigns", "Chiến dịch"),
        ("/staff/orders", "Đơn hàng"),
    ],
)
def test_the_navigation_marks_the_current_area(client, auth, staff, path, label):
    assert_redirect(auth.login(staff.email), "/staff/")
    response = client.get(path)
    assert response.status_code == 200
    nav = response.get_data(as_text=True).split('<nav class="subnav"', 1)[1].split("</nav>")[0]
    assert CURRENT.findall(nav) == [(path, label)]


def test_the_audit_log_is_offered_to_administrators_only(client, auth, staff, make_user):
    assert_redirect(auth.login(staff.email), "/staff/")
    response = client.get("/staff/")
    assert response.status_code == 200
    assert 'href="/staff/audit"' not in response.get_data(as_text=True)
    auth.logout()
    admin = make_user(email="admin@example.vn", role=Role.ADMIN)
    assert_redirect(auth.login(admin.email), "/staff/")
    response = client.get("/staff/")
    assert response.status_code == 200
    assert 'href="/staff/audit"' in response.get_data(as_text=True)
