import io

import pytest
from PIL import Image
from sqlalchemy import select

from shop.extensions import db
from shop.labels.artwork import artwork_for
from shop.labels.models import LabelArtwork
from tests.factories import OTHER_PROVINCE, PROVINCE
from tests.helpers_http import assert_redirect
from tests.labels.test_labels import GTIN, decode

EVIL_SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
    b'<script>alert(1)</script><circle cx="50" cy="50" r="45" fill="#c00" onload="alert(2)"/>'
    b"</svg>"
)


def _png_bytes():
    out = io.BytesIO()
    Image.new("RGBA", (300, 300), (0, 90, 160, 255)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def staff_client(client, staff, auth):
    assert_redirect(auth.login(staff.email), "/staff/")
    return client


def _upload(client, body, name, province=""):
    return client.post(
        "/staff/artwork",
        data={"province_code": province, "artwork": (io.BytesIO(body), name)},
        content_type="multipart/form-data",
    )


def _uploaded(client, body, name, province=""):
    """Upload artwork that the page accepts: it goes back to the artwork page."""
    return assert_redirect(_upload(client, body, name, province), "/staff/artwork")


def test_svg_artwork_is_rasterised_without_its_scripts(app, staff_client):
    _uploaded(staff_client, EVIL_SVG, "ocop.svg")
    artwork = db.session.scalar(select(LabelArtwork))
    assert artwork.province_code is None
    from shop.storage import storage

    stored = storage().read(artwork.path)
    assert stored.startswith(b"\x89PNG")
    assert b"script" not in stored
    image = Image.open(io.BytesIO(stored))
    assert image.getpixel((image.width // 2, image.height // 2))[:3] == (204, 0, 0)


def test_province_artwork_wins_over_the_national_one(staff_client):
    _uploaded(staff_client, _png_bytes(), "national.png")
    _uploaded(staff_client, _png_bytes(), "tq.png", province=str(PROVINCE))
    assert artwork_for(PROVINCE).original_name == "tq.png"
    assert artwork_for(OTHER_PROVINCE).original_name == "national.png"
    _uploaded(staff_client, _png_bytes(), "national-2.png")  # replaces the national one
    assert artwork_for(OTHER_PROVINCE).original_name == "national-2.png"
    assert len(db.session.scalars(select(LabelArtwork).where(LabelArtwork.active)).all()) == 2


@pytest.mark.parametrize(
    ("body", "name", "message"),
    [(b"not an image", "x.png", "JPEG, PNG hoặc WebP"), (b"<svg", "x.svg", "SVG không đọc được")],
)
def test_bad_artwork_is_refused(staff_client, body, name, message):
    response = _upload(staff_client, body, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(LabelArtwork)) is None


def test_labels_use_the_official_artwork_and_still_scan(staff_client, make_listed):
    from shop.certification.queries import current_certificate

    _uploaded(staff_client, EVIL_SVG, "ocop.svg")
    code = current_certificate(make_listed(gtin=GTIN)).verification_code
    png = staff_client.get(f"/labels/{code}.png")
    assert png.status_code == 200
    found = decode(Image.open(io.BytesIO(png.data)))
    assert found["EAN13"] == [GTIN]
    assert found["QRCode"][0].endswith(f"/verify/{code}")
    svg_response = staff_client.get(f"/labels/{code}.svg")
    assert svg_response.status_code == 200
    svg = svg_response.get_data(as_text=True)
    assert 'href="data:image/png;base64,' in svg
    assert "<script" not in svg
    assert "4 SAO" in svg  # the star rank beside the official mark


def test_retired_artwork_is_no_longer_used(staff_client):
    _uploaded(staff_client, _png_bytes(), "national.png")
    artwork = db.session.scalar(select(LabelArtwork))
    assert_redirect(staff_client.post(f"/staff/artwork/{artwork.id}/retire"), "/staff/artwork")
    assert artwork_for(PROVINCE) is None


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_badge_download(staff_client, make_listed, fmt):
    from shop.certification.queries import current_certificate

    certificate = current_certificate(make_listed(stars=5))
    response = staff_client.get(f"/labels/{certificate.verification_code}/badge.{fmt}")
    assert response.status_code == 200
    if fmt == "svg":
        assert "5 SAO" in response.get_data(as_text=True)
    else:
        assert Image.open(io.BytesIO(response.data)).format == "PNG"


def test_artwork_whose_file_is_gone_is_404_not_500(staff_client, staff):
    artwork = LabelArtwork(province_code=None, path="artwork/gone.png", uploaded_by=staff)
    db.session.add(artwork)
    db.session.commit()
    assert staff_client.get(f"/staff/artwork/{artwork.id}.png").status_code == 404


def test_missing_scan_and_media_are_404(client, staff, auth, make_certificate):
    certificate = make_certificate(verified=False)
    certificate.scan_path = "scans/gone.pdf"
    certificate.scan_content_type = "application/pdf"
    db.session.commit()
    assert_redirect(auth.login(staff.email), "/staff/")
    assert client.get(f"/staff/certificates/{certificate.id}/scan").status_code == 404
    assert client.get("/media/photos/..%2f..%2fconfig.py").status_code == 404
    assert client.get("/media/photos/nothing.webp").status_code == 404
