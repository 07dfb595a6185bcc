"""The producer's label page: a sheet form (layout, quantity, start), the printer's
offset (stored, bounded, applied to that producer's sheets) and the calibration page."""

import io

import pypdfium2
import pytest
from PIL import Image

from shop.extensions import db
from tests.helpers_http import assert_redirect
from tests.labels.test_labels import GTIN, owner_client  # noqa: F401


def _ink_left(pdf: bytes) -> int:
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=254 / 72).to_pil().convert("L")
    finally:
        document.close()
    return Image.eval(image, lambda v: 255 - v).point(lambda v: 255 if v > 128 else 0).getbbox()[0]


def test_page_has_the_forms(owner_client):  # noqa: F811
    page = owner_client.get("/labels/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert owner_client.certificate.verification_code in text
    for name in ("layout", "quantity", "start", "offset_x", "offset_y"):
        assert f'name="{name}"' in text
    assert "/labels/calibration.pdf" in text


def test_sheet_form_sends_to_the_pdf(owner_client):  # noqa: F811
    code = owner_client.certificate.verification_code
    response = owner_client.get(
        "/labels/", query_string={"code": code, "layout": "2x7", "quantity": "5", "start": "9"}
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/labels/sheet.pdf?")
    for part in (f"code={code}", "layout=2x7", "quantity=5", "start=9"):
        assert part in location
    assert owner_client.get(location).status_code == 200


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ({"layout": "2x7", "quantity": "5", "start": "15"}, "Tờ 2x7 có 14 ô"),
        ({"layout": "3x8", "quantity": "0", "start": "1"}, "Từ 1 đến"),
        ({"layout": "3x8", "quantity": "abc", "start": "1"}, "quantity"),
    ],
)
def test_bad_sheet_form_is_a_400_with_the_form(owner_client, args, error):  # noqa: F811
    code = owner_client.certificate.verification_code
    response = owner_client.get("/labels/", query_string={"code": code, **args})
    assert response.status_code == 400
    assert error in response.get_data(as_text=True)


def test_another_producers_code_is_not_a_choice(owner_client, make_listed):  # noqa: F811
    from shop.certification.queries import current_certificate

    foreign = current_certificate(make_listed("Của người khác")).verification_code
    response = owner_client.get(
        "/labels/", query_string={"code": foreign, "layout": "3x8", "quantity": "1", "start": "1"}
    )
    assert response.status_code == 400


def test_offset_is_stored_bounded_and_applied(owner_client):  # noqa: F811
    producer = owner_client.certificate.product.producer
    code = owner_client.certificate.verification_code
    url = f"/labels/sheet.pdf?code={code}&layout=2x7&quantity=1"
    before = _ink_left(owner_client.get(url).data)

    response = owner_client.post("/labels/offset", data={"offset_x": "-2,5", "offset_y": "1"})
    assert_redirect(response, "/labels/")
    db.session.refresh(producer)
    assert (producer.label_offset_x, producer.label_offset_y) == (-25, 10)
    after = _ink_left(owner_client.get(url).data)
    assert after - before == pytest.approx(-25, abs=1)  # 10 px a millimetre

    for bad in ({"offset_x": "10.5", "offset_y": "0"}, {"offset_x": "x", "offset_y": "0"}):
        assert owner_client.post("/labels/offset", data=bad).status_code == 400
    db.session.refresh(producer)
    assert producer.label_offset_x == -25


def test_staff_sheets_have_no_producer_offset(client, staff, auth, owner_client):  # noqa: F811
    producer = owner_client.certificate.product.producer
    producer.label_offset_x = 50
    db.session.commit()
    url = (
        f"/labels/sheet.pdf?code={owner_client.certificate.verification_code}&layout=2x7&quantity=1"
    )
    mine = _ink_left(owner_client.get(url).data)
    auth.logout()
    assert_redirect(auth.login(staff.email), "/staff/")
    theirs = _ink_left(client.get(url).data)
    assert mine - theirs == pytest.approx(50, abs=1)


def test_calibration_page(owner_client):  # noqa: F811
    response = owner_client.get("/labels/calibration.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert len(pypdfium2.PdfDocument(io.BytesIO(response.data))) == 1


def test_label_page_needs_a_producer(client):
    assert client.get("/labels/").status_code == 302
    assert client.get("/labels/calibration.pdf").status_code == 302


def test_gtin_is_the_one_printed(owner_client):  # noqa: F811
    assert owner_client.certificate.product.gtin == GTIN
