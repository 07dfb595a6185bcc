"""Shared steps for the order tests: a contact, a cart, a placed order."""

import secrets

from shop.checkout.services import Contact, place_order
from shop.clock import today_vn
from shop.extensions import db
from shop.orders.models import PaymentMethod
from tests.factories import PROVINCE, WARD

CONTACT = Contact(
    customer_name="Trần Thị Bình",
    phone="0912345678",
    email="binh@example.vn",
    province_code=PROVINCE,
    ward_code=WARD,
    street="12 Đường Lê Lợi",
)


def checkout_form(total: int, method: str = "cod", token: str | None = None, **overrides) -> dict:
    data = {
        "customer_name": CONTACT.customer_name,
        "phone": "091 234 5678",
        "email": CONTACT.email,
        "province_code": str(PROVINCE),
        "ward_code": str(WARD),
        "street": CONTACT.street,
        "payment_method": method,
        "checkout_token": token or secrets.token_urlsafe(32),
        "expected_total": str(total),
    }
    data.update(overrides)
    return data


def order_for(lines: dict, method=PaymentMethod.COD, user=None, token=None):
    """Place an order through the service (the total is the one the cart shows)."""
    from shop.cart.services import build_view

    ids = {getattr(p, "id", p): q for p, q in lines.items()}
    total = build_view(ids, today_vn()).total_vnd
    order, _created = place_order(
        lines=ids,
        contact=CONTACT,
        payment_method=method,
        token=token or secrets.token_urlsafe(32),
        user=user,
        today=today_vn(),
        expected_total_vnd=total,
    )
    db.session.commit()
    return order


def hidden_value(html: str, name: str = "action_token") -> str:
    """The value of the first hidden input called ``name`` on a page."""
    import re

    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden {name} on the page"
    return match.group(1)
