"""/verify without a code: a form for the code printed beside the QR, typed by hand."""

import pytest

from shop.certification.models import CODE_ALPHABET, new_verification_code
from shop.certification.queries import group_code, normalize_code
from shop.extensions import db

CODE = "3H0KP1W7QX"  # has a 0 and a 1: typed as O, I or L by a buyer


@pytest.fixture
def certificate(make_listed):
    from shop.certification.queries import current_certificate

    certificate = current_certificate(make_listed("Chè Shan Tuyết Lũng Phìn"))
    certificate.verification_code = CODE
    db.session.commit()
    return certificate


def test_look_alikes_have_one_meaning():
    # O, I and L are never in a code; 0 and 1 are: each look-alike reads one way.
    assert not {"O", "I", "L"} & set(CODE_ALPHABET)
    assert {"0", "1"} <= set(CODE_ALPHABET)
    assert normalize_code("3h ok-pl w7qx") == CODE
    assert normalize_code("3HOKPIW7QX") == CODE
    assert normalize_code("３Ｈ０ＫＰ１Ｗ７ＱＸ") == CODE  # full-width, from a phone keyboard
    assert normalize_code("3H0KP1W7QX.") == CODE
    assert normalize_code("  ") == ""
    for _ in range(50):
        code = new_verification_code()
        assert normalize_code(code) == code
        assert normalize_code(group_code(code).lower()) == code


def test_group_code():
    assert group_code("32JY9W8MF5") == "32JY9 W8MF5"


def test_empty_form(client):
    page = client.get("/verify")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'name="code"' in text
    assert "Kiểm tra chứng nhận OCOP" in text


@pytest.mark.parametrize(
    "typed",
    [
        CODE,
        "3h0kp1w7qx",
        "3H0KP 1W7QX",
        "3H0-KP1-W7QX",
        " 3h o k p l w 7 q x ",
        "3HOKPIW7QX",
        "3H0KPLW7QX",
        "3h–0kp1–w7qx",  # en dashes
        "3Ｈ0ＫＰ1Ｗ7ＱＸ",
    ],
)
def test_typed_variants_find_the_certificate(client, certificate, typed):
    response = client.get("/verify", query_string={"code": typed})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/verify/{CODE}")
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "Chè Shan Tuyết Lũng Phìn" in page.get_data(as_text=True)


def test_typed_variant_in_the_address_and_the_api(client, certificate):
    assert client.get("/verify/3hok-plw7qx").status_code == 200
    api = client.get("/api/v1/verify/3hok-plw7qx")
    assert api.status_code == 200
    assert api.get_json()["code"] == CODE


@pytest.mark.parametrize(
    "typed", ["3H0KP1W7QY", "ZZZZZ ZZZZZ", "x" * 100, "<script>", "3H0KP1W7QX9"]
)
def test_wrong_code_is_a_404_with_the_form(client, certificate, typed):
    response = client.get("/verify", query_string={"code": typed})
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "Không tìm thấy chứng nhận OCOP nào mang mã" in text
    assert 'name="code"' in text
    assert "<script>" not in text


def test_empty_code_is_a_400_with_the_form(client):
    response = client.get("/verify", query_string={"code": " - "})
    assert response.status_code == 400
    assert "Hãy nhập mã xác thực" in response.get_data(as_text=True)


def test_not_found_page_offers_the_form(client):
    response = client.get("/verify/ZZZZZZZZZZ")
    assert response.status_code == 404
    assert 'action="/verify"' in response.get_data(as_text=True)


def test_wrong_typed_codes_spend_the_budget_of_misses(client, certificate):
    for n in range(20):
        assert client.get("/verify", query_string={"code": f"ZZZZ{n:06d}"}).status_code == 404
    assert client.get("/verify", query_string={"code": "ZZZZZZZZZZ"}).status_code == 429
    other = {"REMOTE_ADDR": "10.9.9.9"}
    response = client.get("/verify", query_string={"code": CODE}, environ_base=other)
    assert response.status_code == 302
