"""Orders built directly with the ORM, consistent with their CHECK constraints."""

import itertools
from datetime import UTC, datetime

import pytest

from shop.clock import VN_TZ
from shop.extensions import db
from shop.orders.models import (
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    Shipment,
    ShipmentStatus,
)
from shop.payments.models import Refund, RefundStatus

_numbers = itertools.count(1)


def vn(*args) -> datetime:
    """A moment given in Vietnam time, as the aware UTC datetime the database holds."""
    return datetime(*args, tzinfo=VN_TZ).astimezone(UTC)


def build_order(
    items,
    *,
    paid_at: datetime | None = None,
    status: ShipmentStatus = ShipmentStatus.DELIVERED,
    shipping_vnd: int = 30_000,
    stars: int = 4,
) -> Order:
    """One order of ``items`` [(product, quantity)], one shipment per producer.

    ``paid_at`` None leaves it unpaid; each shipment costs ``shipping_vnd``.
    """
    n = next(_numbers)
    groups: dict[int, list] = {}
    for product, quantity in items:
        groups.setdefault(product.producer_id, []).append((product, quantity))
    subtotal = sum(p.price_vnd * q for p, q in items)
    shipping = shipping_vnd * len(groups)
    order = Order(
        number=f"DH2611{n:06d}",
        checkout_token=f"token-{n:040d}",
        access_key=f"key-{n:039d}",
        customer_name="Nguyễn Thu Hà",
        phone="0912345678",
        email="khach@example.vn",
        province_code=8,
        ward_code=763,
        street="1 Đường A",
        payment_method=PaymentMethod.VIETQR,
        status=OrderStatus.PAID if paid_at else OrderStatus.PENDING_PAYMENT,
        payment_status=PaymentStatus.PAID if paid_at else PaymentStatus.UNPAID,
        subtotal_vnd=subtotal,
        shipping_vnd=shipping,
        total_vnd=subtotal + shipping,
        paid_vnd=subtotal + shipping if paid_at else 0,
        paid_at=paid_at,
    )
    db.session.add(order)
    for producer_id, group in groups.items():
        shipment = Shipment(
            order=order,
            producer_id=producer_id,
            status=status,
            subtotal_vnd=sum(p.price_vnd * q for p, q in group),
            shipping_vnd=shipping_vnd,
            paid_at=paid_at,
        )
        db.session.add(shipment)
        db.session.flush()
        for product, quantity in group:
            db.session.add(
                OrderLine(
                    order=order,
                    shipment_id=shipment.id,
                    product_id=product.id,
                    producer_id=producer_id,
                    product_name=product.name,
                    star_rank=stars,
                    product_set_id=product.product_set_id,
                    province_code=product.producer.province_code,
                    unit_price_vnd=product.price_vnd,
                    quantity=quantity,
                    line_total_vnd=product.price_vnd * quantity,
                )
            )
    db.session.commit()
    return order


def add_refund(shipment: Shipment | None, amount_vnd: int, at: datetime, order=None) -> Refund:
    refund = Refund(
        order_id=(order or shipment.order).id,
        shipment_id=shipment.id if shipment else None,
        amount_vnd=amount_vnd,
        reason="Hàng vỡ khi vận chuyển",
        status=RefundStatus.SUCCEEDED,
        created_at=at,
    )
    db.session.add(refund)
    db.session.commit()
    return refund


@pytest.fixture
def make_order(app):
    return build_order
