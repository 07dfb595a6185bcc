"""Catalogue use cases. They flush; the caller commits."""

from flask_babel import gettext as _
from sqlalchemy import case, select
from sqlalchemy.exc import IntegrityError

from shop.audit.services import record
from shop.auth.models import User
from shop.catalog.alcohol import is_alcohol
from shop.catalog.exceptions import (
    AbvRequired,
    GtinGrantError,
    GtinTaken,
    InvalidTransition,
    ProducerNotVerified,
    TooManyPhotos,
)
from shop.catalog.gtin import InvalidGtin, ocop_gtin13
from shop.catalog.models import (
    MAX_PHOTOS,
    GtinGrant,
    GtinOwner,
    Product,
    ProductPhoto,
    ProductSet,
    ProductStatus,
)
from shop.catalog.sanitize import render_markdown, sanitize_description
from shop.catalog.search import refresh_search
from shop.catalog.taxonomy import LEGAL_VERSION_2023
from shop.clock import utcnow
from shop.extensions import db
from shop.producers.exceptions import ProductsWithoutWeight
from shop.producers.models import Producer
from shop.producers.rules import ShippingMode
from shop.slugs import unique_slug

PRODUCT_FIELDS = (
    "name",
    "product_set_id",
    "price_vnd",
    "stock",
    "unit",
    "net_quantity",
    "gtin",
    "abv_tenths",
    "shipping_grams",
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
    if "description_md" in data:
        # The editor's Markdown, kept for the next edit, and the HTML pages render.
        source = (data["description_md"] or "").strip()
        product.description_md = source
        product.description = render_markdown(source)
    elif "description" in data:
        # HTML or plain text (the demo's seed): no Markdown to keep.
        product.description = sanitize_description(data["description"])
        product.description_md = None
    db.session.flush()
    db.session.expire(product, ["product_set", "producer"])  # reload from the new keys
    refresh_search(product)


def _check_abv(data: dict, product: Product | None) -> None:
    """Products of the alcoholic sets declare their ABV (above 0)."""
    set_id = data.get("product_set_id", product.product_set_id if product else None)
    abv = data.get("abv_tenths", product.abv_tenths if product else None)
    product_set = db.session.get(ProductSet, set_id) if set_id is not None else None
    if product_set is not None and product_set.alcoholic and not is_alcohol(abv):
        raise AbvRequired(set_id)


def create_product(producer: Producer, **data) -> Product:
    _check_abv(data, None)
    _check_gtin(producer.id, data, current=None)
    product = Product(
        producer_id=producer.id, slug=unique_slug(Product, data["name"], max_length=100)
    )
    db.session.add(product)
    _apply(product, data)
    db.session.flush()
    return product


def update_product(product: Product, **data) -> Product:
    _check_abv(data, product)
    _check_gtin(product.producer_id, data, current=product.gtin)
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


def move_photo(product: Product, photo: ProductPhoto, to: int) -> None:
    """Put ``photo`` at position ``to`` (0 is the main photo, the one cards and the
    product page show first); the others keep their order. Positions stay 0..n-1."""
    photos = [p for p in product.photos if p is not photo]
    photos.insert(max(0, min(to, len(photos))), photo)
    for position, each in enumerate(photos):
        each.position = position
    db.session.flush()
    db.session.expire(product, ["photos"])  # reload in the new order


SHIPPING_FIELDS = (
    "shipping_mode",
    "shipping_fee_vnd",
    "free_shipping_over_vnd",
    "ship_base_grams",
    "ship_province_vnd",
    "ship_province_step_vnd",
    "ship_region_vnd",
    "ship_region_step_vnd",
    "ship_far_vnd",
    "ship_far_step_vnd",
)


def set_shipping(producer: Producer, settings: dict) -> Producer:
    """Change how the producer charges shipping (no new verification needed). Here,
    not in producers, because the choice depends on the producer's products.

    Fees by weight need every product still on offer (not archived) to carry its
    shipping weight: ProductsWithoutWeight names the ones that do not."""
    if settings.get("shipping_mode", producer.shipping_mode) is ShippingMode.ZONES:
        missing = list(
            db.session.scalars(
                select(Product.name)
                .where(
                    Product.producer_id == producer.id,
                    Product.status != ProductStatus.ARCHIVED,
                    Product.shipping_grams.is_(None),
                )
                .order_by(Product.name)
            )
        )
        if missing:
            raise ProductsWithoutWeight(missing)
    for field in SHIPPING_FIELDS:
        if field in settings:
            setattr(producer, field, settings[field])
    db.session.flush()
    return producer


def refresh_producer_products(producer: Producer) -> None:
    """A producer's name, province or former locality is part of its products' search
    text. Connected to ``producers.services.profile_changed`` by create_app."""
    for product in db.session.scalars(products_of(producer)):
        refresh_search(product)
    db.session.flush()


# --- One GTIN, one brand owner ------------------------------------------------------


def _check_gtin(producer_id: int, data: dict, current: str | None) -> None:
    """Refuse a GTIN no OCOP product may carry or that another producer owns.

    Checked when the number changes only: a listing keeps a number it already
    had (listings from before the ownership rule included). Normalises
    ``data["gtin"]`` in place."""
    if not data.get("gtin"):
        return
    data["gtin"] = ocop_gtin13(data["gtin"])
    if data["gtin"] != current:
        claim_gtin(producer_id, data["gtin"])


def gtin_owner_id(gtin13: str) -> int | None:
    return db.session.scalar(select(GtinOwner.producer_id).where(GtinOwner.gtin == gtin13))


def _has_grant(producer_id: int, gtin13: str) -> bool:
    return (
        db.session.scalar(
            select(GtinGrant.id).where(
                GtinGrant.gtin == gtin13, GtinGrant.producer_id == producer_id
            )
        )
        is not None
    )


def claim_gtin(producer_id: int, gtin13: str) -> None:
    """Make ``producer_id`` the owner of an unowned GTIN, or check that it may use
    an owned one; GtinTaken otherwise.

    Two producers entering the same new number at once both find no owner; the
    primary key of ``gtin_owners`` lets one insert through and the other (after
    the first commits, on PostgreSQL) fails inside its savepoint, reads the
    winner and is refused like any later producer."""
    owner_id = gtin_owner_id(gtin13)
    if owner_id is None:
        try:
            with db.session.begin_nested():
                db.session.add(GtinOwner(gtin=gtin13, producer_id=producer_id))
            return
        except IntegrityError:
            owner_id = gtin_owner_id(gtin13)
    if owner_id == producer_id or _has_grant(producer_id, gtin13):
        return
    raise GtinTaken(gtin13, owner_id)


def grant_gtin(gtin_text: str, producer: Producer, staff: User, reason: str) -> GtinGrant:
    """Let ``producer`` carry a GTIN another producer owns; audited with the reason."""
    try:
        gtin13 = ocop_gtin13(gtin_text or "")
    except InvalidGtin:
        raise GtinGrantError(_("Mã GTIN-13 không hợp lệ cho sản phẩm OCOP.")) from None
    reason = (reason or "").strip()
    if not reason:
        raise GtinGrantError(_("Vui lòng nêu lý do."))
    if len(reason) > 500:
        raise GtinGrantError(_("Lý do tối đa 500 ký tự."))
    owner_id = gtin_owner_id(gtin13)
    if owner_id is None:
        raise GtinGrantError(
            _("Mã này chưa thuộc chủ thể nào: chủ thể có thể tự nhập mã cho sản phẩm.")
        )
    if owner_id == producer.id:
        raise GtinGrantError(_("Chủ thể này đã là chủ sở hữu mã."))
    grant = GtinGrant(gtin=gtin13, producer_id=producer.id, reason=reason, granted_by_id=staff.id)
    try:
        with db.session.begin_nested():
            db.session.add(grant)
    except IntegrityError:
        raise GtinGrantError(_("Chủ thể này đã được cho phép dùng mã.")) from None
    record(staff, "gtin.grant", grant, reason, gtin=gtin13, producer=producer.id, owner=owner_id)
    return grant


def products_with_gtin(gtin13: str):
    """The products carrying ``gtin13``, in the order the GS1 Digital Link path
    ``/01/<GTIN-14>`` tries them, so that several products sharing a number
    always give the same answer:

    1. the products of the GTIN's owner (``gtin_owners``) before any other's
       (a producer that staff granted the number to comes after the owner);
    2. within each group, the oldest listing first (``Product.id``, which never
       changes), whatever its status.

    The resolver takes the first product in this order that has a current
    certificate."""
    not_owner = case((GtinOwner.producer_id.is_(None), 1), else_=0)
    return (
        select(Product)
        .outerjoin(
            GtinOwner,
            (GtinOwner.gtin == Product.gtin) & (GtinOwner.producer_id == Product.producer_id),
        )
        .where(Product.gtin == gtin13)
        .order_by(not_owner, Product.id)
    )


def gtin_summary(gtin13: str) -> dict:
    """For the staff page: the owner, the grants and the products using a GTIN."""
    owner = db.session.get(GtinOwner, gtin13)
    grants = db.session.scalars(
        select(GtinGrant).where(GtinGrant.gtin == gtin13).order_by(GtinGrant.id)
    ).all()
    products = db.session.scalars(products_with_gtin(gtin13)).all()
    return {"gtin": gtin13, "owner": owner, "grants": grants, "products": products}


def latest_grants(limit: int = 50):
    return select(GtinGrant).order_by(GtinGrant.created_at.desc(), GtinGrant.id.desc()).limit(limit)


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
