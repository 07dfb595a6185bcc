"""Catalogue use cases. They flush; the caller commits."""

from sqlalchemy import select

from shop.catalog.exceptions import InvalidTransition, ProducerNotVerified, TooManyPhotos
from shop.catalog.models import MAX_PHOTOS, Product, ProductPhoto, ProductSet, ProductStatus
from shop.catalog.sanitize import sanitize_description
from shop.catalog.search import refresh_search
from shop.catalog.taxonomy import LEGAL_VERSION_2023
from shop.clock import utcnow
from shop.extensions import db
from shop.producers.models import Producer
from shop.slugs import unique_slug

PRODUCT_FIELDS = (
    "name",
    "product_set_id",
    "description",
    "price_vnd",
    "stock",
    "unit",
    "net_quantity",
    "gtin",
)


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


def _apply(product: Product, data: dict) -> None:
    for key in PRODUCT_FIELDS:
        if key in data:
            setattr(product, key, data[key])
    if "description" in data:
        product.description = sanitize_description(data["description"])
    db.session.flush()
    db.session.expire(product, ["product_set", "producer"])  # reload from the new keys
    refresh_search(product)


def create_product(producer: Producer, **data) -> Product:
    product = Product(
        producer_id=producer.id, slug=unique_slug(Product, data["name"], max_length=100)
    )
    db.session.add(product)
    _apply(product, data)
    db.session.flush()
    return product


def update_product(product: Product, **data) -> Product:
    if "name" in data and data["name"] != product.name:
        product.slug = unique_slug(Product, data["name"], exclude_id=product.id, max_length=100)
    _apply(product, data)
    db.session.flush()
    return product


def publish_product(product: Product) -> None:
    if not product.producer.is_verified:
        raise ProducerNotVerified(product.producer_id)
    if product.status == ProductStatus.PUBLISHED:
        raise InvalidTransition("already published")
    product.status = ProductStatus.PUBLISHED
    product.published_at = product.published_at or utcnow()
    db.session.flush()


def unpublish_product(product: Product) -> None:
    if product.status != ProductStatus.PUBLISHED:
        raise InvalidTransition("not published")
    product.status = ProductStatus.DRAFT
    db.session.flush()


def archive_product(product: Product) -> None:
    if product.status == ProductStatus.ARCHIVED:
        raise InvalidTransition("already archived")
    product.status = ProductStatus.ARCHIVED
    db.session.flush()


def add_photo(
    product: Product, *, path: str, thumb_path: str, width: int, height: int
) -> ProductPhoto:
    if len(product.photos) >= MAX_PHOTOS:
        raise TooManyPhotos(product.id)
    photo = ProductPhoto(
        path=path,
        thumb_path=thumb_path,
        width=width,
        height=height,
        position=len(product.photos),
        alt=product.name,
    )
    product.photos.append(photo)
    db.session.flush()
    return photo


def remove_photo(product: Product, photo: ProductPhoto) -> None:
    product.photos.remove(photo)
    for position, remaining in enumerate(product.photos):
        remaining.position = position
    db.session.flush()


def refresh_producer_products(producer: Producer) -> None:
    """A producer's name, province or former locality is part of its products' search text."""
    for product in db.session.scalars(products_of(producer)):
        refresh_search(product)
    db.session.flush()


def refresh_all_search(batch: int = 500) -> int:
    """Recompute every product's search text (after new locality data: the former
    province and district names are part of it). Flushes each batch and returns how
    many products changed; the caller commits."""
    from sqlalchemy.orm import selectinload

    changed = 0
    last_id = 0
    while True:
        products = db.session.scalars(
            select(Product)
            .where(Product.id > last_id)
            .order_by(Product.id)
            .limit(batch)
            .options(
                selectinload(Product.producer).selectinload(Producer.province),
                selectinload(Product.product_set),
            )
        ).all()
        if not products:
            return changed
        for product in products:
            before = (product.search_folded, product.search_exact, product.name_folded)
            refresh_search(product)
            if (product.search_folded, product.search_exact, product.name_folded) != before:
                changed += 1
        db.session.flush()
        last_id = products[-1].id
