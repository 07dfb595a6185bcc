"""An order placed with a phone number and no e-mail (many cash-on-delivery
buyers have none): it is placed, paid by transfer, shipped, delivered or
cancelled and refunded without an error, and no e-mail is queued for its
customer (the producers' notices still go). Its page shows its link at once."""

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.jobs.models import OutboxMessage
from shop.mail import outbox
from shop.orders.models import Order, OrderStatus, PaymentMethod, PaymentStatus, ShipmentStatus
from shop.payments.services import new_action_token
from tests.conftest import AuthActions
from tests.helpers_http import assert_redirect, follow
from tests.orders.helpers import checkout_form, hidden_value
from tests.payments.test_transfer import record

PRICE = 125_000


def fill_cart(client, product, quantity=2):
    response = client.post("/cart/add", data={"product_id": product.id, "quantity": quantity})
    assert_redirect(response, "/cart", 303)
    return client.get("/cart.json").get_json()["total_price"]


def place_without_email(client, product, method="vietqr"):
    total = fill_cart(client, product)
    response = client.post("/checkout", data=checkout_form(total, method, email=""))
    order = db.session.scalars(select(Order).order_by(Order.id.desc())).first()
    assert order is not None, response.get_data(as_text=True)[:2000]
    page = follow(client, response, f"/orders/{order.number}", 303, query={"key": order.access_key})
    return order, page.get_data(as_text=True)


def mail_rows() -> list[dict]:
    """Every e-mail queued in the outbox (sent or not): its payload."""
    db.session.expire_all()
    return [row.payload for row in db.session.scalars(select(OutboxMessage)) if row.kind == "mail"]


def assert_no_customer_mail(order, producer_emails):
    recipients = [payload["to"] for payload in mail_rows()]
    assert all(recipients), recipients  # no row addressed to nobody
    assert set(recipients) <= set(producer_emails), recipients
    assert all(m["To"] in producer_emails for m in outbox())


@pytest.mark.parametrize("method", ["cod", "vietqr", "card"])
def test_checkout_takes_a_phone_without_an_email(client, make_listed, method):
    product = make_listed(price=PRICE, stock=5)
    total = fill_cart(client, product)
    response = client.post("/checkout", data=checkout_form(total, method, email="  "))
    order = db.session.scalar(select(Order))
    assert_redirect(response, f"/orders/{order.number}", 303, query={"key": order.access_key})
    assert order.email is None
    assert order.phone == "0912345678"
    assert order.payment_method == PaymentMethod(method)


def test_the_phone_stays_required_and_checked(client, make_listed):
    product = make_listed(price=PRICE, stock=5)
    total = fill_cart(client, product)
    for phone, message in [("", "Vui lòng nhập số điện thoại."), ("12345", "không hợp lệ")]:
        response = client.post("/checkout", data=checkout_form(total, email="", phone=phone))
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    # A wrong e-mail is still refused: optional is not anything.
    response = client.post("/checkout", data=checkout_form(total, email="not-an-email"))
    assert response.status_code == 400
    assert "Email không hợp lệ." in response.get_data(as_text=True)
    assert db.session.scalar(select(Order)) is None


def test_the_confirmation_page_shows_the_link_and_says_no_email_will_come(app, client, make_listed):
    product = make_listed(price=PRICE, stock=5)
    order, html = place_without_email(client, product, "cod")
    assert "Đã đặt đơn hàng" in html
    assert "Chúng tôi đã gửi xác nhận" not in html
    assert "sẽ không có email nào được gửi" in html
    link = f"/orders/{order.number}?key={order.access_key}"
    assert f'id="tracking-url" class="copy-value" value="http://localhost{link}"' in html
    assert 'data-copy-from="tracking-url"' in html
    assert "js/copy.js" in html
    # An order with an e-mail shows no such box.
    other_client = app.test_client()
    total = fill_cart(other_client, product, 1)
    response = other_client.post("/checkout", data=checkout_form(total, "cod"))
    assert response.status_code == 303
    page = other_client.get(response.location)
    assert page.status_code == 200
    assert "tracking-url" not in page.get_data(as_text=True)


def test_an_order_without_email_goes_through_transfer_shipping_and_delivery(
    app, client, make_listed, staff
):
    product = make_listed(price=PRICE, stock=5)
    producer_email = product.producer.email
    owner = product.producer.members[0].user
    order, _html = place_without_email(client, product, "vietqr")

    staff_client = app.test_client()
    AuthActions(staff_client).login(staff.email)
    staff_page = staff_client.get(f"/staff/orders/{order.number}")
    assert staff_page.status_code == 200
    assert "không có email" in staff_page.get_data(as_text=True)
    record(staff_client, order, str(order.total_vnd))
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert (order.status, order.payment_status) == (OrderStatus.PAID, PaymentStatus.PAID)

    producer_client = app.test_client()
    AuthActions(producer_client).login(owner.email)
    (shipment,) = order.shipments
    for action, data in [
        ("confirm", {}),
        ("ship", {"carrier": "VNPost", "tracking_number": "EL1VN"}),
        ("deliver", {}),
    ]:
        response = producer_client.post(f"/producer/shipments/{shipment.id}/{action}", data=data)
        assert_redirect(response, f"/producer/shipments/{shipment.id}", 303)
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.status == OrderStatus.COMPLETED
    assert order.shipments[0].status == ShipmentStatus.DELIVERED
    assert_no_customer_mail(order, {producer_email, owner.email})


def test_an_order_without_email_is_cancelled_and_refunded(app, client, make_listed, staff):
    product = make_listed(price=PRICE, stock=5)
    producer_email = product.producer.email
    order, _html = place_without_email(client, product, "vietqr")
    staff_client = app.test_client()
    AuthActions(staff_client).login(staff.email)
    record(staff_client, order, str(order.total_vnd))

    # The guest cancels through the link: the money is a refund due for staff.
    url = f"/orders/{order.number}/cancel?key={order.access_key}"
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url, data={"action_token": hidden_value(page.get_data(as_text=True)), "reason": "Đổi ý"}
    )
    assert_redirect(response, f"/orders/{order.number}", 303, query={"key": order.access_key})
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.status == OrderStatus.CANCELLED
    response = staff_client.post(
        f"/staff/orders/{order.number}/refund",
        data={
            "amount": str(order.paid_vnd),
            "reason": "Khách huỷ",
            "action_token": new_action_token(),
            "confirm": "yes",
        },
    )
    assert_redirect(response, f"/staff/orders/{order.number}", 303)
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert (order.status, order.payment_status) == (OrderStatus.REFUNDED, PaymentStatus.REFUNDED)
    assert order.refunded_vnd == order.paid_vnd == order.total_vnd
    assert db.session.get(type(product), product.id).stock == 5  # returned on cancel
    assert_no_customer_mail(order, {producer_email})
