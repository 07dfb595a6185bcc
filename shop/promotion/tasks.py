"""The daily certificate job, run once a day by shop/jobs/periodic.py."""

from datetime import datetime

from shop.clock import VN_TZ
from shop.promotion.expiry import run_daily


def certificate_expiry_watch(now: datetime) -> str:
    notified = run_daily(now.astimezone(VN_TZ).date())
    return f"Expiry notices sent: {len(notified)}"
