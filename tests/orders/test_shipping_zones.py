"""Shipping by weight and destination zone through the cart and the checkout:
the cart says "from", the checkout prices the chosen province, the total the
buyer saw is the total charged, and the order keeps the fee it was sold with."""

import re
import secrets

import pytest
from sqlalchemy import select

from shop.cart.services import build_view
from shop.checkout.services import Contact, PriceChanged, place_order
from shop.clock import today_vn
from shop.extensions import db
from shop.localities.models import Ward
from shop.orders.models import Order, PaymentMethod, Shipment
from shop.producers.rules import ShippingMode
from tests.factories import PROVINCE
from tests.helpers_http import assert_redirect
from tests.orders.helpers import CONTACT, checkout_form

HA_NOI, HCM = 1, 79
# Tuyên Quang producer: same province 20.000 (+3.000 per 500 g over 1 kg),
# North 30.000 (+5.000), elsewhere 40.000 (+8.000).
ZONE_FEES = {
    "shipping_mode": ShippingMode.ZONES,
    "ship_base_grams": 1_000,
    "ship_province_vnd": 20_000,
    "ship_province_step_vnd": 3_000,
    "ship_region_vnd": 30_000,
    "ship_region_step_vnd": 5_000,
    "ship_far_vnd": 40_000,
    "ship_far_step_vnd": 8_000,
}


def expected_total(html: str) -> str:
    """The total the page asks the buyer to confirm (its hidden field)."""
    match = re.search(r'<input[^>]*name="expected_total"[^>]*value="(\d*)"', html)
    assert match, "no expected_total on the page"
    return match.group(1)


def ward_of(province: int) -> int:
    return db.session.scalar(
        select(Ward.code).where(Ward.province_code == province).order_by(Ward.code).limit(1)
    )


@pytest.fixture
def zoned(make_producer):
    producer = make_producer()
    for key, value in ZONE_FEES.items():
        setattr(producer, key, value)
    db.session.commit()
    return producer


def contact_in(province: int) -> Contact:
    return Contact(
        **{**CONTACT.__dict__, "province_code": province, "ward_code": ward_of(province)}
    )


def place(lines, contact, expected):
    order, _ = place_order(
        lines={p.id: q for p, q in lines.items()},
        contact=contact,
        payment_method=PaymentMethod.COD,
        token=secrets.token_urlsafe(32),
        user=None,
        today=today_vn(),
        expected_total_vnd=expected,
    )
    db.session.commit()
    return order


def quote(lines, province):
    return build_view({p.id: q for p, q in lines.items()}, today_vn()).ship_to(province)


def test_fee_by_zone_and_weight_through_the_cart_view(app, zoned, make_listed):
    honey = make_listed(producer=zoned, price=100_000, stock=20, shipping_grams=500)
    two, three = {honey: 2}, {honey: 3}  # 1.000 g: the base; 1.500 g: one step more
    assert quote(two, PROVINCE).shipping_vnd == 20_000
    assert quote(three, PROVINCE).shipping_vnd == 23_000
    assert quote(two, HA_NOI).shipping_vnd == 30_000
    assert quote(three, HA_NOI).shipping_vnd == 35_000
    assert quote(two, HCM).shipping_vnd == 40_000
    assert quote(three, HCM).shipping_vnd == 48_000
    unknown = quote(three, None)
    assert unknown.shipping_vnd == 23_000
    assert unknown.shipping_is_estimate
    assert not quote(three, HCM).shipping_is_estimate


def test_free_shipping_threshold_applies_to_fees_by_zone(app, zoned, make_listed):
    zoned.free_shipping_over_vnd = 300_000
    db.session.commit()
    honey = make_listed(producer=zoned, price=100_000, stock=20, shipping_grams=500)
    assert quote({honey: 2}, HCM).shipping_vnd == 40_000
    view = quote({honey: 3}, HCM)
    assert view.shipping_vnd == 0
    assert view.total_vnd == 300_000
    assert not quote({honey: 3}, None).shipping_is_estimate  # free everywhere


def test_flat_producers_are_priced_as_before(app, make_listed):
    tea = make_listed(price=120_000, stock=5, shipping_grams=5_000)
    for province in (None, PROVINCE, HCM):
        view = quote({tea: 1}, province)
        assert view.shipping_vnd == 30_000
        assert not view.shipping_is_estimate


def test_place_order_prices_the_contacts_province(app, zoned, make_listed):
    honey = make_listed(producer=zoned, price=100_000, stock=20, shipping_grams=500)
    near_total = 300_000 + 23_000
    with pytest.raises(PriceChanged) as caught:
        place({honey: 3}, contact_in(HCM), near_total)  # saw the near fee, ships far
    assert caught.value.now == 300_000 + 48_000
    db.session.rollback()
    assert db.session.scalar(select(Order)) is None
    order = place({honey: 3}, contact_in(HCM), 348_000)
    assert (order.subtotal_vnd, order.shipping_vnd, order.total_vnd) == (300_000, 48_000, 348_000)
    # The order keeps its fee whatever the producer charges later.
    zoned.ship_far_vnd = 90_000
    db.session.commit()
    db.session.expire_all()
    shipment = db.session.scalar(select(Shipment))
    assert shipment.shipping_vnd == 48_000
    assert db.session.get(Order, order.id).total_vnd == 348_000


