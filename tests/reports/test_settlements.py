import csv
import io
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from shop.audit.models import AuditEntry
from shop.auth.models import Role
from shop.extensions import db
from shop.orders.models import Shipment, ShipmentStatus
from shop.producers.models import ProducerKind
from shop.settlements import services
from shop.settlements.exceptions import AlreadyPaid, FiguresChanged, SettlementError
from shop.settlements.models import Settlement, SettlementStatus
from shop.settlements.services import Figures, Rates, compute, generate, mark_paid, part_of, split
from tests.helpers_http import assert_redirect, assert_signed_in, follow
from tests.reports.conftest import add_refund, vn

OCTOBER = date(2025, 10, 1)
NOVEMBER = date(2025, 11, 1)
AFTER = date(2026, 1, 10)  # both months are over
COOPERATIVE = Rates(commission_bps=500, vat_bps=0, pit_bps=0)
HOUSEHOLD = Rates(commission_bps=500, vat_bps=100, pit_bps=50)


# -- the arithmetic ----------------------------------------------------------------

money = st.integers(min_value=0, max_value=10**12)
bps = st.integers(min_value=0, max_value=10_000)


@given(gross=money, refunds=money, commission=bps, vat=bps, pit=bps)
def test_parts_always_add_up_to_the_gross(gross, refunds, commission, vat, pit):
    f = split(gross, refunds, Rates(commission, vat, pit))
    values = (
        f.gross_vnd,
        f.refunds_vnd,
        f.commission_vnd,
        f.vat_withheld_vnd,
        f.pit_withheld_vnd,
        f.net_vnd,
    )
    assert all(type(v) is int for v in values)
    assert f.refunds_vnd + f.commission_vnd + f.vat_withheld_vnd + f.pit_withheld_vnd + (
        f.net_vnd
    ) == (f.gross_vnd)


@given(base=st.integers(min_value=-(10**12), max_value=10**12), rate=bps)
def test_each_part_is_within_half_a_dong_rounding_half_up(base, rate):
    part = part_of(base, rate)
    exact_times_10000 = base * rate
    # part - 0.5 <= exact < part + 0.5, in integers:
    assert part * 10_000 - 5_000 <= exact_times_10000 < part * 10_000 + 5_000


@given(gross=money, refunds=money, commission=bps, vat=bps, pit=bps)
def test_no_negative_part_when_the_base_is_not_negative(gross, refunds, commission, vat, pit):
    f = split(gross, refunds, Rates(commission, vat, pit))
    if gross >= refunds:
        assert f.commission_vnd >= 0
        assert f.vat_withheld_vnd >= 0
        assert f.pit_withheld_vnd >= 0
        if commission + vat + pit <= 10_000:  # at most 100 % taken
            assert f.net_vnd >= 0


def test_rounding_examples():
    assert part_of(10, 500) == 1  # 0.5 đồng rounds up
    assert part_of(9, 500) == 0  # 0.45 rounds down
    assert part_of(30, 50) == 0  # 0.15
    assert part_of(100, 50) == 1  # 0.5
    assert part_of(-10, 500) == 0  # -0.5 rounds up, towards +infinity
    assert split(1_234_567, 0, HOUSEHOLD) == Figures(
        1_234_567, 0, 61_728, 12_346, 6_173, 1_154_320, 1_234_567
    )


def test_money_must_be_int():
    with pytest.raises(TypeError):
        split(1000.0, 0, COOPERATIVE)


# -- computing from orders -----------------------------------------------------------


@pytest.fixture
def sellers(make_producer, make_product):
    coop = make_producer(legal_name="Hợp tác xã Chè Lũng Phìn")
    home = make_producer(
        kind=ProducerKind.HOUSEHOLD,
        legal_name="Hộ kinh doanh Mật ong Mèo Vạc",
        registration_number=None,
        tax_id="001089012345",
    )
    return {
        "coop": coop,
        "home": home,
        "tea": make_product(coop, price=350_000),
        "honey": make_product(home, price=200_000),
    }


def _shipment(order, producer):
    return next(s for s in order.shipments if s.producer_id == producer.id)


