import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from shop.auth.models import Role
from shop.certification.models import Certificate, ReviewState
from shop.clock import today_vn
from shop.extensions import db
from tests.factories import product_set
from tests.helpers_http import assert_redirect, follow


@pytest.fixture
def producer_client(client, make_user, make_producer, make_product, auth):
    owner = make_user(email="owner@example.vn")
    producer = make_producer(owner=owner)
    product = make_product(producer, name="Chè Shan Tuyết Lũng Phìn")
    assert_redirect(auth.login("owner@example.vn"), "/producer/")
    client.product = product
    return client


def _form(product, **overrides):
    data = {
        "product_id": str(product.id),
        "product_set_id": str(product_set("I.11").id),
        "star_rank": "4",
        "score": "78",
        "decision_number": "1234/QĐ-UBND",
        "decision_date": "2025-09-15",
        "issuer_level": "province",
        "issuer_name": "UBND tỉnh Tuyên Quang",
        "legal_basis": "148/QĐ-TTg (24/02/2023)",
    }
    data.update(overrides)
    return data


def _count():
    return db.session.scalar(select(func.count()).select_from(Certificate))


def test_producer_submits_a_certificate_with_a_pdf_scan(app, producer_client):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    response = producer_client.post(
        "/producer/certificates/new",
        data=_form(producer_client.product, scan=(io.BytesIO(pdf), "qd.pdf")),
        content_type="multipart/form-data",
    )
    assert_redirect(response, "/producer/certificates")
    certificate = db.session.scalar(select(Certificate))
    assert certificate.review == ReviewState.PENDING
    assert certificate.star_rank == 4
    assert certificate.decision_date == date(2025, 9, 15)
    assert certificate.scan_content_type == "application/pdf"
    with producer_client.get(f"/producer/certificates/{certificate.id}/scan") as scan:
        assert scan.status_code == 200
        assert scan.data == pdf
        assert scan.headers["Content-Disposition"].startswith("attachment")


def test_typed_dd_mm_yyyy_date_is_accepted(producer_client):
    response = producer_client.post(
        "/producer/certificates/new",
        data=_form(producer_client.product, decision_date="15/09/2025"),
    )
    assert_redirect(response, "/producer/certificates")
    assert db.session.scalar(select(Certificate.decision_date)) == date(2025, 9, 15)


FUTURE = (today_vn() + timedelta(days=1)).isoformat()

BAD_INPUT = [
    ({"star_rank": "2"}, "Hạng sao phải là 3, 4 hoặc 5"),
    ({"star_rank": "6"}, "Hạng sao phải là 3, 4 hoặc 5"),
    ({"star_rank": "abc"}, "Hạng sao phải là 3, 4 hoặc 5"),
    ({"decision_date": FUTURE}, "Ngày quyết định không được ở tương lai."),
    ({"decision_date": "31/02/2025"}, "Ngày không hợp lệ"),
    ({"decision_date": ""}, "Vui lòng nhập ngày quyết định."),
    ({"decision_date": "2017-01-01"}, "Chương trình OCOP bắt đầu từ 07/5/2018."),
    ({"decision_number": ""}, "Vui lòng nhập số quyết định."),
    ({"decision_number": "QĐ-UBND"}, "Số quyết định có dạng 1234/QĐ-UBND."),
    ({"decision_number": "1/" + "x" * 70}, "Tối đa 60 ký tự."),
    ({"issuer_name": ""}, "Vui lòng nhập cơ quan ban hành."),
    ({"issuer_level": "galaxy"}, "Vui lòng chọn cấp công nhận."),
    ({"star_rank": "5", "score": "92"}, "Sản phẩm 5 sao do Trung ương (Bộ) công nhận."),
    ({"issuer_level": "central"}, "Sản phẩm 3–4 sao do cấp tỉnh hoặc cấp huyện công nhận."),
    (
        {"issuer_level": "district", "decision_date": "2025-07-02"},
        "Cấp huyện không còn từ 01/7/2025.",
    ),
    ({"score": "95"}, "Điểm 95 không khớp với hạng 4 sao."),
    ({"score": "101"}, "Điểm phải từ 0 đến 100."),
    ({"product_set_id": "9999"}, "Vui lòng chọn bộ sản phẩm trong danh mục OCOP."),
    ({"product_id": "9999"}, "Vui lòng chọn một sản phẩm của chủ thể."),
    ({"legal_basis": "my own rules"}, "Vui lòng chọn căn cứ pháp lý."),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_INPUT)
