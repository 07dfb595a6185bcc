"""The centres' periodic job, run once per period by shop/jobs/periodic.py."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from shop.clock import utcnow
from shop.extensions import db
from shop.orders.models import Order, Shipment, ShipmentStatus
from shop.orders.services import OrderActionError, cancellable
from shop.payments.services import cancel_and_refund

PICKUP_EXPIRED = "Quá hạn nhận hàng tại điểm bán"  # stored text, shown in the order history


def pickups_past_due(now: datetime) -> list[int]:
    """Orders with a pick-up shipment not collected within PICKUP_DAYS of ordering."""
    since = now - timedelta(days=current_app.config["PICKUP_DAYS"])
    return list(
        db.session.scalars(
            select(Shipment.order_id)
            .join(Order, Order.id == Shipment.order_id)
            .where(
                Shipment.pickup_centre_id.is_not(None),
                Shipment.collected_at.is_(None),
                Shipment.status.in_([ShipmentStatus.NEW, ShipmentStatus.CONFIRMED]),
                Order.created_at < since,
            )
            .distinct()
            .order_by(Shipment.order_id)
        )
    )


def expire_pickups(now: datetime | None = None) -> list[str]:
    """Cancel each uncollected order through the payments' cancel path, one
    transaction per order: the units go back to the centre (``released``), a card
    payment is refunded, a transfer shows a refund due. An order of which another
    producer's part has already left is not cancelled here (staff decide).
    Returns the order numbers cancelled."""
    now = now or utcnow()
    cancelled = []
    for order_id in pickups_past_due(now):
        order = db.session.get(Order, order_id)
        if order is None or not cancellable(order):
            continue
        try:
            result = cancel_and_refund(
                order_id, actor=None, actor_label="system", reason=PICKUP_EXPIRED
            )
        except OrderActionError:
            db.session.rollback()
            continue
        number = result.order.number
        db.session.commit()
        cancelled.append(number or "")
    return cancelled


def expire_uncollected_pickups(now: datetime) -> str:
    cancelled = expire_pickups(now)
    return "\n".join(
        [f"Uncollected pick-ups cancelled: {len(cancelled)}", *(f"  {n}" for n in cancelled)]
    )