def test_cooperative_pays_commission_only(sellers, make_order):
    # 2 × 350.000 + 30.000 shipping; 1 × 350.000 + 30.000 shipping.
    make_order([(sellers["tea"], 2)], paid_at=vn(2025, 10, 3, 8))
    make_order([(sellers["tea"], 1)], paid_at=vn(2025, 10, 31, 23, 59))
    make_order([(sellers["tea"], 4)])  # unpaid
    make_order([(sellers["tea"], 9)], paid_at=vn(2025, 11, 1, 0, 1))  # November, Vietnam time
    assert compute(sellers["coop"], OCTOBER) == Figures(
        gross_vnd=1_110_000,
        refunds_vnd=0,
        commission_vnd=55_500,
        vat_withheld_vnd=0,
        pit_withheld_vnd=0,
        net_vnd=1_054_500,
        withholding_base_vnd=0,
    )


def test_household_has_vat_and_pit_withheld(sellers, make_order):
    make_order([(sellers["honey"], 3), (sellers["tea"], 1)], paid_at=vn(2025, 10, 3))
    # The household's shipment: 600.000 + 30.000 = 630.000.
    assert compute(sellers["home"], OCTOBER) == Figures(
        gross_vnd=630_000,
        refunds_vnd=0,
        commission_vnd=31_500,  # 5 %
        vat_withheld_vnd=6_300,  # 1 %
        pit_withheld_vnd=3_150,  # 0.5 %
        net_vnd=589_050,
        withholding_base_vnd=630_000,  # a VietQR order: the shop collected it
    )


def test_a_refund_counts_in_the_month_it_was_made(sellers, make_order):
    order = make_order([(sellers["honey"], 2)], paid_at=vn(2025, 10, 20))  # 430.000
    add_refund(_shipment(order, sellers["home"]), 200_000, vn(2025, 11, 2))
    october = compute(sellers["home"], OCTOBER)
    assert (october.gross_vnd, october.refunds_vnd) == (430_000, 0)
    november = compute(sellers["home"], NOVEMBER)
    assert november == Figures(0, 200_000, -10_000, -2_000, -1_000, -187_000, -200_000)


def test_a_shipment_cancelled_after_payment_is_in_the_gross_and_its_refund_deducted(
    sellers, make_order
):
    order = make_order(
        [(sellers["tea"], 1)], paid_at=vn(2025, 10, 3), status=ShipmentStatus.CANCELLED
    )
    add_refund(_shipment(order, sellers["coop"]), 380_000, vn(2025, 10, 4))
    figures = compute(sellers["coop"], OCTOBER)
    assert (figures.gross_vnd, figures.refunds_vnd, figures.net_vnd) == (380_000, 380_000, 0)


def test_failed_and_order_level_refunds_are_not_deducted(sellers, make_order):
    from shop.payments.models import RefundStatus

    order = make_order([(sellers["tea"], 1)], paid_at=vn(2025, 10, 3))
    failed = add_refund(_shipment(order, sellers["coop"]), 1_000, vn(2025, 10, 4))
    failed.status = RefundStatus.FAILED
    add_refund(None, 2_000, vn(2025, 10, 5), order=order)
    db.session.commit()
    assert compute(sellers["coop"], OCTOBER).refunds_vnd == 0
    assert services.unattributed_refunds(OCTOBER) == (1, 2_000)


# -- generate and pay ------------------------------------------------------------------


def test_generate_is_idempotent_and_never_recomputes_a_paid_settlement(sellers, make_order, staff):
    order = make_order([(sellers["tea"], 1), (sellers["honey"], 1)], paid_at=vn(2025, 10, 3))
    result = generate(OCTOBER, AFTER)
    db.session.commit()
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert generate(OCTOBER, AFTER) == services.GenerateResult(unchanged=2)
    coop = db.session.scalar(select(Settlement).where(Settlement.producer_id == sellers["coop"].id))
    mark_paid(coop, staff, "FT25310ABC", AFTER)
    db.session.commit()
    # A late refund recorded in October (back-dated) changes the draft, not the paid one.
    for producer in ("coop", "home"):
        add_refund(_shipment(order, sellers[producer]), 10_000, vn(2025, 10, 30))
    result = generate(OCTOBER, AFTER)
    db.session.commit()
    assert (result.updated, result.paid) == (1, 1)
    db.session.refresh(coop)
    assert coop.refunds_vnd == 0
    assert coop.status == SettlementStatus.PAID
    home = db.session.scalar(select(Settlement).where(Settlement.producer_id == sellers["home"].id))
    assert home.refunds_vnd == 10_000
    assert home.vat_bps == 100


