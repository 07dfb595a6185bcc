"""The wishlist and back-in-stock alerts: use cases that flush, never commit."""

import secrets
from datetime import date, datetime

from sqlalchemy import delete, select

from shop.auth.models import User, normalize_email
from shop.catalog.models import Product, ProductStatus
from shop.certification.queries import is_listed
from shop.clock import utcnow
from shop.dbtypes import rows_affected
from shop.extensions import db
from shop.jobs.services import dialect_insert
from shop.producers.models import Producer, ProducerStatus
from shop.wishlist.exceptions import NotSoldOut, ProductUnavailable
from shop.wishlist.models import StockAlert, WishlistItem
from shop.wishlist.queries import alerts_of


def visible_product(product_id: int) -> Product:
    """A product whose page the public may open (what can be saved or awaited)."""
    product = db.session.scalar(
        select(Product)
        .join(Producer, Producer.id == Product.producer_id)
        .where(
            Product.id == product_id,
            Product.status == ProductStatus.PUBLISHED,
            Producer.status == ProducerStatus.VERIFIED,
        )
    )
    if product is None:
        raise ProductUnavailable(product_id)
    return product


def save_product(user: User, product_id: int, now: datetime | None = None) -> bool:
    """Save a product for ``user``; True when it was not saved yet. Two requests
    at once make one row (the unique key, with ON CONFLICT DO NOTHING)."""
    visible_product(product_id)
    inserted = db.session.scalar(
        dialect_insert(WishlistItem)
        .values(user_id=user.id, product_id=product_id, created_at=now or utcnow())
        .on_conflict_do_nothing(index_elements=["user_id", "product_id"])
        .returning(WishlistItem.id)
    )
    return inserted is not None


def unsave_product(user: User, product_id: int) -> bool:
    return bool(
        rows_affected(
            db.session.execute(
                delete(WishlistItem).where(
                    WishlistItem.user_id == user.id, WishlistItem.product_id == product_id
                )
            )
        )
    )


def toggle_wishlist(user: User, product_id: int, now: datetime | None = None) -> bool:
    """Save the product, or remove it when it was saved. True when it is saved now."""
    if unsave_product(user, product_id):
        return False
    save_product(user, product_id, now)  # False only if a request at once saved it
    return True


def remove_item(user: User, item_id: int) -> WishlistItem | None:
    """Remove one of the user's own items; None when it is not theirs (or gone)."""
    item = db.session.scalar(
        select(WishlistItem).where(WishlistItem.id == item_id, WishlistItem.user_id == user.id)
    )
    if item is not None:
        db.session.delete(item)
        db.session.flush()
    return item


def subscribe_stock_alert(
    email: str,
    product_id: int,
    today: date,
    user: User | None = None,
    now: datetime | None = None,
) -> bool:
    """Ask for one e-mail when a listed, sold-out product is back. True when a new
    alert was made; False when the address waits for this product already."""
    product = visible_product(product_id)
    if product.stock > 0 or not is_listed(product.id, today):
        raise NotSoldOut(product_id)
    inserted = db.session.scalar(
        dialect_insert(StockAlert)
        .values(
            email=normalize_email(email),
            product_id=product.id,
            user_id=user.id if user is not None else None,
            token=secrets.token_urlsafe(32),
            created_at=now or utcnow(),
        )
        .on_conflict_do_nothing(
            index_elements=["email", "product_id"],
            index_where=StockAlert.notified_at.is_(None),
        )
        .returning(StockAlert.id)
    )
    return inserted is not None


def alert_for_token(token: str) -> StockAlert | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(StockAlert).where(StockAlert.token == token))


def unsubscribe(token: str) -> StockAlert | None:
    """One click in the e-mail: the alert and its address are deleted."""
    alert = alert_for_token(token)
    if alert is not None:
        db.session.delete(alert)
        db.session.flush()
    return alert


def forget_user(user: User) -> None:
    """Account deletion: the wishlist and every alert of the user's address go."""
    db.session.execute(delete(WishlistItem).where(WishlistItem.user_id == user.id))
    ids = db.session.scalars(alerts_of(user.id, user.email).with_only_columns(StockAlert.id)).all()
    if ids:
        db.session.execute(delete(StockAlert).where(StockAlert.id.in_(ids)))
