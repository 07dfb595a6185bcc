"""The last valid day, the legal basis and the re-rating warning on the pages, and
certificate dates in the JSON API as days in Vietnam."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from shop.auth.models import Role
from shop.certification.exceptions import InvalidLegalBasis, NeedsConfirmation
from shop.certification.legal_bases import BASIS_148, BASIS_1048
from shop.certification.models import Certificate, IssuerLevel, ReviewState
from shop.certification.services import submit_certificate
from shop.clock import local_date, today_vn
from shop.extensions import db
from tests.certification.test_views import _count, _form, producer_client  # noqa: F401
from tests.helpers_http import assert_redirect, follow

NEW = "/producer/certificates/new"


def test_the_form_offers_the_current_level_and_basis_with_hints(producer_client):  # noqa: F811
    page = producer_client.get(NEW)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '<option selected value="province">' in text
    assert f'<option selected value="{BASIS_148}">' in text
    assert "Từ 01/7/2025: 3 và 4 sao do UBND tỉnh" in text
    assert "Hiệu lực đến hết ngày (nếu quyết định ghi rõ)" in text
    assert "confirm" not in text.split("<form", 1)[1].split("</form>")[0].lower()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"issuer_level": "district", "decision_date": "2024-05-01"},
            "sản phẩm 4 sao do cấp tỉnh công nhận, không phải cấp huyện",
        ),
        (
            {"decision_date": "2021-06-01"},
            "chỉ áp dụng từ 24/02/2023; quyết định ngày 01/06/2021 theo Quyết định 1048/QĐ-TTg",
        ),
        (
            {"printed_valid_through": "2025-09-15"},
            "Ngày hết hiệu lực phải sau ngày quyết định.",
        ),
    ],
)
def test_level_and_basis_that_do_not_fit_the_date_are_refused(
    producer_client,  # noqa: F811
    overrides,
    message,
):
    response = producer_client.post(NEW, data=_form(producer_client.product, **overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count() == 0


def test_a_transition_case_needs_the_confirmation_box(producer_client):  # noqa: F811
    data = _form(producer_client.product, decision_date="2023-06-01", legal_basis=BASIS_1048)
    response = producer_client.post(NEW, data=data)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "đã được thay bằng Quyết định 148/QĐ-TTg" in text
    assert 'name="transition_confirmed"' in text
    assert "Hãy đối chiếu với quyết định và đánh dấu xác nhận để gửi." in text
    assert _count() == 0
    response = producer_client.post(NEW, data={**data, "transition_confirmed": "y"})
    assert_redirect(response, "/producer/certificates")
    assert db.session.scalar(select(Certificate.legal_basis)) == BASIS_1048


def test_a_printed_end_date_is_recorded_and_wins(producer_client):  # noqa: F811
    data = _form(producer_client.product, printed_valid_through="31/12/2027")
    assert_redirect(producer_client.post(NEW, data=data), "/producer/certificates")
    certificate = db.session.scalar(select(Certificate))
    assert certificate.printed_valid_through == date(2027, 12, 31)
    assert certificate.valid_through == date(2027, 12, 31)


def test_without_a_printed_date_the_civil_code_day(producer_client):  # noqa: F811
    data = _form(producer_client.product, decision_date="2024-02-29")
    assert_redirect(producer_client.post(NEW, data=data), "/producer/certificates")
    certificate = db.session.scalar(select(Certificate))
    assert certificate.valid_through == date(2027, 2, 28)
    page = producer_client.get(f"/producer/certificates/{certificate.id}")
    assert page.status_code == 200
    assert "28/02/2027" in page.get_data(as_text=True)


def test_the_services_refuse_what_the_form_refuses(make_product):
    product = make_product()
    data = {
        "star_rank": 4,
        "score": None,
        "decision_number": "12/QĐ-UBND",
        "decision_date": date(2024, 5, 1),
        "issuer_level": IssuerLevel.DISTRICT,
        "issuer_name": "UBND huyện Đồng Văn",
        "legal_basis": BASIS_148,
        "product_set_id": product.product_set_id,
    }
    user = product.producer.members[0].user
    with pytest.raises(InvalidLegalBasis):
        submit_certificate(product.producer, product, user, data)
    data.update(issuer_level=IssuerLevel.PROVINCE, legal_basis=BASIS_1048)
    data["decision_date"] = date(2023, 6, 1)
    with pytest.raises(NeedsConfirmation):
        submit_certificate(product.producer, product, user, data)
    assert submit_certificate(product.producer, product, user, data | {"transition_confirmed": 1})


@pytest.fixture
def staff_client(client, make_user, auth):
    make_user(email="canbo@example.vn", role=Role.STAFF)
    assert_redirect(auth.login("canbo@example.vn"), "/staff/")
    return client


def test_staff_confirm_a_transition_case_before_verifying(staff_client, make_product):
    product = make_product()
    certificate = submit_certificate(
        product.producer,
        product,
        product.producer.members[0].user,
        {
            "star_rank": 4,
            "score": None,
            "decision_number": "77/QĐ-UBND",
            "decision_date": date(2023, 6, 1),
            "issuer_level": IssuerLevel.PROVINCE,
            "issuer_name": "UBND tỉnh Tuyên Quang",
            "legal_basis": BASIS_1048,
            "product_set_id": product.product_set_id,
            "transition_confirmed": True,
        },
    )
    db.session.commit()
    detail = f"/staff/certificates/{certificate.id}"
    page = staff_client.get(detail)
    assert page.status_code == 200
    assert 'name="confirm_transition"' in page.get_data(as_text=True)
    checked = {"checked_decision": "y", "no_scan_confirmed": "y"}
    response = staff_client.post(f"{detail}/verify", data=checked)
    assert response.status_code == 400
    assert "đánh dấu xác nhận trước khi xác minh" in response.get_data(as_text=True)
    db.session.refresh(certificate)
    assert certificate.review == ReviewState.PENDING
    response = staff_client.post(f"{detail}/verify", data={**checked, "confirm_transition": "y"})
    assert_redirect(response, "/staff/certificates")
    db.session.refresh(certificate)
    assert certificate.review == ReviewState.VERIFIED


def test_staff_record_the_printed_end_date(staff_client, make_certificate):
    certificate = make_certificate(decision_date=date(2024, 2, 29))
    detail = f"/staff/certificates/{certificate.id}"
    bad = staff_client.post(f"{detail}/end-date", data={"printed_valid_through": "2024-02-01"})
    assert bad.status_code == 400
    assert "Ngày hết hiệu lực phải sau ngày quyết định." in bad.get_data(as_text=True)
    response = staff_client.post(f"{detail}/end-date", data={"printed_valid_through": "2027-03-31"})
    page = follow(staff_client, response, detail).get_data(as_text=True)
    assert "31/03/2027" in page
    assert "như in trên quyết định" in page
    db.session.refresh(certificate)
    assert certificate.valid_through == date(2027, 3, 31)
    response = staff_client.post(f"{detail}/end-date", data={"printed_valid_through": ""})
    assert_redirect(response, detail)
    db.session.refresh(certificate)
    assert certificate.valid_through == date(2027, 2, 28)


def _ending_in(make_certificate, days: int, **kw) -> Certificate:
    certificate = make_certificate(**kw)
    certificate.printed_valid_through = today_vn() + timedelta(days=days)
    db.session.commit()
    return certificate


def test_producer_dashboard_and_lists_warn_from_90_days(
    client, make_user, make_producer, make_product, make_certificate, auth
):
    owner = make_user(email="owner@example.vn")
    producer = make_producer(owner=owner)
    near = _ending_in(make_certificate, 90, product=make_product(producer, name="Mật ong bạc hà"))
    far = _ending_in(make_certificate, 91, product=make_product(producer, name="Chè Shan Tuyết"))
    assert_redirect(auth.login("owner@example.vn"), "/producer/")
    dashboard = client.get("/producer/")
    assert dashboard.status_code == 200
    text = dashboard.get_data(as_text=True)
    assert "Chứng nhận sắp hết hiệu lực" in text
    assert "Mật ong bạc hà" in text
    assert "còn 90 ngày" in text
    warning = text.split("Chứng nhận sắp hết hiệu lực")[1].split("</section>")[0]
    assert "Chè Shan Tuyết" not in warning
    listing = client.get("/producer/certificates")
    assert listing.status_code == 200
    assert listing.get_data(as_text=True).count("rerating-warning") == 1
    assert near.rerating_warning(today_vn())
    assert not far.rerating_warning(today_vn())


def test_staff_register_warns_too(staff_client, make_certificate):
    _ending_in(make_certificate, 7)
    page = staff_client.get("/staff/certificates")
    assert page.status_code == 200
    assert "còn 7 ngày: hãy đăng ký đánh giá lại" in page.get_data(as_text=True)


def test_local_date_of_a_utc_timestamp():
    assert local_date(datetime(2026, 11, 28, 18, 30, tzinfo=UTC)) == date(2026, 11, 29)
    naive = datetime(2026, 11, 28, 16, 59, tzinfo=UTC).replace(tzinfo=None)  # as SQLite gives
    assert local_date(naive) == date(2026, 11, 28)
    assert local_date(naive + timedelta(minutes=1)) == date(2026, 11, 29)


def test_api_revocation_day_is_the_day_in_vietnam(client, make_certificate, staff):
    from shop.certification.services import revoke_certificate

    certificate = make_certificate()
    revoke_certificate(certificate, staff, "Không đạt")
    # 01:30 on 29/11 in Hà Nội is 18:30 UTC on 28/11.
    certificate.revoked_at = datetime(2026, 11, 28, 18, 30, tzinfo=UTC)
    db.session.commit()
    response = client.get(f"/api/v1/verify/{certificate.verification_code}")
    assert response.status_code == 200
    api = response.get_json()
    assert api["revoked"]["on"] == "2026-11-29"
    assert api["valid_through"] == "2028-09-15"
    assert api["valid_from"] == "2025-09-15"


def test_e_mails_give_the_last_day_and_the_revocation_day_in_vietnam(app, make_certificate, staff):
    from shop.certification.emails import certificate_reviewed
    from shop.certification.services import revoke_certificate
    from shop.mail import outbox

    certificate = make_certificate(decision_date=date(2026, 1, 28))
    certificate_reviewed(certificate, "verified")
    revoke_certificate(certificate, staff, "Không đạt")
    certificate.revoked_at = datetime(2026, 11, 28, 18, 30, tzinfo=UTC)
    certificate_reviewed(certificate, "revoked", "Không đạt")
    db.session.commit()
    verified, revoked = outbox()[-2:]
    assert "Hiệu lực đến hết ngày 28/01/2029." in verified.get_content()
    assert "Ngày thu hồi: 29/11/2026." in revoked.get_content()