def test_generate_drops_drafts_with_nothing_left_and_refuses_future_months(sellers, make_order):
    order = make_order([(sellers["tea"], 1)], paid_at=vn(2025, 10, 3))
    generate(OCTOBER, AFTER)
    db.session.commit()
    db.session.execute(update(Shipment).where(Shipment.order_id == order.id).values(paid_at=None))
    assert generate(OCTOBER, AFTER).removed == 1
    db.session.commit()
    assert db.session.scalars(select(Settlement)).all() == []
    with pytest.raises(SettlementError):
        generate(date(2026, 2, 1), AFTER)


def test_mark_paid_writes_an_audit_entry_and_refuses_to_pay_twice(sellers, make_order, staff):
    make_order([(sellers["tea"], 2)], paid_at=vn(2025, 10, 3))
    generate(OCTOBER, AFTER)
    db.session.commit()
    settlement = db.session.scalar(select(Settlement))
    with pytest.raises(SettlementError):
        mark_paid(settlement, staff, "   ", AFTER)
    with pytest.raises(SettlementError):
        mark_paid(settlement, staff, "FT1", date(2025, 10, 31))  # October is not over
    mark_paid(settlement, staff, " FT25310XYZ ", AFTER)
    db.session.commit()
    assert settlement.status == SettlementStatus.PAID
    assert settlement.paid_by_id == staff.id
    assert settlement.reference == "FT25310XYZ"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "settle"))
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        staff.id,
        "settlements",
        settlement.id,
    )
    assert entry.reason == "FT25310XYZ"
    assert entry.data["net_vnd"] == str(settlement.net_vnd) == "693500"
    with pytest.raises(AlreadyPaid):
        mark_paid(settlement, staff, "FT-again", AFTER)
    # Even a stale copy of the draft cannot pay again: the update is conditional.
    set_committed_value(settlement, "status", SettlementStatus.DRAFT)
    with pytest.raises(AlreadyPaid):
        mark_paid(settlement, staff, "FT-again", AFTER)
    db.session.rollback()
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.reason == "FT-again")) is None


def test_mark_paid_refuses_when_the_money_moved_since_the_draft(sellers, make_order, staff):
    order = make_order([(sellers["tea"], 2)], paid_at=vn(2025, 10, 3))
    generate(OCTOBER, AFTER)
    db.session.commit()
    add_refund(_shipment(order, sellers["coop"]), 5_000, vn(2025, 10, 9))
    settlement = db.session.scalar(select(Settlement))
    with pytest.raises(FiguresChanged):
        mark_paid(settlement, staff, "FT1", AFTER)
    assert services.refresh(settlement) is True
    mark_paid(settlement, staff, "FT1", AFTER)
    assert settlement.refunds_vnd == 5_000


# -- pages and CLI -----------------------------------------------------------------------


def test_staff_generate_export_and_pay_through_the_pages(client, auth, staff, sellers, make_order):
    make_order([(sellers["tea"], 1), (sellers["honey"], 1)], paid_at=vn(2025, 10, 3))
    assert_redirect(auth.login(staff.email), "/staff/")
    response = client.post("/staff/settlements/generate", data={"month": "2025-10"})
    page = follow(client, response, "/staff/settlements", 303, query={"month": "2025-10"})
    html = page.get_data(as_text=True)
    assert "Hộ kinh doanh Mật ong Mèo Vạc" in html
    assert "Đã tính quyết toán tháng 10/2025" in html  # the flash message
    export = client.get("/staff/settlements.csv", query_string={"month": "2025-10"})
    assert export.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Tháng", "Chủ thể"]
    assert rows[0][9] == "Thực trả (đồng)"
    household = next(r for r in rows if r[1] == "Hộ kinh doanh Mật ong Mèo Vạc")
    assert household[4:10] == ["230000", "0", "11500", "2300", "1150", "215050"]
    assert household[10] == "Bản nháp (chưa chi trả)"
    settlement = db.session.scalar(
        select(Settlement).where(Settlement.producer_id == sellers["home"].id)
    )
    detail = client.get(f"/staff/settlements/{settlement.id}")
    assert detail.status_code == 200
    assert "215.050 ₫" in detail.get_data(as_text=True)
    detail_path = f"/staff/settlements/{settlement.id}"
    paid = client.post(f"{detail_path}/pay", data={"reference": "FT777"})
    assert_redirect(paid, detail_path, 303)
    again = client.post(f"{detail_path}/pay", data={"reference": "FT778"})
    assert "đã được thanh toán" in follow(client, again, detail_path, 303).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Settlement, settlement.id).reference == "FT777"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "settle")) is not None