def test_bad_certificate_input_gets_a_message_and_saves_nothing(
    producer_client, overrides, message
):
    response = producer_client.post(
        "/producer/certificates/new", data=_form(producer_client.product, **overrides)
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count() == 0


def test_svg_scan_is_refused(producer_client):
    response = producer_client.post(
        "/producer/certificates/new",
        data=_form(producer_client.product, scan=(io.BytesIO(b"<svg></svg>"), "qd.svg")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Chỉ nhận tệp PDF hoặc ảnh" in response.get_data(as_text=True)
    assert _count() == 0


def test_another_producers_product_cannot_be_certified(producer_client, make_product):
    foreign = make_product()
    response = producer_client.post("/producer/certificates/new", data=_form(foreign))
    assert response.status_code == 400
    assert _count() == 0


def test_staff_verifies_and_revokes_through_the_pages(client, make_user, make_certificate, auth):
    certificate = make_certificate(verified=False)
    make_user(email="canbo@example.vn", role=Role.STAFF)
    assert_redirect(auth.login("canbo@example.vn"), "/staff/")
    queue = client.get("/staff/certificates")
    assert queue.status_code == 200
    assert certificate.decision_number in queue.get_data(as_text=True)
    detail = f"/staff/certificates/{certificate.id}"
    checked = {"checked_decision": "y", "no_scan_confirmed": "y"}  # no scan was sent
    assert_redirect(client.post(f"{detail}/verify", data=checked), "/staff/certificates")
    db.session.refresh(certificate)
    assert certificate.review == ReviewState.VERIFIED
    response = client.post(f"{detail}/revoke", data={"reason": ""})
    assert response.status_code == 400
    db.session.refresh(certificate)
    assert certificate.revoked_at is None
    response = client.post(f"{detail}/revoke", data={"reason": "Không đạt"})
    page = follow(client, response, detail).get_data(as_text=True)
    db.session.refresh(certificate)
    assert certificate.revoked_at is not None
    assert "Đã thu hồi" in page
    from shop.mail import outbox

    subjects = [m["Subject"] for m in outbox() if m["To"] == certificate.product.producer.email]
    assert [s.split(" của ")[0] for s in subjects] == ["Chứng nhận OCOP", "Chứng nhận OCOP"]
    assert "đã được xác minh" in subjects[0]
    assert "đã bị thu hồi" in subjects[1]
    assert "Lý do: Không đạt" in outbox()[-1].get_content()


def test_certificate_of_unverified_producer_waits(
    client, make_user, make_producer, make_product, make_certificate, auth
):
    product = make_product(make_producer(verified=False))
    certificate = make_certificate(product, verified=False)
    make_user(email="canbo@example.vn", role=Role.STAFF)
    assert_redirect(auth.login("canbo@example.vn"), "/staff/")
    detail = f"/staff/certificates/{certificate.id}"
    page = follow(client, client.post(f"{detail}/verify"), detail).get_data(as_text=True)
    assert "Hãy xác minh chủ thể trước" in page
    db.session.refresh(certificate)
    assert certificate.review == ReviewState.PENDING


def test_staff_rejects_with_reason(client, make_user, make_certificate, auth):
    certificate = make_certificate(verified=False)
    make_user(email="canbo@example.vn", role=Role.STAFF)
    assert_redirect(auth.login("canbo@example.vn"), "/staff/")
    detail = f"/staff/certificates/{certificate.id}"
    assert_redirect(client.post(f"{detail}/reject", data={"reason": "Sai số QĐ"}), detail)
    db.session.refresh(certificate)
    assert certificate.review == ReviewState.REJECTED
    assert certificate.rejection_reason == "Sai số QĐ"
    from shop.mail import outbox

    (mail,) = outbox()
    assert mail["To"] == certificate.product.producer.email
    assert "bị từ chối" in mail["Subject"]
    assert "Lý do: Sai số QĐ" in mail.get_content()


def test_unknown_register_filters_are_ignored(client, staff, auth, make_certificate):
    certificate = make_certificate()
    assert_redirect(auth.login(staff.email), "/staff/")
    page = client.get("/staff/certificates?status=bogus&stars=9&province=abc")
    assert page.status_code == 200
    assert certificate.decision_number in page.get_data(as_text=True)
