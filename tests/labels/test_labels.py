"""Labels: every barcode and QR is decoded by an independent reader (zxing-cpp)
from the PNG and from the PDF rasterised at 150 and 300 dpi."""

import io
from datetime import date

import pypdfium2
import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import func, select

from shop.catalog.gtin import InvalidGtin
from shop.certification.services import revoke_certificate
from shop.extensions import db
from shop.labels.layout import SHEETS, LabelContent
from shop.labels.models import LabelPrint
from shop.labels.render import label_pdf, label_png, label_svg, sheet_pdf
from shop.labels.symbols import ean13
from tests.helpers_http import assert_redirect

GTIN = "8936045900000"
URL = "https://cho-ocop.vn/verify/32JY9W8MF5"
CONTENT = LabelContent(
    code="32JY9W8MF5",
    verify_url=URL,
    product_name="Chè Shan Tuyết Lũng Phìn",
    producer_name="Hợp tác xã Chè Shan Tuyết Lũng Phìn",
    province="Tuyên Quang",
    pack="Hộp 200 g",
    stars=4,
    year=2026,
    decision_number="1201/QĐ-UBND",
    valid_until=date(2029, 1, 26),
    gtin=GTIN,
)


def decode(image: Image.Image) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for result in zxingcpp.read_barcodes(image):
        found.setdefault(result.format.name, []).append(result.text)
    return found


def pages(pdf: bytes, dpi: int) -> list[Image.Image]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72).to_pil() for page in document]
    finally:
        document.close()


def test_png_label_decodes():
    image = Image.open(io.BytesIO(label_png(CONTENT, dpi=300)))
    assert image.info["dpi"][0] == pytest.approx(300, abs=1)
    assert decode(image) == {"QRCode": [URL], "EAN13": [GTIN]}


@pytest.mark.parametrize("dpi", [150, 300])
def test_pdf_label_decodes_at(dpi):
    (page,) = pages(label_pdf(CONTENT), dpi)
    assert decode(page) == {"QRCode": [URL], "EAN13": [GTIN]}


def test_pdf_is_vectors_with_the_font_embedded():
    pdf = label_pdf(CONTENT)
    document = pypdfium2.PdfDocument(pdf)
    try:
        kinds = {obj.type for obj in document[0].get_objects()}
    finally:
        document.close()
    assert pypdfium2.raw.FPDF_PAGEOBJ_IMAGE not in kinds
    assert pypdfium2.raw.FPDF_PAGEOBJ_PATH in kinds
    assert b"DejaVuSans" in pdf
    assert b"FontFile2" in pdf  # the TrueType font is embedded


def test_label_without_gtin_has_only_the_qr():
    content = LabelContent(**{**CONTENT.__dict__, "gtin": None})
    assert decode(Image.open(io.BytesIO(label_png(content)))) == {"QRCode": [URL]}


def test_svg_label_is_clean_vectors():
    svg = label_svg(CONTENT)
    assert svg.startswith("<svg")
    assert "<script" not in svg
    assert "<image" not in svg
    assert "Chè Shan Tuyết Lũng Phìn" in svg
    assert svg.count("<rect") > 100  # bars and QR modules are rectangles


def test_wrong_check_digit_is_refused_not_corrected():
    with pytest.raises(InvalidGtin):
        ean13("8936045900001", 0, 0, 0.33, 10)


@pytest.mark.parametrize("layout", sorted(SHEETS))
@pytest.mark.parametrize("dpi", [150, 300])
def test_every_label_on_a_full_sheet_decodes(layout, dpi):
    sheet = SHEETS[layout]
    out = io.BytesIO()
    assert sheet_pdf([CONTENT], sheet, sheet.per_sheet, out=out) == sheet.per_sheet
    (page,) = pages(out.getvalue(), dpi)
    px = dpi / 25.4
    for index in range(sheet.per_sheet):
        x, y = sheet.position(index)
        label = page.crop(
            (
                round(x * px),
                round(y * px),
                round((x + sheet.width) * px),
                round((y + sheet.height) * px),
            )
        )
        assert decode(label) == {"QRCode": [URL], "EAN13": [GTIN]}, (layout, dpi, index)


def test_quantity_start_and_several_codes():
    other = LabelContent(**{**CONTENT.__dict__, "code": "X", "verify_url": URL + "X", "gtin": None})
    sheet = SHEETS["3x8"]
    out = io.BytesIO()
    assert sheet_pdf([CONTENT, other], sheet, 15, start=20, out=out) == 30
    rendered = pages(out.getvalue(), 150)
    assert len(rendered) == 3  # 5 slots left on the first sheet, 24 on the next, 1 more
    px = 150 / 25.4
    x, y = sheet.position(18)  # position 19: left empty for the used part of the sheet
    empty = rendered[0].crop(
        (
            round(x * px),
            round(y * px),
            round((x + sheet.width) * px),
            round((y + sheet.height) * px),
        )
    )
    assert decode(empty) == {}


# --- downloads, permissions, refusals, the print log ----------------------------------


