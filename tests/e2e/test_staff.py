"""The trade-promotion staff console in Chromium: a pending certificate is
verified from the queue, a listed one is revoked, a campaign is built and the
sales reports are read and exported.

The browser drives the real forms (CSRF on) against a threaded live server; the
assertions read the database, the public pages and the live server's mail outbox.
"""

import csv
import io
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from shop.auth.models import Role
from shop.certification.models import Certificate, ReviewState
from shop.clock import today_vn
from shop.extensions import db
from shop.localities.models import Province
from shop.money import format_vnd as vnd
from shop.promotion.models import Campaign
from tests.e2e.conftest import screenshot
from tests.e2e.landing import signed_in_landing
from tests.factories import OTHER_PROVINCE, OTHER_WARD, PASSWORD, PROVINCE
from tests.reports.conftest import build_order, vn

pytestmark = pytest.mark.e2e

STAFF_EMAIL = "canbo@example.vn"
STAFF_NAME = "Cán bộ Sở Công Thương"
UTF8_BOM = b"\xef\xbb\xbf"
# What Chromium writes to the console when a form is answered with 400 (it is
# not a script error; a form with errors is answered so on purpose).
BAD_REQUEST_LOG = "Failed to load resource: the server responded with a status of 400 (BAD REQUEST)"


def outbox(live_server) -> list:
    return live_server.app.extensions.get("mail_outbox", [])


def mails_to(live_server, address: str) -> list:
    return [m for m in outbox(live_server) if m["To"] == address]


@pytest.fixture
def canbo(app, make_user):
    return make_user(email=STAFF_EMAIL, role=Role.STAFF, full_name=STAFF_NAME)


def log_in(page, live_server, email: str = STAFF_EMAIL) -> None:
    page.goto(f"{live_server}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    # Enter in the password field: the header has its own (language) submit button.
    page.press("#password", "Enter")
    page.wait_for_url(signed_in_landing(live_server))
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def certificate_of(product) -> Certificate:
    db.session.expire_all()
    return db.session.scalar(select(Certificate).where(Certificate.product_id == product.id))


def listed_names(page, live_server) -> list[str]:
    page.goto(f"{live_server}/products")
    return page.locator(".card-name").all_inner_texts()


# -- 1. a pending certificate is verified from the queue -----------------------


def test_staff_verify_a_pending_certificate_from_the_queue(
    app, live_server, page, canbo, make_product, make_certificate, make_listed
):
    make_listed(name="Chè Shan Tuyết Lũng Phìn")  # already verified: not in the queue
    product = make_product(name="Miến dong Bình Liêu", published=True)
    pending = make_certificate(product, stars=4, verified=False)
    other = make_certificate(make_product(name="Mật ong bạc hà", published=True), verified=False)
    producer_email = product.producer.email
    assert "Miến dong Bình Liêu" not in listed_names(page, live_server)

    log_in(page, live_server)
    page.goto(f"{live_server}/staff/")
    stats = page.locator("main ul.stats")
    expect(stats.locator("li").nth(0)).to_have_text(re.compile(r"^\s*0\s+chủ thể chờ xác minh"))
    expect(stats.locator("li").nth(1)).to_have_text(re.compile(r"^\s*2\s+chứng nhận chờ xác minh"))
    screenshot(page, "staff-dashboard")

    stats.get_by_role("link", name=re.compile("chứng nhận chờ xác minh")).click()
    page.wait_for_url(f"{live_server}/staff/certificates?status=pending")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("main table")).not_to_contain_text("Chè Shan Tuyết Lũng Phìn")
    row = rows.filter(has_text="Miến dong Bình Liêu")
    expect(row).to_contain_text(pending.decision_number)
    expect(row).to_contain_text(product.producer.legal_name)
    expect(row.locator(".badge-pending")).to_have_text("Chờ xác minh")
    screenshot(page, "staff-certificate-queue")

    row.get_by_role("link", name="Miến dong Bình Liêu").click()
    page.wait_for_url(f"{live_server}/staff/certificates/{pending.id}")
    expect(page.locator("main .badge-pending").first).to_have_text("Chờ xác minh")
    page.get_by_label("Tôi đã đối chiếu quyết định").check()
    page.locator("#no_scan_confirmed").check()  # the factory sends no scan
    page.get_by_role("button", name="Xác minh chứng nhận").click()
    page.wait_for_url(f"{live_server}/staff/certificates")
    expect(page.locator(".flash-success")).to_have_text(
        f"Đã xác minh chứng nhận {pending.decision_number}."
    )
    assert page.js_errors == []

    certificate = certificate_of(product)
    assert certificate.review == ReviewState.VERIFIED
    assert certificate.reviewed_by.email == STAFF_EMAIL
    assert certificate.reviewed_at is not None
    assert certificate_of(other.product).review == ReviewState.PENDING  # left alone

    mails = mails_to(live_server, producer_email)
    assert len(mails) == 1
    assert "đã được xác minh" in mails[0]["Subject"]
    assert "Miến dong Bình Liêu" in mails[0]["Subject"]
    assert pending.decision_number in mails[0].get_content()

    # The queue is one shorter, and the product is on sale now.
    page.goto(f"{live_server}/staff/certificates?status=pending")
    expect(page.locator("main table tbody tr")).to_have_count(1)
    assert "Miến dong Bình Liêu" in listed_names(page, live_server)
    assert page.js_errors == []


