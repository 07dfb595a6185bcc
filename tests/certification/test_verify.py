"""The public verification page and API, for each status, with the clock moved."""

from datetime import date

import pytest

from shop.certification.services import revoke_certificate
from shop.extensions import db


@pytest.fixture
def at(monkeypatch):
    """Move the shop's clock: at(date(2027, 1, 1))."""

    def move(day: date):
        monkeypatch.setattr("shop.certification.views.today_vn", lambda: day)
        monkeypatch.setattr("shop.api.views.today_vn", lambda: day)  # /api/v1/verify

    return move


DECIDED = date(2025, 9, 15)  # valid through 15/09/2028 (Civil Code: day not counted)


@pytest.fixture
def certificate(make_listed):
    from shop.certification.queries import current_certificate

    product = make_listed("Chè Shan Tuyết Lũng Phìn", stars=4, decision_date=DECIDED)
    return current_certificate(product)


@pytest.mark.parametrize(
    ("today", "word", "status"),
    [
        (date(2026, 11, 28), "CÒN HIỆU LỰC", "valid"),
        (date(2028, 9, 1), "SẮP HẾT HẠN", "expiring"),
        (date(2028, 9, 15), "SẮP HẾT HẠN", "expiring"),
        (date(2028, 9, 16), "HẾT HIỆU LỰC", "expired"),
    ],
)
def test_status_by_date(client, certificate, at, today, word, status):
    at(today)
    page = client.get(f"/verify/{certificate.verification_code}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert word in text
    assert "Chè Shan Tuyết Lũng Phìn" in text
    assert "15/09/2028" in text
    assert certificate.decision_number in text
    api = client.get(f"/api/v1/verify/{certificate.verification_code}").get_json()
    assert api["status"] == status
    assert api["valid_through"] == "2028-09-15"
    assert api["valid_until"] == api["valid_through"]  # the older name, kept for clients
    assert api["star_rank"] == 4
    if status == "expired":
        assert api["product"]["url"] is None
        assert "Mua sản phẩm này" not in text
    else:
        assert api["product"]["url"].endswith("/products/che-shan-tuyet-lung-phin")
        assert "Mua sản phẩm này" in text


def test_revoked_shows_date_and_reason(client, certificate, staff, at):
    revoke_certificate(certificate, staff, "Không đạt khi đánh giá lại")
    db.session.commit()
    at(date(2026, 11, 28))
    text = client.get(f"/verify/{certificate.verification_code}").get_data(as_text=True)
    assert "ĐÃ THU HỒI" in text
    assert "Không đạt khi đánh giá lại" in text
    assert "★★★★" not in text
    api = client.get(f"/api/v1/verify/{certificate.verification_code}").get_json()
    assert api["status"] == "revoked"
    assert api["revoked"]["reason"] == "Không đạt khi đánh giá lại"
    assert api["product"]["url"] is None


def test_superseded_points_to_the_re_rating(client, certificate, make_certificate, at):
    newer = make_certificate(certificate.product, stars=5, decision_date=date(2026, 10, 1))
    at(date(2026, 11, 28))
    text = client.get(f"/verify/{certificate.verification_code}").get_data(as_text=True)
    assert "HẾT HIỆU LỰC" in text
    assert f"/verify/{newer.verification_code}" in text
    api = client.get(f"/api/v1/verify/{certificate.verification_code}").get_json()
    assert (api["status"], api["replaced_by"]) == ("expired", newer.verification_code)


def test_lower_case_code_works(client, certificate):
    assert client.get(f"/verify/{certificate.verification_code.lower()}").status_code == 200


@pytest.mark.parametrize("code", ["ZZZZZZZZZZ", "%3Cscript%3E", "x" * 200])
def test_unknown_code_is_404(client, code):
    page = client.get(f"/verify/{code}")
    assert page.status_code == 404
    assert "KHÔNG TÌM THẤY" in page.get_data(as_text=True)
    api = client.get(f"/api/v1/verify/{code}")
    assert api.status_code == 404
    assert api.get_json()["error"]["code"] == 404


def test_pending_certificate_is_not_found(client, make_certificate):
    pending = make_certificate(verified=False)
    assert client.get(f"/verify/{pending.verification_code}").status_code == 404


def test_unknown_codes_are_rate_limited_but_real_ones_are_not(client, certificate):
    for n in range(20):
        assert client.get(f"/api/v1/verify/UNKNOWN{n:03d}").status_code == 404
    assert client.get("/verify/UNKNOWN999").status_code == 429
    # Scanning a real label is not a miss; it still answers for other addresses.
    other = {"REMOTE_ADDR": "10.9.9.9"}
    assert (
        client.get(f"/verify/{certificate.verification_code}", environ_base=other).status_code
        == 200
    )


def test_real_codes_never_spend_the_budget(client, certificate):
    for _ in range(30):
        assert client.get(f"/verify/{certificate.verification_code}").status_code == 200


def test_gs1_digital_link_resolves_to_the_page(client, make_listed):
    from shop.certification.queries import current_certificate

    product = make_listed("Mật ong bạc hà", gtin="8936045900000")
    response = client.get("/01/08936045900000")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/verify/{current_certificate(product).verification_code}"
    )
    assert client.get("/01/08936045900001").status_code == 404  # bad check digit
    assert client.get("/01/04006381333931").status_code == 404  # nobody's product here
