"""A delivered order to review, its buyer, and the steps the review tests share."""

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.jobs.models import OutboxMessage
from shop.orders.models import ShipmentStatus
from shop.orders.services import advance_shipment
from tests.orders.helpers import order_for


def deliver(order, upto=ShipmentStatus.DELIVERED):
    steps = [ShipmentStatus.CONFIRMED, ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED]
    for target in steps[: steps.index(upto) + 1]:
        for shipment in order.shipments:
            advance_shipment(
                shipment.id, target, actor=None, carrier="VNPost", tracking_number="EB123VN"
            )
            db.session.commit()  # the use case flushes; its caller (a view) commits
    db.session.refresh(order)
    return order


@pytest.fixture
def buyer(make_user):
    return make_user(email="binh@example.vn", full_name="Trần Thị Bình")


@pytest.fixture
def tea(make_listed):
    return make_listed("Chè Shan Tuyết", stock=50)


@pytest.fixture
def make_delivered(app, buyer, tea):
    """An order of ``product`` (the tea) by ``user`` (the buyer; None for a guest),
    moved up to ``upto`` (delivered)."""

    def build(product=None, user=buyer, upto=ShipmentStatus.DELIVERED, quantity=1):
        order = order_for({product or tea: quantity}, user=user)
        return deliver(order, upto) if upto is not None else order

    return build


def mails_to(address: str) -> list[dict]:
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "mail"))
    return [row.payload for row in rows if row.payload["to"] == address]


def review_url(order, line=None, **args) -> str:
    line = line or order.lines[0]
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/orders/{order.number}/lines/{line.id}/review" + (f"?{query}" if query else "")
