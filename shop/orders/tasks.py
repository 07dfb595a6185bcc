"""The orders' periodic job, run once per period by shop/jobs/periodic.py."""

from datetime import datetime

from shop.clock import utcnow
from shop.extensions import db
from shop.orders.services import expire_order, unpaid_past_due


def expire_unpaid(now: datetime | None = None) -> list[str]:
    """Cancel unpaid orders past their time, each in a transaction of its own
    (a lock is held for one order only). Returns the order numbers cancelled."""
    now = now or utcnow()
    cancelled = []
    for order_id in unpaid_past_due(now):
        order = expire_order(order_id, now)
        if order is None:  # paid or cancelled meanwhile: nothing was written
            db.session.rollback()
            continue
        number = order.number
        db.session.commit()
        if number is not None:  # always: only placed orders can be unpaid
            cancelled.append(number)
    return cancelled


def expire_unpaid_orders(now: datetime) -> str:
    cancelled = expire_unpaid(now)
    return "\n".join([f"Unpaid orders cancelled: {len(cancelled)}", *(f"  {n}" for n in cancelled)])
