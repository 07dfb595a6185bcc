"""The rating pages over HTTP: the producer applies (form from the sheet, uploads,
draft, submit), staff move, score and decide; the permission matrix."""

import io

import pytest
from dateutil.relativedelta import relativedelta
from PIL import Image

from shop.auth.models import Role
from shop.certification.rules import CertificateStatus
from shop.clock import today_vn
from shop.extensions import db
from shop.mail import outbox
from shop.producers.models import MemberRole, ProducerMember
from shop.rating.models import ApplicationStatus, DocumentKind, RatingApplication
from tests.helpers_http import assert_redirect, follow
from tests.rating.helpers import PDF, draft_application, points_for, submitted_application


def png_bytes():
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def owner(make_user):
    return make_user(email="chu@example.vn", role=Role.PRODUCER)


@pytest.fixture
def product(owner, make_producer, make_product):
    return make_product(make_producer(owner=owner))


def add_member(producer, make_user, email="thanhvien@example.vn"):
    user = make_user(email=email, role=Role.PRODUCER)
    db.session.add(ProducerMember(producer=producer, user=user, role=MemberRole.MEMBER))
    db.session.commit()
    return user


def scores_data(sheet, total, **extra):
    data = {f"c_{code}": str(value) for code, value in points_for(sheet, total).items()}
    return {**data, **extra}


def test_producer_applies_saves_a_draft_uploads_and_submits(client, auth, owner, product):
    auth.login("chu@example.vn")
    page = client.get(f"/producer/rating/new?product={product.id}")
    assert page.status_code == 200
    response = client.post(
        "/producer/rating/new",
        data={"product_id": product.id, "product_set_id": product.product_set_id},
    )
    application = db.session.scalar(db.select(RatingApplication))
    url = f"/producer/rating/{application.id}"
    page = follow(client, response, url).get_data(as_text=True)
    # The form comes from the sheet: one field per criterion, parts and mandatory marks.
    for criterion in application.sheet.criteria:
        assert f'name="c_{criterion.code}"' in page
    assert "Phần A: Sản phẩm và sức mạnh cộng đồng" in page
    assert "Bắt buộc" in page

    # A draft may be incomplete; a value above the maximum is a form error.
    data = scores_data(application.sheet, 74)
    bad = {**data, "c_A1": "99"}
    assert client.post(url, data=bad).status_code == 400
    partial = dict(list(data.items())[:5])
    assert_redirect(client.post(url, data={**partial, "comments": "Lần đầu"}), url)
    db.session.refresh(application)
    assert len(application.self_assessment.scores) == 5
    assert application.notes == "Lần đầu"

    # Submitting now names what is missing.
    response = client.post(f"{url}/submit")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Chưa tự chấm điểm" in text
    assert "Thiếu tài liệu" in text

    assert_redirect(client.post(url, data=data), url)
    for kind in DocumentKind:
        if not kind.required:
            continue
        upload = png_bytes() if kind is DocumentKind.PHOTO else PDF
        name = "anh.png" if kind is DocumentKind.PHOTO else "ho-so.pdf"
        response = client.post(
            f"{url}/documents",
            data={"kind": kind.value, "file": (io.BytesIO(upload), name)},
            content_type="multipart/form-data",
        )
        assert_redirect(response, url)
    db.session.refresh(application)
    assert {d.kind for d in application.documents} == {k for k in DocumentKind if k.required}
    photo = next(d for d in application.documents if d.kind is DocumentKind.PHOTO)
    assert photo.content_type == "image/webp"  # re-encoded, never served as sent
    download = client.get(f"{url}/documents/{photo.id}")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    download.close()

    assert_redirect(client.post(f"{url}/submit"), url)
    db.session.refresh(application)
    assert application.status is ApplicationStatus.IN_REVIEW
    assert application.stage.code == "received"
    # No more changes.
    assert_redirect(client.post(url, data=data), url)
    assert client.post(f"{url}/documents", data={"kind": "photo"}).status_code == 409


