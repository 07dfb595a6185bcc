"""What the API answers and accepts, in marshmallow: the OpenAPI document is made
from these. Money is whole đồng (integers); dates and times are ISO 8601, times in
Asia/Ho_Chi_Minh (+07:00)."""

import marshmallow as ma
from marshmallow import fields, validate

from shop.money import MAX_PRICE_VND
from shop.storefront.queries import MAX_QUERY_LENGTH

MAX_LIMIT = 100
DEFAULT_LIMIT = 24
API_SORTS = ("newest", "price_asc", "price_desc", "stars")


class Strict(ma.Schema):
    """Fields in the order declared (the document lists them so)."""


# -- Query parameters ------------------------------------------------------------------


class PageArgs(Strict):
    cursor = fields.String(
        validate=validate.Length(max=500),
        metadata={"description": "The `next_cursor` of the previous page."},
    )
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(1, MAX_LIMIT),
        metadata={"description": f"Items per page, 1–{MAX_LIMIT}."},
    )


def _whole(low: int, high: int, description: str):
    return fields.Integer(validate=validate.Range(low, high), metadata={"description": description})


class ProductArgs(PageArgs):
    q = fields.String(
        validate=validate.Length(max=MAX_QUERY_LENGTH),
        metadata={"description": "Words to search, with or without Vietnamese marks."},
    )
    province = fields.String(
        validate=validate.Regexp(r"^([0-9]{1,5}|[a-z0-9][a-z0-9-]{0,59})$"),
        metadata={
            "description": "A province's code (`8`) or a former province's slug (`ha-giang`)."
        },
    )
    set = _whole(1, 1_000_000, "A product set's id (`/product-sets`).")
    industry = _whole(1, 1_000_000, "An industry's id.")
    stars = _whole(3, 5, "At least this many stars.")
    min_price = _whole(0, MAX_PRICE_VND, "Lowest price in đồng.")
    max_price = _whole(0, MAX_PRICE_VND, "Highest price in đồng.")
    in_stock = fields.Boolean(metadata={"description": "Only products in stock."})
    producer = fields.String(
        validate=validate.Length(max=100), metadata={"description": "A producer's slug."}
    )
    sort = fields.String(
        load_default="newest",
        validate=validate.OneOf(API_SORTS),
        metadata={"description": "Order of the results."},
    )


class ProducerArgs(PageArgs):
    province = _whole(1, 10_000, "A province's code.")


# -- Answers ---------------------------------------------------------------------------


class Link(Strict):
    next_cursor = fields.String(allow_none=True)


class ProducerRef(Strict):
    slug = fields.String()
    name = fields.String()
    province = fields.String()


class ProductCard(Strict):
    id = fields.Integer()
    slug = fields.String()
    name = fields.String()
    price_vnd = fields.Integer(metadata={"description": "Whole đồng."})
    in_stock = fields.Boolean()
    stars = fields.Integer()
    producer = fields.Nested(ProducerRef)
    image = fields.String(allow_none=True, metadata={"format": "uri"})
    url = fields.String(metadata={"format": "uri"})


class ProductPage(Link):
    items = fields.List(fields.Nested(ProductCard))


class IndustryOut(Strict):
    id = fields.Integer()
    code = fields.String()
    name_vi = fields.String()
    name_en = fields.String()


class ProductSetOut(Strict):
    id = fields.Integer()
    code = fields.String()
    name_vi = fields.String()
    name_en = fields.String()
    alcoholic = fields.Boolean()
    industry = fields.Nested(IndustryOut)


class CertificateRef(Strict):
    code = fields.String()
    star_rank = fields.Integer()
    valid_through = fields.Date()
    verify_url = fields.String(metadata={"format": "uri"})


class ProductDetail(Strict):
    id = fields.Integer()
    slug = fields.String()
    name = fields.String()
    description_html = fields.String(metadata={"description": "Sanitised HTML."})
    price_vnd = fields.Integer()
    stock = fields.Integer()
    in_stock = fields.Boolean()
    unit = fields.String()
    net_quantity = fields.String()
    gtin = fields.String(allow_none=True)
    abv_percent = fields.Float(allow_none=True, metadata={"description": "Alcohol by volume."})
    product_set = fields.Nested(ProductSetOut)
    producer = fields.Nested(ProducerRef)
    certificate = fields.Nested(CertificateRef)
    images = fields.List(fields.String(metadata={"format": "uri"}))
    published_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    updated_at = fields.String(metadata={"format": "date-time"})
    url = fields.String(metadata={"format": "uri"})


class ProducerOut(Strict):
    slug = fields.String()
    name = fields.String()
    kind = fields.String()
    province = fields.String()
    province_code = fields.Integer()
    ward = fields.String()
    former_locality = fields.String(allow_none=True)
    registration_number = fields.String(allow_none=True)
    tax_id = fields.String(allow_none=True)
    description = fields.String()
    logo = fields.String(allow_none=True, metadata={"format": "uri"})
    url = fields.String(metadata={"format": "uri"})


class ProducerPage(Link):
    items = fields.List(fields.Nested(ProducerOut))


class ProductSetList(Strict):
    items = fields.List(fields.Nested(ProductSetOut))


class ProvinceOut(Strict):
    code = fields.Integer()
    name = fields.String()
    short_name = fields.String()


class ProvinceList(Strict):
    items = fields.List(fields.Nested(ProvinceOut))


class CampaignOut(Strict):
    slug = fields.String()
    title = fields.String()
    description = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    banner = fields.String(allow_none=True, metadata={"format": "uri"})
    url = fields.String(metadata={"format": "uri"})


class CampaignList(Strict):
    items = fields.List(fields.Nested(CampaignOut))


class CampaignDetail(CampaignOut):
    products = fields.List(fields.Nested(ProductCard))


# The verification answer (shop/certification/queries.py: as_json), unchanged since v1.


class _Named(Strict):
    name = fields.String()
    url = fields.String(allow_none=True)


class _ProducerNamed(Strict):
    name = fields.String()
    province = fields.String()


class _Decision(Strict):
    number = fields.String()
    date = fields.Date()
    issuer = fields.String()
    issuer_level = fields.String()
    legal_basis = fields.String(allow_none=True)


class _Revoked(Strict):
    on = fields.Date()
    reason = fields.String(allow_none=True)


class VerificationOut(Strict):
    code = fields.String()
    status = fields.String(validate=validate.OneOf(("valid", "expiring", "expired", "revoked")))
    checked_on = fields.Date()
    product = fields.Nested(_Named)
    producer = fields.Nested(_ProducerNamed)
    star_rank = fields.Integer()
    decision = fields.Nested(_Decision)
    valid_from = fields.Date()
    valid_through = fields.Date()
    valid_until = fields.Date(metadata={"description": "The older name of valid_through."})
    revoked = fields.Nested(_Revoked, allow_none=True)
    replaced_by = fields.String(allow_none=True)


# -- Problems (RFC 9457) ---------------------------------------------------------------


class _OldError(Strict):
    code = fields.Integer()
    message = fields.String()


class Problem(Strict):
    type = fields.String(metadata={"format": "uri"})
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    instance = fields.String()
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        metadata={"description": "Per parameter, what is wrong with it."},
    )
    error = fields.Nested(_OldError, metadata={"description": "Deprecated: the v1.0 shape."})
