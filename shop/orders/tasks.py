"""The orders' periodic job, run once per period by shop/jobs/periodic.py."""

from datetime import datetime

from shop.orders.services import expire_unpaid


def expire_unpaid_orders(now: datetime) -> str:
    cancelled = expire_unpaid(now)
    return "\n".join([f"Unpaid orders cancelled: {len(cancelled)}", *(f"  {n}" for n in cancelled)])