# -- 2. a listed certificate is revoked, with a reason -------------------------

REASON = "Kiểm tra sau công nhận: mẫu sản phẩm không đạt chỉ tiêu an toàn thực phẩm."


def test_staff_revoke_a_listed_certificate(app, live_server, page, canbo, make_listed):
    product = make_listed(name="Chè Shan Tuyết Lũng Phìn", stars=4)
    make_listed(name="Gạo Séng Cù Bát Xát", stars=3)
    certificate = certificate_of(product)
    code = certificate.verification_code
    producer_email = product.producer.email
    assert "Chè Shan Tuyết Lũng Phìn" in listed_names(page, live_server)
    page.goto(f"{live_server}/verify/{code}")
    expect(page.locator(".verdict-word")).to_have_text("CÒN HIỆU LỰC")

    log_in(page, live_server)
    page.goto(f"{live_server}/staff/certificates")
    page.locator("main table").get_by_role("link", name="Chè Shan Tuyết Lũng Phìn").click()
    page.wait_for_url(f"{live_server}/staff/certificates/{certificate.id}")
    expect(page.locator("main .badge-active").first).to_have_text("Còn hiệu lực")

    # A revocation needs a reason.
    revoke = page.get_by_role("button", name="Thu hồi chứng nhận")
    revoke.click()
    expect(page.locator("#reason-error")).to_have_text("Vui lòng nêu lý do.")
    assert certificate_of(product).revoked_at is None

    page.fill("#reason", REASON)
    revoke.click()
    page.wait_for_url(f"{live_server}/staff/certificates/{certificate.id}")
    expect(page.locator(".flash-success")).to_have_text("Đã thu hồi chứng nhận.")
    expect(page.locator("main .badge-revoked").first).to_have_text("Đã thu hồi")
    expect(page.locator("main dl.facts")).to_contain_text(REASON)
    expect(page.get_by_role("button", name="Thu hồi chứng nhận")).to_have_count(0)
    screenshot(page, "staff-certificate-revoked")
    # The blank reason's form came back with status 400, which Chromium logs.
    assert page.js_errors == [BAD_REQUEST_LOG]
    page.js_errors.clear()

    revoked = certificate_of(product)
    assert revoked.review == ReviewState.VERIFIED
    assert revoked.revoked_at is not None
    assert revoked.revoked_by.email == STAFF_EMAIL
    assert revoked.revocation_reason == REASON

    # Gone from the catalogue; the other product stays.
    names = listed_names(page, live_server)
    assert "Chè Shan Tuyết Lũng Phìn" not in names
    assert "Gạo Séng Cù Bát Xát" in names
    # The label's QR page says so, with the reason, and offers no purchase.
    page.goto(f"{live_server}/verify/{code}")
    expect(page.locator(".verdict-word")).to_have_text("ĐÃ THU HỒI")
    expect(page.locator(".verdict")).to_contain_text(REASON)
    expect(page.get_by_role("link", name="Mua sản phẩm này")).to_have_count(0)
    screenshot(page, "verify-revoked")
    assert page.js_errors == []

    mails = mails_to(live_server, producer_email)
    assert len(mails) == 1
    assert "đã bị thu hồi" in mails[0]["Subject"]
    assert "Chè Shan Tuyết Lũng Phìn" in mails[0]["Subject"]
    assert f"Lý do: {REASON}" in mails[0].get_content()


