"""What the feeds list, read as plain columns in one streamed query.

The listing rule (``certification.queries.listed``: a verified producer, a
published product, a certificate valid today), minus what may not be advertised
(spirits of 15 % or more: ``catalog.alcohol.advertisable``, Law 44/2019) and
what the cart does not sell (groups V and VI, ornamental plants and animals and
rural tourism, listed for enquiry or booking: a shopping engine sends buyers to
a page where they can order). Rows come ``yield_per`` at a time: 20,000 products
never become 20,000 ORM objects.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select

from shop.catalog.alcohol import advertisable
from shop.catalog.models import Industry, Product, ProductPhoto, ProductSet
from shop.certification.queries import listed
from shop.extensions import db
from shop.producers.models import Producer

STREAM_ROWS = 1000


@dataclass(frozen=True, slots=True)
class Row:
    id: int
    slug: str
    name: str
    pack_unit: str
    net_quantity: str
    description_html: str
    price_vnd: int
    stock: int
    gtin: str | None
    brand: str
    photo_path: str | None
    industry: str
    product_set: str

    @property
    def pack(self) -> str:
        return " ".join(p for p in (self.pack_unit, self.net_quantity) if p)

    @property
    def in_stock(self) -> bool:
        return self.stock > 0


def _first_photo():
    return (
        db.select(ProductPhoto.path)
        .where(ProductPhoto.product_id == Product.id)
        .order_by(ProductPhoto.position, ProductPhoto.id)
        .limit(1)
        .scalar_subquery()
    )


def feed_products(today: date) -> Select:
    return (
        listed(today)
        .join(ProductSet, ProductSet.id == Product.product_set_id)
        .join(Industry, Industry.id == ProductSet.industry_id)
        .where(advertisable(), Industry.ships_as_parcel.is_(True))
        .with_only_columns(
            Product.id,
            Product.slug,
            Product.name,
            Product.unit,
            Product.net_quantity,
            Product.description,
            Product.price_vnd,
            Product.stock,
            Product.gtin,
            Producer.legal_name,
            _first_photo(),
            Industry.name_vi,
            ProductSet.name_vi,
        )
        .order_by(Product.id)
    )


def feed_rows(today: date) -> Iterator[Row]:
    result = db.session.execute(feed_products(today), execution_options={"yield_per": STREAM_ROWS})
    for values in result:
        yield Row(*values)
