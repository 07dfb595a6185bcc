"""The pages Decree 52/2013 (as amended by Decree 85/2021) asks for: the operator's
identity, rules, complaint procedure, privacy, returns; the seller on every listing."""

import re

import pytest

from shop.extensions import db
from shop.producers.models import ProducerStatus
from tests.factories import PROVINCE, WARD
from tests.helpers_http import assert_redirect, assert_signed_in

PAGES = ["/legal/rules", "/legal/complaints", "/legal/operator", "/legal/privacy", "/legal/returns"]


@pytest.mark.parametrize("path", PAGES)
def test_legal_pages_show_the_operator_and_may_be_cached(client, app, path):
    app.config.update(
        OPERATOR_NAME="Công ty TNHH Thử Nghiệm OCOP",
        OPERATOR_REGISTRATION="5100999888 do Sở Tài chính Tuyên Quang cấp",
    )
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Công ty TNHH Thử Nghiệm OCOP" in html  # the footer on every page, at least
    assert "5100999888 do Sở Tài chính Tuyên Quang cấp" in html
    assert response.headers["Cache-Control"].startswith("public")
    assert client.get("/en" + path).status_code == 200


def test_operator_page_lists_every_identity_field(client, app):
    app.config.update(
        OPERATOR_ADDRESS="Số 9 Đường Thử, Phường Minh Xuân",
        OPERATOR_PHONE="0207 123 4567",
        OPERATOR_EMAIL="lienhe@cho-ocop.test",
        OPERATOR_MOIT_NOTICE="Đã thông báo với Bộ Công Thương",
    )
    html = client.get("/legal/operator").get_data(as_text=True)
    for text in (
        "Số 9 Đường Thử, Phường Minh Xuân",
        'href="tel:02071234567"',
        "lienhe@cho-ocop.test",
        "Đã thông báo với Bộ Công Thương",
    ):
        assert text in html


def test_every_page_links_the_legal_pages_in_its_footer(client, app):
    html = client.get("/").get_data(as_text=True)
    footer = html[html.index('<footer class="site-footer">') :]
    for path in PAGES:
        assert f'href="{path}"' in footer


def test_complaint_procedure_states_the_configured_deadline(client, app):
    app.config["COMPLAINT_ANSWER_WORKING_DAYS"] = 5
    assert "trong 5 ngày làm việc" in client.get("/legal/complaints").get_data(as_text=True)
    assert "trong 5 ngày làm việc" in client.get("/complaints/new").get_data(as_text=True)


def test_product_page_names_the_seller_with_tax_and_registration_numbers(
    client, make_listed, make_producer
):
    producer = make_producer(tax_id="5100456789-001", registration_number="5100456789")
    product = make_listed(producer=producer)
    response = client.get(f"/products/{product.slug}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    identity = html[html.index('class="facts seller-identity"') :]
    for text in (
        producer.legal_name,
        producer.address_line,
        "Mã số thuế</dt><dd>5100456789-001",
        "Số đăng ký kinh doanh</dt><dd>5100456789",
        producer.phone,
        producer.email,
    ):
        assert text in identity


def _profile(**overrides):
    data = {
        "kind": "household",
        "legal_name": "Hộ kinh doanh Lò Văn Páo",
        "registration_number": "",
        "tax_id": "",
        "representative": "Lò Văn Páo",
        "phone": "0912 345 678",
        "email": "pao@example.vn",
        "province_code": str(PROVINCE),
        "ward_code": str(WARD),
        "street": "Thôn Sán Trồ",
        "former_locality": "",
        "description": "",
    }
    data.update(overrides)
    return data


def test_producer_profile_takes_a_tax_code_and_replacing_it_needs_review(
    client, auth, make_user, make_producer
):
    owner = make_user(email="pao@example.vn")
    producer = make_producer(
        owner=owner,
        kind="household",
        registration_number=None,
        legal_name="Hộ kinh doanh Lò Văn Páo",
    )
    assert_signed_in(auth.login("pao@example.vn"))
    response = client.post("/producer/profile", data=_profile(tax_id="0101 2345 678"))
    assert response.status_code == 400
    assert "Mã số thuế gồm 10 chữ số" in response.get_data(as_text=True)
    db.session.refresh(producer)
    assert producer.tax_id is None
    assert producer.status == ProducerStatus.VERIFIED
    response = client.post("/producer/profile", data=_profile(tax_id=" 001 203 004 567 "))
    assert_redirect(response, "/producer/profile")
    db.session.refresh(producer)
    assert producer.tax_id == "001203004567"  # a 12-digit personal number
    assert producer.status == ProducerStatus.VERIFIED  # given for the first time: no change
    assert 'value="001203004567"' in client.get("/producer/profile").get_data(as_text=True)
    response = client.post("/producer/profile", data=_profile(tax_id="0101234567"))
    assert_redirect(response, "/producer/profile")
    db.session.refresh(producer)
    assert producer.tax_id == "0101234567"
    assert producer.status == ProducerStatus.PENDING  # who the seller is changed: staff look again


def test_registration_carries_a_privacy_notice_and_an_unticked_consent_box(client, app):
    response = client.get("/register")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'href="/legal/privacy"' in html
    box = re.search(r"<input[^>]*name=\"marketing\"[^>]*>", html).group(0)
    assert 'type="checkbox"' in box
    assert "checked" not in box


def test_checkout_carries_a_privacy_notice_and_no_consent_box(client, make_listed):
    product = make_listed()
    response = client.post("/cart/add", data={"product_id": product.id, "quantity": 1})
    assert response.status_code in (302, 303)
    page = client.get("/checkout")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'href="/legal/privacy"' in html
    assert "được dùng để thực hiện đơn hàng này" in html
    assert 'name="marketing"' not in html  # the order is the legal basis, not a consent


def test_a_malformed_holiday_list_stops_the_app_at_start(database_url):
    from shop import create_app

    with pytest.raises(RuntimeError, match="PUBLIC_HOLIDAYS"):
        create_app({"SQLALCHEMY_DATABASE_URI": database_url, "PUBLIC_HOLIDAYS": "30/04/2026"})