# -- 3. a campaign with two certified products --------------------------------


def test_staff_build_a_campaign(
    app, live_server, page, canbo, make_listed, make_product, make_certificate
):
    tea = make_listed(name="Chè Shan Tuyết Lũng Phìn", stars=4)
    rice = make_listed(name="Gạo Séng Cù Bát Xát", stars=3)
    pending = make_product(name="Miến dong Bình Liêu", published=True)
    make_certificate(pending, stars=4, verified=False)  # not listed: cannot be featured
    today = today_vn()
    starts, ends = today - timedelta(days=3), today + timedelta(days=30)

    log_in(page, live_server)
    page.goto(f"{live_server}/staff/campaigns")
    page.fill("#title", "Đặc sản vùng cao đón Tết")
    page.fill("#starts_on", starts.isoformat())
    page.fill("#ends_on", ends.isoformat())
    page.fill("#description", "Chè, gạo và đặc sản của đồng bào vùng cao phía Bắc.")
    page.get_by_role("button", name="Tạo chiến dịch").click()
    page.wait_for_url(re.compile(r"/staff/campaigns/\d+$"))
    expect(page.locator(".flash-success")).to_have_text(
        "Đã tạo chiến dịch. Thêm sản phẩm vào chiến dịch."
    )
    expect(page.locator("main h1")).to_have_text("Đặc sản vùng cao đón Tết")

    # By slug, then by the product page's full address (the form folded under the
    # search, open again after each add).
    def by_link(value: str) -> None:
        page.locator("details.by-link").evaluate("d => { d.open = true; }")
        page.fill("#product", value)

    by_link(tea.slug)
    page.get_by_role("button", name="Thêm sản phẩm").click()
    expect(page.locator(".flash-success")).to_have_text(
        "Đã thêm Chè Shan Tuyết Lũng Phìn vào chiến dịch."
    )
    by_link(f"{live_server}/products/{rice.slug}")
    page.get_by_role("button", name="Thêm sản phẩm").click()
    expect(page.locator(".flash-success")).to_have_text(
        "Đã thêm Gạo Séng Cù Bát Xát vào chiến dịch."
    )
    # A product without a valid certificate is refused.
    by_link(pending.slug)
    page.get_by_role("button", name="Thêm sản phẩm").click()
    expect(page.locator("#product-error")).to_have_text(
        "Chỉ thêm được sản phẩm đang bán, có chứng nhận OCOP từ 3 sao trở lên còn hiệu lực."
    )
    items = page.locator("main table.campaign-items tbody tr")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("Chè Shan Tuyết Lũng Phìn")
    expect(items.nth(1)).to_contain_text("Gạo Séng Cù Bát Xát")
    expect(page.locator("main table.campaign-items .badge-expired")).to_have_count(0)
    screenshot(page, "staff-campaign")
    # The refused product's form came back with status 400, which Chromium logs.
    assert page.js_errors == [BAD_REQUEST_LOG]
    page.js_errors.clear()

    db.session.expire_all()
    campaign = db.session.scalar(select(Campaign))
    assert campaign.title == "Đặc sản vùng cao đón Tết"
    assert (campaign.starts_on, campaign.ends_on) == (starts, ends)
    assert campaign.created_by_id == canbo.id
    assert [i.product_id for i in campaign.items] == [tea.id, rice.id]

    page.goto(f"{live_server}/staff/campaigns")
    row = page.locator("main table tbody tr", has_text="Đặc sản vùng cao đón Tết")
    expect(row.locator(".badge-active")).to_have_text("Đang chạy")
    expect(row.locator("td").nth(2)).to_have_text("2")

    row.get_by_role("link", name="Đặc sản vùng cao đón Tết").click()
    page.get_by_role("link", name="Xem trang công khai").click()
    page.wait_for_url(f"{live_server}/campaigns/{campaign.slug}")
    expect(page.locator("main h1")).to_have_text("Đặc sản vùng cao đón Tết")
    expect(page.locator(".card-name")).to_have_text(
        ["Chè Shan Tuyết Lũng Phìn", "Gạo Séng Cù Bát Xát"]
    )
    expect(page.locator(".card-stars")).to_have_text(["★★★★", "★★★"])
    screenshot(page, "campaign-public")
    assert page.js_errors == []


