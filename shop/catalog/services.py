"""Catalogue use cases. They flush; the caller commits."""

from sqlalchemy import func, select

from shop.catalog.models import Product, ProductSet
from shop.catalog.taxonomy import LEGAL_VERSION_2023
from shop.extensions import db
from shop.producers.models import Producer
from shop.text import slugify


def products_of(producer: Producer):
    return (
        select(Product)
        .where(Product.producer_id == producer.id)
        .order_by(Product.created_at.desc(), Product.id.desc())
    )


def current_product_sets() -> list[ProductSet]:
    return list(
        db.session.scalars(
            select(ProductSet)
            .where(ProductSet.legal_version == LEGAL_VERSION_2023)
            .order_by(ProductSet.id)
        )
    )


def _unique_slug(name: str, product_id: int | None = None) -> str:
    base = slugify(name, max_length=100)
    slug, n = base, 1
    while True:
        query = select(func.count()).select_from(Product).where(Product.slug == slug)
        if product_id is not None:
            query = query.where(Product.id != product_id)
        if not db.session.scalar(query):
            return slug
        n += 1
        slug = f"{base}-{n}"


def create_product(producer: Producer, *, name: str, product_set_id: int, description: str = ""):
    product = Product(
        producer_id=producer.id,
        name=name,
        product_set_id=product_set_id,
        description=description,
        slug=_unique_slug(name),
    )
    db.session.add(product)
    db.session.flush()
    return product


def update_product(product: Product, *, name: str, product_set_id: int, description: str = ""):
    if name != product.name:
        product.slug = _unique_slug(name, product.id)
    product.name = name
    product.product_set_id = product_set_id
    product.description = description
    db.session.flush()
    return product
