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


# --- a partly used sheet: the start position ---------------------------------------


def _cells(pdf: bytes, layout, dpi=150):
    """Each cell of the first page, as an image, in the sheet's order."""
    from tests.labels.test_labels import pages

    (page, *_rest) = pages(pdf, dpi)
    px = dpi / 25.4
    for index in range(layout.per_sheet):
        x, y = layout.position(index)
        yield page.crop(
            (
                round(x * px),
                round(y * px),
                round((x + layout.width) * px),
                round((y + layout.height) * px),
            )
        )


def _blank(cell) -> bool:
    return cell.convert("L").point(lambda v: 255 if v < 250 else 0).getbbox() is None


@pytest.mark.parametrize(("layout_name", "start"), [("3x8", 5), ("2x7", 14), ("3x8", 1)])
def test_start_position_leaves_the_first_cells_empty(app, owner_client, layout_name, start):  # noqa: F811
    from shop.labels.layout import SHEETS
    from tests.labels.test_labels import decode

    base = app.config["PUBLIC_BASE_URL"].rstrip("/")
    layout = SHEETS[layout_name]
    code = owner_client.certificate.verification_code
    form = owner_client.get(
        "/labels/",
        query_string={"code": code, "layout": layout_name, "quantity": "3", "start": str(start)},
    )
    assert form.status_code == 302
    response = owner_client.get(form.headers["Location"])
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    cells = list(_cells(response.data, layout))
    for index, cell in enumerate(cells):
        if index < start - 1:
            assert _blank(cell), (layout_name, start, index)  # the used part of the sheet
        elif index < start - 1 + 3:
            found = decode(cell)
            assert found["EAN13"] == [GTIN], index
            assert found["QRCode"] == [f"{base}/verify/{code}"], index
        else:
            assert _blank(cell), (layout_name, start, index)  # nothing after the quantity


def test_quantity_bound_counts_every_certificate(owner_client, make_listed):  # noqa: F811
    from shop.certification.queries import current_certificate

    second = make_listed("Chè thứ hai", producer=owner_client.certificate.product.producer)
    codes = [
        owner_client.certificate.verification_code,
        current_certificate(second).verification_code,
    ]
    response = owner_client.get(
        "/labels/", query_string={"code": codes, "layout": "3x8", "quantity": "6000", "start": "1"}
    )
    assert response.status_code == 400
    assert "Tối đa 10000 nhãn mỗi lần in" in response.get_data(as_text=True)
    ok = owner_client.get(
        "/labels/", query_string={"code": codes, "layout": "3x8", "quantity": "5000", "start": "1"}
    )
    assert ok.status_code == 302


@pytest.mark.parametrize(
    "args",
    [
        {"layout": "3x8", "quantity": "1", "start": "0"},
        {"layout": "3x8", "quantity": "1", "start": "-3"},
        {"layout": "3x8", "quantity": "1", "start": "25"},
        {"layout": "2x5", "quantity": "1", "start": "11"},
        {"layout": "3x8", "quantity": "10001", "start": "1"},
        {"layout": "3x8", "quantity": "", "start": "1"},
        {"layout": "3x8", "quantity": "1", "start": "x"},
        {"layout": "9x9", "quantity": "1", "start": "1"},
    ],
)
def test_out_of_range_is_a_form_error_not_a_crash(owner_client, args):  # noqa: F811
    code = owner_client.certificate.verification_code
    response = owner_client.get("/labels/", query_string={"code": code, **args})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "error-summary" in text
    assert 'aria-invalid="true"' in text
