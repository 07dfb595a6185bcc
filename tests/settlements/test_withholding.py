"""Decree 117/2025 withholding: only households, only money the shop collected
(card, VietQR), never cash on delivery; no payment without a tax code or CCCD."""

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from config import Config
from shop.extensions import db
from shop.orders.models import PaymentMethod
from shop.producers.models import ProducerKind
from shop.settlements import services
from shop.settlements.exceptions import MissingTaxId
from shop.settlements.models import Settlement, SettlementStatus
from shop.settlements.withholding import DECREE_117_GOODS, withholding_applies
from tests.factories import make_producer, make_product, make_user
from tests.helpers_http import assert_signed_in, follow
from tests.reports.conftest import add_refund, build_order, vn

OCTOBER = date(2025, 10, 1)
AFTER = date(2026, 1, 10)


@pytest.mark.parametrize("kind", list(ProducerKind))
@pytest.mark.parametrize("method", list(PaymentMethod))
def test_the_rule(kind, method):
    expected = kind == ProducerKind.HOUSEHOLD and method in (
        PaymentMethod.CARD,
        PaymentMethod.VIETQR,
    )
    assert withholding_applies(kind, method) is expected


def test_rates_are_the_decree_117_goods_rates_with_their_source():
    assert (DECREE_117_GOODS.vat_bps, DECREE_117_GOODS.pit_bps) == (100, 50)
    assert "117/2025" in DECREE_117_GOODS.source
    assert (Config.HOUSEHOLD_VAT_BPS, Config.HOUSEHOLD_PIT_BPS) == (100, 50)


def _order(product, quantity, method, paid_at):
    order = build_order([(product, quantity)], paid_at=paid_at)
    order.payment_method = method
    db.session.commit()
    return order


@pytest.fixture
def home(app):
    return make_producer(
        kind=ProducerKind.HOUSEHOLD,
        legal_name="Hộ kinh doanh Mật ong Mèo Vạc",
        registration_number=None,
        tax_id="001089012345",
        owner=make_user(email="ho@example.vn"),
    )


def test_household_is_withheld_on_card_and_vietqr_not_on_cash(home):
    honey = make_product(home, price=200_000)
    _order(honey, 1, PaymentMethod.VIETQR, vn(2025, 10, 2))  # 230.000
    _order(honey, 2, PaymentMethod.CARD, vn(2025, 10, 3))  # 430.000
    cod = _order(honey, 5, PaymentMethod.COD, vn(2025, 10, 4))  # 1.030.000, cash
    card = _order(honey, 1, PaymentMethod.CARD, vn(2025, 10, 5))  # 230.000
    add_refund(card.shipments[0], 100_000, vn(2025, 10, 6))  # the shop gives back card money
    add_refund(cod.shipments[0], 30_000, vn(2025, 10, 7))
    figures = services.compute(home, OCTOBER)
    assert figures.gross_vnd == 230_000 + 430_000 + 1_030_000 + 230_000
    assert figures.refunds_vnd == 130_000
    # Withheld on what the shop collected: 230.000 + 430.000 + 230.000 − 100.000.
    assert figures.withholding_base_vnd == 790_000
    assert (figures.vat_withheld_vnd, figures.pit_withheld_vnd) == (7_900, 3_950)
    assert figures.commission_vnd == 89_500  # 5 % of all of it: 1.790.000
    assert figures.net_vnd == 1_790_000 - 89_500 - 7_900 - 3_950


def test_cash_only_household_has_nothing_withheld(home):
    _order(make_product(home, price=200_000), 1, PaymentMethod.COD, vn(2025, 10, 2))
    figures = services.compute(home, OCTOBER)
    assert (figures.withholding_base_vnd, figures.vat_withheld_vnd, figures.pit_withheld_vnd) == (
        0,
        0,
        0,
    )


def test_cooperative_is_never_withheld(app):
    coop = make_producer()
    _order(make_product(coop, price=200_000), 1, PaymentMethod.CARD, vn(2025, 10, 2))
    figures = services.compute(coop, OCTOBER)
    assert (figures.withholding_base_vnd, figures.vat_withheld_vnd) == (0, 0)


def test_withholding_rounds_half_up_per_month():
    rates = services.Rates(commission_bps=500, vat_bps=100, pit_bps=50)
    f = services.split(1_000_100, 0, rates, withholding_base_vnd=100)  # 1 % of 100 = 1
    assert (f.vat_withheld_vnd, f.pit_withheld_vnd) == (1, 1)  # 0.5 đồng rounds up
    f = services.split(1_000_100, 0, rates, withholding_base_vnd=99)
    assert (f.vat_withheld_vnd, f.pit_withheld_vnd) == (1, 0)  # 0.99 → 1, 0.495 → 0


# -- no tax identity, no payment ---------------------------------------------------------


@pytest.fixture
def no_id(app):
    household = make_producer(
        kind=ProducerKind.HOUSEHOLD,
        legal_name="Hộ Chè Lũng Phìn",
        registration_number=None,
        owner=make_user(email="noid@example.vn"),
    )
    _order(make_product(household, price=200_000), 1, PaymentMethod.VIETQR, vn(2025, 10, 2))
    services.generate(OCTOBER, AFTER)
    db.session.commit()
    return household


