"""The back-in-stock job, run every 10 minutes by shop/jobs/periodic.py."""

from datetime import datetime

from sqlalchemy import select, update

from shop.catalog.models import Product
from shop.certification.queries import listed
from shop.clock import VN_TZ
from shop.extensions import db
from shop.wishlist import emails
from shop.wishlist.models import StockAlert

BATCH = 200


def _claim_batch(now: datetime, batch: int) -> list[tuple[int, str, str, int]]:
    """Mark up to ``batch`` due alerts notified; returns (id, email, token, product id).

    Due: pending, and the product is listed today (verified producer, published,
    valid certificate) and in stock. ``SKIP LOCKED`` lets a second runner take
    other rows instead of waiting (PostgreSQL; SQLite has one writer anyway), and
    the UPDATE's ``notified_at IS NULL`` makes a row that another runner marked
    meanwhile nobody's twice."""
    on_sale = (
        listed(now.astimezone(VN_TZ).date()).where(Product.stock > 0).with_only_columns(Product.id)
    )
    ids = db.session.scalars(
        select(StockAlert.id)
        .where(StockAlert.notified_at.is_(None), StockAlert.product_id.in_(on_sale))
        .order_by(StockAlert.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    ).all()
    if not ids:
        return []
    rows = db.session.execute(
        update(StockAlert)
        .where(StockAlert.id.in_(ids), StockAlert.notified_at.is_(None))
        .values(notified_at=now)
        .returning(StockAlert.id, StockAlert.email, StockAlert.token, StockAlert.product_id)
        .execution_options(synchronize_session=False)
    ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def notify_back_in_stock(now: datetime, batch: int = BATCH) -> str:
    """Send one e-mail per due alert, a batch per transaction; the e-mails go
    after each commit (the outbox). Running it twice sends nothing more."""
    sent = 0
    while True:
        claimed = _claim_batch(now, batch)
        if not claimed:
            break
        products = {
            p.id: p
            for p in db.session.scalars(
                select(Product).where(Product.id.in_({row[3] for row in claimed}))
            )
        }
        for alert_id, email, token, product_id in claimed:
            emails.back_in_stock(alert_id, email, token, products[product_id])
        db.session.commit()
        sent += len(claimed)
        if len(claimed) < batch:
            break
    return f"Back-in-stock e-mails queued: {sent}"