def test_staff_page_warns_about_refunds_without_a_shipment(
    client, auth, staff, sellers, make_order
):
    order = make_order([(sellers["tea"], 1)], paid_at=vn(2025, 10, 3))
    add_refund(None, 50_000, vn(2025, 10, 5), order=order)
    assert_redirect(auth.login(staff.email), "/staff/")
    html = client.get("/staff/settlements?month=2025-10").get_data(as_text=True)
    assert "1 khoản hoàn tiền" in html
    assert "50.000 ₫" in html


def test_bad_months_on_the_staff_pages(client, auth, staff):
    assert_redirect(auth.login(staff.email), "/staff/")
    page = client.get("/staff/settlements?month=2025-13")
    assert page.status_code == 400
    assert "Tháng không hợp lệ" in page.get_data(as_text=True)
    assert client.get("/staff/settlements.csv?month=x").status_code == 400
    response = client.post("/staff/settlements/generate", data={"month": "nope"})
    page = follow(client, response, "/staff/settlements", 303, query={})
    assert "Tháng không hợp lệ" in page.get_data(as_text=True)
    assert db.session.scalar(select(Settlement)) is None


def test_a_producer_sees_only_its_own_settlements(
    client, auth, make_user, make_producer, make_product, make_order
):
    mine = make_producer(owner=make_user(email="mine@example.vn"), legal_name="HTX Của Tôi")
    other = make_producer(legal_name="HTX Người Khác")
    make_order([(make_product(mine, price=100_000), 1)], paid_at=vn(2025, 10, 3))
    make_order([(make_product(other, price=777_000), 1)], paid_at=vn(2025, 10, 3))
    generate(OCTOBER, AFTER)
    db.session.commit()
    own = db.session.scalar(select(Settlement).where(Settlement.producer_id == mine.id))
    theirs = db.session.scalar(select(Settlement).where(Settlement.producer_id == other.id))
    assert_redirect(auth.login("mine@example.vn"), "/producer/")
    html = client.get("/producer/settlements").get_data(as_text=True)
    assert "130.000 ₫" in html  # 100.000 + 30.000 shipping
    assert "807.000 ₫" not in html
    assert client.get(f"/producer/settlements/{own.id}").status_code == 200
    assert client.get(f"/producer/settlements/{theirs.id}").status_code == 404
    assert client.get("/staff/settlements").status_code == 403
    assert client.get(f"/staff/settlements/{theirs.id}").status_code == 403


def test_customer_gets_403_on_staff_settlements(client, auth, make_user):
    make_user(email="c@example.vn", role=Role.CUSTOMER)
    assert_signed_in(auth.login("c@example.vn"))
    assert client.get("/staff/settlements").status_code == 403
    assert client.get("/staff/settlements.csv").status_code == 403
    assert client.post("/staff/settlements/generate", data={"month": "2025-10"}).status_code == 403


def test_cli_generate(runner, sellers, make_order):
    make_order([(sellers["tea"], 1)], paid_at=vn(2025, 10, 3))
    result = runner.invoke(args=["settlements", "generate", "--month", "2025-10"])
    assert result.exit_code == 0, result.output
    assert "1 created" in result.output
    again = runner.invoke(args=["settlements", "generate", "--month", "2025-10"])
    assert "0 created, 0 updated, 1 unchanged" in again.output
    bad = runner.invoke(args=["settlements", "generate", "--month", "2025-13"])
    assert bad.exit_code == 2
    assert "YYYY-MM" in bad.output
