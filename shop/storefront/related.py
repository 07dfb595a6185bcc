"""Related products on a product page: the same product set or the same producer."""

from datetime import date

from flask import current_app, g, render_template, request
from markupsafe import Markup
from sqlalchemy import case, or_

from shop.catalog import generation
from shop.catalog.alcohol import advertisable
from shop.catalog.models import Product
from shop.certification.queries import Card, cards, listed
from shop.clock import today_vn
from shop.extensions import cache
from shop.i18n import current_language


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


def related_section(product: Product) -> Markup:
    """The template global: the product page's "related products" section.

    On a page every visitor shares, the rendered section is cached like a listing's
    results, keyed by the catalogue's generation (shop/catalog/generation.py), so a
    change to any card's price, stock or certificate shows on the next page; it is a
    third of the page's cost. A page for one signed-in visitor (whose saved products
    the cards mark) renders it every time."""
    seconds = current_app.config["CATALOG_RESULTS_CACHE_SECONDS"]
    if not g.get("edge_cacheable") or seconds <= 0:
        return Markup(render_template("wishlist/_related.html", product=product))  # noqa: S704
    key = (
        f"related:{generation.current()}:{current_language()}:{today_vn()}:"
        f"{request.script_root}:{product.id}"
    )
    html = cache.get(key)
    if html is None:
        html = render_template("wishlist/_related.html", product=product)
        cache.set(key, html, timeout=seconds)
    return Markup(html)  # noqa: S704 (our own template's autoescaped output)
