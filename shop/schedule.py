"""What Celery beat fires (or cron, through the flask commands), in one table.

Each job belongs to an area (its ``tasks.py``); shop/jobs/periodic.py claims the
period and runs it. This module sits at the top, beside the app factory that
registers the table, so the jobs package never imports the areas."""

from celery.schedules import crontab

from shop.centres.tasks import expire_uncollected_pickups
from shop.jobs.periodic import (
    PeriodicJob,
    day_in_vietnam,
    every_minutes,
    month_in_vietnam,
    prune_job,
)
from shop.orders.tasks import expire_unpaid_orders
from shop.payments.tasks import reconcile_payments
from shop.promotion.tasks import certificate_expiry_watch
from shop.settlements.tasks import generate_last_month
from shop.tokens.tasks import prune_idempotency_keys
from shop.wishlist.tasks import notify_back_in_stock


def periodic_jobs() -> list[PeriodicJob]:
    return [
        # A message that waits past the next firing is dropped: that firing covers it.
        PeriodicJob(
            "orders.expire",
            every_minutes(10),
            expire_unpaid_orders,
            crontab(minute="*/10"),
            {"expires": 9 * 60},
        ),
        PeriodicJob(
            "centres.expire_pickups",
            every_minutes(60),
            expire_uncollected_pickups,
            crontab(minute=25),
            {"expires": 55 * 60},
        ),
        PeriodicJob(
            "payments.reconcile",
            every_minutes(15),
            reconcile_payments,
            crontab(minute="*/15"),
            {"expires": 14 * 60},
        ),
        PeriodicJob(
            "wishlist.back_in_stock",
            every_minutes(10),
            notify_back_in_stock,
            crontab(minute="*/10"),
            {"expires": 9 * 60},
        ),
        # Daily and monthly jobs fire every hour from their time on: the claim
        # makes the first one run and the others skip, and a run that failed is
        # tried again an hour later rather than the next day or month.
        PeriodicJob(
            "ocop.daily",
            day_in_vietnam,
            certificate_expiry_watch,
            crontab(minute=15, hour="6-23"),
            {"expires": 55 * 60},
        ),
        PeriodicJob(
            "settlements.generate",
            month_in_vietnam,
            generate_last_month,
            crontab(minute=5, hour="1-23"),
            {"expires": 55 * 60},
        ),
        # Idempotency-Key answers are kept 24 hours (shop/tokens/idempotency.py).
        PeriodicJob(
            "api.idempotency_prune",
            every_minutes(60),
            prune_idempotency_keys,
            crontab(minute=45),
            {"expires": 55 * 60},
        ),
        PeriodicJob(
            "jobs.prune",
            day_in_vietnam,
            prune_job,
            crontab(minute=30, hour="3-23"),
            {"expires": 55 * 60},
        ),
    ]