@pytest.fixture
def owner_client(client, make_user, make_producer, make_listed, auth):
    from shop.certification.queries import current_certificate

    owner = make_user(email="owner@example.vn")
    product = make_listed("Chè Shan Tuyết", producer=make_producer(owner=owner), gtin=GTIN)
    client.certificate = current_certificate(product)
    assert_redirect(auth.login("owner@example.vn"), "/producer/")
    return client


@pytest.mark.parametrize(
    ("fmt", "mime"), [("svg", "image/svg+xml"), ("png", "image/png"), ("pdf", "application/pdf")]
)
def test_owner_downloads_a_label(owner_client, fmt, mime):
    code = owner_client.certificate.verification_code
    response = owner_client.get(f"/labels/{code}.{fmt}")
    assert response.status_code == 200
    assert response.mimetype == mime
    assert "attachment" in response.headers["Content-Disposition"]
    if fmt == "png":
        found = decode(Image.open(io.BytesIO(response.data)))
        assert found["EAN13"] == [GTIN]
        assert found["QRCode"][0].endswith(f"/verify/{code}")
    entry = db.session.scalar(select(LabelPrint))
    assert (entry.format, entry.quantity, entry.certificate_id) == (
        fmt,
        1,
        owner_client.certificate.id,
    )


def test_sheet_download_is_logged(owner_client):
    code = owner_client.certificate.verification_code
    response = owner_client.get(f"/labels/sheet.pdf?code={code}&layout=2x7&quantity=20&start=3")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert len(pages(response.data, 72)) == 2
    assert db.session.scalar(select(func.sum(LabelPrint.quantity))) == 20


@pytest.mark.parametrize(
    "query",
    ["layout=9x9", "quantity=0", "quantity=abc", "quantity=10001", "start=0", "start=25"],
)
def test_bad_sheet_parameters_are_400(owner_client, query):
    code = owner_client.certificate.verification_code
    assert owner_client.get(f"/labels/sheet.pdf?code={code}&{query}").status_code == 400


def test_sheet_without_codes_is_400(owner_client):
    assert owner_client.get("/labels/sheet.pdf?layout=3x8").status_code == 400
    assert owner_client.get("/labels/sheet.pdf?code=&layout=3x8").status_code == 400


def test_another_producers_label_is_404(owner_client, make_listed):
    from shop.certification.queries import current_certificate

    foreign = current_certificate(make_listed("Của người khác"))
    for path in (
        f"/labels/{foreign.verification_code}.png",
        f"/labels/sheet.pdf?code={foreign.verification_code}",
    ):
        assert owner_client.get(path).status_code == 404
    assert owner_client.get("/labels/NOSUCHCODE.pdf").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(LabelPrint)) == 0


def test_anonymous_is_sent_to_login(client, make_listed):
    from shop.certification.queries import current_certificate

    code = current_certificate(make_listed()).verification_code
    response = client.get(f"/labels/{code}.pdf")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_staff_may_print_any_and_see_the_count(client, staff, auth, make_listed):
    from shop.certification.queries import current_certificate

    certificate = current_certificate(make_listed())
    assert_redirect(auth.login(staff.email), "/staff/")
    client.get(f"/labels/sheet.pdf?code={certificate.verification_code}&quantity=7")
    page = client.get(f"/staff/certificates/{certificate.id}").get_data(as_text=True)
    assert "Đã in 7 nhãn" in page


def test_refused_for_revoked_expired_and_pending(
    owner_client, staff, make_certificate, make_product
):
    certificate = owner_client.certificate
    revoke_certificate(certificate, staff, "Không đạt")
    db.session.commit()
    response = owner_client.get(f"/labels/{certificate.verification_code}.pdf")
    assert response.status_code == 409
    assert "đã bị thu hồi" in response.get_data(as_text=True)
    product = make_product(certificate.product.producer)
    expired = make_certificate(product, decision_date=date(2022, 1, 1))
    pending = make_certificate(make_product(certificate.product.producer), verified=False)
    for cert, words in ((expired, "hết hiệu lực"), (pending, "chờ xác minh")):
        response = owner_client.get(f"/labels/{cert.verification_code}.png")
        assert response.status_code == 409
        assert words in response.get_data(as_text=True)
        assert response.mimetype == "text/html"
    assert db.session.scalar(select(func.count()).select_from(LabelPrint)) == 0


def test_superseded_certificate_is_not_labelled(owner_client, make_certificate):
    old = owner_client.certificate
    make_certificate(old.product, stars=5, decision_date=date(2026, 10, 1))
    response = owner_client.get(f"/labels/{old.verification_code}.pdf")
    assert response.status_code == 409
    assert "đánh giá lại" in response.get_data(as_text=True)


def test_label_text_is_nfc(make_listed):
    import unicodedata

    from shop.certification.queries import current_certificate
    from shop.labels.services import label_content

    nfd = unicodedata.normalize("NFD", "Chè Shan Tuyết")
    certificate = current_certificate(make_listed(nfd))
    content = label_content(certificate, URL)
    assert content.product_name == unicodedata.normalize("NFC", "Chè Shan Tuyết")
    assert content.product_name != nfd
