"""The public read API under /api/v1/: the catalogue as the storefront lists it.

Every list reads through the storefront's own filters over the listing rule
(shop/storefront/queries.py over shop/certification/queries.py ``listed``), so the
API can never show a product the shop would not sell. Lists are paged by cursor
(shop/api/cursor.py); every 200 is cacheable by any cache like the public pages
(shop/core/edge.py: ``public``, ``s-maxage``, an ETag, 304 on If-None-Match).
"""

from datetime import date
from typing import NoReturn

from flask import current_app, jsonify, url_for
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest import abort as smorest_abort
from sqlalchemy import Select, and_, or_, select
from webargs.flaskparser import FlaskParser

from shop.api import cursor as cursors
from shop.api import problems, schemas
from shop.catalog.models import Product, ProductPhoto, ProductSet
from shop.catalog.services import current_product_sets
from shop.certification.models import Certificate
from shop.certification.queries import Card, as_json, cards, listed, verify_code
from shop.certification.views import product_url, unknown_code_limit
from shop.clock import local_time, today_vn
from shop.core.edge import cacheable
from shop.core.views import media_url
from shop.extensions import db
from shop.localities import former as former_localities
from shop.localities.services import list_provinces
from shop.producers.models import Producer, ProducerStatus
from shop.promotion.campaigns import campaign_cards, running_campaigns
from shop.promotion.models import Campaign
from shop.storefront.queries import CatalogQuery
from shop.storefront.queries import filtered as catalogue_filters

URL_PREFIX = "/api/v1"


class QueryParser(FlaskParser):
    # A parameter that does not validate is a 400 naming it (webargs says 422).
    DEFAULT_VALIDATION_STATUS = 400


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = QueryParser()


products = Blueprint(
    "api-products", __name__, url_prefix=URL_PREFIX, description="Listed OCOP products."
)
producers = Blueprint(
    "api-producers", __name__, url_prefix=URL_PREFIX, description="Verified producers."
)
reference = Blueprint(
    "api-reference", __name__, url_prefix=URL_PREFIX, description="Product sets and provinces."
)
campaigns = Blueprint(
    "api-campaigns", __name__, url_prefix=URL_PREFIX, description="Campaigns running today."
)
verification = Blueprint(
    "api-verification",
    __name__,
    url_prefix=URL_PREFIX,
    description="Is an OCOP certificate real and valid today?",
)
BLUEPRINTS = (products, producers, reference, campaigns, verification)
for _bp in BLUEPRINTS:
    problems.register_on(_bp)


def absolute(path: str) -> str:
    """An address on the shop's public host, never the Host a client sent: these
    answers are kept by shared caches."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def _image(relative: str | None) -> str | None:
    url = media_url(relative)
    return absolute(url) if url else None


def _iso(moment) -> str | None:
    return local_time(moment).isoformat() if moment is not None else None


def abort(status: int, **details) -> NoReturn:
    """flask-smorest's abort (details reach the problem), typed as never returning."""
    smorest_abort(status, **details)
    raise AssertionError("abort returned")


def _bad(parameter: str, message: str) -> NoReturn:
    abort(400, messages={"query": {parameter: [message]}})


# -- Products --------------------------------------------------------------------------

# Keyset order per sort: the sort column, its direction, then id (newest first).
SORT_KEYS = {
    "newest": (None, None),
    "price_asc": (Product.price_vnd, "asc"),
    "price_desc": (Product.price_vnd, "desc"),
    "stars": (Certificate.star_rank, "desc"),
}


def _ordered_after(query: Select, sort: str, after: list | None) -> Select:
    column, direction = SORT_KEYS[sort]
    if column is None:
        if after is not None:
            query = query.where(Product.id < after[-1])
        return query.order_by(Product.id.desc())
    if after is not None:
        value, last_id = after
        beyond = column > value if direction == "asc" else column < value
        query = query.where(or_(beyond, and_(column == value, Product.id < last_id)))
    ordered = column.asc() if direction == "asc" else column.desc()
    return query.order_by(ordered, Product.id.desc())


def _sort_key(card: Card, sort: str) -> list[int]:
    if sort == "newest":
        return [card.id]
    if sort == "stars":
        return [card.stars, card.id]
    return [card.price_vnd, card.id]


