"""Related products on a product page: the same product set or the same producer."""

from datetime import date

from sqlalchemy import case, or_

from shop.catalog.alcohol import advertisable
from shop.catalog.models import Product
from shop.certification.queries import Card, cards, listed
from shop.clock import today_vn


def related_products(product: Product, today: date, limit: int = 8) -> list[Card]:
    """Listed products (valid certificate today) of the product's set or producer,
    in one query: in stock first, then the same set before the same producer, then
    the newest. A recommendation is promotion, so no spirits of 15 % or more
    (shop/catalog/alcohol.py), as on the home page."""
    in_stock = case((Product.stock > 0, 0), else_=1)
    same_set = case((Product.product_set_id == product.product_set_id, 0), else_=1)
    return cards(
        listed(today)
        .where(
            Product.id != product.id,
            or_(
                Product.product_set_id == product.product_set_id,
                Product.producer_id == product.producer_id,
            ),
            advertisable(),
        )
        .order_by(in_stock, same_set, Product.published_at.desc(), Product.id.desc())
        .limit(limit)
    )


def related_for(product: Product, limit: int = 8) -> list[Card]:
    """The template global ``related_products(product)``: today's related cards."""
    return related_products(product, today_vn(), limit=limit)
