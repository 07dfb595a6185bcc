"""The centres' pages: staff register centres and their staff, producers consign,
centre staff sell at the till; who may reach what; the product page, the staff
report and the settlement."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from shop.auth.models import Role
from shop.catalog.models import Product
from shop.centres.models import Centre, CentreStock, TillPayment, TillSale
from shop.clock import today_vn
from shop.extensions import db
from shop.producers.models import ProducerKind
from tests.centres.helpers import CENTRE, consign, make_cashier, make_centre
from tests.centres.test_services import gtin
from tests.helpers_http import assert_redirect, follow

TODAY = today_vn()


def held(centre, product) -> int:
    db.session.expire_all()
    row = db.session.get(CentreStock, (centre.id, product.id))
    return row.quantity if row else 0


# -- staff ---------------------------------------------------------------------------


def centre_form(**overrides):
    form = {
        "name": "Điểm bán OCOP Mèo Vạc",
        "operator": "HTX Du lịch Mèo Vạc",
        "province_code": "8",
        "ward_code": "763",
        "street": "Chợ phiên Mèo Vạc",
        "opening_hours": "Chủ nhật 6:00–12:00",
        "phone": "0912 345 678",
        "email": "",
        "latitude": "23.155 ",
        "longitude": "105.4062",
        "pickup_fee": "0",
        "is_active": "y",
    }
    form.update(overrides)
    return form


def test_staff_register_a_centre_and_its_staff(client, auth, staff, make_user):
    assert_redirect(auth.login(staff.email), "/staff/")
    page = client.get("/staff/centres")
    assert page.status_code == 200
    assert 'aria-current="page">Điểm bán<' in page.text
    response = client.post("/staff/centres/new", data=centre_form())
    centre = db.session.scalar(select(Centre))
    follow(client, response, f"/staff/centres/{centre.id}", 303)
    assert (centre.latitude_e6, centre.longitude_e6, centre.phone) == (
        23_155_000,
        105_406_200,
        "0912345678",
    )
    user = make_user(email="nv@example.vn")
    response = client.post(f"/staff/centres/{centre.id}/staff", data={"email": "nv@example.vn"})
    page = follow(client, response, f"/staff/centres/{centre.id}", 303)
    assert "nv@example.vn" in page.text
    db.session.refresh(user)
    assert user.role is Role.CENTRE
    response = client.post(f"/staff/centres/{centre.id}/staff", data={"email": "ai@example.vn"})
    assert response.status_code == 400
    assert "đăng ký tài khoản trước" in response.text
    member_id = centre.staff[0].id
    response = client.post(f"/staff/centres/{centre.id}/staff/{member_id}/remove")
    assert_redirect(response, f"/staff/centres/{centre.id}", 303)
    db.session.refresh(user)
    assert user.role is Role.CUSTOMER


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("latitude", "91", "Vĩ độ là một số từ -90 đến 90."),
        ("latitude", "abc", "Vĩ độ là một số từ -90 đến 90."),
        ("longitude", "", "Nhập cả vĩ độ và kinh độ"),
        ("longitude", "1e400", "Kinh độ là một số"),
        ("pickup_fee", "12.5", "Phí là một số đồng"),
        ("ward_code", "2839", "Xã/phường không thuộc tỉnh/thành phố đã chọn."),
        ("name", "", "Vui lòng nhập tên điểm bán."),
    ],
)
def test_bad_centre_forms_say_why(client, auth, staff, field, value, message):
    auth.login(staff.email)
    response = client.post("/staff/centres/new", data=centre_form(**{field: value}))
    assert response.status_code == 400
    assert message in response.text
    assert db.session.scalar(select(Centre)) is None


def test_staff_edit_a_centre(client, auth, staff, centre):
    auth.login(staff.email)
    form = centre_form(name="Điểm bán mới tên", latitude="", longitude="")
    assert_redirect(
        client.post(f"/staff/centres/{centre.id}", data=form), f"/staff/centres/{centre.id}", 303
    )
    db.session.refresh(centre)
    assert centre.name == "Điểm bán mới tên"
    assert not centre.has_coordinates


# -- who may reach what --------------------------------------------------------------


CENTRE_PAGES = [
    ("GET", "/centre/"),
    ("POST", "/centre/scan"),
    ("POST", "/centre/basket"),
    ("POST", "/centre/checkout"),
    ("GET", "/centre/report"),
    ("GET", "/centre/stock"),
    ("GET", "/centre/ledger"),
    ("POST", "/centre/stock/return"),
    ("POST", "/centre/stock/adjust"),
]


def test_only_centre_staff_reach_the_till(client, auth, staff, make_user, make_producer, centre):
    for method, path in CENTRE_PAGES:
        assert_redirect(client.open(path, method=method), "/login", query={"next": path})
    producer = make_producer()
    make_user(email="khach@example.vn")
    for email in ("khach@example.vn", producer.members[0].user.email, staff.email):
        auth.login(email)
        for method, path in CENTRE_PAGES:
            response = client.open(path, method=method)
            assert response.status_code == 403, f"{email} {method} {path}"
        auth.logout()


def test_centre_staff_land_on_the_till_and_are_not_staff(client, auth, centre, cashier):
    assert_redirect(auth.login(cashier.email), "/centre/")
    for path in ("/staff/centres", f"/staff/centres/{centre.id}", "/staff/reports/"):
        assert client.get(path).status_code == 403
    assert client.get("/producer/centres").status_code == 302  # not a producer: register


def test_a_centre_sees_only_its_own_receipts_and_stock(client, auth, centre, cashier, make_listed):
    other = make_centre(name="Điểm bán khác")
    product = make_listed(price=100_000)
    consign(other, product, 5)
    other_cashier = make_cashier(other, email="khac@example.vn")
    from shop.centres import services

    sale = services.record_sale(other, other_cashier, {product.id: 1}, TillPayment.CASH, "x", TODAY)
    db.session.commit()
    auth.login(cashier.email)
    assert client.get(f"/centre/sales/{sale.id}").status_code == 404
    assert product.name not in client.get("/centre/stock").text
    response = client.post(
        "/centre/stock/return", data={"product_id": product.id, "quantity": 1, "to_online": "y"}
    )
    assert response.status_code == 404
    assert held(other, product) == 4


# -- the producer ------------------------------------------------------------------


def test_a_producer_consigns_through_its_page(client, auth, centre, make_listed, make_producer):
    product = make_listed(stock=25)
    owner = product.producer.members[0].user
    assert_redirect(auth.login(owner.email), "/producer/")
    page = client.get("/producer/centres")
    assert page.status_code == 200
    assert centre.name in page.text
    response = client.post(
        "/producer/centres",
        data={
            "centre_id": centre.id,
            "product_id": product.id,
            "quantity": "20",
            "from_online": "y",
        },
    )
    page = follow(client, response, "/producer/centres", 303)
    assert "Ký gửi" in page.text
    assert held(centre, product) == 20
    assert db.session.get(Product, product.id).stock == 5
    response = client.post(
        "/producer/centres",
        data={
            "centre_id": centre.id,
            "product_id": product.id,
            "quantity": "6",
            "from_online": "y",
        },
    )
    assert response.status_code == 400
    assert "Tồn kho online chỉ còn 5 đơn vị" in response.text
    foreign = make_listed(producer=make_producer())
    for data in (
        {"centre_id": centre.id, "product_id": foreign.id, "quantity": "1"},
        {"centre_id": 999, "product_id": product.id, "quantity": "1"},
        {"centre_id": centre.id, "product_id": product.id, "quantity": "1.5"},
        {"centre_id": centre.id, "product_id": product.id, "quantity": "0"},
    ):
        assert client.post("/producer/centres", data=data).status_code == 400
    assert held(centre, foreign) == 0
    assert held(centre, product) == 20


# -- the till ------------------------------------------------------------------------


@pytest.fixture
def shelf(centre, make_listed):
    product = make_listed("Chè Shan Tuyết Lũng Phìn", gtin=gtin("700001"), price=120_000)
    consign(centre, product, 10)
    return product


def token_of(page) -> str:
    return re.search(r'name="sale_token" type="hidden" value="([0-9a-f]+)"', page.text).group(1)


def test_scan_and_sell_for_cash(client, auth, centre, cashier, shelf):
    auth.login(cashier.email)
    till = client.get("/centre/")
    assert till.status_code == 200
    assert "autofocus" in till.text
    assert 'enterkeyhint="go"' in till.text
    assert "camera=(self)" in till.headers["Permissions-Policy"]
    response = client.post("/centre/scan", data={"code": shelf.gtin})
    page = follow(client, response, "/centre/", 303, query={"scanned": shelf.id})
    assert "Đã thêm vào giỏ" in page.text
    assert "Còn hiệu lực" in page.text
    client.post("/centre/scan", data={"code": shelf.gtin})
    page = client.get("/centre/")
    assert "240.000 ₫" in page.text
    response = client.post(
        "/centre/checkout", data={"method": "cash", "sale_token": token_of(page)}
    )
    sale = db.session.scalar(select(TillSale))
    receipt = follow(client, response, f"/centre/sales/{sale.id}", 303)
    assert sale.number in receipt.text
    assert "240.000 ₫" in receipt.text
    assert "Tiền mặt" in receipt.text
    assert "css/till.css" in receipt.text
    assert held(centre, shelf) == 8
    # The same form again (a double click): the same receipt, nothing more taken.
    again = client.post("/centre/checkout", data={"method": "cash", "sale_token": sale.sale_token})
    assert_redirect(again, f"/centre/sales/{sale.id}", 303)
    assert held(centre, shelf) == 8
    assert "Giỏ trống" in client.get("/centre/").text


def test_vietqr_shows_the_code_then_records_on_confirmation(client, auth, cashier, centre, shelf):
    from shop.payments import vietqr

    auth.login(cashier.email)
    client.post("/centre/scan", data={"code": shelf.gtin})
    token = token_of(client.get("/centre/"))
    shown = client.post("/centre/checkout", data={"method": "vietqr", "sale_token": token})
    assert shown.status_code == 200
    assert "data:image/png;base64," in shown.text
    assert held(centre, shelf) == 10
    assert db.session.scalar(select(TillSale)) is None
    content = re.search(r"Nội dung chuyển khoản: <strong>([^<]+)<", shown.text).group(1)
    assert content == f"OCOP {token[:10].upper()}"
    payload = vietqr.build_payload(
        bank_bin="970436", account="0011004123456", amount_vnd=120_000, content=content
    )
    assert vietqr.parse(payload).amount_vnd == 120_000
    response = client.post(
        "/centre/checkout", data={"method": "vietqr", "sale_token": token, "confirmed": "1"}
    )
    sale = db.session.scalar(select(TillSale))
    receipt = follow(client, response, f"/centre/sales/{sale.id}", 303)
    assert sale.payment_method is TillPayment.VIETQR
    assert "Chuyển khoản VietQR" in receipt.text
    assert held(centre, shelf) == 9


def test_the_till_refuses_a_revoked_product_with_the_reason(
    client, auth, cashier, shelf, make_user
):
    from shop.certification.queries import current_certificate
    from shop.certification.services import revoke_certificate

    revoke_certificate(
        current_certificate(shelf), make_user(role=Role.STAFF), "Không đạt khi tái kiểm tra"
    )
    db.session.commit()
    auth.login(cashier.email)
    response = client.post("/centre/scan", data={"code": shelf.gtin})
    assert response.status_code == 422
    assert "KHÔNG BÁN" in response.text
    assert "Không đạt khi tái kiểm tra" in response.text
    assert "Đã thu hồi" in response.text
    assert "Giỏ trống" in response.text


def test_the_till_says_what_it_cannot_read(client, auth, cashier, shelf):
    auth.login(cashier.email)
    for code, status in (("", 404), ("12345", 404), ("x" * 301, 400)):
        response = client.post("/centre/scan", data={"code": code})
        assert response.status_code == status, code
    assert "Giỏ trống" in client.get("/centre/").text


def test_the_till_never_adds_more_than_the_centre_holds(client, auth, cashier, centre, make_listed):
    product = make_listed(gtin=gtin("700002"))
    consign(centre, product, 1)
    auth.login(cashier.email)
    assert client.post("/centre/scan", data={"code": product.gtin}).status_code == 303
    response = client.post("/centre/scan", data={"code": product.gtin})
    assert response.status_code == 409
    assert "chỉ còn 1 đơn vị" in response.text


def test_a_basket_sold_out_meanwhile_sells_nothing(client, auth, cashier, centre, shelf):
    auth.login(cashier.email)
    client.post("/centre/scan", data={"code": shelf.gtin})
    response = client.post("/centre/basket", data={"product_id": shelf.id, "quantity": "4"})
    assert_redirect(response, "/centre/", 303)
    token = token_of(client.get("/centre/"))
    from shop.centres import services

    services.adjust(centre, shelf, -8, "Chuyển sang quầy khác", cashier)
    db.session.commit()
    response = client.post("/centre/checkout", data={"method": "cash", "sale_token": token})
    assert response.status_code == 409
    assert "chỉ còn 2 đơn vị" in response.text
    assert held(centre, shelf) == 2
    assert db.session.scalar(select(TillSale)) is None


def test_a_stale_basket_token_is_refused(client, auth, cashier, centre, shelf):
    auth.login(cashier.email)
    client.post("/centre/scan", data={"code": shelf.gtin})
    old = token_of(client.get("/centre/"))
    client.post("/centre/scan", data={"code": shelf.gtin})
    response = client.post("/centre/checkout", data={"method": "cash", "sale_token": old})
    assert_redirect(response, "/centre/", 303)
    assert held(centre, shelf) == 10
    for data in ({"method": "cheque", "sale_token": old}, {"method": "cash", "sale_token": ""}):
        assert client.post("/centre/checkout", data=data).status_code == 400


def test_returns_and_adjustments_from_the_stock_page(client, auth, cashier, centre, shelf):
    auth.login(cashier.email)
    page = client.get("/centre/stock")
    assert page.status_code == 200
    assert shelf.name in page.text
    response = client.post(
        "/centre/stock/return", data={"product_id": shelf.id, "quantity": "3", "to_online": "y"}
    )
    assert_redirect(response, "/centre/stock", 303)
    response = client.post(
        "/centre/stock/adjust", data={"product_id": shelf.id, "change": "-1", "reason": "Vỡ"}
    )
    assert_redirect(response, "/centre/stock", 303)
    assert held(centre, shelf) == 6
    response = client.post("/centre/stock/return", data={"product_id": shelf.id, "quantity": "7"})
    assert response.status_code == 400
    assert "chỉ còn 6 đơn vị" in response.text
    response = client.post("/centre/stock/adjust", data={"product_id": shelf.id, "change": "2"})
    assert response.status_code == 400
    assert "Vui lòng ghi lý do" in response.text
    ledger = client.get("/centre/ledger")
    assert "Trả lại chủ thể" in ledger.text
    assert "Điều chỉnh kiểm kê" in ledger.text


def test_daily_report_pages(client, auth, cashier, centre, staff, shelf):
    from shop.centres import services

    services.record_sale(centre, cashier, {shelf.id: 2}, TillPayment.CASH, "r1", TODAY)
    services.record_sale(centre, cashier, {shelf.id: 1}, TillPayment.VIETQR, "r2", TODAY)
    db.session.commit()
    auth.login(cashier.email)
    page = client.get("/centre/report")
    assert page.status_code == 200
    assert "360.000 ₫" in page.text
    assert "240.000 ₫" in page.text
    assert "120.000 ₫" in page.text
    bad = client.get("/centre/report?day=2026-13-45")
    assert bad.status_code == 200
    assert "Ngày không hợp lệ" in bad.text
    auth.logout()
    auth.login(staff.email)
    page = client.get(f"/staff/centres/{centre.id}/report?day={TODAY.isoformat()}")
    assert page.status_code == 200
    assert "360.000 ₫" in page.text
    reports = client.get("/staff/reports/centres")
    assert reports.status_code == 200
    assert centre.name in reports.text
    csv = client.get("/staff/reports/centres.csv")
    assert csv.status_code == 200
    assert "360000" in csv.get_data(as_text=True)


# -- the product page --------------------------------------------------------------


def test_the_product_page_lists_centres_holding_it(client, centre, shelf, cashier):
    page = client.get(f"/products/{shelf.slug}")
    assert page.status_code == 200
    assert "Mua tại điểm bán OCOP" in page.text
    assert CENTRE["name"] in page.text
    assert 'href="geo:22.823300,104.983600"' in page.text
    assert (
        "https://www.openstreetmap.org/?mlat=22.823300&amp;mlon=104.983600#map=17/22.823300/104.983600"
        in page.text
    )
    assert "<script" not in page.text.split("Mua tại điểm bán OCOP")[1].split("</section>")[0]
    from shop.centres import services

    services.adjust(centre, shelf, -10, "Hết", cashier)
    db.session.commit()
    assert "Mua tại điểm bán OCOP" not in client.get(f"/products/{shelf.slug}").text


# -- settlements -------------------------------------------------------------------


def test_centre_sales_are_in_the_gross_but_never_withheld(
    app, client, auth, staff, centre, cashier
):
    from shop.orders.models import PaymentMethod
    from shop.settlements import services as settlements
    from tests.factories import make_listed, make_producer, make_user
    from tests.reports.conftest import build_order, vn

    home = make_producer(
        kind=ProducerKind.HOUSEHOLD,
        legal_name="Hộ kinh doanh Mật ong Mèo Vạc",
        registration_number=None,
        tax_id="001089012345",
        owner=make_user(email="ho@example.vn"),
    )
    honey = make_listed(producer=home, price=200_000, stock=20)
    order = build_order([(honey, 1)], paid_at=vn(2025, 10, 2))  # 200.000 + shipping
    order.payment_method = PaymentMethod.VIETQR
    consign(centre, honey, 5)
    from shop.centres import services

    sale = services.record_sale(centre, cashier, {honey.id: 3}, TillPayment.VIETQR, "s", TODAY)
    sale.sold_at = vn(2025, 10, 9)
    db.session.commit()
    online = order.shipments[0].subtotal_vnd + order.shipments[0].shipping_vnd
    figures = settlements.compute(home, date(2025, 10, 1))
    assert figures.centre_sales_vnd == 600_000
    assert figures.gross_vnd == online + 600_000
    assert figures.withholding_base_vnd == online  # the till sale is not withheld on
    assert figures.vat_withheld_vnd == (online * 100 + 5000) // 10000
    settlements.generate(date(2025, 10, 1), TODAY)
    db.session.commit()
    from shop.settlements.models import Settlement

    settlement = db.session.scalar(select(Settlement).where(Settlement.producer_id == home.id))
    assert settlement.centre_sales_vnd == 600_000
    assert settlement.gross_vnd == online + 600_000
    auth.login(staff.email)
    page = client.get(f"/staff/settlements/{settlement.id}")
    assert page.status_code == 200
    assert "Trong đó bán tại quầy các điểm bán OCOP" in page.text
    assert sale.number in page.text
    assert "600.000 ₫" in page.text
