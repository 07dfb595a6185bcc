"""The wishlist and back-in-stock alerts: use cases that flush, never commit."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, select

from shop.auth.models import User, normalize_email
from shop.catalog.models import Product, ProductStatus
from shop.certification.queries import is_listed
from shop.clock import utcnow
from shop.dbtypes import rows_affected
from shop.extensions import db
from shop.jobs.services import dialect_insert
from shop.producers.models import Producer, ProducerStatus
from shop.wishlist.exceptions import (
    ConfirmationExpired,
    InvalidConfirmation,
    NotSoldOut,
    ProductUnavailable,
)
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


def awaitable_product(product_id: int, today: date) -> Product:
    """A listed product that is sold out: the only kind an alert may wait for."""
    product = visible_product(product_id)
    if product.stock > 0 or not is_listed(product.id, today):
        raise NotSoldOut(product_id)
    return product


# Double opt-in. Asking stores nothing: the confirmation e-mail carries a signed
# link naming the address, the product and the account (if any), and only that
# link, followed within STOCK_ALERT_CONFIRM_MAX_AGE, makes the alert. An address
# typed by someone else therefore never gets an alert, and an unconfirmed request
# leaves no personal data behind: it simply lapses.
_CONFIRM_SALT = "stock-alert-confirm"


@dataclass(frozen=True)
class AlertRequest:
    email: str
    product_id: int
    user_id: int | None


def _confirm_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_CONFIRM_SALT)


def request_stock_alert(
    email: str, product_id: int, today: date, user: User | None = None
) -> tuple[Product, str]:
    """Check that the product may be awaited and sign the confirmation link's
    token; the caller e-mails it. Raises NotSoldOut, ProductUnavailable."""
    product = awaitable_product(product_id, today)
    token = _confirm_serializer().dumps(
        {"e": normalize_email(email), "p": product.id, "u": user.id if user else None}
    )
    return product, token


def _request_from(data: object) -> AlertRequest:
    if not isinstance(data, dict):
        raise InvalidConfirmation()
    email, product_id, user_id = data.get("e"), data.get("p"), data.get("u")
    if not (
        isinstance(email, str)
        and isinstance(product_id, int)
        and (user_id is None or isinstance(user_id, int))
    ):
        raise InvalidConfirmation()
    return AlertRequest(email, product_id, user_id)


def read_confirmation(token: str) -> AlertRequest:
    """The request a confirmation link stands for. Raises InvalidConfirmation for
    a link the shop did not sign, ConfirmationExpired (with the product, to offer
    its page) for one older than STOCK_ALERT_CONFIRM_MAX_AGE."""
    if not token or len(token) > 1000:
        raise InvalidConfirmation()
    serializer = _confirm_serializer()
    try:
        data = serializer.loads(token, max_age=current_app.config["STOCK_ALERT_CONFIRM_MAX_AGE"])
    except SignatureExpired as exc:
        # The signature is genuine, only old: its payload can be trusted to name
        # the product.
        product_id = None
        if isinstance(exc.payload, bytes):
            try:
                product_id = _request_from(serializer.load_payload(exc.payload)).product_id
            except (BadSignature, InvalidConfirmation):
                product_id = None
        raise ConfirmationExpired(product_id) from exc
    except BadSignature as exc:
        raise InvalidConfirmation() from exc
    return _request_from(data)


def confirm_stock_alert(request: AlertRequest, today: date, now: datetime | None = None) -> bool:
    """The address confirmed: the alert starts. True when it is new; False when the
    address waits for the product already (a second click). Raises NotSoldOut when
    the product came back (or left the shop) meanwhile."""
    user = db.session.get(User, request.user_id) if request.user_id is not None else None
    return subscribe_stock_alert(request.email, request.product_id, today, user=user, now=now)


def subscribe_stock_alert(
    email: str,
    product_id: int,
    today: date,
    user: User | None = None,
    now: datetime | None = None,
) -> bool:
    """Start an alert: one e-mail when a listed, sold-out product is back. True when
    a new alert was made; False when the address waits for this product already.
    The shop calls it once the address confirmed (``confirm_stock_alert``)."""
    product = awaitable_product(product_id, today)
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