# -- 4. reports with paid orders, and a CSV export ----------------------------


def test_staff_read_reports_and_export_csv(
    app, live_server, page, canbo, make_producer, make_listed
):
    tea = make_listed(name="Chè Shan Tuyết Lũng Phìn", price=350_000)  # Tuyên Quang
    lao_cai = make_producer(province_code=OTHER_PROVINCE, ward_code=OTHER_WARD)
    rice = make_listed(name="Gạo Séng Cù Bát Xát", producer=lao_cai, price=120_000)
    build_order([(tea, 2)], paid_at=vn(2026, 10, 3, 9, 30))
    build_order([(tea, 1), (rice, 3)], paid_at=vn(2026, 10, 31, 23, 30))  # still October in VN
    build_order([(rice, 5)], paid_at=vn(2026, 11, 1, 0, 30))  # November: not counted
    build_order([(rice, 7)])  # never paid: not counted
    tuyen_quang = db.session.get(Province, PROVINCE).name
    lao_cai_name = db.session.get(Province, OTHER_PROVINCE).name
    tea_sales, rice_sales = 3 * 350_000, 3 * 120_000

    log_in(page, live_server)
    page.goto(f"{live_server}/staff/")
    page.locator("nav.subnav").get_by_role("link", name="Báo cáo").click()
    page.wait_for_url(re.compile(r"/staff/reports/"))
    form = page.locator("form.period-form")
    form.locator("input[name=start]").fill("2026-10-01")
    form.locator("input[name=end]").fill("2026-10-31")
    form.get_by_role("button", name="Xem").click()
    page.wait_for_url(re.compile(r"/staff/reports/\?start=2026-10-01&end=2026-10-31$"))
    # Sales, orders, producers' shipments (the second order has two), items sold.
    expect(page.locator("ul.kpis li strong")).to_have_text(
        [vnd(tea_sales + rice_sales), "2", "3", "6"]
    )

    provinces = page.locator("section#provinces")
    provinces.get_by_role("link", name="Xem đầy đủ").click()
    page.wait_for_url(re.compile(r"/staff/reports/provinces\?start=2026-10-01&end=2026-10-31$"))
    chart = page.locator("svg#chart-provinces")
    expect(chart).to_be_visible()
    expect(chart).to_have_attribute("role", "img")
    expect(chart.locator("rect")).to_have_count(2)
    box = chart.bounding_box()
    assert box["width"] > 300, box
    assert box["height"] > 40, box
    rows = page.locator("section#provinces table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td")).to_have_text([tuyen_quang, vnd(tea_sales), "3", "2"])
    expect(rows.nth(1).locator("td")).to_have_text([lao_cai_name, vnd(rice_sales), "3", "1"])
    screenshot(page, "staff-report-chart")

    with page.expect_download() as info:
        page.locator("section#provinces").get_by_role("link", name="Tải CSV").click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename == "bao-cao-provinces-2026-10-01-2026-10-31.csv"
    with open(download.path(), "rb") as f:
        raw = f.read()
    assert raw.startswith(UTF8_BOM)
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table == [
        ["Tỉnh, thành phố", "Doanh số (đồng)", "Số lượng", "Số đơn hàng"],
        [tuyen_quang, str(tea_sales), "3", "2"],
        [lao_cai_name, str(rice_sales), "3", "1"],
    ]
    assert page.js_errors == []