@pytest.mark.parametrize(
    ("name", "payload", "kind", "message"),
    [
        ("x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "test_report", "Chỉ nhận"),
        ("x.pdf", b"%PDF-1.4 truncated", "test_report", "PDF bị hỏng"),
        ("x.pdf", PDF, "photo", "Ảnh sản phẩm phải là ảnh"),
        ("x.txt", b"", "test_report", "trống"),
    ],
)
def test_uploads_are_checked(client, auth, owner, product, name, payload, kind, message):
    application = draft_application(product, today_vn())
    auth.login("chu@example.vn")
    response = client.post(
        f"/producer/rating/{application.id}/documents",
        data={"kind": kind, "file": (io.BytesIO(payload), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.refresh(application)
    assert application.documents == []


def test_an_oversized_upload_is_refused(app, client, auth, owner, product):
    app.config["SCAN_MAX_BYTES"] = 1024
    application = draft_application(product, today_vn())
    auth.login("chu@example.vn")
    big = PDF[:-7] + b" " * 2048 + b"\n%%EOF\n"
    response = client.post(
        f"/producer/rating/{application.id}/documents",
        data={"kind": "test_report", "file": (io.BytesIO(big), "big.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Tệp quá lớn" in response.get_data(as_text=True)


def test_producer_a_cannot_see_producer_b_application(
    client, auth, make_user, make_producer, make_product, product
):
    theirs = submitted_application(product, today_vn())
    draft = draft_application(make_product(product.producer), today_vn())
    doc = theirs.documents[0]
    other = make_user(email="khac@example.vn", role=Role.PRODUCER)
    make_producer(owner=other)
    auth.login("khac@example.vn")
    for url in (
        f"/producer/rating/{theirs.id}",
        f"/producer/rating/{draft.id}",
        f"/producer/rating/{theirs.id}/documents/{doc.id}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/producer/rating/{draft.id}/submit").status_code == 404
    assert client.post(f"/producer/rating/{draft.id}", data={}).status_code == 404
    assert client.post(f"/producer/rating/{draft.id}/documents/1/delete").status_code == 404
    # A product of another producer cannot be applied for.
    response = client.post(
        "/producer/rating/new",
        data={"product_id": product.id, "product_set_id": product.product_set_id},
    )
    assert response.status_code == 400
    assert client.get("/producer/rating/").status_code == 200
    assert theirs.product.name not in client.get("/producer/rating/").get_data(as_text=True)


def test_a_member_prepares_the_draft_and_only_an_owner_submits(client, auth, make_user, product):
    member = add_member(product.producer, make_user)
    application = draft_application(product, today_vn(), user=member)
    url = f"/producer/rating/{application.id}"
    auth.login("thanhvien@example.vn")
    assert_redirect(client.post(url, data=scores_data(application.sheet, 60)), url)
    page = client.get(url).get_data(as_text=True)
    assert "Chỉ chủ sở hữu" in page
    assert client.post(f"{url}/submit").status_code == 403
    db.session.refresh(application)
    assert application.status is ApplicationStatus.DRAFT


def test_only_staff_reach_the_staff_pages_and_move_stages(client, auth, make_user, product):
    application = submitted_application(product, today_vn())
    complete = next(s for s in application.plan.stages if s.code == "complete")
    base = f"/staff/rating/applications/{application.id}"
    make_user(email="khach@example.vn")
    auth.login("chu@example.vn")  # the applicant itself
    for url in ("/staff/rating/", base, "/staff/rating/pipeline", "/staff/rating/sheets"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"{base}/move", data={"stage_id": complete.id}).status_code == 403
    assert client.post(f"{base}/decide", data={}).status_code == 403
    auth.logout()
    auth.login("khach@example.vn")
    assert client.post(f"{base}/move", data={"stage_id": complete.id}).status_code == 403
    auth.logout()
    assert client.get(base).status_code == 302  # to the sign-in
    db.session.refresh(application)
    assert application.stage.code == "received"


def test_staff_never_see_a_draft(client, auth, staff, product):
    application = draft_application(product, today_vn())
    auth.login(staff.email)
    assert client.get(f"/staff/rating/applications/{application.id}").status_code == 404


def test_staff_move_score_and_decide_a_rerating(client, auth, staff, product, make_certificate):
    today = today_vn()
    old = make_certificate(product, stars=3, decision_date=today - relativedelta(months=32))
    application = submitted_application(product, today)
    base = f"/staff/rating/applications/{application.id}"
    auth.login(staff.email)
    page = client.get(base)
    assert page.status_code == 200
    stages = {s.code: s for s in application.plan.stages}
    # A move the plan does not list is a form error, not a move.
    response = client.post(f"{base}/move", data={"stage_id": stages["provincial"].id})
    assert response.status_code == 400
    for code in ("complete", "preliminary", "provincial"):
        response = client.post(f"{base}/move", data={"stage_id": stages[code].id, "reason": ""})
        assert_redirect(response, base)
    page = client.get(base).get_data(as_text=True)
    assert 'name="c_C3"' in page
    # Incomplete scores: 400 with the field errors.
    data = scores_data(application.sheet, 70, comments="Đạt yêu cầu")
    response = client.post(f"{base}/scores", data={**data, "c_A1": ""})
    assert response.status_code == 400
    assert "Vui lòng chấm điểm tiêu chí này." in response.get_data(as_text=True)
    assert_redirect(client.post(f"{base}/scores", data=data), base)
    page = client.get(base).get_data(as_text=True)
    assert "70 điểm" in page
    assert "4 sao" in page
    # The decision needs its number, date and issuer.
    response = client.post(f"{base}/decide", data={"issuer_level": "province"})
    assert response.status_code == 400
    response = client.post(
        f"{base}/decide",
        data={
            "decision_number": "512/QĐ-UBND",
            "decision_date": today.isoformat(),
            "issuer_level": "province",
            "issuer_name": "UBND tỉnh Tuyên Quang",
            "note": "Nâng hạng",
        },
    )
    assert_redirect(response, base)
    db.session.refresh(application)
    db.session.refresh(old)
    certificate = application.result_certificate
    assert application.status is ApplicationStatus.CERTIFIED
    assert certificate.star_rank == 4
    assert certificate.decision_number == "512/QĐ-UBND"
    assert old.status(today) is CertificateStatus.SUPERSEDED
    assert old.superseded_by_id == certificate.id
    mails = [m for m in outbox() if m["To"] == product.producer.email]
    assert "4 sao" in mails[-1]["Subject"]
    assert "Nâng hạng" in mails[-1].get_content()
    # The producer sees the certificate.
    auth.logout()
    auth.login("chu@example.vn")
    page = client.get(f"/producer/rating/{application.id}").get_data(as_text=True)
    assert "512/QĐ-UBND" in page
    assert client.get(f"/producer/certificates/{certificate.id}").status_code == 200


def test_dashboard_offers_the_rerating_in_the_last_six_months(
    client, auth, product, make_certificate
):
    today = today_vn()
    certificate = make_certificate(product, decision_date=today - relativedelta(months=31))
    auth.login("chu@example.vn")
    page = client.get("/producer/").get_data(as_text=True)
    assert "Đăng ký đánh giá lại" in page
    assert f"/producer/rating/new?product={product.id}" in page
    draft_application(product, today)
    page = client.get("/producer/").get_data(as_text=True)
    assert "Xem hồ sơ đang làm" in page
    assert certificate.id


def test_dashboard_is_quiet_before_the_last_six_months(client, auth, product, make_certificate):
    make_certificate(product, decision_date=today_vn() - relativedelta(months=29))
    auth.login("chu@example.vn")
    assert "Đăng ký đánh giá lại" not in client.get("/producer/").get_data(as_text=True)


def test_the_pipeline_groups_expiring_certificates_and_shows_who_applied(
    client, auth, staff, product, make_product, make_certificate
):
    today = today_vn()
    decided = today.replace(month=1, day=15) - relativedelta(months=36)
    applied = make_certificate(product, decision_date=decided)
    quiet = make_certificate(make_product(product.producer, set_code="I.13"), decision_date=decided)
    make_certificate(make_product(product.producer), decision_date=today - relativedelta(months=3))
    application = submitted_application(product, today)
    auth.login(staff.email)
    response = client.get(f"/staff/rating/pipeline?year={today.year}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert product.producer.ward.name in page
    assert "I.11 Chè" in page
    assert "I.13 Cà phê, ca cao" in page
    assert f"/staff/rating/applications/{application.id}" in page
    assert applied.decision_number in page
    assert quiet.decision_number in page
    assert "Chưa nộp" in page
    assert page.count("/staff/certificates/") == 2  # not the certificate of next years
    assert client.get("/staff/rating/pipeline?year=1900").status_code == 404


def test_staff_maintain_a_sheet(client, auth, staff):
    from shop.rating.models import RatingSheet

    sheet = db.session.scalar(db.select(RatingSheet).order_by(RatingSheet.id))
    auth.login(staff.email)
    assert client.get("/staff/rating/sheets").status_code == 200
    url = f"/staff/rating/sheets/{sheet.id}"
    assert client.get(url).status_code == 200
    response = client.post(
        url, data={"part": "C", "code": "c8", "text": "Tiêu chí mới", "max_points": "2"}
    )
    assert_redirect(response, url)
    page = client.get(url).get_data(as_text=True)
    assert "C8" in page
    assert "các tiêu chí cộng" in page  # the part no longer adds up
    duplicate = {"part": "C", "code": "C8", "text": "Lặp", "max_points": "2"}
    assert client.post(url, data=duplicate).status_code == 400
    bad = {"part": "D", "code": "D1", "text": "x", "max_points": "0"}
    assert client.post(url, data=bad).status_code == 400
    assert client.get("/staff/rating/plan").status_code == 200


def test_the_expiry_reminder_links_to_the_prefilled_rerating(
    client, auth, staff, product, make_certificate
):
    from shop.promotion.expiry import run_daily

    today = today_vn()
    first = submitted_application(product, today - relativedelta(months=36), self_total=81)
    certificate = make_certificate(product, decision_date=today - relativedelta(months=35))
    db.session.refresh(first)
    run_daily(certificate.valid_through - relativedelta(days=30))
    to_producer = [m for m in outbox() if m["To"] == product.producer.email]
    (mail,) = [m for m in to_producer if "sắp hết" in m["Subject"]]
    link = f"/producer/rating/new?product={product.id}"
    assert link in mail.get_content()
    # Decided long ago: the application is closed, so a new one may start.
    first.status = ApplicationStatus.NOT_CERTIFIED
    db.session.commit()
    auth.login("chu@example.vn")
    page = client.get(link)
    assert page.status_code == 200
    assert f'<option selected value="{product.id}">' in page.get_data(as_text=True)
    response = client.post(
        "/producer/rating/new",
        data={"product_id": product.id, "product_set_id": product.product_set_id},
    )
    again = db.session.scalar(db.select(RatingApplication).where(RatingApplication.id != first.id))
    follow(client, response, f"/producer/rating/{again.id}")
    assert again.previous_id == first.id
    assert sum(again.self_assessment.points().values()) == 81
    assert len(again.documents) == len(first.documents)
