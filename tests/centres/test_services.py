"""Centres' use cases: staff, consignment, the ledger, what the till reads, a sale."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from shop.auth.models import Role
from shop.catalog.gtin import check_digit
from shop.catalog.models import Product
from shop.centres import queries, services
from shop.centres.exceptions import (
    CannotAssign,
    CentreError,
    CentreShort,
    NotFound,
    NotSellable,
    OnlineShort,
)
from shop.centres.models import (
    CentreStock,
    MovementKind,
    StockMovement,
    TillPayment,
    TillSale,
    receipt_id,
)
from shop.certification.services import revoke_certificate
from shop.clock import today_vn
from shop.extensions import db
from tests.centres.helpers import consign, make_cashier, make_centre

TODAY = today_vn()


def gtin(body: str) -> str:
    first12 = ("893" + body).ljust(12, "0")[:12]
    return first12 + str(check_digit(first12))


def stock_row(centre, product) -> int:
    db.session.expire_all()
    row = db.session.get(CentreStock, (centre.id, product.id))
    return row.quantity if row else 0


def online(product) -> int:
    db.session.expire_all()
    return db.session.get(Product, product.id).stock


# -- centres and their staff ------------------------------------------------------------


def test_a_centre_gives_plain_map_links_from_exact_coordinates(centre):
    assert centre.latitude == Decimal("22.8233")
    assert centre.geo_uri == "geo:22.823300,104.983600"
    assert centre.osm_url == (
        "https://www.openstreetmap.org/?mlat=22.823300&mlon=104.983600#map=17/22.823300/104.983600"
    )
    assert centre.address_line.startswith("Số 2 đường Nguyễn Trãi, ")
    bare = make_centre(latitude_e6=None, longitude_e6=None)
    assert bare.geo_uri == ""
    assert bare.osm_url == ""


def test_assigning_staff_gives_the_centre_role_and_removing_takes_it_back(centre, make_user):
    staff = make_user(role=Role.STAFF)
    user = make_user(email="nv@example.vn")
    member = services.assign_staff(centre, "NV@example.vn", staff)
    db.session.commit()
    assert user.role is Role.CENTRE
    assert services.centre_of(user).id == centre.id
    token = user.session_token
    services.remove_staff(member, staff)
    db.session.commit()
    assert user.role is Role.CUSTOMER
    assert user.session_token != token
    assert services.centre_of(user) is None


def test_who_cannot_become_centre_staff(centre, make_user, make_producer):
    staff = make_user(role=Role.STAFF)
    with pytest.raises(CannotAssign):
        services.assign_staff(centre, "nobody@example.vn", staff)
    with pytest.raises(CannotAssign):
        services.assign_staff(centre, staff.email, staff)
    producer = make_producer()
    with pytest.raises(CannotAssign):
        services.assign_staff(centre, producer.members[0].user.email, staff)
    make_cashier(centre, email="a@example.vn")
    other = make_centre(name="Điểm bán khác")
    with pytest.raises(CannotAssign):
        services.assign_staff(other, "a@example.vn", staff)


# -- consignment, returns, adjustments: the ledger ---------------------------------------


def test_consigning_from_the_online_stock_moves_units_and_writes_the_ledger(centre, make_listed):
    product = make_listed(stock=30)
    movement = consign(centre, product, 20, from_online=True)
    assert (online(product), stock_row(centre, product)) == (10, 20)
    assert movement.kind is MovementKind.CONSIGNED
    assert (movement.quantity_change, movement.balance_after, movement.online_stock) == (
        20,
        20,
        True,
    )


def test_consigning_more_than_the_online_stock_takes_nothing(centre, make_listed):
    product = make_listed(stock=5)
    with pytest.raises(OnlineShort):
        consign(centre, product, 6, from_online=True)
    db.session.rollback()
    assert (online(product), stock_row(centre, product)) == (5, 0)
    assert db.session.scalar(select(func.count(StockMovement.id))) == 0


def test_consigning_goods_not_in_the_online_stock_leaves_it(centre, make_listed):
    product = make_listed(stock=0)
    consign(centre, product, 12, from_online=False)
    assert (online(product), stock_row(centre, product)) == (0, 12)


def test_a_producer_consigns_only_its_own_products(centre, make_listed, make_producer):
    product = make_listed()
    other = make_producer()
    with pytest.raises(CentreError):
        services.consign(other, centre, product, 1, other.members[0].user, from_online=False)


@pytest.mark.parametrize("quantity", [0, -1, 100_001, True])
def test_a_movement_is_a_sensible_whole_number(centre, make_listed, quantity):
    product = make_listed()
    with pytest.raises(CentreError):
        services.consign(
            product.producer,
            centre,
            product,
            quantity,
            product.producer.members[0].user,
            from_online=False,
        )


def test_returns_and_adjustments_never_go_below_zero(centre, cashier, make_listed):
    product = make_listed(stock=10)
    consign(centre, product, 8, from_online=True)
    with pytest.raises(CentreShort):
        services.return_to_producer(centre, product, 9, cashier, to_online=True)
    db.session.rollback()
    services.return_to_producer(centre, product, 3, cashier, to_online=True)
    db.session.commit()
    assert (online(product), stock_row(centre, product)) == (5, 5)
    with pytest.raises(CentreShort):
        services.adjust(centre, product, -6, "Vỡ 6 chai", cashier)
    db.session.rollback()
    with pytest.raises(CentreError):
        services.adjust(centre, product, -1, "  ", cashier)
    with pytest.raises(CentreError):
        services.adjust(centre, product, 0, "Kiểm kê", cashier)
    services.adjust(centre, product, -2, "Vỡ 2 chai khi trưng bày", cashier)
    db.session.commit()
    assert stock_row(centre, product) == 3


def test_the_stock_is_always_the_sum_of_its_movements(centre, cashier, make_listed):
    """Random consignments, sales, returns and adjustments, some refused: after
    each, the stock row equals the ledger's sum and each row's balance the running
    total."""
    rng = random.Random(16)
    product = make_listed(stock=500, price=50_000)
    for step in range(60):
        kind = rng.choice(["consign", "sell", "return", "adjust"])
        n = rng.randint(1, 12)
        try:
            if kind == "consign":
                consign(centre, product, n, from_online=rng.random() < 0.5)
            elif kind == "sell":
                services.record_sale(
                    centre, cashier, {product.id: n}, TillPayment.CASH, f"t{step}", TODAY
                )
            elif kind == "return":
                services.return_to_producer(centre, product, n, cashier, to_online=True)
            else:
                services.adjust(centre, product, rng.choice([-n, n]), "Kiểm kê", cashier)
            db.session.commit()
        except (CentreShort, NotSellable):
            db.session.rollback()
        assert stock_row(centre, product) == queries.ledger_sum(centre.id, product.id)
    running = 0
    for m in db.session.scalars(
        select(StockMovement)
        .where(StockMovement.product_id == product.id)
        .order_by(StockMovement.id)
    ):
        running += m.quantity_change
        assert m.balance_after == running >= 0
    assert running == stock_row(centre, product)


# -- what the till reads -------------------------------------------------------------


@pytest.fixture
def on_shelf(centre, make_listed):
    """A product with a GTIN, 10 units at the centre."""
    product = make_listed("Chè Shan Tuyết", gtin=gtin("600001"), price=120_000)
    consign(centre, product, 10)
    return product


def code_of(product) -> str:
    from shop.certification.queries import current_certificate

    return current_certificate(product).verification_code


def test_the_till_reads_an_ean_13_a_gtin_14_and_a_digital_link(centre, on_shelf):
    for typed in (
        on_shelf.gtin,
        f" {on_shelf.gtin}\n",
        "0" + on_shelf.gtin,
        f"https://cho-ocop.vn/01/0{on_shelf.gtin}",
    ):
        found = services.scan(centre, typed, TODAY)
        assert found.product.id == on_shelf.id
        assert found.held == 10
        assert found.status.is_valid


def test_the_till_reads_the_label_qr_and_the_code_in_words(centre, on_shelf):
    code = code_of(on_shelf)
    for typed in (
        f"http://127.0.0.1:5000/verify/{code}",
        code.lower(),
        f"{code[:5]} {code[5:]}",
    ):
        assert services.scan(centre, typed, TODAY).product.id == on_shelf.id


def test_what_the_till_does_not_know(centre, on_shelf):
    for typed in ("", "8930000000000", gtin("999999"), "ZZZZZZZZZZ", "hello world"):
        with pytest.raises(NotFound):
            services.scan(centre, typed, TODAY)


def test_the_till_refuses_an_expired_certificate_with_the_reason(centre, make_listed):
    product = make_listed(gtin=gtin("600002"), decision_date=date(2021, 3, 1))
    consign(centre, product, 5)
    with pytest.raises(NotSellable) as refused:
        services.scan(centre, product.gtin, TODAY)
    assert "hết hạn ngày 02/03/2024" in refused.value.message
    assert refused.value.product.id == product.id


def test_the_till_refuses_a_revoked_certificate_with_the_reason(centre, on_shelf, make_user):
    from shop.certification.queries import current_certificate

    revoke_certificate(
        current_certificate(on_shelf), make_user(role=Role.STAFF), "Không tái đánh giá"
    )
    db.session.commit()
    with pytest.raises(NotSellable) as refused:
        services.scan(centre, on_shelf.gtin, TODAY)
    assert "thu hồi" in refused.value.message
    assert "Không tái đánh giá" in refused.value.message
    with pytest.raises(NotSellable):
        services.scan(centre, code_of(on_shelf), TODAY)


def test_the_till_refuses_the_label_of_a_replaced_certificate(centre, on_shelf, make_certificate):
    old = code_of(on_shelf)
    make_certificate(on_shelf, stars=3, decision_date=TODAY - timedelta(days=10))
    with pytest.raises(NotSellable) as refused:
        services.scan(centre, old, TODAY)
    assert "nhãn mới" in refused.value.message
    # The barcode (and the new label) still sell: the product is certified.
    assert services.scan(centre, on_shelf.gtin, TODAY).certificate.star_rank == 3


def test_the_till_refuses_a_product_never_certified_or_not_held(centre, make_product, make_listed):
    uncertified = make_product(gtin=gtin("600003"), published=True)
    consign(centre, uncertified, 2)
    with pytest.raises(NotSellable) as refused:
        services.scan(centre, uncertified.gtin, TODAY)
    assert "chưa có chứng nhận" in refused.value.message
    elsewhere = make_listed(gtin=gtin("600004"))
    with pytest.raises(NotSellable) as refused:
        services.scan(centre, elsewhere.gtin, TODAY)
    assert "không còn sản phẩm này" in refused.value.message


# -- a sale ---------------------------------------------------------------------------


def test_a_sale_takes_the_centre_stock_and_copies_the_lines(centre, cashier, on_shelf, make_listed):
    honey = make_listed("Mật ong bạc hà", price=250_000)
    consign(centre, honey, 4)
    sale = services.record_sale(
        centre, cashier, {on_shelf.id: 3, honey.id: 1}, TillPayment.VIETQR, "tok-1", TODAY
    )
    db.session.commit()
    assert sale.total_vnd == 3 * 120_000 + 250_000 == 610_000
    assert [(li.product_name, li.quantity, li.line_total_vnd) for li in sale.lines] == [
        ("Chè Shan Tuyết", 3, 360_000),
        ("Mật ong bạc hà", 1, 250_000),
    ]
    assert sale.lines[0].certificate_code == code_of(on_shelf)
    assert (stock_row(centre, on_shelf), stock_row(centre, honey)) == (7, 3)
    assert online(on_shelf) == 10  # the online stock is another shelf
    sold = db.session.scalars(
        select(StockMovement).where(StockMovement.sale_id == sale.id).order_by(StockMovement.id)
    ).all()
    assert [(m.kind, m.quantity_change, m.balance_after) for m in sold] == [
        (MovementKind.SOLD, -3, 7),
        (MovementKind.SOLD, -1, 3),
    ]
    assert receipt_id(sale.number) == sale.id
    assert sale.number.startswith("BL")


def test_a_short_line_sells_nothing(centre, cashier, on_shelf, make_listed):
    last = make_listed("Rượu ngô", price=90_000)
    consign(centre, last, 1)
    # The first line (lower id) is taken, the second is short: all rolled back.
    with pytest.raises(CentreShort) as short:
        services.record_sale(
            centre, cashier, {on_shelf.id: 2, last.id: 2}, TillPayment.CASH, "tok-2", TODAY
        )
    db.session.rollback()
    assert short.value.product_id == last.id
    assert (stock_row(centre, on_shelf), stock_row(centre, last)) == (10, 1)
    assert db.session.scalar(select(func.count(TillSale.id))) == 0


def test_a_sale_token_sells_once(centre, cashier, on_shelf):
    services.record_sale(centre, cashier, {on_shelf.id: 1}, TillPayment.CASH, "same", TODAY)
    db.session.commit()
    with pytest.raises(IntegrityError):
        services.record_sale(centre, cashier, {on_shelf.id: 1}, TillPayment.CASH, "same", TODAY)
    db.session.rollback()
    assert stock_row(centre, on_shelf) == 9


def test_a_certificate_revoked_after_the_scan_stops_the_sale(centre, cashier, on_shelf, make_user):
    from shop.certification.queries import current_certificate

    services.scan(centre, on_shelf.gtin, TODAY)
    revoke_certificate(current_certificate(on_shelf), make_user(role=Role.STAFF), "Vi phạm")
    db.session.commit()
    with pytest.raises(NotSellable):
        services.record_sale(centre, cashier, {on_shelf.id: 1}, TillPayment.CASH, "t", TODAY)


def test_spirits_need_the_buyers_age(centre, cashier, make_listed):
    spirit = make_listed("Rượu ngô Bắc Hà", set_code="II.01", price=150_000)
    consign(centre, spirit, 3)
    with pytest.raises(CentreError):
        services.record_sale(centre, cashier, {spirit.id: 1}, TillPayment.CASH, "a", TODAY)
    db.session.rollback()
    sale = services.record_sale(
        centre, cashier, {spirit.id: 1}, TillPayment.CASH, "b", TODAY, age_confirmed=True
    )
    assert sale.age_confirmed


def test_the_daily_report_splits_cash_and_vietqr_in_the_vietnam_day(
    centre, cashier, on_shelf, make_listed
):
    honey = make_listed("Mật ong", price=200_000)
    consign(centre, honey, 5)
    for token, basket, method in (
        ("d1", {on_shelf.id: 2}, TillPayment.CASH),
        ("d2", {on_shelf.id: 1, honey.id: 1}, TillPayment.VIETQR),
        ("d3", {honey.id: 2}, TillPayment.CASH),
    ):
        services.record_sale(centre, cashier, basket, method, token, TODAY)
    db.session.commit()
    report = queries.daily_report(centre, TODAY)
    assert report.receipts == 3
    assert (report.cash_vnd, report.vietqr_vnd, report.total_vnd) == (
        240_000 + 400_000,
        320_000,
        960_000,
    )
    assert [(p.name, p.quantity, p.sales_vnd) for p in report.by_product] == [
        ("Mật ong", 3, 600_000),
        ("Chè Shan Tuyết", 3, 360_000),
    ]
    assert queries.daily_report(centre, TODAY - timedelta(days=1)).receipts == 0
    other = make_centre(name="Điểm bán khác")
    assert queries.daily_report(other, TODAY).total_vnd == 0


def test_the_day_is_the_vietnam_day():
    start, end = queries.day_bounds(date(2026, 11, 29))
    assert start.isoformat() == "2026-11-29T00:00:00+07:00"
    assert (end - start) == timedelta(days=1)


def test_product_pages_list_only_open_centres_holding_units(centre, on_shelf, cashier):
    closed = make_centre(name="Điểm bán đã đóng")
    consign(closed, on_shelf, 3)
    services.update_centre(closed, {"is_active": False}, cashier)
    empty = make_centre(name="Điểm bán hết hàng")
    consign(empty, on_shelf, 1)
    services.adjust(empty, on_shelf, -1, "Hỏng", cashier)
    db.session.commit()
    assert [(h.centre.name, h.quantity) for h in queries.centres_holding(on_shelf.id)] == [
        (centre.name, 10)
    ]
