"""VietQR bank transfer: the code on the order page, staff recording money in."""

import io
import secrets

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import func, select

from shop.audit.models import AuditEntry
from shop.extensions import db
from shop.orders.models import Order, OrderStatus, PaymentMethod, PaymentStatus
from shop.payments import vietqr
from shop.payments.services import new_action_token
from tests.orders.helpers import hidden_value, order_for


@pytest.fixture
def transfer_order(app, make_listed):
    return order_for({make_listed(price=125_000, stock=5): 2}, method=PaymentMethod.VIETQR)


def test_order_page_shows_a_vietqr_code_that_decodes_to_the_exact_amount(
    client, app, transfer_order
):
    page = client.get(f"/orders/{transfer_order.number}?key={transfer_order.access_key}")
    html = page.get_data(as_text=True)
    assert transfer_order.number in html
    assert "280.000 ₫" in html
    png = client.get(f"/orders/{transfer_order.number}/vietqr.png?key={transfer_order.access_key}")
    assert png.status_code == 200
    assert png.mimetype == "image/png"
    (result,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))
    assert result.format.name == "QRCode"
    code = vietqr.parse(result.text)  # checks the CRC as well
    assert code.bank_bin == app.config["VIETQR_BANK_BIN"]
    assert code.account == app.config["VIETQR_ACCOUNT"]
    assert code.amount_vnd == 280_000
    assert code.content == transfer_order.number
    assert client.get(f"/orders/{transfer_order.number}/vietqr.png").status_code == 404


def record(client, order, amount, reference=None, *, status=303):
    """Post the staff transfer form as the page renders it; the page after."""
    page = client.get(f"/staff/orders/{order.number}")
    assert page.status_code == 200
    token = hidden_value(page.get_data(as_text=True))
    response = client.post(
        f"/staff/orders/{order.number}/transfer",
        data={
            "amount": amount,
            "reference": reference or f"FT26{secrets.token_hex(4)}",
            "action_token": token,
        },
    )
    assert response.status_code == status
    if status == 303:
        assert response.location == f"/staff/orders/{order.number}"
        response = client.get(response.location)
        assert response.status_code == 200
    return response


def test_partial_then_rest_then_paid(client, auth, staff, transfer_order):
    auth.login(staff.email)
    page = record(client, transfer_order, "200.000").get_data(as_text=True)
    assert "còn thiếu 80.000 ₫" in page
    db.session.expire_all()
    order = db.session.get(Order, transfer_order.id)
    assert (order.status, order.payment_status, order.paid_vnd) == (
        OrderStatus.PENDING_PAYMENT,
        PaymentStatus.PARTIALLY_PAID,
        200_000,
    )
    # The code now asks for what is left.
    png = client.get(f"/orders/{order.number}/vietqr.png")
    (result,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))
    assert vietqr.parse(result.text).amount_vnd == 80_000
    record(client, order, "80000")
    db.session.expire_all()
    order = db.session.get(Order, transfer_order.id)
    assert (order.status, order.payment_status, order.paid_vnd) == (
        OrderStatus.PAID,
        PaymentStatus.PAID,
        280_000,
    )
    assert all(s.paid_at for s in order.shipments)
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "transfer_received")
        )
        == 2
    )


def test_excess_is_shown_as_a_refund_due(client, auth, staff, transfer_order):
    auth.login(staff.email)
    page = record(client, transfer_order, "300000").get_data(as_text=True)
    assert "chuyển thừa 20.000 ₫" in page
    db.session.expire_all()
    order = db.session.get(Order, transfer_order.id)
    assert order.status == OrderStatus.PAID
    assert order.overpaid_vnd == 20_000
    response = client.post(
        f"/staff/orders/{order.number}/refund",
        data={
            "amount": "20000",
            "reason": "Chuyển thừa",
            "action_token": new_action_token(),
            "confirm": "yes",
        },
    )
    assert response.status_code == 303
    assert response.location == f"/staff/orders/{order.number}"
    db.session.expire_all()
    from shop.payments.models import Refund

    (row,) = db.session.scalars(select(Refund)).all()
    assert (row.shipment_id, row.amount_vnd) == (None, 20_000)  # the excess is nobody's sale
    order = db.session.get(Order, transfer_order.id)
    assert order.refunded_vnd == 20_000
    assert order.overpaid_vnd == 0


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "Số tiền không hợp lệ"),
        ("-5", "Số tiền không hợp lệ"),
        ("1,5", "Số tiền không hợp lệ"),
        ("abc", "Số tiền không hợp lệ"),
        ("", "Số tiền không hợp lệ"),
        ("12.5", "Số tiền không hợp lệ"),
        ("1e6", "Số tiền không hợp lệ"),
        ("9" * 40, "Số tiền"),
        ("2.000.000.001", "Số tiền quá lớn"),
    ],
)
def test_bad_amounts_are_a_400_with_a_message(client, auth, staff, transfer_order, amount, message):
    auth.login(staff.email)
    page = record(client, transfer_order, amount, status=400).get_data(as_text=True)
    assert message in page
    db.session.expire_all()
    assert db.session.get(Order, transfer_order.id).paid_vnd == 0


def test_transfer_on_a_cod_order_is_refused(client, auth, staff, make_listed):
    order = order_for({make_listed(): 1})
    auth.login(staff.email)
    page = client.get(f"/staff/orders/{order.number}")
    assert page.status_code == 200
    response = client.post(
        f"/staff/orders/{order.number}/transfer",
        data={"amount": "1000", "reference": "FT1", "action_token": new_action_token()},
    )
    assert response.status_code == 400
    assert "không thanh toán bằng chuyển khoản" in response.get_data(as_text=True)


def test_refund_above_paid_is_refused(client, auth, staff, transfer_order):
    auth.login(staff.email)
    record(client, transfer_order, "280000")
    for confirm in ("", "yes"):
        response = client.post(
            f"/staff/orders/{transfer_order.number}/refund",
            data={
                "amount": "280001",
                "reason": "x",
                "action_token": new_action_token(),
                "confirm": confirm,
            },
        )
        assert response.status_code == 400
        assert "tối đa 280.000 ₫" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Order, transfer_order.id).refunded_vnd == 0
