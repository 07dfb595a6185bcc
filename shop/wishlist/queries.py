"""The read side: a buyer's saved products, and the ids the page marks as saved."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select

from shop.catalog.models import Product, ProductPhoto, ProductStatus
from shop.certification.models import Certificate
from shop.extensions import db
from shop.localities.models import Province, short_province_name
from shop.producers.models import Producer, ProducerStatus
from shop.wishlist.models import StockAlert, WishlistItem

MAX_MARKED = 500  # saved ids sent to a page (session.json), newest first


@dataclass(frozen=True, slots=True)
class Entry:
    """A saved product as the catalogue's card shows it, plus whether it is on sale:
    a saved product may have lost its certificate or been withdrawn since."""

    item_id: int
    id: int
    slug: str
    name: str
    price_vnd: int
    stock: int
    stars: int | None  # the valid certificate's rank today; None: none valid
    on_sale: bool  # published by a verified producer
    producer_name: str
    province_name: str
    thumb_path: str | None

    @property
    def listed(self) -> bool:
        return self.on_sale and self.stars is not None

    @property
    def in_stock(self) -> bool:
        return self.stock > 0

    @property
    def province(self) -> str:
        return short_province_name(self.province_name)


def wishlist_entries(user_id: int, today: date) -> list[Entry]:
    """The user's saved products, newest first, in one query."""
    valid_stars = (
        select(func.max(Certificate.star_rank))
        .where(Certificate.product_id == Product.id, Certificate.valid_on(today))
        .scalar_subquery()
    )
    thumb = (
        select(ProductPhoto.thumb_path)
        .where(ProductPhoto.product_id == Product.id)
        .order_by(ProductPhoto.position, ProductPhoto.id)
        .limit(1)
        .scalar_subquery()
    )
    on_sale = and_(
        Product.status == ProductStatus.PUBLISHED, Producer.status == ProducerStatus.VERIFIED
    )
    rows = db.session.execute(
        select(
            WishlistItem.id,
            Product.id,
            Product.slug,
            Product.name,
            Product.price_vnd,
            Product.stock,
            valid_stars,
            on_sale,
            Producer.legal_name,
            Province.name,
            thumb,
        )
        .join(Product, Product.id == WishlistItem.product_id)
        .join(Producer, Producer.id == Product.producer_id)
        .join(Province, Province.code == Producer.province_code)
        .where(WishlistItem.user_id == user_id)
        .order_by(WishlistItem.created_at.desc(), WishlistItem.id.desc())
    )
    return [
        Entry(
            item_id=row[0],
            id=row[1],
            slug=row[2],
            name=row[3],
            price_vnd=row[4],
            stock=row[5],
            stars=row[6],
            on_sale=bool(row[7]),
            producer_name=row[8],
            province_name=row[9],
            thumb_path=row[10],
        )
        for row in rows
    ]


def saved_product_ids(user_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(WishlistItem.product_id)
            .where(WishlistItem.user_id == user_id)
            .order_by(WishlistItem.id.desc())
            .limit(MAX_MARKED)
        )
    )


def alerts_of(user_id: int, email: str):
    """The alerts that name a user: by account, or by the account's address."""
    return select(StockAlert).where(
        (StockAlert.user_id == user_id) | (StockAlert.email == email.strip().lower())
    )


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def personal_data_of(user_id: int, email: str) -> dict:
    """The user's wishlist and back-in-stock alerts, for the personal data export."""
    saved = db.session.execute(
        select(Product.name, WishlistItem.created_at)
        .join(Product, Product.id == WishlistItem.product_id)
        .where(WishlistItem.user_id == user_id)
        .order_by(WishlistItem.id)
    ).all()
    alerts = db.session.execute(
        alerts_of(user_id, email)
        .join(Product, Product.id == StockAlert.product_id)
        .with_only_columns(
            StockAlert.email, Product.name, StockAlert.created_at, StockAlert.notified_at
        )
        .order_by(StockAlert.id)
    ).all()
    return {
        "wishlist": [{"product_name": name, "saved_at": _iso(at)} for name, at in saved],
        "stock_alerts": [
            {
                "email": address,
                "product_name": name,
                "created_at": _iso(created),
                "notified_at": _iso(notified),
            }
            for address, name, created, notified in alerts
        ],
    }