def test_household_without_tax_id_cannot_be_paid(no_id, staff):
    settlement = db.session.scalar(select(Settlement))
    assert settlement.vat_withheld_vnd == 2_300  # the draft is computed all the same
    with pytest.raises(MissingTaxId, match="chưa khai mã số thuế hoặc số CCCD"):
        services.mark_paid(settlement, staff, "FT1", AFTER)
    db.session.rollback()
    no_id.tax_id = "0101234567-001"
    db.session.commit()
    services.mark_paid(settlement, staff, "FT1", AFTER)
    db.session.commit()
    assert settlement.status == SettlementStatus.PAID
    assert settlement.tax_id == "0101234567-001"  # declared under the number of the day


def test_staff_pay_page_says_why(client, auth, staff, no_id):
    settlement = db.session.scalar(select(Settlement))
    assert_signed_in(auth.login(staff.email))
    detail_path = f"/staff/settlements/{settlement.id}"
    page = client.get(detail_path)
    assert page.status_code == 200
    assert 'id="pay"' not in page.get_data(as_text=True)
    assert "chưa thể chi trả" in page.get_data(as_text=True)
    response = client.post(f"{detail_path}/pay", data={"reference": "FT9"})
    page = follow(client, response, detail_path, 303)
    assert "chưa khai mã số thuế hoặc số CCCD" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Settlement, settlement.id).status == SettlementStatus.DRAFT
    index = client.get("/staff/settlements?month=2025-10")
    assert "Thiếu mã số thuế/CCCD" in index.get_data(as_text=True)


# -- statements and exports ---------------------------------------------------------------


def _rows(response):
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_household_statement_page_and_csv(client, auth, staff, home):
    honey = make_product(home, price=200_000)
    _order(honey, 1, PaymentMethod.VIETQR, vn(2025, 10, 2))  # 230.000
    _order(honey, 1, PaymentMethod.COD, vn(2025, 11, 2))  # nothing withheld in November
    _order(honey, 2, PaymentMethod.CARD, vn(2025, 11, 3))  # 430.000
    for month in (OCTOBER, date(2025, 11, 1)):
        services.generate(month, AFTER)
    db.session.commit()
    october = db.session.scalar(select(Settlement).where(Settlement.month == OCTOBER))
    services.mark_paid(october, staff, "FT10", AFTER)
    db.session.commit()
    assert_signed_in(auth.login("ho@example.vn"))
    page = client.get("/producer/settlements/tax?year=2025")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "230.000 ₫" in html
    assert "430.000 ₫" in html
    assert "Nghị định 117/2025/NĐ-CP" in html
    rows = _rows(client.get("/producer/settlements/tax.csv?year=2025"))
    assert rows[0][:3] == ["Tháng", "Mã số thuế / CCCD", "Doanh thu sàn thu qua thẻ, VietQR (đồng)"]
    assert rows[1][:8] == [
        "10/2025",
        "001089012345",
        "230000",
        "1 %",
        "2300",
        "0,5 %",
        "1150",
        "3450",
    ]
    assert rows[2][:8] == [
        "11/2025",
        "001089012345",
        "430000",
        "1 %",
        "4300",
        "0,5 %",
        "2150",
        "6450",
    ]
    assert rows[1][8] == "Đã thanh toán"
    assert rows[2][8] == "Bản nháp (chưa chi trả)"
    assert _rows(client.get("/producer/settlements/tax.csv?year=2024"))[1:] == []
    assert client.get("/producer/settlements/tax?year=abc").status_code == 400
    assert client.get("/producer/settlements/tax.csv?year=99999").status_code == 400


def test_statement_shows_only_the_producers_own(client, auth, home):
    other = make_producer(
        kind=ProducerKind.HOUSEHOLD, registration_number=None, tax_id="001089099999"
    )
    _order(make_product(other, price=777_000), 1, PaymentMethod.CARD, vn(2025, 10, 2))
    services.generate(OCTOBER, AFTER)
    db.session.commit()
    assert_signed_in(auth.login("ho@example.vn"))
    assert _rows(client.get("/producer/settlements/tax.csv?year=2025"))[1:] == []
    assert "807.000" not in client.get("/producer/settlements/tax?year=2025").get_data(as_text=True)


def test_staff_monthly_declaration_export(client, auth, staff, home):
    coop = make_producer(legal_name="HTX Chè")
    _order(make_product(home, price=200_000), 1, PaymentMethod.VIETQR, vn(2025, 10, 2))
    _order(make_product(coop, price=200_000), 1, PaymentMethod.VIETQR, vn(2025, 10, 2))
    services.generate(OCTOBER, AFTER)
    db.session.commit()
    assert_signed_in(auth.login(staff.email))
    rows = _rows(client.get("/staff/settlements/withholding.csv?month=2025-10"))
    assert rows[0][:4] == ["Tháng", "Tên hộ", "Loại giấy tờ", "Mã số thuế / CCCD"]
    assert len(rows) == 2  # the household only
    row = rows[1]
    assert row[:4] == ["10/2025", "Hộ kinh doanh Mật ong Mèo Vạc", "CCCD", "001089012345"]
    assert row[6:12] == ["230000", "1 %", "2300", "0,5 %", "1150", "3450"]
    assert client.get("/staff/settlements/withholding.csv?month=2025-13").status_code == 400
    html = client.get("/staff/settlements?month=2025-10").get_data(as_text=True)
    assert "/staff/settlements/withholding.csv?month=2025-10" in html
