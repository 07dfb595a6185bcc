"""Verifying a certificate: the decision scan inline, an explicit confirmation,
and a certificate without a scan flagged (shop/certification/staff.py)."""

import io

import pytest
from PIL import Image
from sqlalchemy import select

from shop.audit.models import AuditEntry
from shop.certification.models import ReviewState
from shop.extensions import db
from shop.uploads import store_bytes
from tests.helpers_http import assert_redirect

CHECKED = {"checked_decision": "y"}


@pytest.fixture
def signed_in(client, auth, staff):
    assert_redirect(auth.login(staff.email), "/staff/")
    return client


def _image(fmt: str, size=(600, 800)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (250, 250, 240)).save(out, format=fmt)
    return out.getvalue()


def _with_scan(certificate, data: bytes, content_type: str):
    certificate.scan_path = store_bytes(data, "scans", content_type).path
    certificate.scan_content_type = content_type
    db.session.commit()
    return certificate


def test_an_image_scan_is_shown_on_the_page(signed_in, make_certificate):
    webp = _image("WEBP")
    certificate = _with_scan(make_certificate(verified=False), webp, "image/webp")
    detail = f"/staff/certificates/{certificate.id}"
    page = signed_in.get(detail)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'<img src="{detail}/scan/preview"' in html
    assert "Không có bản scan" not in html
    preview = signed_in.get(f"{detail}/scan/preview")
    assert preview.status_code == 200
    assert preview.mimetype == "image/webp"
    assert preview.data == webp
    assert "attachment" not in preview.headers.get("Content-Disposition", "")
    assert "sandbox" in preview.headers["Content-Security-Policy"]


def test_a_pdf_scan_is_previewed_as_its_first_page(signed_in, make_certificate):
    pdf = _image("PDF", size=(595, 842))
    certificate = _with_scan(make_certificate(verified=False), pdf, "application/pdf")
    detail = f"/staff/certificates/{certificate.id}"
    page = signed_in.get(detail)
    assert page.status_code == 200
    assert "Trang đầu của tệp PDF." in page.get_data(as_text=True)
    preview = signed_in.get(f"{detail}/scan/preview")
    assert preview.status_code == 200
    assert preview.mimetype == "image/png"
    with Image.open(io.BytesIO(preview.data)) as image:
        assert image.format == "PNG"
        assert image.width == 1100
    # The full file stays a download.
    with signed_in.get(f"{detail}/scan") as full:
        assert full.status_code == 200
        assert full.headers["Content-Disposition"].startswith("attachment")


def test_a_broken_pdf_has_no_preview_but_the_page_works(signed_in, make_certificate):
    broken = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    certificate = _with_scan(make_certificate(verified=False), broken, "application/pdf")
    detail = f"/staff/certificates/{certificate.id}"
    assert signed_in.get(detail).status_code == 200
    assert signed_in.get(f"{detail}/scan/preview").status_code == 404


def test_verifying_needs_the_box_ticked(signed_in, make_certificate):
    certificate = _with_scan(make_certificate(verified=False), _image("WEBP"), "image/webp")
    detail = f"/staff/certificates/{certificate.id}"
    html = signed_in.get(detail).get_data(as_text=True)
    assert 'name="checked_decision" value="y" id="checked_decision" required' in html
    assert 'name="no_scan_confirmed"' not in html  # a scan is there

    refused = signed_in.post(f"{detail}/verify")
    assert refused.status_code == 400
    assert "Tôi đã đối chiếu quyết định" in refused.get_data(as_text=True)
    db.session.refresh(certificate)
    assert certificate.review == ReviewState.PENDING

    assert_redirect(signed_in.post(f"{detail}/verify", data=CHECKED), "/staff/certificates")
    db.session.refresh(certificate)
    assert certificate.review == ReviewState.VERIFIED
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "certificate.verify_without_scan" not in actions


def test_without_a_scan_it_is_flagged_and_needs_a_second_confirmation(signed_in, make_certificate):
    certificate = make_certificate(verified=False)
    with_scan = _with_scan(make_certificate(verified=False), _image("WEBP"), "image/webp")
    queue = signed_in.get("/staff/certificates?status=pending")
    assert queue.status_code == 200
    rows = queue.get_data(as_text=True).split("<tr>")
    flagged = [r for r in rows if "Không có bản scan" in r]
    assert len(flagged) == 1
    assert certificate.decision_number in flagged[0]
    assert with_scan.decision_number not in flagged[0]

    detail = f"/staff/certificates/{certificate.id}"
    page = signed_in.get(detail)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Không có bản scan quyết định." in html
    assert 'name="no_scan_confirmed" value="y" id="no_scan_confirmed" required' in html
    assert "/scan/preview" not in html

    once = signed_in.post(f"{detail}/verify", data=CHECKED)
    assert once.status_code == 400
    assert "hãy xác nhận lần nữa" in once.get_data(as_text=True)
    db.session.refresh(certificate)
    assert certificate.review == ReviewState.PENDING

    twice = signed_in.post(f"{detail}/verify", data={**CHECKED, "no_scan_confirmed": "y"})
    assert_redirect(twice, "/staff/certificates")
    db.session.refresh(certificate)
    assert certificate.review == ReviewState.VERIFIED
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "certificate.verify_without_scan")
    )
    assert entry is not None
    assert entry.target_id == certificate.id
    assert signed_in.get(f"{detail}/scan/preview").status_code == 404
