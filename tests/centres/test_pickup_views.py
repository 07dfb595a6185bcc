"""Pick-up through the pages: the checkout's choice (no JavaScript), the order
page's code and QR, the e-mail, and the centre's hand-over page."""

import re

import pytest
from sqlalchemy import select

from shop.auth.models import Role
from shop.extensions import db
from shop.mail import outbox
from shop.orders.models import Order, OrderStatus, Shipment, ShipmentStatus
from tests import factories
from tests.centres.helpers import consign, make_cashier, make_centre
from tests.orders.helpers import checkout_form


@pytest.fixture
def tea(app):
    return factories.make_listed(name="Chè Shan Tuyết", price=120_000, stock=50)


@pytest.fixture
def stocked(centre, tea):
    centre.pickup_fee_vnd = 5_000
    db.session.commit()
    consign(centre, tea, 20)
    return centre


def order_for_pickup(client, centre, tea, quantity=2):
    assert client.post(
        "/cart/add", data={"product_id": tea.id, "quantity": quantity}
    ).status_code in (
        200,
        302,
        303,
    )
    page = client.get("/checkout")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'name="pickup-{tea.producer_id}" value="{centre.id}"' in html
    assert "Nhận tại điểm bán" in html
    # Without JavaScript: choose, update the total, then order with what is shown.
    form = checkout_form(0, **{f"pickup-{tea.producer_id}": str(centre.id), "refresh_wards": "1"})
    refreshed = client.post("/checkout", data=form)
    assert refreshed.status_code == 200
    total = re.search(r'name="expected_total"[^>]*value="(\d+)"', refreshed.get_data(as_text=True))
    assert total is not None
    assert int(total.group(1)) == 120_000 * quantity + 5_000
    form.pop("refresh_wards")
    form["expected_total"] = total.group(1)
    response = client.post("/checkout", data=form)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return db.session.scalar(select(Order).order_by(Order.id.desc())), response.location


def test_checkout_offers_the_centre_and_the_order_page_shows_code_and_qr(client, stocked, tea):
    order, location = order_for_pickup(client, stocked, tea)
    shipment = order.shipments[0]
    assert shipment.pickup_centre_id == stocked.id
    assert order.total_vnd == 245_000
    page = client.get(location)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    code = shipment.pickup_code
    assert f"{code[:4]}-{code[4:]}" in html
    assert "<svg" in html
    assert stocked.name in html
    assert "Thứ 2 – Chủ nhật" in html
    mail = next(m for m in outbox() if m["To"] == "binh@example.vn")
    body = mail.get_body().get_content() if mail.is_multipart() else mail.get_content()
    assert f"{code[:4]}-{code[4:]}" in body
    assert stocked.name in body


def test_a_stale_total_is_refused_and_shows_the_fee(client, stocked, tea):
    client.post("/cart/add", data={"product_id": tea.id, "quantity": 1})
    client.get("/checkout")
    home_total = 120_000 + 30_000  # what the page showed for home delivery: not this
    form = checkout_form(home_total, **{f"pickup-{tea.producer_id}": str(stocked.id)})
    response = client.post("/checkout", data=form)
    assert response.status_code == 409
    assert "125.000" in response.get_data(as_text=True)
    assert db.session.scalar(select(Order)) is None


def test_a_centre_not_listed_is_refused(client, stocked, tea):
    other = make_centre(name="Điểm trống")  # holds nothing
    client.post("/cart/add", data={"product_id": tea.id, "quantity": 1})
    client.get("/checkout")
    form = checkout_form(120_000, **{f"pickup-{tea.producer_id}": str(other.id)})
    assert client.post("/checkout", data=form).status_code == 409
    form[f"pickup-{tea.producer_id}"] = "x1"
    assert client.post("/checkout", data=form).status_code == 409
    assert db.session.scalar(select(Order)) is None


def test_centre_staff_hand_over_by_code(client, auth, stocked, tea):
    order, _location = order_for_pickup(client, stocked, tea)
    code = order.shipments[0].pickup_code
    cashier = make_cashier(stocked, email="nv@example.vn")
    auth.logout()
    auth.login(cashier.email)
    page = client.get("/centre/pickup", query_string={"code": code.lower()})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Chè Shan Tuyết" in html
    assert "245.000" in html  # cash to collect
    assert 'action="/centre/pickup/' in html
    response = client.post(f"/centre/pickup/{code}/handover", data={})
    assert response.status_code == 303
    db.session.expire_all()
    shipment = db.session.get(Shipment, order.shipments[0].id)
    assert shipment.status == ShipmentStatus.DELIVERED
    assert shipment.collected_at is not None
    assert db.session.get(Order, order.id).status == OrderStatus.COMPLETED
    again = client.post(f"/centre/pickup/{code}/handover", data={})
    assert again.status_code == 409


def test_another_centres_staff_get_404(client, auth, stocked, tea):
    order, _location = order_for_pickup(client, stocked, tea)
    code = order.shipments[0].pickup_code
    other = make_centre(name="Điểm bán khác")
    stranger = make_cashier(other, email="khac@example.vn")
    auth.logout()
    auth.login(stranger.email)
    assert client.get("/centre/pickup", query_string={"code": code}).status_code == 404
    assert client.post(f"/centre/pickup/{code}/handover", data={}).status_code == 404


def test_the_pickup_page_is_for_centre_staff_only(client, auth, stocked):
    assert client.get("/centre/pickup").status_code == 302
    buyer = factories.make_user(email="mua@example.vn")
    auth.login(buyer.email)
    assert client.get("/centre/pickup").status_code == 403
    auth.logout()
    staff = factories.make_user(email="nv-so@example.vn", role=Role.STAFF)
    auth.login(staff.email)
    assert client.get("/centre/pickup").status_code == 403
