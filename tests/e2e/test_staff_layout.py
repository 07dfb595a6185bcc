"""The staff console on a phone (375×812) and a desktop (1366×900): no page scrolls
the whole page sideways (wide tables scroll inside their own box), every chart's
text lies inside its SVG, and the campaign builder's typeahead works. Screenshots
of the builder, a certificate with its scan inline and two reports are written to
test-artifacts/ for a person to look at."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from shop.auth.models import Role
from shop.clock import today_vn
from shop.extensions import db
from shop.promotion.campaigns import create_campaign, feature_product
from shop.uploads import store_bytes
from tests.e2e.conftest import screenshot
from tests.factories import OTHER_PROVINCE, OTHER_WARD, PASSWORD
from tests.reports.conftest import build_order

pytestmark = pytest.mark.e2e

ADMIN = "quantri@example.vn"
# Registered names are often printed in capitals, the widest letters there are.
LONG_PRODUCER = (
    "HỢP TÁC XÃ NÔNG NGHIỆP VÀ DỊCH VỤ TỔNG HỢP CHÈ SHAN TUYẾT CỔ THỤ LŨNG PHÌN, HUYỆN ĐỒNG VĂN CŨ"
)
SIZES = {"phone": (375, 812), "desktop": (1366, 900)}

CHART_OVERFLOW = """() => {
  const out = [];
  for (const svg of document.querySelectorAll("svg.chart")) {
    const vb = svg.viewBox.baseVal;
    for (const t of svg.querySelectorAll("text")) {
      const b = t.getBBox();
      if (b.x < vb.x - 0.5 || b.y < vb.y - 0.5 || b.x + b.width > vb.x + vb.width + 0.5
          || b.y + b.height > vb.y + vb.height + 0.5) {
        const right = (b.x + b.width).toFixed(1), bottom = (b.y + b.height).toFixed(1);
        out.push(`${svg.id}: "${t.textContent}" x=${b.x.toFixed(1)}..${right}`
                 + ` y=${b.y.toFixed(1)}..${bottom} of ${vb.width}x${vb.height}`);
      }
    }
  }
  return out;
}"""


def _scan_pdf() -> bytes:
    image = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((80, 80, 1160, 1674), outline="black", width=4)
    for i, line in enumerate(
        ["UY BAN NHAN DAN TINH TUYEN QUANG", "QUYET DINH", "So 1234/QD-UBND", "OCOP 4 sao"]
    ):
        draw.text((160, 200 + i * 80), line, fill="black", font_size=48)
    out = io.BytesIO()
    image.save(out, format="PDF", resolution=150)
    return out.getvalue()


@pytest.fixture
def console(app, make_user, make_producer, make_product, make_listed, make_certificate):
    """A console with something on every page: orders paid this month in two
    provinces, a producer with a very long name, a pending certificate with a PDF
    scan and one without, a campaign with three products."""
    make_user(email=ADMIN, role=Role.ADMIN, full_name="Quản trị")
    long_one = make_producer(legal_name=LONG_PRODUCER)
    other = make_producer(
        legal_name="Hộ kinh doanh Rượu ngô Bắc Hà",
        province_code=OTHER_PROVINCE,
        ward_code=OTHER_WARD,
    )
    tea = make_listed("Chè Shan Tuyết Lũng Phìn", producer=long_one, set_code="I.12")
    sauce = make_listed("Nước mắm cốt cá cơm", producer=other, set_code="I.09")
    honey = make_listed("Mật ong bạc hà", producer=long_one, set_code="I.04", stars=3)
    paid = datetime.now(UTC) - timedelta(minutes=5)
    for product, quantity in ((tea, 3), (sauce, 2), (honey, 1)):
        build_order([(product, quantity)], paid_at=paid)
    # A certificate expiring in each of the next 12 months: every column labelled.
    today = today_vn()
    for k in range(12):
        months = 35 - k
        decided = date(today.year - (months - today.month + 12) // 12, 1, 1)
        decided = decided.replace(month=(today.month - months - 1) % 12 + 1)
        make_listed(f"Sản phẩm {k}", producer=other, decision_date=decided)
    pending = make_certificate(
        make_product(long_one, name="Miến dong", published=True), verified=False
    )
    pending.scan_path = store_bytes(_scan_pdf(), "scans", "application/pdf").path
    pending.scan_content_type = "application/pdf"
    make_certificate(make_product(other, name="Rượu ngô", published=True), verified=False)
    staff_user = make_user(email="canbo-layout@example.vn", role=Role.STAFF)
    campaign = create_campaign(
        staff_user,
        title="Tết vùng cao 2027: đặc sản các xã biên giới",
        description="",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=40),
    )
    for product in (tea, sauce):
        feature_product(campaign, product, staff_user, today)
    db.session.commit()
    # A sales centre with a long name, stock of two producers and a sale today.
    from shop.centres.models import TillPayment
    from shop.centres.services import record_sale
    from tests.centres.helpers import consign, make_cashier, make_centre

    centre = make_centre(
        name="Điểm giới thiệu và bán sản phẩm OCOP tỉnh Tuyên Quang tại Khu du lịch Mèo Vạc"
    )
    consign(centre, tea, 12)
    consign(centre, sauce, 5)
    record_sale(centre, make_cashier(centre), {tea.id: 2}, TillPayment.CASH, "layout", today)
    db.session.commit()
    return {"campaign": campaign, "pending": pending, "honey": honey, "centre": centre}


def _log_in(page, live_server):
    page.goto(f"{live_server}/login")
    page.fill("#email", ADMIN)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(f"{live_server}/staff/")


def _staff_paths(page, live_server, console) -> list[str]:
    """Every page the console's navigation links to, and the detail pages below."""
    page.goto(f"{live_server}/staff/")
    links = page.locator("nav.subnav a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    campaign = console["campaign"].id
    return [
        *dict.fromkeys(links),
        f"/staff/certificates/{console['pending'].id}",
        f"/staff/campaigns/{campaign}?q=mat+ong",
        f"/staff/campaigns/{campaign}/edit",
        *(
            f"/staff/reports/{name}"
            for name in (
                "provinces",
                "sets",
                "stars",
                "producers",
                "centres",
                "certified",
                "expiring",
            )
        ),
        "/staff/centres/new",
        f"/staff/centres/{console['centre'].id}",
        f"/staff/centres/{console['centre'].id}/report",
        f"/staff/centres/{console['centre'].id}/ledger",
    ]


@pytest.mark.parametrize("size", SIZES)
def test_no_staff_page_scrolls_sideways_and_charts_fit(browser, live_server, console, size):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        _log_in(page, live_server)
        paths = _staff_paths(page, live_server, console)
        assert len(paths) >= 20
        wide, clipped = [], []
        for path in paths:
            response = page.goto(f"{live_server}{path}")
            assert response.status == 200, path
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                wide.append(f"{path}: {scroll}px")
            clipped += page.evaluate(CHART_OVERFLOW)
        assert wide == [], wide
        assert clipped == [], clipped
        # A wide table scrolls in its own box, which the keyboard can reach.
        page.goto(f"{live_server}/staff/reports/producers")
        region = page.locator(".table-scroll[role=region][tabindex='0']").first
        expect(region).to_have_attribute("aria-label", "Bảng: Doanh số theo chủ thể")

        shots = {
            "staff-campaign-builder": f"/staff/campaigns/{console['campaign'].id}?q=mat+ong",
            "staff-certificate-scan": f"/staff/certificates/{console['pending'].id}",
            "staff-report-sets": "/staff/reports/sets",
            "staff-report-producers": "/staff/reports/producers",
        }
        for name, path in shots.items():
            page.goto(f"{live_server}{path}")
            if name == "staff-certificate-scan":
                image = page.locator("figure.scan img")
                expect(image).to_be_visible()
                assert image.evaluate("img => img.complete && img.naturalWidth") == 1100
                image.evaluate("img => img.decode()")
            screenshot(page, f"{name}-{width}x{height}")
    finally:
        context.close()


def test_the_typeahead_adds_a_product_without_reloading_the_search(page, live_server, console):
    _log_in(page, live_server)
    campaign = console["campaign"]
    page.goto(f"{live_server}/staff/campaigns/{campaign.id}")
    page.fill("#product-q", "mat ong bac")
    result = page.locator("#product-results li").filter(has_text="Mật ong bạc hà")
    expect(result).to_have_count(1)
    expect(page.locator("#product-results-status")).to_have_text("1 sản phẩm phù hợp.")
    result.get_by_role("button", name="Thêm Mật ong bạc hà").click()
    page.wait_for_url(f"{live_server}/staff/campaigns/{campaign.id}?q=mat+ong+bac")
    expect(page.locator(".flash-success")).to_contain_text("Đã thêm Mật ong bạc hà")
    rows = page.locator("table.campaign-items tbody tr")
    expect(rows).to_have_count(3)
    # Move it to the top with the keyboard-reachable buttons.
    for _ in range(2):
        page.locator("table.campaign-items tbody tr").filter(has_text="Mật ong bạc hà").get_by_role(
            "button", name="Lên: Mật ong bạc hà"
        ).click()
        page.wait_for_load_state()
    expect(rows.first).to_contain_text("Mật ong bạc hà")
    assert page.js_errors == []