def _catalogue_query(args: dict) -> CatalogQuery:
    province = former = None
    raw = (args.get("province") or "").strip()
    if raw:
        if raw.isascii() and raw.isdigit() and int(raw) <= 10_000:
            province = int(raw)
        else:
            found = former_localities.former_province(raw)
            if found is None:  # a province no one knows, like an unknown code: nothing
                return CatalogQuery(producer_id=0)
            province, former = found.province_code, found.slug
    producer_id = None
    if args.get("producer"):
        producer_id = (
            db.session.scalar(select(Producer.id).where(Producer.slug == args["producer"])) or 0
        )
    return CatalogQuery(
        q=(args.get("q") or "").strip(),
        province=province,
        former=former,
        product_set=args.get("set"),
        industry=args.get("industry"),
        stars=args.get("stars"),
        min_price=args.get("min_price"),
        max_price=args.get("max_price"),
        in_stock=bool(args.get("in_stock")),
        sort="newest",
        producer_id=producer_id,
    )


def _producer_slugs(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(
        select(Product.id, Producer.slug)
        .join(Producer, Producer.id == Product.producer_id)
        .where(Product.id.in_(ids))
    )
    return dict(rows.all())


def card_json(card: Card, producer_slug: str | None = None) -> dict:
    return {
        "id": card.id,
        "slug": card.slug,
        "name": card.name,
        "price_vnd": card.price_vnd,
        "in_stock": card.in_stock,
        "stars": card.stars,
        "producer": {
            "slug": producer_slug,
            "name": card.producer_name,
            "province": card.province,
        },
        "image": _image(card.thumb_path),
        "url": absolute(url_for("storefront.product_detail", slug=card.slug)),
    }


def cards_json(items: list[Card]) -> list[dict]:
    slugs = _producer_slugs([c.id for c in items])
    return [card_json(c, slugs.get(c.id)) for c in items]


def _decode(scope: str, args: dict, size: int) -> list | None:
    if not args.get("cursor"):
        return None
    try:
        key = cursors.decode(scope, args["cursor"])
    except cursors.BadCursor:
        _bad("cursor", "Not a cursor of this list: start again without it.")
    if len(key) != size:
        _bad("cursor", "Not a cursor of this list: start again without it.")
    return key


@products.route("/products")
@products.arguments(schemas.ProductArgs, location="query", as_kwargs=False)
@products.response(200, schemas.ProductPage)
@cacheable
def list_products(args: dict):
    """Search and filter the listed products, as /products does."""
    sort = args["sort"]
    limit = args["limit"]
    after = _decode(f"products:{sort}", args, 1 if sort == "newest" else 2)
    today = today_vn()
    cq = _catalogue_query(args)
    query = _ordered_after(catalogue_filters(listed(today), cq), sort, after)
    items = cards(query.limit(limit + 1))
    more = len(items) > limit
    items = items[:limit]
    next_cursor = (
        cursors.encode(f"products:{sort}", _sort_key(items[-1], sort)) if more and items else None
    )
    return {"items": cards_json(items), "next_cursor": next_cursor}


@products.route("/products/<slug>")
@products.response(200, schemas.ProductDetail)
@cacheable
def product_detail(slug: str):
    """One listed product by its slug; a product not listed today is a 404."""
    row = db.session.execute(listed(today_vn()).where(Product.slug == slug)).first()
    if row is None:
        abort(404, message="No listed product has this slug.")
    product, certificate = row
    product_set = product.product_set
    photos = db.session.scalars(
        select(ProductPhoto.path)
        .where(ProductPhoto.product_id == product.id)
        .order_by(ProductPhoto.position, ProductPhoto.id)
    )
    return {
        "id": product.id,
        "slug": product.slug,
        "name": product.name,
        "description_html": product.description,
        "price_vnd": product.price_vnd,
        "stock": product.stock,
        "in_stock": product.in_stock,
        "unit": product.unit,
        "net_quantity": product.net_quantity,
        "gtin": product.gtin,
        "abv_percent": product.abv_tenths / 10 if product.abv_tenths is not None else None,
        "product_set": product_set_json(product_set),
        "producer": {
            "slug": product.producer.slug,
            "name": product.producer.legal_name,
            "province": product.producer.province.short_name,
        },
        "certificate": {
            "code": certificate.verification_code,
            "star_rank": certificate.star_rank,
            "valid_through": certificate.valid_through,
            "verify_url": absolute(
                url_for("verify.verify_page", code=certificate.verification_code)
            ),
        },
        "images": [_image(p) for p in photos],
        "published_at": _iso(product.published_at),
        "updated_at": _iso(product.updated_at),
        "url": absolute(url_for("storefront.product_detail", slug=product.slug)),
    }


# -- Producers -------------------------------------------------------------------------


def producer_json(p: Producer) -> dict:
    return {
        "slug": p.slug,
        "name": p.legal_name,
        "kind": p.kind.value,
        "province": p.province.short_name,
        "province_code": p.province_code,
        "ward": p.ward.name,
        "former_locality": p.former_locality,
        "registration_number": p.registration_number,
        "tax_id": p.tax_id,
        "description": p.description,
        "logo": _image(p.logo_path),
        "url": absolute(url_for("storefront.producer_page", slug=p.slug)),
    }


@producers.route("/producers")
@producers.arguments(schemas.ProducerArgs, location="query", as_kwargs=False)
@producers.response(200, schemas.ProducerPage)
@cacheable
def list_producers(args: dict):
    """Verified producers, oldest first."""
    after = _decode("producers", args, 1)
    query = select(Producer).where(Producer.status == ProducerStatus.VERIFIED)
    if args.get("province"):
        query = query.where(Producer.province_code == args["province"])
    if after is not None:
        query = query.where(Producer.id > after[0])
    limit = args["limit"]
    items = list(db.session.scalars(query.order_by(Producer.id).limit(limit + 1)))
    more = len(items) > limit
    items = items[:limit]
    next_cursor = cursors.encode("producers", [items[-1].id]) if more and items else None
    return {"items": [producer_json(p) for p in items], "next_cursor": next_cursor}


@producers.route("/producers/<slug>")
@producers.response(200, schemas.ProducerOut)
@cacheable
def producer_detail(slug: str):
    producer = db.session.scalar(
        select(Producer).where(Producer.slug == slug, Producer.status == ProducerStatus.VERIFIED)
    )
    if producer is None:
        abort(404, message="No verified producer has this slug.")
    return producer_json(producer)


# -- Product sets and provinces ----------------------------------------------------------


def product_set_json(s: ProductSet) -> dict:
    return {
        "id": s.id,
        "code": s.code,
        "name_vi": s.name_vi,
        "name_en": s.name_en,
        "alcoholic": s.alcoholic,
        "industry": {
            "id": s.industry.id,
            "code": s.industry.code,
            "name_vi": s.industry.name_vi,
            "name_en": s.industry.name_en,
        },
    }


@reference.route("/product-sets")
@reference.response(200, schemas.ProductSetList)
@cacheable
def list_product_sets():
    """The product sets of the current OCOP rules (the `set` filter of /products)."""
    return {"items": [product_set_json(s) for s in current_product_sets()]}


@reference.route("/provinces")
@reference.response(200, schemas.ProvinceList)
@cacheable
def list_province_codes():
    """The 34 provinces since 1 July 2025 (the `province` filter)."""
    return {
        "items": [
            {"code": p.code, "name": p.name, "short_name": p.short_name} for p in list_provinces()
        ]
    }


# -- Campaigns ---------------------------------------------------------------------------


def campaign_json(c: Campaign) -> dict:
    return {
        "slug": c.slug,
        "title": c.title,
        "description": c.description,
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "banner": _image(c.banner_path),
        "url": absolute(url_for("campaigns.campaign", slug=c.slug)),
    }


@campaigns.route("/campaigns")
@campaigns.response(200, schemas.CampaignList)
@cacheable
def list_campaigns():
    """Campaigns running today (dates are days in Vietnam)."""
    return {"items": [campaign_json(c) for c in running_campaigns(today_vn())]}


@campaigns.route("/campaigns/<slug>")
@campaigns.response(200, schemas.CampaignDetail)
@cacheable
def campaign_detail(slug: str):
    today: date = today_vn()
    item = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    if item is None or not item.is_running(today):
        abort(404, message="No campaign with this slug is running today.")
    return {**campaign_json(item), "products": cards_json(campaign_cards(item, today))}


# -- Verification --------------------------------------------------------------------------


@verification.route("/verify/<code>")
@verification.response(200, schemas.VerificationOut)
@verification.alt_response(429, description="Too many unknown codes from this address.")
@unknown_code_limit
# As the verification page: a revoked or expired certificate is never shown as valid,
# so every cache asks again before each use (a 304 when unchanged).
@cacheable(revalidate=True)
def verify(code: str):
    """What the QR code on a package answers: the certificate behind a code, typed
    any forgiving way (spaces, dashes, O for 0). Unknown codes spend a shared budget
    per address (20 a minute), so codes cannot be enumerated."""
    verification_ = verify_code(code, today_vn())
    if verification_ is None:
        abort(404, message="Unknown verification code.")
    # A Response, not data for the schema: the answer's shape is as_json's, kept
    # exactly as it was before the API had a document (dates already in ISO 8601).
    return jsonify(as_json(verification_, product_url(verification_)))
