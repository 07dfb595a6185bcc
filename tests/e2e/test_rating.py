"""The rating cycle in Chromium: a producer whose certificate is in its last six
months applies for re-rating from the dashboard, self-assesses on the sheet (the
total and band follow the typing), uploads the dossier and submits; staff move the
application through the plan, record the provincial council's scores and decide;
the new certificate appears for the producer and supersedes the old one.

Screenshots of the application form and the staff scoring page at 375×812 and
1366×900 go to test-artifacts/.
"""

import re

import pytest
from dateutil.relativedelta import relativedelta
from playwright.sync_api import expect

from shop.auth.models import Role
from shop.certification.rules import CertificateStatus
from shop.clock import today_vn
from shop.extensions import db
from shop.rating.defaults import seed_defaults
from shop.rating.models import ApplicationStatus, RatingApplication
from tests.e2e.conftest import screenshot
from tests.e2e.test_staff import log_in, mails_to
from tests.rating.helpers import PDF, points_for

pytestmark = pytest.mark.e2e

OWNER = "htx.lungphin@example.vn"
STAFF = "thuky.hoidong@example.vn"
SIZES = {"mobile": (375, 812), "desktop": (1366, 900)}


def shoot(page, name: str) -> None:
    for label, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        screenshot(page, f"{name}-{label}")
    page.set_viewport_size({"width": 1200, "height": 900})


def fill_scores(page, points: dict[str, int]) -> None:
    for code, value in points.items():
        page.fill(f"#c_{code}", str(value))


def test_a_producer_applies_and_staff_score_and_decide(
    app, live_server, page, make_user, make_producer, make_product, make_certificate, tmp_path
):
    today = today_vn()
    seed_defaults(today.year)
    db.session.commit()
    owner = make_user(email=OWNER, role=Role.PRODUCER)
    producer = make_producer(owner=owner, legal_name="Hợp tác xã Chè Lũng Phìn")
    product = make_product(producer, name="Chè Shan Tuyết Lũng Phìn", published=True)
    old = make_certificate(product, stars=3, decision_date=today - relativedelta(months=32))
    make_user(email=STAFF, role=Role.STAFF, full_name="Thư ký hội đồng")

    # 1. The dashboard offers the re-rating.
    log_in(page, live_server, OWNER)
    page.goto(f"{live_server}/producer/")
    page.locator("#rerating").get_by_role("link", name="Đăng ký đánh giá lại").click()
    page.wait_for_url(re.compile(r"/producer/rating/new\?product="))
    page.get_by_role("button", name="Tạo hồ sơ").click()
    page.wait_for_url(re.compile(r"/producer/rating/\d+$"))
    application = db.session.scalar(db.select(RatingApplication))
    sheet = application.sheet

    # 2. Self-assessment: the total and its band follow the typing.
    points = points_for(sheet, 76)
    fill_scores(page, points)
    total = page.locator("[data-total]")
    expect(total).to_contain_text("76 điểm: 4 sao")
    page.fill("#c_C3", "0")
    expect(total).to_contain_text("không đạt tiêu chí bắt buộc C3")
    page.fill("#c_C3", str(points["C3"]))
    page.fill("#comments", "Mở rộng vùng nguyên liệu chè cổ thụ.")
    page.get_by_role("button", name="Lưu bản nháp").click()
    expect(page.locator(".flash-success")).to_have_text("Đã lưu bản nháp.")
    shoot(page, "rating-application-form")

    # 3. The dossier.
    uploads = {
        "registration_form": ("phieu-dang-ky.pdf", PDF),
        "production_plan": ("phuong-an-san-xuat.pdf", PDF),
        "test_report": ("phieu-kiem-nghiem.pdf", PDF),
    }
    png = tmp_path / "anh.png"
    from PIL import Image

    Image.new("RGB", (64, 48), (30, 110, 60)).save(png)
    for kind, (name, data) in uploads.items():
        path = tmp_path / name
        path.write_bytes(data)
        page.select_option("#kind", kind)
        page.set_input_files("#file", str(path))
        page.get_by_role("button", name="Tải lên").click()
        expect(page.locator(".flash-success")).to_contain_text(name)
    page.select_option("#kind", "photo")
    page.set_input_files("#file", str(png))
    page.get_by_role("button", name="Tải lên").click()
    expect(page.locator(".documents li")).to_have_count(4)
    page.get_by_role("button", name="Gửi hồ sơ đánh giá").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã gửi hồ sơ")
    db.session.expire_all()
    assert application.status is ApplicationStatus.IN_REVIEW
    page.get_by_role("button", name="Đăng xuất").click()

    # 4. Staff move it to the provincial council, score and decide.
    log_in(page, live_server, STAFF)
    page.goto(f"{live_server}/staff/rating/")
    page.get_by_role("link", name="Chè Shan Tuyết Lũng Phìn").click()
    for stage in ("Hồ sơ đầy đủ, hợp lệ", "Đánh giá sơ bộ cấp thành phố / xã"):
        page.select_option("#stage_id", label=stage)
        page.get_by_role("button", name="Chuyển bước").click()
        expect(page.locator(".flash-success")).to_contain_text(stage)
    # The preliminary review scores, then the province.
    expect(page.locator("#c_A1")).to_have_value(str(points["A1"]))  # from the self-assessment
    fill_scores(page, points_for(sheet, 72))
    page.get_by_role("button", name="Lưu điểm của hội đồng").click()
    page.select_option("#stage_id", label="Hội đồng đánh giá cấp tỉnh")
    page.get_by_role("button", name="Chuyển bước").click()
    council = points_for(sheet, 70)  # the edge of 4 stars
    fill_scores(page, council)
    expect(page.locator("[data-total]")).to_contain_text("70 điểm: 4 sao")
    page.fill("#comments", "Hội đồng thống nhất 70 điểm.")
    shoot(page, "rating-staff-scoring")
    page.get_by_role("button", name="Lưu điểm của hội đồng").click()
    expect(page.locator(".flash-success")).to_contain_text("Hội đồng đánh giá cấp tỉnh")
    # The central council is for 5-star candidates only.
    options = page.locator("#stage_id option").all_inner_texts()
    assert "Hội đồng Trung ương (ứng viên 5 sao)" not in options
    page.fill("#decision_number", "2150/QĐ-UBND")
    page.fill("#issuer_name", "UBND tỉnh Tuyên Quang")
    page.get_by_role("button", name="Quyết định công nhận và cấp chứng nhận").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã công nhận 4 sao")
    assert page.js_errors == []
    page.get_by_role("button", name="Đăng xuất").click()

    db.session.expire_all()
    assert application.status is ApplicationStatus.CERTIFIED
    certificate = application.result_certificate
    assert (certificate.star_rank, certificate.score) == (4, 70)
    assert old.status(today) is CertificateStatus.SUPERSEDED
    assert any("4 sao" in m["Subject"] for m in mails_to(live_server, producer.email))

    # 5. The producer sees the new certificate.
    log_in(page, live_server, OWNER)
    page.goto(f"{live_server}/producer/certificates")
    expect(page.locator("main")).to_contain_text("2150/QĐ-UBND")
    page.goto(f"{live_server}/producer/rating/{application.id}")
    expect(page.locator("main")).to_contain_text("Được công nhận")
