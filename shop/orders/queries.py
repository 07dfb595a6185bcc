"""The read side of orders: a producer's shipments, filtered by state, and how
many there are in each state."""

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from shop.extensions import db
from shop.orders.models import Order, Shipment, ShipmentStatus


def producer_shipments(producer_id: int, state: ShipmentStatus | None = None) -> Select:
    """Newest first, with the order and its province loaded for the list."""
    query = (
        select(Shipment)
        .where(Shipment.producer_id == producer_id)
        .options(joinedload(Shipment.order).joinedload(Order.province))
        .order_by(Shipment.id.desc())
    )
    if state is not None:
        query = query.where(Shipment.status == state)
    return query


def shipment_counts(producer_id: int) -> dict[ShipmentStatus, int]:
    """Shipments per state in one grouped query; every state present, 0 when none."""
    rows = db.session.execute(
        select(Shipment.status, func.count())
        .where(Shipment.producer_id == producer_id)
        .group_by(Shipment.status)
    ).all()
    counts = dict.fromkeys(ShipmentStatus, 0)
    for status, n in rows:
        counts[ShipmentStatus(status)] = n
    return counts