def test_a_view_priced_elsewhere_is_repriced_for_the_contact(app, zoned, make_listed):
    honey = make_listed(producer=zoned, price=100_000, stock=20, shipping_grams=500)
    view = quote({honey: 3}, PROVINCE)  # the caller priced the wrong province
    with pytest.raises(PriceChanged):
        place_order(
            lines={honey.id: 3},
            contact=contact_in(HCM),
            payment_method=PaymentMethod.COD,
            token=secrets.token_urlsafe(32),
            user=None,
            today=today_vn(),
            expected_total_vnd=view.total_vnd,
            view=view,
        )


def test_cart_shows_from_and_checkout_prices_the_province(app, client, zoned, make_listed):
    honey = make_listed(
        "Mật ong bạc hà", producer=zoned, price=100_000, stock=20, shipping_grams=500
    )
    client.post("/cart/add", data={"product_id": honey.id, "quantity": 3})
    cart = client.get("/cart.json").get_json()
    assert cart["shipping_is_estimate"] is True
    assert (cart["shipping_price"], cart["total_price"]) == (23_000, 323_000)
    page = client.get("/cart")
    assert page.status_code == 200
    assert "từ 23.000 ₫" in page.get_data(as_text=True)
    checkout = client.get("/checkout")
    assert checkout.status_code == 200
    assert "Tính phí vận chuyển cho tỉnh này" in checkout.get_data(as_text=True)

    # The buyer picks Hồ Chí Minh City and submits the total seen before: refused.
    far = {"province_code": str(HCM), "ward_code": str(ward_of(HCM))}
    refused = client.post("/checkout", data=checkout_form(323_000, **far))
    assert refused.status_code == 409
    assert db.session.scalar(select(Order)) is None
    html = refused.get_data(as_text=True)
    assert "348.000 ₫" in html
    assert expected_total(html) == "348000"

    # The refresh button (no JavaScript) prices a province without ordering.
    refreshed = client.post(
        "/checkout",
        data={**checkout_form(323_000, province_code=str(HA_NOI)), "refresh_wards": "1"},
    )
    assert refreshed.status_code == 200
    assert expected_total(refreshed.get_data(as_text=True)) == "335000"
    assert db.session.scalar(select(Order)) is None

    placed = client.post("/checkout", data=checkout_form(348_000, **far))
    order = db.session.scalar(select(Order))
    assert_redirect(placed, f"/orders/{order.number}", 303, query={"key": order.access_key})
    assert (order.shipping_vnd, order.total_vnd) == (48_000, 348_000)


def test_same_province_buyer_pays_the_from_figure(app, client, zoned, make_listed):
    honey = make_listed(producer=zoned, price=100_000, stock=20, shipping_grams=500)
    client.post("/cart/add", data={"product_id": honey.id, "quantity": 2})
    total = client.get("/cart.json").get_json()["total_price"]
    assert total == 220_000
    placed = client.post("/checkout", data=checkout_form(total))  # Tuyên Quang
    order = db.session.scalar(select(Order))
    assert_redirect(placed, f"/orders/{order.number}", 303, query={"key": order.access_key})
    assert order.shipping_vnd == 20_000


def test_producer_switches_to_fees_by_zone(app, client, auth, make_producer, make_product):
    producer = make_producer()
    tea = make_product(producer, name="Chè chưa cân")
    auth.login(producer.members[0].user.email)
    page = client.get("/producer/shipping")
    assert page.status_code == 200
    form = {
        "shipping_mode": "zones",
        "shipping_fee_vnd": "30.000",
        "ship_base_grams": "1000",
        "ship_province_vnd": "18.000",
        "ship_province_step_vnd": "2.000",
        "ship_region_vnd": "28.000",
        "ship_region_step_vnd": "4.000",
        "ship_far_vnd": "36.000",
        "ship_far_step_vnd": "7.000",
    }
    refused = client.post("/producer/shipping", data=form)
    assert refused.status_code == 400
    assert "Chè chưa cân" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert producer.shipping_mode is ShippingMode.FLAT

    tea.shipping_grams = 250
    db.session.commit()
    for bad in (
        {"ship_far_vnd": "-1"},
        {"ship_far_vnd": ""},
        {"ship_base_grams": "abc"},
        {"ship_region_step_vnd": "99.000.000"},
        {"shipping_mode": "cheap"},
    ):
        response = client.post("/producer/shipping", data={**form, **bad})
        assert response.status_code == 400, bad
    saved = client.post("/producer/shipping", data=form)
    assert_redirect(saved, "/producer/shipping", 303)
    db.session.expire_all()
    assert producer.shipping_mode is ShippingMode.ZONES
    assert (producer.ship_province_vnd, producer.ship_far_step_vnd) == (18_000, 7_000)

    # Fees by weight: a new product must give its weight.
    from tests.factories import product_set

    new = {
        "name": "Chè mới",
        "product_set_id": str(product_set("I.11").id),
        "price_vnd": "100.000",
        "stock": "5",
        "unit": "Gói",
        "net_quantity": "200 g",
    }
    missing = client.post("/producer/products/new", data=new)
    assert missing.status_code == 400
    assert "khối lượng gửi hàng" in missing.get_data(as_text=True)
    made = client.post("/producer/products/new", data={**new, "shipping_grams": "260"})
    assert made.status_code == 302

    back = client.post("/producer/shipping", data={**form, "shipping_mode": "flat"})
    assert_redirect(back, "/producer/shipping", 303)
    db.session.expire_all()
    assert producer.shipping_mode is ShippingMode.FLAT


def test_existing_producers_keep_the_flat_fee(app, make_producer):
    producer = make_producer()
    assert producer.shipping_mode is ShippingMode.FLAT
    assert producer.shipping_for(100_000, 50_000, HCM) == 30_000
