"""A guest who lost the link asks for it again by order number and phone.
Order numbers are sequential: a wrong phone and an unknown number get the same
answer; only both right add the order's status, and the link goes to the
order's e-mail (through the outbox), never onto the page."""

import re

import pytest
from sqlalchemy import select

from shop.extensions import db, limiter
from shop.jobs.models import OutboxMessage
from shop.orders.models import PaymentMethod
from tests.orders.helpers import CONTACT, order_for


@pytest.fixture
def order(app, make_listed):
    return order_for({make_listed(price=50_000, stock=5): 1}, method=PaymentMethod.VIETQR)


def link_mails() -> list[dict]:
    db.session.expire_all()
    return [
        row.payload
        for row in db.session.scalars(select(OutboxMessage))
        if row.kind == "mail" and row.dedupe_key.startswith("mail:order-link:")
    ]


def answer(html: str) -> str:
    """The answer box of the page (its shape is compared between answers)."""
    match = re.search(r'<div class="flash flash-info" role="status">(.*?)</div>', html, re.S)
    assert match, "no answer on the page"
    return match.group(1)


def test_the_form_is_there(client):
    page = client.get("/orders/find")
    assert page.status_code == 200
    assert 'name="number"' in page.get_data(as_text=True)


def test_a_wrong_phone_and_an_unknown_number_get_the_same_answer(client, order):
    wrong_phone = client.post("/orders/find", data={"number": order.number, "phone": "0987654321"})
    unknown = client.post("/orders/find", data={"number": "DH2611999999", "phone": CONTACT.phone})
    assert wrong_phone.status_code == unknown.status_code == 200
    a, b = answer(wrong_phone.get_data(as_text=True)), answer(unknown.get_data(as_text=True))
    assert a == b
    assert "Nếu mã đơn và số điện thoại khớp" in a
    assert "Chờ thanh toán" not in a
    assert order.number not in a
    assert order.access_key not in wrong_phone.get_data(as_text=True)
    assert link_mails() == []


def test_the_right_phone_gives_the_status_and_mails_the_link(app, client, order):
    response = client.post(
        "/orders/find", data={"number": order.number.lower(), "phone": "+84 912 345 678"}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    box = answer(html)
    assert "Nếu mã đơn và số điện thoại khớp" in box
    assert "Chờ thanh toán" in box
    assert order.access_key not in html  # the link goes by e-mail only
    (mail,) = link_mails()
    assert mail["to"] == CONTACT.email
    assert f"/orders/{order.number}?key={order.access_key}" in mail["body"]
    # Asked again within the hour: one e-mail still.
    client.post("/orders/find", data={"number": order.number, "phone": CONTACT.phone})
    assert len(link_mails()) == 1


def test_an_order_without_email_says_to_contact_the_shop(app, client, make_listed):
    from dataclasses import replace

    from tests.orders import helpers

    original = helpers.CONTACT
    helpers.CONTACT = replace(original, email=None)
    try:
        order = order_for({make_listed(price=50_000, stock=5): 1})
    finally:
        helpers.CONTACT = original
    response = client.post("/orders/find", data={"number": order.number, "phone": CONTACT.phone})
    assert response.status_code == 200
    box = answer(response.get_data(as_text=True))
    assert "không có email" in box
    assert app.config["OPERATOR_PHONE"] in box
    assert link_mails() == []


def test_a_bad_phone_is_a_form_error(client, order):
    response = client.post("/orders/find", data={"number": order.number, "phone": "12"})
    assert response.status_code == 400
    assert "Nếu mã đơn" not in response.get_data(as_text=True)


def test_too_many_tries_is_a_readable_429(app, client, order):
    app.config["ORDER_FIND_NUMBER_RATE_LIMIT"] = "3 per hour"
    limiter.reset()
    for phone in ["0900000001", "0900000002", "0900000003"]:
        response = client.post("/orders/find", data={"number": order.number, "phone": phone})
        assert response.status_code == 200
    response = client.post("/orders/find", data={"number": order.number, "phone": CONTACT.phone})
    assert response.status_code == 429
    assert "Bạn thử quá nhiều lần" in response.get_data(as_text=True)
    assert link_mails() == []
    # Per address too, whatever the number.
    app.config["ORDER_FIND_RATE_LIMIT"] = "2 per hour"
    limiter.reset()
    codes = [
        client.post(
            "/orders/find", data={"number": f"DH26110000{i}", "phone": "0900000001"}
        ).status_code
        for i in range(3)
    ]
    assert codes == [200, 200, 429]
