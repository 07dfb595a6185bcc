"""The payments' periodic job, run once per period by shop/jobs/periodic.py."""

from datetime import datetime

from shop.payments.services import reconcile_open_card_payments, reconcile_refunds


def reconcile_payments(now: datetime) -> str:
    checked, settled = reconcile_open_card_payments()
    refunds = reconcile_refunds(now)
    return (
        f"Open card payments checked: {checked}, settled now: {settled}\n"
        f"Pending refunds settled: {refunds}"
    )
