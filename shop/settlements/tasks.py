"""The monthly settlements, run once a month by shop/jobs/periodic.py."""

from datetime import date, datetime

from shop.clock import VN_TZ
from shop.extensions import db
from shop.reports.periods import previous_month
from shop.settlements.services import GenerateResult, generate


def generate_last_month(now: datetime) -> str:
    today = now.astimezone(VN_TZ).date()
    month = previous_month(today)
    result = generate(month, today)
    db.session.commit()
    return describe(month, result)


def describe(month: date, result: GenerateResult) -> str:
    return (
        f"Settlements {month:%Y-%m}: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged, {result.paid} already paid, {result.removed} removed"
    )
